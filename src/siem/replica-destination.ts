import { open, type FileHandle } from 'node:fs/promises';
import { join } from 'node:path';
import type { ReplicaDestinationConfig } from '../config/siem-replica.schema.ts';
import { ensurePrivateDir, fsyncDir } from '../lib/durable-files.ts';
import { leafHashOfText } from '../tlog/merkle.ts';
import type { SendOutcome, ShippedCheckpoint, ShippedEvent, SiemDestination } from './destination.ts';
import { CHECKPOINTS_FILE, LEAVES_FILE, checkpointLine, leafLine, parseCheckpointLine, parseLeafLine } from './replica-format.ts';

/** How far back the last complete line of a file is looked for at open (a leaf is far smaller). */
const tailBytes = 4 * 1024 * 1024;

/** An append-only file whose torn last line (a crash mid-write) was cut at open. */
interface AppendFile {
  readonly handle: FileHandle;
  /** The last complete line, without its newline; undefined when the file is empty. */
  readonly last: string | undefined;
}

/**
 * Opens `path` for appending (mode 0600, created when missing). A last line without its newline
 * was never acknowledged (the fsync follows the whole write), so it is cut off.
 */
async function openAppend(path: string): Promise<AppendFile> {
  const handle = await open(path, 'a+', 0o600);
  try {
    const { size } = await handle.stat();
    if (size === 0) return { handle, last: undefined };
    const from = Math.max(0, size - tailBytes);
    const buf = Buffer.alloc(size - from);
    await handle.read(buf, 0, buf.length, from);
    const end = buf.lastIndexOf(0x0a);
    if (end < 0 && from > 0) throw new Error(`${path}: no complete line in its last ${tailBytes} bytes`);
    if (end + 1 < buf.length) {
      await handle.truncate(from + end + 1);
      await handle.sync();
    }
    if (end < 0) return { handle, last: undefined };
    const start = buf.lastIndexOf(0x0a, end - 1) + 1;
    if (start === 0 && from > 0) throw new Error(`${path}: its last line is longer than ${tailBytes} bytes`);
    return { handle, last: buf.subarray(start, end).toString('utf8') };
  } catch (e) {
    await handle.close();
    throw e;
  }
}

const reasonOf = (e: unknown): string => (e instanceof Error ? e.message.split('\n')[0] ?? 'error' : String(e));

/**
 * The `replica` destination (LOG-3): appends every leaf and every signed checkpoint, verbatim,
 * to `<path>/leaves.log` and `<path>/checkpoints.log` (replica-format.ts) and fsyncs before it
 * answers ok, so an acknowledged leaf survives a crash or power loss.
 *
 * Contracts:
 * - Leaves MUST arrive in leaf order from index 0. A leaf already in the replica (a redelivery,
 *   at-least-once) is skipped; a leaf past the next index (a gap) is refused, not retryable:
 *   the replica MUST stay a dense prefix of the ledger.
 * - A checkpoint not above the last one written is skipped (redelivery).
 * - A write or fsync failure answers `ok: false, retryable: true` and leaves the next index
 *   where it was; the file is reopened (cutting any torn line) before the next write.
 * - Sends are serialised: one write at a time.
 */
export async function createReplicaDestination(config: ReplicaDestinationConfig): Promise<SiemDestination> {
  await ensurePrivateDir(config.path);
  const leavesPath = join(config.path, LEAVES_FILE);
  const checkpointsPath = join(config.path, CHECKPOINTS_FILE);
  let leaves: AppendFile | undefined;
  let checkpoints: AppendFile | undefined;
  let nextSeq = 0;
  let lastCheckpoint = -1;
  const reopen = async (): Promise<void> => {
    await leaves?.handle.close().catch(() => undefined);
    await checkpoints?.handle.close().catch(() => undefined);
    leaves = await openAppend(leavesPath);
    checkpoints = await openAppend(checkpointsPath);
    await fsyncDir(config.path);
    const lastLeaf = leaves.last === undefined ? undefined : parseLeafLine(leaves.last);
    if (leaves.last !== undefined && lastLeaf === undefined) throw new Error(`${leavesPath}: its last line is not a replica leaf line`);
    nextSeq = lastLeaf === undefined ? 0 : lastLeaf.seq + 1;
    const lastCp = checkpoints.last === undefined ? undefined : parseCheckpointLine(checkpoints.last);
    if (checkpoints.last !== undefined && lastCp === undefined) throw new Error(`${checkpointsPath}: its last line is not a replica checkpoint line`);
    lastCheckpoint = lastCp === undefined ? -1 : lastCp.size;
  };
  await reopen();
  let healthy = true;
  let chain: Promise<unknown> = Promise.resolve();
  const serial = <T>(work: () => Promise<T>): Promise<T> => {
    const run = chain.then(work);
    chain = run.catch(() => undefined);
    return run;
  };
  const guarded = async (write: () => Promise<SendOutcome>): Promise<SendOutcome> => {
    try {
      if (!healthy) {
        await reopen();
        healthy = true;
      }
      return await write();
    } catch (e) {
      healthy = false;
      return { ok: false, retryable: true, reason: `replica ${config.id}: ${reasonOf(e)}` };
    }
  };

  return {
    id: config.id,
    maxBatch: config.maxBatch,
    send: (batch: readonly ShippedEvent[], signal: AbortSignal) =>
      serial(() =>
        guarded(async () => {
          if (signal.aborted) return { ok: false, retryable: true, reason: 'aborted' };
          const lines: string[] = [];
          let expect = nextSeq;
          for (const e of batch) {
            const seq = e.record.seq;
            if (seq < expect) continue;
            if (seq > expect) return { ok: false, retryable: false, reason: `replica ${config.id}: leaf ${seq} arrived but ${expect} is next; a replica must hold every leaf from 0` };
            lines.push(leafLine(seq, leafHashOfText(e.text), e.text));
            expect++;
          }
          if (lines.length === 0) return { ok: true };
          await (leaves as AppendFile).handle.appendFile(lines.join(''), 'utf8');
          await (leaves as AppendFile).handle.sync();
          nextSeq = expect;
          return { ok: true };
        }),
      ),
    sendCheckpoint: (checkpoint: ShippedCheckpoint, signal: AbortSignal) =>
      serial(() =>
        guarded(async () => {
          if (signal.aborted) return { ok: false, retryable: true, reason: 'aborted' };
          if (checkpoint.size <= lastCheckpoint) return { ok: true };
          await (checkpoints as AppendFile).handle.appendFile(checkpointLine(checkpoint.size, checkpoint.note), 'utf8');
          await (checkpoints as AppendFile).handle.sync();
          lastCheckpoint = checkpoint.size;
          return { ok: true };
        }),
      ),
    close: () =>
      serial(async () => {
        await leaves?.handle.close().catch(() => undefined);
        await checkpoints?.handle.close().catch(() => undefined);
      }),
  };
}
