import { describe, test } from 'node:test';
import assert from 'node:assert/strict';
import { createTestDatabase } from '../../test/helpers/databases.ts';
import { teardown } from '../../test/helpers/teardown.ts';
import { createSegmentIndex } from '../recording/segment-index.store.ts';
import type { Segment } from '../media/segment.ts';
import { createSegmentCopies } from './segment-copies.store.ts';

function segment(id: string, cameraId: string, endMs: number, state: Segment['state'] = 'closed'): Segment {
  return { id, cameraId, objectKey: `${cameraId}/2026-12-07/${endMs}-${id}.mp4`, startMs: endMs - 1000, endMs, bytes: 10, initSize: 5, codec: 'avc1.64001f', timescale: 90000, fragments: [], state };
}

describe('segment copies store', { concurrency: true }, () => {
  for (const engine of ['sqlite', 'postgres'] as const) {
    test(`${engine}: adopts old footage, queues missing copies, backfills oldest first, counts lag and acknowledgement, finds orphans`, async (t) => {
      const defer = teardown(t);
      const database = await createTestDatabase(engine);
      defer(() => database.close());
      const index = createSegmentIndex(database.db);
      const copies = createSegmentCopies(database.db);
      await index.insert(segment('s1', 'cam', 3000));
      await index.insert(segment('s2', 'cam', 1000));
      await index.insert(segment('s3', 'cam', 2000));
      await index.insert(segment('open', 'cam', 4000, 'open'));
      await index.insert(segment('other', 'cam-2', 5000));
      // Footage recorded before zones: every sealed segment becomes a stored copy, once.
      assert.equal(await copies.adopt('local', 10), 4);
      assert.equal(await copies.adopt('local', 11), 0);
      assert.deepEqual((await copies.ofSegment('s1')).map((c) => [c.zoneId, c.state, c.objectKey, c.sealedMs]), [['local', 'stored', 'cam/2026-12-07/3000-s1.mp4', 3000]]);
      // A zone added to camera cam's placement: its three sealed segments are queued, oldest first.
      assert.equal(await copies.enqueueMissing('cam', 'offsite', 2, (id) => `v1/${id}`, 20), 3);
      assert.deepEqual((await copies.pending('offsite', 10)).map((c) => c.segmentId), ['s2', 's3', 's1']);
      const backlog = await copies.backlog('offsite');
      assert.equal(backlog.pending, 3);
      assert.equal(backlog.oldestSealedMs, 1000);
      assert.equal(await copies.unacknowledged(), 4, 'ack 2 with one copy stored; adopted copies have no hash yet');
      await copies.mark('s2', 'offsite', 'stored', 30, 'ab'.repeat(32), 99);
      assert.equal((await copies.backlog('offsite')).oldestSealedMs, 2000);
      assert.equal((await copies.backlog('offsite')).storedBytes, 99);
      // W = 2 (ADR 0040): two stored copies, but the adopted local one has no known hash yet.
      assert.deepEqual(await copies.underReplicated(), [
        { cameraId: 'cam', segments: 3, oldestSealedMs: 1000, waitingFor: ['local', 'offsite'] },
        { cameraId: 'cam-2', segments: 1, oldestSealedMs: 5000, waitingFor: ['local'] },
      ]);
      assert.deepEqual((await copies.unhashed('local', '', 10)).map((c) => c.segmentId), ['other', 's1', 's2', 's3']);
      assert.deepEqual((await copies.unhashed('local', 's1', 1)).map((c) => c.segmentId), ['s2']);
      await copies.setHashes('local', new Map(['s1', 's2', 's3', 'other'].map((id) => [id, 'cd'.repeat(32)])), 31);
      await copies.setHashes('offsite', new Map([['s2', 'ee'.repeat(32)]]), 32); // a known hash is kept
      assert.deepEqual(await copies.unhashed('local', '', 10), []);
      assert.equal(await copies.unacknowledged(), 2, 's2 acknowledged; s1 and s3 wait for offsite');
      assert.deepEqual(await copies.underReplicated(), [{ cameraId: 'cam', segments: 2, oldestSealedMs: 2000, waitingFor: ['offsite'] }]);
      assert.deepEqual((await copies.ofObjectKey('cam/2026-12-07/1000-s2.mp4')).map((c) => [c.zoneId, c.sha256]), [['local', 'cd'.repeat(32)], ['offsite', 'ab'.repeat(32)]]);
      // Retention deleted s3: its copies are orphans.
      await index.remove('s3');
      assert.deepEqual((await copies.orphans(10)).map((c) => `${c.segmentId}@${c.zoneId}`).sort(), ['s3@local', 's3@offsite']);
      assert.equal(await copies.unacknowledged(), 1, 'a segment no longer indexed is not counted');
      // Pages for the scrub, in segment id order, every copy of a segment in one page.
      const page = await copies.page('', 2);
      assert.deepEqual([...new Set(page.map((c) => c.segmentId))], ['other', 's1']);
      assert.equal(await copies.layout(), null);
      await copies.saveLayout('{"a":1}', 1);
      await copies.saveLayout('{"a":2}', 2);
      assert.equal(await copies.layout(), '{"a":2}');
    });
  }
});
