import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import type { Db } from '../../src/db/database.ts';
import type { Clock } from '../../src/lib/clock.ts';
import { DataKeys } from '../../src/keys/data-keys.ts';
import { createDataKeyStore } from '../../src/keys/data-keys.store.ts';
import { openFileKeyProvider } from '../../src/keys/file-key-provider.ts';

/** Real data keys for a test: the file key provider in a temporary directory, over `db`. */
export async function createTestDataKeys(db: Db, clock: Clock = { now: () => Date.now() }): Promise<{ dataKeys: DataKeys; close(): Promise<void> }> {
  const dir = await mkdtemp(join(tmpdir(), 'custos-keys-'));
  const provider = await openFileKeyProvider({ path: join(dir, 'master.key'), passphrase: null });
  const dataKeys = new DataKeys({ provider, store: createDataKeyStore(db), clock, monotonic: clock, hours: 1, cacheMs: 60_000 });
  return {
    dataKeys,
    async close() {
      await provider.close();
      await rm(dir, { recursive: true, force: true });
    },
  };
}
