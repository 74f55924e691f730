/**
 * Every loss of footage at start-up recovery is a ledger event: real SQLite, real data keys and
 * vault objects, a real audit ledger. The objects are left as a crash (or damage) leaves them.
 */
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { randomUUID } from 'node:crypto';
import { open, stat, truncate } from 'node:fs/promises';
import { join } from 'node:path';
import { createTestDatabase } from '../../test/helpers/databases.ts';
import { tempDir } from '../../test/helpers/harness.ts';
import { makeFmp4Fixture } from '../../test/helpers/ffmpeg-fixtures.ts';
import { createTestDataKeys } from '../../test/helpers/keys.ts';
import { createTestLedger } from '../../test/helpers/audit.ts';
import { teardown } from '../../test/helpers/teardown.ts';
import { createDataKeyStore } from '../keys/data-keys.store.ts';
import { createLogger } from '../lib/logger.ts';
import { RECORD_OVERHEAD } from '../vault/chunk-cipher.ts';
import { VaultSegmentStore } from '../vault/vault-segment-store.ts';
import { Fmp4Reader } from '../media/fmp4/fmp4-reader.ts';
import { recoverSegments } from './recovery.ts';
import { createSegmentIndex } from './segment-index.store.ts';
import type { Segment } from '../media/segment.ts';

test('recovery records a torn segment as footage.damaged, removed ones as footage.deleted and a damaged one as footage.quarantined, and keeps the damaged object', async (t) => {
  const defer = teardown(t);
  const database = await createTestDatabase('sqlite');
  defer(() => database.close());
  const keys = await createTestDataKeys(database.db);
  defer(() => keys.close());
  const ledger = await createTestLedger(database.db, keys.dataKeys);
  defer(() => ledger.close());
  const dir = await tempDir('recovery-losses');
  defer(() => dir.remove());
  const root = join(dir.path, 'segments');
  const store = new VaultSegmentStore(root, keys.dataKeys);
  const index = createSegmentIndex(database.db);
  const [init, ...fragments] = new Fmp4Reader().push(await makeFmp4Fixture({ seconds: 4 }));
  const startMs = Date.now() - 60_000;
  const row = (): Segment => {
    const id = randomUUID();
    return { id, cameraId: 'cam', objectKey: `cam/${startMs}-${id}.mp4`, startMs, endMs: startMs, bytes: 0, initSize: init!.bytes.length, codec: 'avc1', timescale: 12800, fragments: [], state: 'open' };
  };
  /** An object as a crash leaves it: `count` fragments and no final chunk, minus `cut` more bytes. */
  const crashed = async (segment: Segment, count: number, cut = 0) => {
    await index.insert(segment);
    const writer = await store.create(segment.objectKey, init!.bytes, { cameraId: 'cam', startMs });
    for (const f of fragments.slice(0, count)) await writer.append(f.bytes);
    await writer.close();
    const path = join(root, segment.objectKey);
    await truncate(path, (await stat(path)).size - RECORD_OVERHEAD - cut);
  };
  const torn = row();
  await crashed(torn, 3, 100);
  const empty = row();
  await crashed(empty, 0);
  const missing = row();
  await index.insert(missing);
  const damaged = row();
  await crashed(damaged, 2);
  const fh = await open(join(root, damaged.objectKey), 'r+');
  await fh.write(Buffer.from([0xaa, 0x55]), 0, 2, 40); // inside the header: every chunk fails authentication
  await fh.close();

  const keyRows = createDataKeyStore(database.db);
  const report = await recoverSegments(store, index, createLogger({ level: 'silent' }), {
    audit: ledger.ledger,
    keyState: async (id) => ((await keyRows.get(id)) === undefined ? 'unknown' : 'live'),
  });
  assert.equal(report.recovered, 1);
  assert.equal(report.removedEmpty, 2);
  assert.equal(report.quarantinedOpen, 1);
  await stat(join(dir.path, 'quarantine', 'segments', damaged.objectKey)); // kept for the operator

  const events = await database.db.selectFrom('audit_events').select(['type', 'target_id', 'record']).where('type', 'like', 'footage.%').execute();
  const of = (segment: Segment) => events.filter((e) => e.target_id === segment.id).map((e) => e.type);
  assert.deepEqual(of(torn), ['footage.damaged']);
  assert.match(events.find((e) => e.target_id === torn.id)!.record, /bytes of a torn fragment cut by an unclean stop/);
  assert.deepEqual(of(empty), ['footage.deleted']);
  assert.match(events.find((e) => e.target_id === empty.id)!.record, /held no whole fragment/);
  assert.deepEqual(of(missing), ['footage.deleted']);
  assert.match(events.find((e) => e.target_id === missing.id)!.record, /its object is missing/);
  assert.deepEqual(of(damaged), ['footage.quarantined']);
});
