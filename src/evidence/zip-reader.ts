/**
 * A reader for ZIP files from untrusted hands, after PKWARE APPNOTE.TXT 6.3.10
 * (https://pkware.cachefly.net/webdocs/casestudies/APPNOTE.TXT), reading the central directory
 * (§4.3.12) and never extracting to disk.
 *
 * Contracts:
 * - Opening MUST NOT trust any count, size or offset: the end record must end the file exactly,
 *   the central directory must lie before it, every entry's data must lie before the central
 *   directory without overlapping another entry, and the local header MUST repeat the central
 *   directory's name, method, encryption flag and CRC-32 (in the header or the data descriptor),
 *   so two tools cannot see two archives. Other metadata (times, attributes, version fields) is
 *   not evidence and is not compared.
 * - Entry names MUST be relative `/`-separated paths: absolute names, drive letters, backslashes,
 *   `.`/`..`/empty segments, control characters and names that are not UTF-8 are refused, as are
 *   repeated names, encrypted entries and methods other than stored (0) and deflate (8). A refused
 *   entry is reported in `problems` and cannot be read; the others stay readable.
 * - Reading an entry yields exactly its declared size and checks its CRC-32; more output (a
 *   deflate bomb), less, or another CRC rejects with VALIDATION_FAILED.
 * - Structure that makes the archive unreadable (no end record, a central directory out of
 *   bounds, too many entries) makes `openZip` reject with VALIDATION_FAILED.
 */
import { open, type FileHandle } from 'node:fs/promises';
import { pipeline, Readable } from 'node:stream';
import { createInflateRaw, crc32 } from 'node:zlib';
import { AppError } from '../lib/errors.ts';
import { CENTRAL_SIG, DESCRIPTOR_SIG, EOCD_SIG, LOCAL_SIG, MAX16, MAX32, ZIP64_EOCD_SIG, ZIP64_LOCATOR_SIG } from './zip-format.ts';

/** One readable file of the archive. */
export interface ZipFileInfo {
  readonly name: string;
  /** Uncompressed size in bytes. */
  readonly size: number;
}

/** An opened archive. */
export interface ZipArchive {
  /** Readable files, in central directory order (directory entries left out). */
  readonly files: readonly ZipFileInfo[];
  /** Why entries were refused or the structure is doubtful, one line each. */
  readonly problems: readonly string[];
  /** The uncompressed bytes of `name`, streamed. */
  stream(name: string): AsyncIterable<Buffer>;
  close(): Promise<void>;
}

/** Bounds on what `openZip` accepts. */
export interface ZipLimits {
  readonly maxEntries: number;
  readonly maxCentralDirectoryBytes: number;
}

interface Entry {
  readonly name: string;
  readonly method: number;
  readonly crc: number;
  readonly compressedSize: number;
  readonly size: number;
  readonly localOffset: number;
  dataStart: number;
}

const READ_CHUNK = 1024 * 1024;

const utf8 = new TextDecoder('utf-8', { fatal: true });

function bad(message: string): AppError {
  return new AppError('VALIDATION_FAILED', message);
}

/** Why `name` is not a safe relative path, or undefined when it is. */
export function unsafeNameReason(name: string): string | undefined {
  if (name.length === 0) return 'has an empty name';
  if (name.length > 1024) return 'has a name longer than 1024 characters';
  // eslint-disable-next-line no-control-regex
  if (/[\u0000-\u001f\u007f]/.test(name)) return 'has control characters in its name';
  if (name.includes('\\')) return 'uses a backslash (not a relative zip path)';
  if (name.startsWith('/') || /^[A-Za-z]:/.test(name)) return 'is an absolute path';
  const parts = (name.endsWith('/') ? name.slice(0, -1) : name).split('/');
  if (parts.includes('..')) return 'climbs out of the package (..)';
  if (parts.some((p) => p === '' || p === '.')) return 'has an empty or "." path segment';
  return undefined;
}

async function readExactly(fh: FileHandle, position: number, length: number): Promise<Buffer> {
  const buf = Buffer.alloc(length);
  let done = 0;
  while (done < length) {
    const { bytesRead } = await fh.read(buf, done, length - done, position + done);
    if (bytesRead === 0) throw bad('the zip file ends early');
    done += bytesRead;
  }
  return buf;
}

function safe64(b: Buffer, at: number): number {
  const v = b.readBigUInt64LE(at);
  if (v > BigInt(Number.MAX_SAFE_INTEGER)) throw bad('a zip size or offset is too large');
  return Number(v);
}

/** Finds the end of central directory record; returns count, size and offset of the directory. */
async function readEnd(fh: FileHandle, fileSize: number, limits: ZipLimits): Promise<{ count: number; cdOffset: number; cdSize: number; cdEnd: number }> {
  if (fileSize < 22) throw bad('not a zip file: too short');
  const tailLength = Math.min(fileSize, 22 + MAX16);
  const tail = await readExactly(fh, fileSize - tailLength, tailLength);
  let at = -1;
  for (let i = tail.length - 22; i >= 0; i--) {
    if (tail.readUInt32LE(i) === EOCD_SIG && i + 22 + tail.readUInt16LE(i + 20) === tail.length) {
      at = i;
      break;
    }
  }
  if (at < 0) throw bad('not a zip file: no end of central directory record');
  const eocdPos = fileSize - tailLength + at;
  if (tail.readUInt16LE(at + 4) !== 0 || tail.readUInt16LE(at + 6) !== 0) throw bad('multi-disk zip files are not supported');
  let count = tail.readUInt16LE(at + 10);
  let cdSize = tail.readUInt32LE(at + 12);
  let cdOffset = tail.readUInt32LE(at + 16);
  if (tail.readUInt16LE(at + 8) !== count) throw bad('the zip end record counts its entries twice, differently');
  let cdEnd = eocdPos;
  if (count === MAX16 || cdSize === MAX32 || cdOffset === MAX32) {
    if (eocdPos < 20) throw bad('the zip file has no ZIP64 end record locator');
    const locator = await readExactly(fh, eocdPos - 20, 20);
    if (locator.readUInt32LE(0) !== ZIP64_LOCATOR_SIG) throw bad('the zip file has no ZIP64 end record locator');
    const recPos = safe64(locator, 4 + 4);
    if (recPos + 56 > eocdPos - 20) throw bad('the ZIP64 end record is out of bounds');
    const rec = await readExactly(fh, recPos, 56);
    if (rec.readUInt32LE(0) !== ZIP64_EOCD_SIG) throw bad('the ZIP64 end record is missing');
    if (rec.readUInt32LE(16) !== 0 || rec.readUInt32LE(20) !== 0) throw bad('multi-disk zip files are not supported');
    count = safe64(rec, 32);
    if (safe64(rec, 24) !== count) throw bad('the ZIP64 end record counts its entries twice, differently');
    cdSize = safe64(rec, 40);
    cdOffset = safe64(rec, 48);
    cdEnd = recPos;
  }
  if (count > limits.maxEntries) throw bad(`the zip file has ${count} entries, more than the ${limits.maxEntries} allowed`);
  if (cdSize > limits.maxCentralDirectoryBytes) throw bad('the zip central directory is too large');
  if (cdOffset + cdSize > cdEnd) throw bad('the zip central directory is out of bounds');
  return { count, cdOffset, cdSize, cdEnd };
}

/** Parses the ZIP64 extended information field of a central record for the values that overflowed. */
function zip64Values(extra: Buffer, wanted: { size: boolean; compressed: boolean; offset: boolean }): { size?: number; compressed?: number; offset?: number } {
  for (let at = 0; at + 4 <= extra.length; ) {
    const id = extra.readUInt16LE(at);
    const length = extra.readUInt16LE(at + 2);
    const body = extra.subarray(at + 4, at + 4 + length);
    if (body.length !== length) throw bad('a zip extra field is truncated');
    if (id === 0x0001) {
      let p = 0;
      const next = (): number => {
        if (p + 8 > body.length) throw bad('a ZIP64 extra field is too short');
        const v = safe64(body, p);
        p += 8;
        return v;
      };
      const out: { size?: number; compressed?: number; offset?: number } = {};
      if (wanted.size) out.size = next();
      if (wanted.compressed) out.compressed = next();
      if (wanted.offset) out.offset = next();
      return out;
    }
    at += 4 + length;
  }
  if (wanted.size || wanted.compressed || wanted.offset) throw bad('a zip entry needs a ZIP64 extra field and has none');
  return {};
}

/** Opens `path` as a zip; rejects with VALIDATION_FAILED when it cannot be read as one. */
export async function openZip(path: string, limits: ZipLimits): Promise<ZipArchive> {
  const fh = await open(path, 'r');
  try {
    return await readArchive(fh, limits);
  } catch (e) {
    await fh.close();
    if (e instanceof RangeError) throw bad('the zip central directory is malformed');
    throw e;
  }
}

async function readArchive(fh: FileHandle, limits: ZipLimits): Promise<ZipArchive> {
  const { size: fileSize } = await fh.stat();
  const { count, cdOffset, cdSize } = await readEnd(fh, fileSize, limits);
  const cd = await readExactly(fh, cdOffset, cdSize);
  const problems: string[] = [];
  const entries: Entry[] = [];
  const seen = new Map<string, number>();
  let at = 0;
  for (let i = 0; i < count; i++) {
    if (at + 46 > cd.length || cd.readUInt32LE(at) !== CENTRAL_SIG) throw bad('the zip central directory is malformed');
    const flags = cd.readUInt16LE(at + 8);
    const method = cd.readUInt16LE(at + 10);
    const crc = cd.readUInt32LE(at + 16);
    let compressedSize = cd.readUInt32LE(at + 20);
    let size = cd.readUInt32LE(at + 24);
    const nameLength = cd.readUInt16LE(at + 28);
    const extraLength = cd.readUInt16LE(at + 30);
    const commentLength = cd.readUInt16LE(at + 32);
    const disk = cd.readUInt16LE(at + 34);
    let localOffset = cd.readUInt32LE(at + 42);
    const end = at + 46 + nameLength + extraLength + commentLength;
    if (end > cd.length) throw bad('the zip central directory is malformed');
    const nameBytes = cd.subarray(at + 46, at + 46 + nameLength);
    const extra = cd.subarray(at + 46 + nameLength, at + 46 + nameLength + extraLength);
    at = end;
    const wide = zip64Values(extra, { size: size === MAX32, compressed: compressedSize === MAX32, offset: localOffset === MAX32 });
    size = wide.size ?? size;
    compressedSize = wide.compressed ?? compressedSize;
    localOffset = wide.offset ?? localOffset;
    let name: string;
    try {
      name = utf8.decode(nameBytes);
    } catch {
      problems.push(`zip entry ${JSON.stringify(nameBytes.toString('latin1').slice(0, 200))} has a name that is not UTF-8`);
      continue;
    }
    const label = `zip entry ${JSON.stringify(name.slice(0, 200))}`;
    const unsafe = unsafeNameReason(name);
    if (unsafe !== undefined) {
      problems.push(`${label} ${unsafe}; refused`);
      continue;
    }
    if (disk !== 0 && disk !== MAX16) {
      problems.push(`${label} is on another disk; refused`);
      continue;
    }
    if ((flags & 0x0001) !== 0) {
      problems.push(`${label} is encrypted; refused`);
      continue;
    }
    if (method !== 0 && method !== 8) {
      problems.push(`${label} uses compression method ${method} (only stored and deflate are read); refused`);
      continue;
    }
    if (method === 0 && compressedSize !== size) {
      problems.push(`${label} is stored but its sizes differ; refused`);
      continue;
    }
    if (name.endsWith('/')) {
      if (size !== 0) problems.push(`${label} is a directory with data; refused`);
      continue;
    }
    seen.set(name, (seen.get(name) ?? 0) + 1);
    entries.push({ name, method, crc, compressedSize, size, localOffset, dataStart: -1 });
  }
  const repeated = new Set([...seen].filter(([, n]) => n > 1).map(([name]) => name));
  for (const name of repeated) problems.push(`zip entry ${JSON.stringify(name)} appears more than once; refused`);
  const usable: Entry[] = [];
  for (const entry of entries.filter((e) => !repeated.has(e.name))) {
    const reason = await checkLocalHeader(fh, entry, cdOffset);
    if (reason === undefined) usable.push(entry);
    else problems.push(`zip entry ${JSON.stringify(entry.name)} ${reason}; refused`);
  }
  const byOffset = [...usable].sort((a, b) => a.localOffset - b.localOffset);
  const overlapping = new Set<Entry>();
  for (let i = 1; i < byOffset.length; i++) {
    const prev = byOffset[i - 1] as Entry;
    const cur = byOffset[i] as Entry;
    if (prev.dataStart + prev.compressedSize > cur.localOffset) overlapping.add(prev).add(cur);
  }
  for (const entry of overlapping) problems.push(`zip entry ${JSON.stringify(entry.name)} overlaps another entry; refused`);
  const byName = new Map(usable.filter((e) => !overlapping.has(e)).map((e) => [e.name, e]));
  return {
    files: [...byName.values()].map((e) => ({ name: e.name, size: e.size })),
    problems,
    stream(name) {
      const entry = byName.get(name);
      if (entry === undefined) throw bad(`the zip file has no readable entry ${name}`);
      return readEntry(fh, entry);
    },
    close: () => fh.close(),
  };
}

/** Why the local header of `entry` does not match its central record; sets `dataStart` when it does. */
async function checkLocalHeader(fh: FileHandle, entry: Entry, cdOffset: number): Promise<string | undefined> {
  if (entry.localOffset + 30 > cdOffset) return 'has its local header outside the archive data';
  const head = await readExactly(fh, entry.localOffset, 30);
  if (head.readUInt32LE(0) !== LOCAL_SIG) return 'has no local header where the central directory says';
  const flags = head.readUInt16LE(6);
  const method = head.readUInt16LE(8);
  const nameLength = head.readUInt16LE(26);
  const extraLength = head.readUInt16LE(28);
  const dataStart = entry.localOffset + 30 + nameLength + extraLength;
  if (dataStart + entry.compressedSize > cdOffset) return 'has data beyond the archive data';
  const name = await readExactly(fh, entry.localOffset + 30, nameLength);
  if (!name.equals(Buffer.from(entry.name, 'utf8'))) return 'has another name in its local header';
  if (method !== entry.method || (flags & 0x0001) !== 0) return 'has another method or flags in its local header';
  if ((flags & 0x0008) === 0) {
    const crc = head.readUInt32LE(14);
    const compressed = head.readUInt32LE(18);
    const size = head.readUInt32LE(22);
    if (crc !== entry.crc) return 'has another CRC-32 in its local header';
    if ((compressed !== MAX32 && compressed !== entry.compressedSize) || (size !== MAX32 && size !== entry.size)) return 'has other sizes in its local header';
  } else {
    // The data descriptor after the data (§4.3.9), with or without its optional signature.
    const end = dataStart + entry.compressedSize;
    if (end + 12 > cdOffset) return 'has no data descriptor after its data';
    const descriptor = await readExactly(fh, end, Math.min(16, cdOffset - end));
    const crc = descriptor.readUInt32LE(0) === DESCRIPTOR_SIG && descriptor.length >= 16 ? descriptor.readUInt32LE(4) : descriptor.readUInt32LE(0);
    if (crc !== entry.crc) return 'has another CRC-32 in its data descriptor';
  }
  entry.dataStart = dataStart;
  return undefined;
}

async function* rawBytes(fh: FileHandle, start: number, length: number): AsyncGenerator<Buffer> {
  for (let done = 0; done < length; ) {
    const chunk = await readExactly(fh, start + done, Math.min(READ_CHUNK, length - done));
    done += chunk.length;
    yield chunk;
  }
}

async function* readEntry(fh: FileHandle, entry: Entry): AsyncGenerator<Buffer> {
  const raw = rawBytes(fh, entry.dataStart, entry.compressedSize);
  let source: AsyncIterable<Buffer> = raw;
  if (entry.method === 8) {
    const inflate = createInflateRaw();
    source = pipeline(Readable.from(raw), inflate, () => undefined);
  }
  let crc = 0;
  let size = 0;
  try {
    for await (const chunk of source) {
      size += chunk.length;
      if (size > entry.size) throw bad('holds more data than its zip entry declares');
      crc = crc32(chunk, crc);
      yield chunk;
    }
  } catch (e) {
    if (e instanceof AppError) throw e;
    throw bad(`cannot be read from the zip file: ${(e as Error).message}`);
  }
  if (size !== entry.size) throw bad('holds less data than its zip entry declares');
  if (crc !== entry.crc) throw bad('does not match the CRC-32 of its zip entry');
}
