/**
 * Offline verification of a vault (docs/reference/vault-format.md, "Closed, torn and corrupt
 * objects"): every object walked, every chunk authenticated independently, so a report names the
 * exact object and chunk of any corruption while the other chunks stay readable.
 */
import { open } from 'node:fs/promises';
import { isAppError } from '../lib/errors.ts';
import { listObjectKeys, objectPath, storageError } from './object-files.ts';
import { ChunkCipher } from './chunk-cipher.ts';
import type { DataKeySource } from './data-key-source.ts';
import { scanRecords } from './vault-scan.ts';
import type { ReadAt, ScanResult } from './vault-scan.ts';
import { fileReadAt } from './vault-segment-store.ts';
import { HEADER_FIXED_SIZE } from './vault-header.ts';
import { crossCheck, type CrossFindings, type FsckExpectations } from './vault-fsck-cross.ts';
import type { CorruptChunk, ObjectVerdict } from './fsck-verdict.ts';

/** Verifies one object of `size` bytes read through `readAt`; `onChunk` sees each authentic plaintext. */
export async function verifyObject(
  readAt: ReadAt,
  size: number,
  keyById: (id: string) => Promise<Buffer>,
  onChunk?: (index: number, plaintext: Buffer) => void,
): Promise<ObjectVerdict> {
  let scan: ScanResult;
  try {
    scan = await scanRecords(readAt, size);
  } catch (e) {
    if (!isAppError(e, 'STORAGE_FAILED') || e.detail?.['chunk'] !== null) throw e;
    return { chunks: 0, intact: false, corrupt: [{ chunk: null, reason: e.message }] };
  }
  let cipher: ChunkCipher;
  try {
    cipher = new ChunkCipher(await keyById(scan.header.keyId), scan.header);
  } catch (e) {
    const reason = e instanceof Error ? e.message : String(e);
    return { chunks: scan.records.length, intact: false, corrupt: [], unavailable: { keyId: scan.header.keyId, reason } };
  }
  const failed: CorruptChunk[] = [];
  for (const rec of scan.records) {
    try {
      const plain = cipher.open(rec.index, await readAt(rec.recordOffset, rec.recordSize), rec.size === 0);
      onChunk?.(rec.index, plain);
    } catch (e) {
      if (!isAppError(e, 'STORAGE_FAILED')) throw e;
      failed.push({ chunk: rec.index, reason: typeof e.detail?.['reason'] === 'string' ? e.detail['reason'] : e.message });
    }
  }
  const chunks = scan.records.length;
  switch (scan.ending) {
    case 'final':
      return { chunks, intact: failed.length === 0, corrupt: failed };
    case 'oversize':
      return { chunks, intact: false, corrupt: [...failed, { chunk: chunks, reason: 'record length exceeds the chunk limit' }] };
    case 'after-final':
      return { chunks, intact: false, corrupt: [...failed, { chunk: chunks, reason: 'data after the final chunk' }] };
    case 'open': {
      const wholeChunks = failed[0]?.chunk ?? chunks;
      // Failing records that end the object are blocks a crash never wrote: part of the tear.
      // A failure followed by an authentic chunk is corruption.
      const tornSuffix = failed.length === chunks - wholeChunks;
      return { chunks, intact: false, torn: { wholeChunks }, corrupt: tornSuffix ? [] : failed };
    }
  }
}

/** The result of `fsckVault`. */
export interface FsckReport {
  readonly objects: number;
  readonly chunks: number;
  readonly torn: readonly { readonly key: string; readonly wholeChunks: number }[];
  readonly corrupt: readonly { readonly key: string; readonly chunk: number | null; readonly reason: string }[];
  readonly unavailable: readonly { readonly key: string; readonly keyId: string; readonly reason: string }[];
  /** Files too short for a header: left by a create that failed (disk full); no footage, removed at the next start. */
  readonly empty: readonly { readonly key: string }[];
  /** Set when the index and ledger were given: what they expect and the objects do not agree with. */
  readonly cross?: Omit<CrossFindings, 'corrupt'>;
}

/**
 * Verifies every object under `root`; `onProgress(done, total)` counts objects, before each and
 * once at the end. With `expected` (fsck-expectations.store.ts), also compares the objects with the
 * index and the ledger, both ways (vault-fsck-cross.ts).
 */
export async function fsckVault(root: string, keys: DataKeySource, onProgress?: (done: number, total: number) => void, expected?: FsckExpectations): Promise<FsckReport> {
  const all: string[] = [];
  for await (const key of listObjectKeys(root)) all.push(key);
  all.sort();
  const report = {
    objects: 0,
    chunks: 0,
    torn: [] as FsckReport['torn'][number][],
    corrupt: [] as FsckReport['corrupt'][number][],
    unavailable: [] as FsckReport['unavailable'][number][],
    empty: [] as FsckReport['empty'][number][],
  };
  const verdicts = new Map<string, ObjectVerdict>();
  let done = 0;
  for (const key of all) {
    onProgress?.(done++, all.length);
    let fh;
    try {
      fh = await open(objectPath(root, key), 'r');
    } catch (e) {
      if ((e as { code?: unknown }).code === 'ENOENT') continue; // removed since listed (retention)
      throw storageError('verify', key, e);
    }
    try {
      const { size } = await fh.stat();
      if (size <= HEADER_FIXED_SIZE) {
        report.empty.push({ key });
        continue;
      }
      const v = await verifyObject(fileReadAt(fh), size, (id) => keys.keyById(id));
      verdicts.set(key, v);
      report.objects++;
      report.chunks += v.chunks;
      if (v.torn !== undefined) report.torn.push({ key, wholeChunks: v.torn.wholeChunks });
      for (const c of v.corrupt) report.corrupt.push({ key, ...c });
      if (v.unavailable !== undefined) report.unavailable.push({ key, ...v.unavailable });
    } finally {
      await fh.close();
    }
  }
  onProgress?.(done, all.length);
  if (expected === undefined) return report;
  const { corrupt, ...cross } = crossCheck(verdicts, new Set(report.empty.map((e) => e.key)), expected);
  return { ...report, corrupt: [...report.corrupt, ...corrupt].sort((a, b) => a.key.localeCompare(b.key)), cross };
}

/** True when the report shows nothing that needs the operator (torn objects and empty leftovers are crash traces, repaired at start). */
export function fsckPassed(report: FsckReport): boolean {
  const c = report.cross;
  const crossClean = c === undefined || c.missing.length + c.unindexed.length + c.unsealed.length + c.vanished.length === 0;
  return report.corrupt.length === 0 && report.unavailable.length === 0 && crossClean;
}
