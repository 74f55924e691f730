/**
 * Writes `custos-evidence/v1` packages (docs/reference/evidence-package.md): an exported MP4 with
 * its chain-of-custody record, the audit leaves it relies on, their inclusion proofs and the
 * signed checkpoint, so that `custos export verify` can check it offline.
 *
 * Contracts:
 * - The contents are checked before anything is written: a valid custody record, one proof per
 *   leaf and one leaf per proof, each leaf's `seq` equal to its key, each proof's index equal to
 *   its key and its checkpoint equal to `checkpoint`. A mismatch throws VALIDATION_FAILED.
 * - The MP4 is streamed once and hashed as it is written; when its SHA-256 is not `mp4Sha256`
 *   the write fails with EXPORT_FAILED and leaves nothing behind that looks like a package
 *   (the directory is removed; the zip stream errors before its central directory).
 * - manifest.json is computed from the bytes written and is written last.
 * - A directory package is written beside its final name and renamed into place after every
 *   file and directory is fsynced, so a crash never leaves a partial package under that name.
 */
import { createHash, randomBytes } from 'node:crypto';
import { mkdir, open, rename, rm, stat } from 'node:fs/promises';
import { basename, dirname, join } from 'node:path';
import { parseProofBundle } from '../tlog/tlog-proof.ts';
import { AppError, isAppError } from '../lib/errors.ts';
import { fsyncDir } from '../lib/durable-files.ts';
import { custodyBytes, type CustodyRecord } from './custody-record.ts';
import {
  CHECKPOINT_FILE,
  CUSTODY_FILE,
  MANIFEST_FILE,
  MAX_FILES,
  MAX_SMALL_FILE_BYTES,
  MP4_FILE,
  eventPath,
  isSeq,
  isSha256Hex,
  proofPath,
  sha256Hex,
} from './evidence-format.ts';
import { manifestBytes } from './manifest.ts';
import { isObject, readCanonicalJson } from './strict-json.ts';
import { zipStream, type ZipEntry } from './zip-writer.ts';

/** Everything a package holds, as the server has it. */
export interface EvidenceContents {
  /** Opens the exported MP4 from its first byte; called once per package written. */
  readonly openMp4: () => AsyncIterable<Buffer>;
  /** SHA-256 (lowercase hex) the MP4 MUST hash to: the `mp4Sha256` of the completion leaf. */
  readonly mp4Sha256: string;
  readonly custody: CustodyRecord;
  /** Leaf text (canonical JSON of a LeafRecord, exactly the ledger's bytes) by ledger seq. */
  readonly leaves: ReadonlyMap<number, string>;
  /** tlog-proof bundle text by ledger seq, one per leaf, each against `checkpoint`. */
  readonly proofs: ReadonlyMap<number, string>;
  /** The signed checkpoint note the proofs are against. */
  readonly checkpoint: string;
}

/** The files of a package other than the MP4 and the manifest, in the order they are written. */
function smallFiles(contents: EvidenceContents): Array<[string, Buffer]> {
  const invalid = (message: string): AppError => new AppError('VALIDATION_FAILED', `evidence package: ${message}`);
  if (!isSha256Hex(contents.mp4Sha256)) throw invalid('mp4Sha256 must be 64 lowercase hex digits');
  if (!contents.checkpoint.endsWith('\n')) throw invalid('the checkpoint must be a signed note');
  if (contents.leaves.size === 0) throw invalid('a package needs the leaves it relies on');
  if (contents.leaves.size * 2 + 4 > MAX_FILES) throw invalid(`a package may hold at most ${MAX_FILES} files`);
  const seqs = [...contents.leaves.keys()].sort((a, b) => a - b);
  for (const seq of seqs) {
    if (!isSeq(seq)) throw invalid(`leaf key ${String(seq)} is not a ledger seq`);
    const leaf = readCanonicalJson(Buffer.from(contents.leaves.get(seq) as string, 'utf8'));
    if (!leaf.ok || !isObject(leaf.value) || leaf.value.seq !== seq) throw invalid(`leaf ${seq} is not the canonical record of seq ${seq}`);
    const proof = contents.proofs.get(seq);
    if (proof === undefined) throw invalid(`leaf ${seq} has no proof`);
    let bundle;
    try {
      bundle = parseProofBundle(proof);
    } catch (e) {
      throw invalid(`the proof of leaf ${seq}: ${(e as Error).message}`);
    }
    if (bundle.index !== seq || bundle.checkpoint !== contents.checkpoint) throw invalid(`the proof of leaf ${seq} is for another index or checkpoint`);
  }
  for (const seq of contents.proofs.keys()) if (!contents.leaves.has(seq)) throw invalid(`proof ${seq} has no leaf`);
  const files: Array<[string, Buffer]> = [
    [CUSTODY_FILE, custodyBytes(contents.custody)],
    [CHECKPOINT_FILE, Buffer.from(contents.checkpoint, 'utf8')],
    ...seqs.map((seq): [string, Buffer] => [eventPath(seq), Buffer.from(contents.leaves.get(seq) as string, 'utf8')]),
    ...seqs.map((seq): [string, Buffer] => [proofPath(seq), Buffer.from(contents.proofs.get(seq) as string, 'utf8')]),
  ];
  for (const [path, data] of files) if (data.length > MAX_SMALL_FILE_BYTES) throw invalid(`${path} is larger than ${MAX_SMALL_FILE_BYTES} bytes`);
  return files;
}

/** The MP4's bytes, hashed on the way; throws EXPORT_FAILED at the end when the hash is not the expected one. */
async function* checkedMp4(contents: EvidenceContents, hashes: Map<string, string>): AsyncGenerator<Buffer> {
  const hash = createHash('sha256');
  for await (const chunk of contents.openMp4()) {
    hash.update(chunk);
    yield chunk;
  }
  const actual = hash.digest('hex');
  if (actual !== contents.mp4Sha256) {
    throw new AppError('EXPORT_FAILED', 'the exported MP4 does not hash to the SHA-256 its completion event records', { expected: contents.mp4Sha256, actual });
  }
  hashes.set(MP4_FILE, actual);
}

/** The package as a zip of its files (no folder prefix), produced as it is pulled. */
export function evidenceZip(contents: EvidenceContents, opts: { readonly forceZip64?: boolean } = {}): AsyncGenerator<Buffer> {
  const small = smallFiles(contents);
  const hashes = new Map(small.map(([path, data]) => [path, sha256Hex(data)]));
  async function* entries(): AsyncGenerator<ZipEntry> {
    yield* small.map(([name, data]) => ({ name, data }));
    yield { name: MP4_FILE, stream: checkedMp4(contents, hashes) };
    yield { name: MANIFEST_FILE, data: manifestBytes(hashes) };
  }
  return zipStream(entries(), { modified: new Date(contents.custody.producedAt), forceZip64: opts.forceZip64 === true });
}

/** Writes `chunks` to a new file at `path` and fsyncs it. */
async function writeNewFile(path: string, chunks: Iterable<Buffer> | AsyncIterable<Buffer>): Promise<void> {
  const fh = await open(path, 'wx');
  try {
    for await (const chunk of chunks) await fh.write(chunk);
    await fh.sync();
  } finally {
    await fh.close();
  }
}

async function refuseExisting(path: string): Promise<void> {
  try {
    await stat(path);
  } catch (e) {
    if ((e as { code?: unknown }).code === 'ENOENT') return;
    throw e;
  }
  throw new AppError('CONFLICT', `${basename(path)} already exists`);
}

/** A sibling name for work in progress, removed on failure. */
function partialName(path: string): string {
  return join(dirname(path), `.${basename(path)}.partial-${randomBytes(6).toString('hex')}`);
}

/**
 * Writes the package as the directory `dir` (which MUST NOT exist) and returns its manifest's
 * file hashes.
 */
export async function writeEvidenceDirectory(dir: string, contents: EvidenceContents): Promise<ReadonlyMap<string, string>> {
  const small = smallFiles(contents);
  await refuseExisting(dir);
  const work = partialName(dir);
  try {
    await mkdir(join(work, 'events'), { recursive: true });
    await mkdir(join(work, 'proofs'));
    const hashes = new Map<string, string>();
    for (const [path, data] of small) {
      await writeNewFile(join(work, ...path.split('/')), [data]);
      hashes.set(path, sha256Hex(data));
    }
    await writeNewFile(join(work, MP4_FILE), checkedMp4(contents, hashes));
    await writeNewFile(join(work, MANIFEST_FILE), [manifestBytes(hashes)]);
    for (const sub of ['events', 'proofs', '.']) await fsyncDir(join(work, sub));
    await rename(work, dir);
    await fsyncDir(dirname(dir));
    return hashes;
  } catch (e) {
    await rm(work, { recursive: true, force: true });
    throw isAppError(e) ? e : new AppError('EXPORT_FAILED', `the evidence package could not be written: ${(e as Error).message}`);
  }
}

/** Writes the package as the zip file `path` (which MUST NOT exist), durably. */
export async function writeEvidenceZipFile(path: string, contents: EvidenceContents, opts: { readonly forceZip64?: boolean } = {}): Promise<void> {
  const zip = evidenceZip(contents, opts);
  await refuseExisting(path);
  const work = partialName(path);
  try {
    await writeNewFile(work, zip);
    await rename(work, path);
    await fsyncDir(dirname(path));
  } catch (e) {
    await rm(work, { force: true });
    throw isAppError(e) ? e : new AppError('EXPORT_FAILED', `the evidence package could not be written: ${(e as Error).message}`);
  }
}
