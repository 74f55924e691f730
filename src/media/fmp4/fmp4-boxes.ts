/**
 * Box-level primitives of the ISO base media file format (ISO/IEC 14496-12 §4.2, "Object
 * structure"). Pure functions over Buffers; every read is bounds-checked and a violation throws
 * AppError('MEDIA_MALFORMED'), never a RangeError, so callers see one failure kind.
 */
import { AppError } from '../../lib/errors.ts';

/** Largest box we accept (64 MiB): bounds the memory one malformed or hostile size can claim. */
export const MAX_BOX_SIZE = 64 * 1024 * 1024;

/** A box located inside a buffer: `start` is its first header byte, `end` is one past its last byte. */
export interface Box {
  readonly type: string;
  readonly start: number;
  /** First byte of the payload (after size, type and any largesize). */
  readonly bodyStart: number;
  readonly end: number;
}

/** Result of reading a header that may not be complete yet. */
export type HeaderRead =
  | { readonly complete: false; readonly needed: number }
  | { readonly complete: true; readonly type: string; readonly size: number; readonly headerSize: number };

/** Throws the one error kind of this module: MEDIA_MALFORMED with the byte offset. */
export function malformed(message: string, offset: number): never {
  throw new AppError('MEDIA_MALFORMED', `${message} at byte ${offset}`, { offset });
}

/** The box type as text for messages: the four characters when printable, else hex. */
export function typeLabel(buf: Buffer, at: number): string {
  const raw = buf.subarray(at, at + 4);
  return raw.every((c) => c >= 0x20 && c <= 0x7e) ? raw.toString('latin1') : `0x${raw.toString('hex')}`;
}

/**
 * Reads a box header at `at` (`size`, `type`, and the 64-bit `largesize` when size is 1).
 * Returns how many bytes are needed when the header is not complete yet. Size 0 ("to end of
 * file") MUST NOT appear in a stream and is rejected, as are sizes below the header length and
 * above MAX_BOX_SIZE. `absolute` is added to offsets in error messages.
 */
export function readBoxHeader(buf: Buffer, at: number, absolute = 0): HeaderRead {
  if (buf.length - at < 8) return { complete: false, needed: 8 };
  const size32 = buf.readUInt32BE(at);
  const type = typeLabel(buf, at + 4);
  let size = size32;
  let headerSize = 8;
  if (size32 === 1) {
    if (buf.length - at < 16) return { complete: false, needed: 16 };
    const large = buf.readBigUInt64BE(at + 8);
    if (large > BigInt(MAX_BOX_SIZE)) malformed(`box '${type}' largesize ${large} exceeds limit`, absolute + at);
    size = Number(large);
    headerSize = 16;
  } else if (size32 === 0) {
    malformed(`box '${type}' has size 0 (to end of file), not allowed in a stream`, absolute + at);
  }
  if (size < headerSize) malformed(`box '${type}' size ${size} is smaller than its header`, absolute + at);
  if (size > MAX_BOX_SIZE) malformed(`box '${type}' size ${size} exceeds limit`, absolute + at);
  return { complete: true, type, size, headerSize };
}

/** Lists the boxes that exactly tile `[start, end)` of `buf`; a box crossing `end` is malformed. */
export function childBoxes(buf: Buffer, start: number, end: number): Box[] {
  const boxes: Box[] = [];
  let at = start;
  while (at < end) {
    const h = readBoxHeader(buf.subarray(0, end), at);
    if (!h.complete) malformed('truncated box header', at);
    if (at + h.size > end) malformed(`box '${h.type}' overruns its parent`, at);
    boxes.push({ type: h.type, start: at, bodyStart: at + h.headerSize, end: at + h.size });
    at += h.size;
  }
  return boxes;
}

/** The first child of type `type`, or undefined. */
export function findChild(buf: Buffer, parent: Box, type: string, skip = 0): Box | undefined {
  return childBoxes(buf, parent.bodyStart + skip, parent.end).find((b) => b.type === type);
}

/** Follows a path of child types (`['mdia', 'minf', 'stbl']`) from `parent`. */
export function findPath(buf: Buffer, parent: Box, path: readonly string[]): Box | undefined {
  let box: Box | undefined = parent;
  for (const type of path) {
    if (box === undefined) return undefined;
    box = findChild(buf, box, type);
  }
  return box;
}

/** A bounds-checked big-endian reader over one box's payload. */
export class BoxCursor {
  readonly #buf: Buffer;
  readonly #end: number;
  #at: number;

  constructor(buf: Buffer, box: Box) {
    this.#buf = buf;
    this.#at = box.bodyStart;
    this.#end = box.end;
  }

  /** Current absolute offset. */
  get offset(): number {
    return this.#at;
  }

  #need(n: number): number {
    if (this.#at + n > this.#end) malformed('box payload too short', this.#at);
    const at = this.#at;
    this.#at += n;
    return at;
  }

  u8(): number {
    return this.#buf.readUInt8(this.#need(1));
  }

  u16(): number {
    return this.#buf.readUInt16BE(this.#need(2));
  }

  u32(): number {
    return this.#buf.readUInt32BE(this.#need(4));
  }

  /** A 64-bit unsigned value; MUST fit in a JS safe integer (2^53), else malformed. */
  u64(): number {
    const at = this.#need(8);
    const v = this.#buf.readBigUInt64BE(at);
    if (v > BigInt(Number.MAX_SAFE_INTEGER)) malformed('64-bit value exceeds 2^53', at);
    return Number(v);
  }

  skip(n: number): void {
    this.#need(n);
  }

  bytes(n: number): Buffer {
    const at = this.#need(n);
    return this.#buf.subarray(at, at + n);
  }

  /** Reads the FullBox version (8 bits) and flags (24 bits), ISO/IEC 14496-12 §4.2. */
  fullBox(): { version: number; flags: number } {
    const vf = this.u32();
    return { version: vf >>> 24, flags: vf & 0xffffff };
  }
}
