import { test } from 'node:test';
import assert from 'node:assert/strict';
import { open, stat } from 'node:fs/promises';
import { join } from 'node:path';
import { createTestDatabase } from '../../test/helpers/databases.ts';
import { tempDir } from '../../test/helpers/harness.ts';
import { makeFmp4Fixture } from '../../test/helpers/ffmpeg-fixtures.ts';
import { createLogger } from '../lib/logger.ts';
import { FileSegmentStore } from '../../test/helpers/file-segment-store.ts';
import { Fmp4Reader } from '../media/fmp4/fmp4-reader.ts';
import { recoverSegments } from './recovery.ts';
import { createSegmentIndex } from './segment-index.store.ts';
import type { Segment } from '../media/segment.ts';
import { teardown } from '../../test/helpers/teardown.ts';

test('recovery keeps whole fragments of torn segments, removes empty and missing ones, and quarantines an unindexed object it cannot index', async (t) => {
  const database = await createTestDatabase('sqlite');
  const dir = await tempDir('recovery');
  const defer = teardown(t);
  defer(() => dir.remove());
  defer(() => database.close());
  const root = join(dir.path, 'segments');
  const store = new FileSegmentStore(root);
  const index = createSegmentIndex(database.db);
  const [init, ...fragments] = new Fmp4Reader().push(await makeFmp4Fixture({ seconds: 4 }));
  const openRow = (id: string, key: string): Segment => ({ id, cameraId: 'cam', objectKey: key, startMs: 1_000_000, endMs: 1_000_000, bytes: 0, initSize: init!.bytes.length, codec: 'avc1', timescale: 12800, fragments: [], state: 'open' });

  // Torn: three whole fragments, then half of the fourth (a crash mid-write).
  await index.insert(openRow('torn', 'cam/torn.mp4'));
  const torn = await store.create('cam/torn.mp4', init!.bytes, { cameraId: 'cam', startMs: 0 });
  for (const f of fragments.slice(0, 3)) await torn.append(f.bytes);
  await torn.close();
  const file = await open(join(root, 'cam/torn.mp4'), 'a');
  await file.write(fragments[3]!.bytes.subarray(0, 1000));
  await file.close();
  // Empty: the crash came before the first fragment.
  await index.insert(openRow('empty', 'cam/empty.mp4'));
  await (await store.create('cam/empty.mp4', init!.bytes, { cameraId: 'cam', startMs: 0 })).close();
  // Missing: the row was written, the object never created.
  await index.insert(openRow('missing', 'cam/missing.mp4'));
  // Orphan: an object nobody indexed (plain objects carry no header to index it from).
  await (await store.create('cam/orphan.mp4', init!.bytes, { cameraId: 'cam', startMs: 0 })).close();

  const report = await recoverSegments(store, index, createLogger({ level: 'silent' }));
  assert.deepEqual(report, { recovered: 1, truncatedBytes: 1000, removedEmpty: 2, quarantinedOpen: 0, reindexed: 0, quarantined: 1, removedOrphans: 0 });
  const recovered = await index.get('torn');
  assert.equal(recovered?.state, 'recovered');
  assert.equal(recovered?.fragments.length, 3);
  assert.equal(recovered?.endMs, 1_000_000 + 3000);
  assert.equal(recovered?.bytes, (await stat(join(root, 'cam/torn.mp4'))).size);
  assert.deepEqual([...(await index.objectKeys())], ['cam/torn.mp4']);
  const left: string[] = [];
  for await (const key of store.list()) left.push(key);
  assert.deepEqual(left, ['cam/torn.mp4']);
  await stat(join(dir.path, 'quarantine', 'segments', 'cam', 'orphan.mp4')); // kept, out of the store
});
