/**
 * Incremental reader of fragmented MP4 (ISO/IEC 14496-12 §8.8, "Movie fragments"): turns a byte
 * stream (an ffmpeg pipe, a file being recovered) into MediaPieces. Memory is bounded by
 * MAX_BOX_SIZE: a box is buffered only once its header has been checked against what may come
 * next, so garbage is rejected at its first header, never after buffering it.
 */
import { AppError } from '../../lib/errors.ts';
import { BoxCursor, MAX_BOX_SIZE, childBoxes, findChild, findPath, malformed, readBoxHeader } from './fmp4-boxes.ts';
import type { Box } from './fmp4-boxes.ts';
import type { FragmentPiece, InitPiece, MediaPiece } from '../media.ts';
import { describeAudioTrack } from './audio-entry-reader.ts';

/** Per-track defaults from `mvex`/`trex` (§8.8.3), used when `tfhd` and `trun` are silent. */
export interface TrackDefaults {
  readonly sampleDuration: number;
  readonly sampleFlags: number;
}

/** An init piece plus what is needed to parse the fragments that follow it. */
export interface ParsedInit extends InitPiece {
  readonly defaults: TrackDefaults;
}

/** `sample_is_non_sync_sample` in the sample flags (§8.8.3.1). */
const NON_SYNC_SAMPLE = 0x00010000;

/** More samples than any one-second fragment can hold (a guard against spinning on garbage). */
const MAX_SAMPLES = 100_000;

/** Boxes allowed between `ftyp` and `moov`: free space and vendor extensions, kept verbatim. */
const INIT_EXTRA = new Set(['free', 'skip', 'uuid']);
/** Boxes allowed before a `moof` (§8.16 styp/sidx/ssix, §8.16.5 prft, DASH emsg). */
const FRAGMENT_PREFIX = new Set(['styp', 'sidx', 'ssix', 'prft', 'emsg', 'free', 'skip', 'uuid']);

/** Parses an init segment (`ftyp`, optional `free`/`uuid`, `moov`) and describes its video track (and AAC audio track, if any). */
export function parseInit(bytes: Buffer): ParsedInit {
  const top = childBoxes(bytes, 0, bytes.length);
  if (top[0]?.type !== 'ftyp') malformed("init segment does not start with 'ftyp'", 0);
  const moov = top.find((b) => b.type === 'moov');
  if (moov === undefined) malformed("init segment has no 'moov'", 0);
  const traks = childBoxes(bytes, moov.bodyStart, moov.end).filter((b) => b.type === 'trak');
  const video = traks.find((trak) => handlerType(bytes, trak) === 'vide');
  if (video === undefined) malformed("'moov' has no video track (hdlr 'vide')", moov.start);

  const tkhd = findChild(bytes, video, 'tkhd') ?? malformed("video 'trak' has no 'tkhd'", video.start);
  const tk = new BoxCursor(bytes, tkhd);
  tk.skip(tk.fullBox().version === 1 ? 16 : 8);
  const trackId = tk.u32();

  const mdhd = findPath(bytes, video, ['mdia', 'mdhd']) ?? malformed("video 'trak' has no 'mdhd'", video.start);
  const md = new BoxCursor(bytes, mdhd);
  md.skip(md.fullBox().version === 1 ? 16 : 8);
  const timescale = md.u32();
  if (timescale === 0) malformed("'mdhd' timescale is 0", mdhd.start);

  const stsd = findPath(bytes, video, ['mdia', 'minf', 'stbl', 'stsd']) ?? malformed("video 'trak' has no 'stsd'", video.start);
  // stsd is a FullBox followed by entry_count (§8.5.2); the first entry describes the stream.
  const entry = childBoxes(bytes, stsd.bodyStart + 8, stsd.end)[0] ?? malformed("'stsd' has no sample entry", stsd.start);
  const { codec, width, height } = describeVisualEntry(bytes, entry);
  // The first audio track in AAC, if any (ADR 0037); other audio is not described.
  const soun = traks.find((trak) => handlerType(bytes, trak) === 'soun');
  const audio = soun === undefined ? undefined : describeAudioTrack(bytes, soun);

  return {
    kind: 'init',
    bytes,
    codec: audio === undefined ? codec : `${codec},${audio.codec}`,
    timescale,
    trackId,
    width,
    height,
    ...(audio === undefined ? {} : { audio }),
    defaults: trackDefaults(bytes, moov, trackId),
  };
}

/** The `hdlr` handler_type of a `trak` (§8.4.3), or undefined. */
function handlerType(buf: Buffer, trak: Box): string | undefined {
  const hdlr = findPath(buf, trak, ['mdia', 'hdlr']);
  if (hdlr === undefined) return undefined;
  const c = new BoxCursor(buf, hdlr);
  c.skip(8); // version/flags, pre_defined
  return c.bytes(4).toString('latin1');
}

/** `trex` defaults for `trackId`; zeros when the movie has no `mvex` (then every fragment states its own). */
function trackDefaults(buf: Buffer, moov: Box, trackId: number): TrackDefaults {
  const mvex = findChild(buf, moov, 'mvex');
  for (const trex of mvex === undefined ? [] : childBoxes(buf, mvex.bodyStart, mvex.end)) {
    if (trex.type !== 'trex') continue;
    const c = new BoxCursor(buf, trex);
    c.fullBox();
    if (c.u32() !== trackId) continue;
    c.skip(4); // default_sample_description_index
    const sampleDuration = c.u32();
    c.skip(4); // default_sample_size
    return { sampleDuration, sampleFlags: c.u32() };
  }
  return { sampleDuration: 0, sampleFlags: 0 };
}

/** Size of SampleEntry (§8.5.2.2) plus VisualSampleEntry (§12.1.3) fields before child boxes. */
const VISUAL_ENTRY_FIELDS = 8 + 70;

/** Width, height and RFC 6381 codec string of a visual sample entry. */
function describeVisualEntry(buf: Buffer, entry: Box): { codec: string; width: number; height: number } {
  const c = new BoxCursor(buf, entry);
  c.skip(8 + 16); // SampleEntry header, pre_defined/reserved
  const width = c.u16();
  const height = c.u16();
  if (entry.end - entry.bodyStart < VISUAL_ENTRY_FIELDS) malformed(`sample entry '${entry.type}' too short`, entry.start);
  const config = (type: string): Box | undefined => findChild(buf, entry, type, VISUAL_ENTRY_FIELDS);
  let codec = entry.type;
  if (entry.type === 'avc1' || entry.type === 'avc3') {
    const avcC = config('avcC');
    if (avcC !== undefined) codec = `${entry.type}.${avcCodecSuffix(buf, avcC)}`;
  } else if (entry.type === 'hvc1' || entry.type === 'hev1') {
    const hvcC = config('hvcC');
    if (hvcC !== undefined) codec = `${entry.type}.${hevcCodecSuffix(buf, hvcC)}`;
  }
  return { codec, width, height };
}

/** `PPCCLL` from AVCDecoderConfigurationRecord (ISO/IEC 14496-15 §5.3.3; RFC 6381 §3.3). */
function avcCodecSuffix(buf: Buffer, avcC: Box): string {
  const c = new BoxCursor(buf, avcC);
  c.u8(); // configurationVersion
  return [c.u8(), c.u8(), c.u8()].map((v) => v.toString(16).padStart(2, '0')).join('').toUpperCase();
}

/**
 * `[A-C]?profile.compat.TL.constraints` from HEVCDecoderConfigurationRecord, per
 * ISO/IEC 14496-15 Annex E.3 (best effort: e.g. `hvc1.1.6.L93.B0`).
 */
function hevcCodecSuffix(buf: Buffer, hvcC: Box): string {
  const c = new BoxCursor(buf, hvcC);
  c.u8(); // configuration_version
  const b = c.u8();
  const space = ['', 'A', 'B', 'C'][b >>> 6] ?? '';
  const tier = (b & 0x20) !== 0 ? 'H' : 'L';
  const profile = b & 0x1f;
  let compat = c.u32();
  let reversed = 0;
  for (let i = 0; i < 32; i++) {
    reversed = (reversed << 1) | (compat & 1);
    compat >>>= 1;
  }
  const constraints = [...c.bytes(6)];
  const level = c.u8();
  while (constraints.length > 0 && constraints[constraints.length - 1] === 0) constraints.pop();
  const parts = [`${space}${profile}`, (reversed >>> 0).toString(16).toUpperCase(), `${tier}${level}`];
  parts.push(...constraints.map((v) => v.toString(16).toUpperCase()));
  return parts.join('.');
}

/** Parses one fragment (optional prefix boxes, `moof`, `mdat`) against the init it belongs to. */
export function parseFragment(bytes: Buffer, init: ParsedInit): FragmentPiece {
  const top = childBoxes(bytes, 0, bytes.length);
  const moofIndex = top.findIndex((b) => b.type === 'moof');
  const moof = top[moofIndex] ?? malformed("fragment has no 'moof'", 0);
  if (top[moofIndex + 1]?.type !== 'mdat') malformed("'moof' is not followed by 'mdat'", moof.end);

  let traf: Box | undefined;
  let tfhd: Box | undefined;
  for (const b of childBoxes(bytes, moof.bodyStart, moof.end)) {
    if (b.type !== 'traf') continue;
    const h = findChild(bytes, b, 'tfhd') ?? malformed("'traf' has no 'tfhd'", b.start);
    const c = new BoxCursor(bytes, h);
    c.fullBox();
    if (c.u32() === init.trackId) {
      traf = b;
      tfhd = h;
      break;
    }
  }
  if (traf === undefined || tfhd === undefined) malformed(`'moof' has no 'traf' for video track ${init.trackId}`, moof.start);

  // tfhd (§8.8.7): optional fields in flag order.
  const h = new BoxCursor(bytes, tfhd);
  const hf = h.fullBox().flags;
  h.u32(); // track_ID
  if (hf & 0x01) h.skip(8); // base_data_offset
  if (hf & 0x02) h.skip(4); // sample_description_index
  const defaultDuration = hf & 0x08 ? h.u32() : init.defaults.sampleDuration;
  if (hf & 0x10) h.skip(4); // default_sample_size
  const defaultFlags = hf & 0x20 ? h.u32() : init.defaults.sampleFlags;

  // tfdt (§8.8.12): version 1 carries a 64-bit decode time.
  const tfdt = findChild(bytes, traf, 'tfdt') ?? malformed("video 'traf' has no 'tfdt'", traf.start);
  const t = new BoxCursor(bytes, tfdt);
  const decodeTime = t.fullBox().version === 1 ? t.u64() : t.u32();

  let duration = 0;
  let sampleCount = 0;
  let firstFlags: number | undefined;
  for (const trun of childBoxes(bytes, traf.bodyStart, traf.end)) {
    if (trun.type !== 'trun') continue;
    // trun (§8.8.8): optional data_offset and first_sample_flags, then per-sample fields.
    const r = new BoxCursor(bytes, trun);
    const rf = r.fullBox().flags;
    const count = r.u32();
    if (rf & 0x01) r.skip(4); // data_offset
    const firstSampleFlags = rf & 0x04 ? r.u32() : undefined;
    const perSample = (rf & 0x100 ? 4 : 0) + (rf & 0x200 ? 4 : 0) + (rf & 0x400 ? 4 : 0) + (rf & 0x800 ? 4 : 0);
    // Checked before the loop so a hostile sample_count cannot make us spin.
    if (count > MAX_SAMPLES || count * perSample > trun.end - r.offset) {
      malformed(`'trun' sample_count ${count} is impossible`, trun.start);
    }
    for (let i = 0; i < count; i++) {
      duration += rf & 0x100 ? r.u32() : defaultDuration;
      if (rf & 0x200) r.skip(4);
      const flags = rf & 0x400 ? r.u32() : defaultFlags;
      if (rf & 0x800) r.skip(4);
      if (firstFlags === undefined) firstFlags = i === 0 && firstSampleFlags !== undefined ? firstSampleFlags : flags;
    }
    sampleCount += count;
  }
  const keyframe = firstFlags !== undefined && (firstFlags & NON_SYNC_SAMPLE) === 0;
  return { kind: 'fragment', bytes, decodeTime, duration, sampleCount, keyframe };
}

/** Re-raises a parse error with its offset moved from piece-relative to stream-absolute. */
function atStreamOffset(e: unknown, base: number): AppError {
  if (e instanceof AppError && e.code === 'MEDIA_MALFORMED') {
    const rel = typeof e.detail?.['offset'] === 'number' ? e.detail['offset'] : 0;
    const message = e.message.replace(/ at byte \d+$/, '');
    return new AppError('MEDIA_MALFORMED', `${message} at byte ${base + rel}`, { offset: base + rel });
  }
  if (e instanceof AppError) return e;
  // A RangeError here would be a bounds check we missed; the bytes are still what is wrong.
  return new AppError('MEDIA_MALFORMED', `unreadable box structure at byte ${base}`, { offset: base });
}

/** Upper bound of one piece: one `mdat` plus its `moof` and prefix boxes. */
const MAX_PIECE_SIZE = 2 * MAX_BOX_SIZE;

/**
 * Splits an fMP4 byte stream into pieces. The first piece MUST be the init (`ftyp` [free|uuid]*
 * `moov`); each later piece is [styp|sidx|prft|emsg|…]* `moof` `mdat`. A trailing `mfra`
 * (written by ffmpeg at the end) is dropped: it indexes file offsets that no piece keeps.
 * On malformed input the reader fails for good: `push` returns the whole pieces completed before
 * the fault and throws AppError('MEDIA_MALFORMED') on the next call (or at once if there are none).
 */
export class Fmp4Reader {
  #chunks: Buffer[] = [];
  #buffered = 0;
  /** Stream offset of the first buffered byte. */
  #offset = 0;
  /** Header of the box at the front of the buffer, once checked. */
  #next: { type: string; size: number } | undefined;
  #pieceBoxes: Buffer[] = [];
  #pieceSize = 0;
  #sawMoof = false;
  #init: ParsedInit | undefined;
  #failure: AppError | undefined;

  /** The init piece once it has been read. */
  get init(): ParsedInit | undefined {
    return this.#init;
  }

  /** Adds bytes; returns every piece they complete, in stream order. */
  push(chunk: Buffer): MediaPiece[] {
    if (this.#failure !== undefined) throw this.#failure;
    if (chunk.length > 0) {
      this.#chunks.push(chunk);
      this.#buffered += chunk.length;
    }
    const out: MediaPiece[] = [];
    try {
      for (;;) {
        const piece = this.#step();
        if (piece === null) break;
        if (piece !== undefined) out.push(piece);
      }
    } catch (e) {
      this.#failure = atStreamOffset(e, 0);
      this.#chunks = [];
      this.#pieceBoxes = [];
      if (out.length === 0) throw this.#failure;
    }
    return out;
  }

  /** Declares the end of the stream; MUST throw MEDIA_MALFORMED when bytes remain that are not a whole piece. */
  end(): void {
    if (this.#failure !== undefined) throw this.#failure;
    if (this.#buffered > 0 || this.#pieceSize > 0) {
      const start = this.#offset - this.#pieceSize;
      this.#failure = new AppError(
        'MEDIA_MALFORMED',
        `stream ends inside a piece: ${this.#pieceSize + this.#buffered} bytes at byte ${start} are not a whole piece`,
        { offset: start },
      );
      throw this.#failure;
    }
  }

  /** Consumes one box if it is complete: returns a piece, undefined (box kept for later), or null (need more bytes). */
  #step(): MediaPiece | undefined | null {
    if (this.#next === undefined) {
      if (this.#buffered < 8) return null;
      const head = this.#peek(Math.min(16, this.#buffered));
      const h = readBoxHeader(head, 0, this.#offset);
      if (!h.complete) return null;
      this.#check(h.type, h.size);
      this.#next = { type: h.type, size: h.size };
    }
    const { type, size } = this.#next;
    if (this.#buffered < size) return null;
    this.#next = undefined;
    if (type !== 'moov' && type !== 'mdat') {
      const box = this.#take(size);
      if (type === 'mfra') return undefined; // dropped, see class comment
      this.#pieceBoxes.push(box);
      this.#pieceSize += size;
      if (type === 'moof') this.#sawMoof = true;
      return undefined;
    }
    // The box that completes a piece. Its bytes and the boxes before it are copied once, into
    // the piece's own buffer: buffer copies are the recorder's first cost (FIELD-NOTES).
    const total = this.#pieceSize + size;
    const bytes = this.#pieceBoxes.length === 0 ? this.#take(size) : this.#assemble(size);
    const base = this.#offset - total;
    this.#pieceBoxes = [];
    this.#pieceSize = 0;
    this.#sawMoof = false;
    try {
      if (type === 'moov') return (this.#init = parseInit(bytes));
      return parseFragment(bytes, this.#init as ParsedInit);
    } catch (e) {
      throw atStreamOffset(e, base);
    }
  }

  /** Rejects a box header that cannot come next, before its payload is buffered. */
  #check(type: string, size: number): void {
    const at = this.#offset;
    if (this.#pieceSize + size > MAX_PIECE_SIZE) malformed(`piece exceeds ${MAX_PIECE_SIZE} bytes`, at);
    let ok: boolean;
    if (this.#init === undefined) {
      ok = this.#pieceSize === 0 ? type === 'ftyp' : type === 'moov' || INIT_EXTRA.has(type);
    } else if (this.#sawMoof) {
      ok = type === 'mdat';
    } else {
      ok = type === 'moof' || FRAGMENT_PREFIX.has(type) || (type === 'mfra' && this.#pieceSize === 0);
    }
    if (!ok) {
      const expected = this.#init === undefined ? (this.#pieceSize === 0 ? 'ftyp' : 'moov') : this.#sawMoof ? 'mdat' : 'moof';
      malformed(`unexpected box '${type}' where '${expected}' was expected`, at);
    }
  }

  /** The first `n` buffered bytes (n ≤ buffered), joining only as many chunks as needed. */
  #peek(n: number): Buffer {
    const first = this.#chunks[0] as Buffer;
    if (first.length >= n) return first;
    let k = 0;
    let len = 0;
    while (len < n) len += (this.#chunks[k++] as Buffer).length;
    const joined = Buffer.concat(this.#chunks.slice(0, k), len);
    this.#chunks.splice(0, k, joined);
    return joined;
  }

  /** The held piece boxes followed by the next `n` buffered bytes (n ≤ buffered), in one new buffer. */
  #assemble(n: number): Buffer {
    const out = Buffer.allocUnsafe(this.#pieceSize + n);
    let at = 0;
    for (const box of this.#pieceBoxes) at += box.copy(out, at);
    let need = n;
    while (need > 0) {
      const first = this.#chunks[0] as Buffer;
      const count = Math.min(need, first.length);
      at += first.copy(out, at, 0, count);
      need -= count;
      if (count === first.length) this.#chunks.shift();
      else this.#chunks[0] = first.subarray(count);
    }
    this.#buffered -= n;
    this.#offset += n;
    return out;
  }

  /** Removes and returns the first `n` buffered bytes (n ≤ buffered); copies only when they span chunks. */
  #take(n: number): Buffer {
    const first = this.#chunks[0] as Buffer;
    let out: Buffer;
    if (first.length >= n) {
      out = first.subarray(0, n);
      if (first.length === n) this.#chunks.shift();
      else this.#chunks[0] = first.subarray(n);
    } else {
      let k = 0;
      let len = 0;
      while (len < n) len += (this.#chunks[k++] as Buffer).length;
      const parts = this.#chunks.slice(0, k);
      const last = parts[k - 1] as Buffer;
      const over = len - n;
      const rest = over > 0 ? [last.subarray(last.length - over)] : [];
      parts[k - 1] = last.subarray(0, last.length - over);
      this.#chunks.splice(0, k, ...rest);
      out = Buffer.concat(parts, n);
    }
    this.#buffered -= n;
    this.#offset += n;
    return out;
  }
}
