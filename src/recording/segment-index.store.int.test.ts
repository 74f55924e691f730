import { test, describe, before, after } from 'node:test';
import assert from 'node:assert/strict';
import { createTestDatabase, engines, type TestDatabase } from '../../test/helpers/databases.ts';
import { createSegmentIndex, type SegmentIndex } from './segment-index.store.ts';
import type { Segment } from '../media/segment.ts';

function segment(id: string, cameraId: string, startMs: number, seconds: number, state: Segment['state'] = 'closed'): Segment {
  const fragments = Array.from({ length: seconds }, (_, i) => ({ offset: 800 + i * 5000, size: 5000, durationMs: 1000, keyframe: i === 0 }));
  return { id, cameraId, objectKey: `${cameraId}/${id}.mp4`, startMs, endMs: startMs + seconds * 1000, bytes: 800 + seconds * 5000, initSize: 800, codec: 'avc1.64001e', timescale: 12800, fragments, state };
}

for (const engine of engines) {
  describe(`segment index on ${engine}`, () => {
    let database: TestDatabase;
    let index: SegmentIndex;
    const base = 1_795_000_000_000;
    before(async () => {
      database = await createTestDatabase(engine);
      index = createSegmentIndex(database.db);
    });
    after(async () => database.close());

    test('a segment round-trips with its fragment table and millisecond times intact', async () => {
      const s = segment('00000000-0000-4000-8000-000000000001', 'cam-a', base, 6);
      await index.insert(s);
      assert.deepEqual(await index.get(s.id), s);
    });

    test('range queries return overlapping segments of that camera only, oldest first', async () => {
      await index.insert(segment('00000000-0000-4000-8000-000000000002', 'cam-a', base + 6_000, 6));
      await index.insert(segment('00000000-0000-4000-8000-000000000003', 'cam-b', base, 6));
      const hits = await index.overlapping('cam-a', base + 5_000, base + 7_000);
      assert.deepEqual(hits.map((s) => s.id), ['00000000-0000-4000-8000-000000000001', '00000000-0000-4000-8000-000000000002']);
      assert.deepEqual(await index.overlapping('cam-a', base + 12_000, base + 20_000), []);
    });

    test('open segments are listed for recovery and updated in place', async () => {
      const open = segment('00000000-0000-4000-8000-000000000004', 'cam-a', base + 12_000, 0, 'open');
      await index.insert(open);
      assert.deepEqual((await index.open()).map((s) => s.id), [open.id]);
      await index.update({ ...segment(open.id, 'cam-a', base + 12_000, 3), state: 'recovered' });
      assert.deepEqual(await index.open(), []);
      assert.equal((await index.get(open.id))?.fragments.length, 3);
    });

    test('expired segments and orphaned cameras are found for retention', async () => {
      const expired = await index.expired('cam-a', base + 12_500, 10);
      assert.deepEqual(expired.map((s) => s.id), ['00000000-0000-4000-8000-000000000001', '00000000-0000-4000-8000-000000000002']);
      assert.deepEqual(await index.orphanCameraIds(['cam-a']), ['cam-b']);
      assert.equal((await index.objectKeys()).size, 4);
    });

    test('an open gap is closed when recording resumes and found by range', async () => {
      await index.insertGap({ id: '00000000-0000-4000-8000-0000000000a1', cameraId: 'cam-a', startMs: base + 15_000, endMs: null, reason: 'Connection refused' });
      assert.equal((await index.gapsOverlapping('cam-a', base + 20_000, base + 30_000)).length, 1, 'an open gap reaches into the future');
      await index.closeGaps('cam-a', base + 18_000);
      assert.deepEqual(await index.gapsOverlapping('cam-a', base + 20_000, base + 30_000), []);
      const [gap] = await index.gapsOverlapping('cam-a', base, base + 30_000);
      assert.equal(gap?.endMs, base + 18_000);
      await index.removeGapsBefore('cam-a', base + 19_000);
      assert.deepEqual(await index.gapsOverlapping('cam-a', base, base + 30_000), []);
    });
  });
}
