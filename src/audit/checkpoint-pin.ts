import { readFile } from 'node:fs/promises';
import { join } from 'node:path';
import { ensurePrivateDir, writeFileAtomic } from '../lib/durable-files.ts';

/**
 * The last checkpoint this installation signed, kept in a file beside the data as well as in the
 * database: if the database is restored from an older backup (or rolled back by an attacker),
 * the ledger would otherwise sign a new tree that forks from checkpoints already published.
 * Before signing, the ledger checks the new tree against both (see ledger.ts).
 */
export interface CheckpointPin {
  read(): Promise<{ size: number; root: Buffer } | undefined>;
  /** Records a newer checkpoint; a size not above the pinned one leaves the pin as it is. */
  write(size: number, root: Buffer): Promise<void>;
}

/** The pin as `<dataDir>/audit/last-checkpoint` (`<size> <root hex>`). */
export function fileCheckpointPin(dataDir: string): CheckpointPin {
  const dir = join(dataDir, 'audit');
  const path = join(dir, 'last-checkpoint');
  const read = async (): Promise<{ size: number; root: Buffer } | undefined> => {
    let text: string;
    try {
      text = await readFile(path, 'utf8');
    } catch (e) {
      if ((e as NodeJS.ErrnoException).code === 'ENOENT') return undefined;
      throw e;
    }
    const match = /^(0|[1-9][0-9]*) ([0-9a-f]{64})\n$/.exec(text);
    if (match === null) throw new Error(`${path} is damaged; it should hold "<size> <root hex>"`);
    return { size: Number(match[1]), root: Buffer.from(match[2] as string, 'hex') };
  };
  return {
    read,
    async write(size, root) {
      // Two signers (server and CLI) may finish out of order: the pin only moves forward.
      // (A race between the read and the rename remains; the database history is the backstop.)
      const current = await read();
      if (current !== undefined && current.size >= size) return;
      await ensurePrivateDir(dir);
      await writeFileAtomic(path, `${size} ${root.toString('hex')}\n`);
    },
  };
}
