/**
 * A streaming, store-only (no compression) ZIP writer, after PKWARE APPNOTE.TXT 6.3.10
 * (https://pkware.cachefly.net/webdocs/casestudies/APPNOTE.TXT): §4.3.7 local file header,
 * §4.3.9 data descriptor, §4.3.12 central directory, §4.3.14–16 ZIP64 end records, §4.5.3 ZIP64
 * extended information.
 *
 * Contracts:
 * - Output is produced as it is pulled (back-pressure): a streamed entry is read only as fast as
 *   the consumer takes the bytes, so an entry of any size never sits in memory.
 * - A streamed entry (size and CRC unknown up front) has bit 3 set, a ZIP64 extra field in its
 *   local header and a ZIP64 data descriptor (24 bytes) after its data; its central directory
 *   record always carries ZIP64 sizes. In-memory entries carry their CRC and sizes up front and use
 *   ZIP64 only for an offset past 4 GiB. The end records switch to ZIP64 when a count, size or
 *   offset does not fit.
 * - If a streamed entry's source throws, the error propagates before the entry's data
 *   descriptor and the central directory are written: the output is not a readable zip.
 * - Names MUST be relative `/`-separated paths of printable ASCII without `.`/`..` segments;
 *   anything else throws VALIDATION_FAILED before a byte is written for that entry.
 * - Pure: no I/O of its own, no state.
 */
import { crc32 } from 'node:zlib';
import { AppError } from '../lib/errors.ts';
import { CENTRAL_SIG, DESCRIPTOR_SIG, EOCD_SIG, LOCAL_SIG, MAX16, MAX32, ZIP64_EOCD_SIG, ZIP64_LOCATOR_SIG } from './zip-format.ts';

/** One file of the archive: bytes in memory, or a stream read once while the archive is written. */
export type ZipEntry = { readonly name: string; readonly data: Buffer } | { readonly name: string; readonly stream: AsyncIterable<Buffer> };

/** Options of {@link zipStream}. */
export interface ZipOptions {
  /** Modification time recorded for every entry (DOS format, UTC, 2-second resolution). */
  readonly modified: Date;
  /** Use ZIP64 records everywhere, even when nothing needs them (for tests of the ZIP64 path). */
  readonly forceZip64?: boolean;
}

const FLAG_DESCRIPTOR = 0x0008;
const FLAG_UTF8 = 0x0800;
/** Made by version 4.5 on Unix, so external attributes are a file mode. */
const MADE_BY = (3 << 8) | 45;
const FILE_MODE = 0o100644;

interface Written {
  readonly name: Buffer;
  readonly flags: number;
  readonly crc: number;
  readonly size: number;
  readonly offset: number;
  readonly streamed: boolean;
}

/** True when `name` is a safe entry name for this writer. */
function isSafeName(name: string): boolean {
  return /^[\x21-\x7e]+$/.test(name) && !name.includes('\\') && name.split('/').every((p) => p !== '' && p !== '.' && p !== '..');
}

function dosDateTime(d: Date): { time: number; date: number } {
  const year = Math.min(Math.max(d.getUTCFullYear(), 1980), 2107);
  return {
    time: (d.getUTCHours() << 11) | (d.getUTCMinutes() << 5) | Math.floor(d.getUTCSeconds() / 2),
    date: ((year - 1980) << 9) | ((d.getUTCMonth() + 1) << 5) | d.getUTCDate(),
  };
}

function u64(value: number): Buffer {
  const b = Buffer.alloc(8);
  b.writeBigUInt64LE(BigInt(value));
  return b;
}

/** A ZIP64 extended information extra field (id 0x0001) holding `values` as 8-byte integers. */
function zip64Extra(values: readonly number[]): Buffer {
  const head = Buffer.alloc(4);
  head.writeUInt16LE(0x0001, 0);
  head.writeUInt16LE(values.length * 8, 2);
  return Buffer.concat([head, ...values.map(u64)]);
}

function localHeader(name: Buffer, flags: number, crc: number, size: number, streamed: boolean, zip64: boolean, when: { time: number; date: number }): Buffer {
  const extra = streamed ? zip64Extra([0, 0]) : zip64 ? zip64Extra([size, size]) : Buffer.alloc(0);
  const wide = streamed || zip64;
  const h = Buffer.alloc(30);
  h.writeUInt32LE(LOCAL_SIG, 0);
  h.writeUInt16LE(wide ? 45 : 20, 4);
  h.writeUInt16LE(flags, 6);
  h.writeUInt16LE(0, 8); // stored
  h.writeUInt16LE(when.time, 10);
  h.writeUInt16LE(when.date, 12);
  h.writeUInt32LE(streamed ? 0 : crc, 14);
  h.writeUInt32LE(wide ? MAX32 : size, 18);
  h.writeUInt32LE(wide ? MAX32 : size, 22);
  h.writeUInt16LE(name.length, 26);
  h.writeUInt16LE(extra.length, 28);
  return Buffer.concat([h, name, extra]);
}

function centralHeader(w: Written, forceZip64: boolean, when: { time: number; date: number }): Buffer {
  const wideSize = w.streamed || forceZip64 || w.size >= MAX32;
  const wideOffset = forceZip64 || w.offset >= MAX32;
  const extra = wideSize || wideOffset ? zip64Extra([...(wideSize ? [w.size, w.size] : []), ...(wideOffset ? [w.offset] : [])]) : Buffer.alloc(0);
  const h = Buffer.alloc(46);
  h.writeUInt32LE(CENTRAL_SIG, 0);
  h.writeUInt16LE(MADE_BY, 4);
  h.writeUInt16LE(extra.length > 0 ? 45 : 20, 6);
  h.writeUInt16LE(w.flags, 8);
  h.writeUInt16LE(0, 10);
  h.writeUInt16LE(when.time, 12);
  h.writeUInt16LE(when.date, 14);
  h.writeUInt32LE(w.crc, 16);
  h.writeUInt32LE(wideSize ? MAX32 : w.size, 20);
  h.writeUInt32LE(wideSize ? MAX32 : w.size, 24);
  h.writeUInt16LE(w.name.length, 28);
  h.writeUInt16LE(extra.length, 30);
  h.writeUInt16LE(0, 32); // comment
  h.writeUInt16LE(0, 34); // disk
  h.writeUInt16LE(0, 36); // internal attributes
  h.writeUInt32LE((FILE_MODE << 16) >>> 0, 38);
  h.writeUInt32LE(wideOffset ? MAX32 : w.offset, 42);
  return Buffer.concat([h, w.name, extra]);
}

function endRecords(count: number, cdOffset: number, cdSize: number, forceZip64: boolean): Buffer {
  const zip64 = forceZip64 || count >= MAX16 || cdOffset >= MAX32 || cdSize >= MAX32;
  const parts: Buffer[] = [];
  if (zip64) {
    const rec = Buffer.alloc(56);
    rec.writeUInt32LE(ZIP64_EOCD_SIG, 0);
    rec.writeBigUInt64LE(44n, 4);
    rec.writeUInt16LE(MADE_BY, 12);
    rec.writeUInt16LE(45, 14);
    rec.writeUInt32LE(0, 16);
    rec.writeUInt32LE(0, 20);
    rec.writeBigUInt64LE(BigInt(count), 24);
    rec.writeBigUInt64LE(BigInt(count), 32);
    rec.writeBigUInt64LE(BigInt(cdSize), 40);
    rec.writeBigUInt64LE(BigInt(cdOffset), 48);
    const locator = Buffer.alloc(20);
    locator.writeUInt32LE(ZIP64_LOCATOR_SIG, 0);
    locator.writeUInt32LE(0, 4);
    locator.writeBigUInt64LE(BigInt(cdOffset + cdSize), 8);
    locator.writeUInt32LE(1, 16);
    parts.push(rec, locator);
  }
  const eocd = Buffer.alloc(22);
  eocd.writeUInt32LE(EOCD_SIG, 0);
  eocd.writeUInt16LE(zip64 ? MAX16 : count, 8);
  eocd.writeUInt16LE(zip64 ? MAX16 : count, 10);
  eocd.writeUInt32LE(zip64 ? MAX32 : cdSize, 12);
  eocd.writeUInt32LE(zip64 ? MAX32 : cdOffset, 16);
  eocd.writeUInt16LE(0, 20);
  parts.push(eocd);
  return Buffer.concat(parts);
}

/** The bytes of a store-only zip of `entries`, in order, as they are pulled. */
export async function* zipStream(entries: Iterable<ZipEntry> | AsyncIterable<ZipEntry>, opts: ZipOptions): AsyncGenerator<Buffer> {
  const when = dosDateTime(opts.modified);
  const forceZip64 = opts.forceZip64 === true;
  const written: Written[] = [];
  const names = new Set<string>();
  let offset = 0;
  for await (const entry of entries) {
    if (!isSafeName(entry.name) || names.has(entry.name)) throw new AppError('VALIDATION_FAILED', `zip entry name ${JSON.stringify(entry.name)} is unsafe or repeated`);
    names.add(entry.name);
    const name = Buffer.from(entry.name, 'ascii');
    if ('data' in entry) {
      const crc = crc32(entry.data);
      const header = localHeader(name, FLAG_UTF8, crc, entry.data.length, false, forceZip64 || entry.data.length >= MAX32, when);
      written.push({ name, flags: FLAG_UTF8, crc, size: entry.data.length, offset, streamed: false });
      yield header;
      yield entry.data;
      offset += header.length + entry.data.length;
      continue;
    }
    const flags = FLAG_UTF8 | FLAG_DESCRIPTOR;
    const header = localHeader(name, flags, 0, 0, true, true, when);
    yield header;
    let crc = 0;
    let size = 0;
    for await (const chunk of entry.stream) {
      if (chunk.length === 0) continue;
      crc = crc32(chunk, crc);
      size += chunk.length;
      yield chunk;
    }
    const descriptor = Buffer.alloc(24);
    descriptor.writeUInt32LE(DESCRIPTOR_SIG, 0);
    descriptor.writeUInt32LE(crc, 4);
    descriptor.writeBigUInt64LE(BigInt(size), 8);
    descriptor.writeBigUInt64LE(BigInt(size), 16);
    yield descriptor;
    written.push({ name, flags, crc, size, offset, streamed: true });
    offset += header.length + size + descriptor.length;
  }
  const central = Buffer.concat(written.map((w) => centralHeader(w, forceZip64, when)));
  yield central;
  yield endRecords(written.length, offset, central.length, forceZip64);
}
