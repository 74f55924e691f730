import { createReadStream } from 'node:fs';
import { open, readFile, stat } from 'node:fs/promises';
import { join } from 'node:path';
import { createInterface } from 'node:readline';
import { AppError } from '../lib/errors.ts';
import { CHECKPOINTS_FILE, LEAVES_FILE } from './replica-format.ts';

/** A replica as read from disk: raw lines, checked by verify-replica.ts. */
export interface ReplicaLines {
  /** Every line of checkpoints.log. */
  readonly checkpoints: readonly string[];
  /** Every line of leaves.log, in file order, streamed. */
  leaves(): AsyncIterable<string>;
  /** True when leaves.log ends without a newline (a torn last write, never acknowledged). */
  readonly tornTail: boolean;
}

/** Opens the replica directory `path` for reading; NOT_FOUND when it holds no leaves.log. */
export async function readReplica(path: string): Promise<ReplicaLines> {
  const leavesPath = join(path, LEAVES_FILE);
  let size: number;
  try {
    size = (await stat(leavesPath)).size;
  } catch (e) {
    throw new AppError('NOT_FOUND', `${path} is not a ledger replica: no ${LEAVES_FILE} (${(e as NodeJS.ErrnoException).code ?? 'error'})`);
  }
  let checkpoints: string[] = [];
  try {
    checkpoints = (await readFile(join(path, CHECKPOINTS_FILE), 'utf8')).split('\n').filter((l) => l.length > 0);
  } catch (e) {
    if ((e as NodeJS.ErrnoException).code !== 'ENOENT') throw e;
  }
  let tornTail = false;
  if (size > 0) {
    const fh = await open(leavesPath, 'r');
    try {
      const last = Buffer.alloc(1);
      await fh.read(last, 0, 1, size - 1);
      tornTail = last[0] !== 0x0a;
    } finally {
      await fh.close();
    }
  }
  return {
    checkpoints,
    tornTail,
    async *leaves() {
      const lines = createInterface({ input: createReadStream(leavesPath, { encoding: 'utf8' }), crlfDelay: Number.POSITIVE_INFINITY });
      for await (const line of lines) yield line;
    },
  };
}
