import { join } from 'node:path';
import type { Config } from '../config/schema.ts';
import type { Db } from '../db/database.ts';
import type { Logger } from '../lib/logger.ts';
import type { DataKeySource } from '../vault/data-key-source.ts';
import { SealPool } from '../vault/seal-pool.ts';
import { VaultSegmentStore } from '../vault/vault-segment-store.ts';
import { createSegmentCopies } from './segment-copies.store.ts';
import { buildZoneSet } from './zone-set.ts';
import { ZonedSegmentStore } from './zoned-segment-store.ts';

/**
 * The recorder's segment store (issues 14 and 20): the vault over the recording zone
 * (`<dataDir>/segments` when no zones are configured), its sealing, hashing and writing on
 * `sealWorkers` worker threads (ADR 0044), reads of an object missing there falling back to
 * another zone. The caller MUST close `sealPool` once the recorder stopped, then `zoneSet`.
 */
export async function buildRecordingStore(deps: { storage: Config['storage']; dataDir: string; dataKeys: DataKeySource; db: Db; sealWorkers: number; log: Logger }) {
  const { log } = deps;
  const zoneSet = await buildZoneSet(deps.storage, deps.dataDir);
  const copies = createSegmentCopies(deps.db);
  const scratchDir = join(deps.dataDir, 'storage-scratch');
  const sealPool = new SealPool({ size: deps.sealWorkers, log });
  const store = new ZonedSegmentStore({ inner: new VaultSegmentStore(zoneSet.recording.root, deps.dataKeys, { sealPool }), zoneSet, copies, scratchDir, log });
  return { zoneSet, copies, scratchDir, sealPool, store };
}
