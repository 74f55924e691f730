/**
 * Legal hold vs retention (issue 19 item 4, ADR 0036): retention and the disk-full policy keep
 * every segment overlapping a held bookmark, and the data keys it needs, until the hold is
 * released; then retention deletes it like any other. Real: SQLite and PostgreSQL, the segment
 * index, segment files, data keys (file key provider), the audit ledger and BookmarksService.
 */
import { after, before, describe, test } from 'node:test';
import assert from 'node:assert/strict';
import { join } from 'node:path';
import { createTestDatabase, engines, type TestDatabase } from '../../test/helpers/databases.ts';
import { tempDir } from '../../test/helpers/harness.ts';
import { FileSegmentStore } from '../../test/helpers/file-segment-store.ts';
import { createTestDataKeys } from '../../test/helpers/keys.ts';
import { createTestLedger, testActor } from '../../test/helpers/audit.ts';
import { teardown } from '../../test/helpers/teardown.ts';
import type { Camera } from '../cameras/camera.ts';
import { isAppError } from '../lib/errors.ts';
import { createLogger } from '../lib/logger.ts';
import { BookmarksService } from '../playback/bookmarks.service.ts';
import { createBookmarkStore } from '../playback/bookmarks.store.ts';
import { applyRetention } from './retention.ts';
import { reclaimSpace } from './space-reclaim.ts';
import { createSegmentIndex } from './segment-index.store.ts';

const hour = 3_600_000;
const now = 1_795_000_000_000;
const camera: Camera = { id: 'cam-1', name: 'Gate', url: 'rtsp://h/x', username: null, password: null, tlsCaPem: null, enabled: true, retentionHours: 24, minRetentionHours: 0, ingest: 'auto', siteId: 'default', createdMs: 0, updatedMs: 0 };
/** Segment ages: the held one sits between two expired ones, so key shredding must stop before it. */
const ages = { oldest: 40 * hour, held: 30 * hour, expired: 28 * hour, fresh: 2 * hour } as const;

for (const engine of engines) {
  describe(`legal hold against retention on ${engine}`, () => {
    let database: TestDatabase;
    let keys: Awaited<ReturnType<typeof createTestDataKeys>>;
    let ledger: Awaited<ReturnType<typeof createTestLedger>>;
    let dir: Awaited<ReturnType<typeof tempDir>>;
    const defer = teardown({ after });
    before(async () => {
      database = await createTestDatabase(engine);
      keys = await createTestDataKeys(database.db, { now: () => now });
      ledger = await createTestLedger(database.db, keys.dataKeys);
      dir = await tempDir('legal-hold');
    });
    defer(() => dir.remove());
    defer(() => ledger.close());
    defer(() => keys.close());
    defer(() => database.close());

    test('retention and the disk-full policy skip a held segment and keep its key; after the release retention deletes it', async () => {
      const store = new FileSegmentStore(join(dir.path, 'segments'));
      const index = createSegmentIndex(database.db);
      const bookmarks = new BookmarksService({ store: createBookmarkStore(database.db), audit: ledger.ledger, clock: { now: () => now } });
      const keyIds: Record<string, string> = {};
      for (const [name, age] of Object.entries(ages)) {
        const key = `${camera.id}/${name}.mp4`;
        const writer = await store.create(key, Buffer.from('init'), { cameraId: camera.id, startMs: now - age });
        await writer.append(Buffer.from(`fragment of ${name}`));
        await writer.close();
        await index.insert({ id: name, cameraId: camera.id, objectKey: key, startMs: now - age, endMs: now - age + 60_000, bytes: writer.size, initSize: 4, codec: 'avc1', timescale: 12800, fragments: [], state: 'closed' });
        keyIds[name] = (await keys.dataKeys.keyFor(camera.id, now - age)).id;
      }
      // A bookmark on 10 s in the middle of the held segment, put on hold; one on the expired segment, not held.
      const heldStart = now - ages.held + 20_000;
      const mark = await bookmarks.create(camera, heldStart, heldStart + 10_000, 'van at the gate', testActor);
      await bookmarks.create(camera, now - ages.expired, now - ages.expired + 5_000, 'nothing to hold', testActor);
      await bookmarks.hold(camera.id, mark.id, 'case 2026-113', testActor);
      await assert.rejects(bookmarks.remove(camera.id, mark.id, testActor), (e) => isAppError(e, 'HOLD_ACTIVE'), 'a held bookmark cannot be deleted');

      const deps = { cameras: { list: async () => [camera] }, index, store, clock: { now: () => now }, log: createLogger({ level: 'silent' }), audit: ledger.ledger, shred: (id: string, before: number) => keys.dataKeys.destroyBefore(id, before) };
      const first = await applyRetention(deps);
      assert.equal(first.deletedSegments, 2, 'the two expired segments that are not held');
      assert.deepEqual([...(await index.objectKeys())].sort(), ['cam-1/fresh.mp4', 'cam-1/held.mp4']);
      keys.dataKeys.clearCache();
      await assert.rejects(keys.dataKeys.keyById(keyIds.oldest!), (e) => isAppError(e, 'KEY_UNAVAILABLE'), 'footage older than the hold is crypto-shredded');
      assert.equal((await keys.dataKeys.keyById(keyIds.held!)).length, 32, 'the held footage keeps its key');
      assert.equal((await store.digest('cam-1/held.mp4')).length, 64, 'the held object is still there');

      // The disk-full policy, asked for far more than there is, leaves the held segment too.
      const reclaimed = await reclaimSpace({ ...deps, where: dir.path }, 1e12);
      assert.deepEqual([...(await index.objectKeys())], ['cam-1/held.mp4'], 'only the held segment is left');
      assert.equal(reclaimed.deletedSegments, 1);
      keys.dataKeys.clearCache();
      assert.equal((await keys.dataKeys.keyById(keyIds.held!)).length, 32, 'and its key');

      const released = await bookmarks.release(camera.id, mark.id, 'case closed', testActor);
      assert.equal(released.hold, null);
      const second = await applyRetention(deps);
      assert.equal(second.deletedSegments, 1, 'released: retention deletes it');
      assert.equal((await index.objectKeys()).size, 0);
      keys.dataKeys.clearCache();
      await assert.rejects(keys.dataKeys.keyById(keyIds.held!), (e) => isAppError(e, 'KEY_UNAVAILABLE'), 'and shreds its key');

      await ledger.ledger.drain();
      const placed = await ledger.store.eventsByTarget('footage.hold.placed', [mark.id]);
      const freed = await ledger.store.eventsByTarget('footage.hold.released', [mark.id]);
      assert.equal(placed.length, 1);
      assert.match(placed[0]!.record, /"reason":"case 2026-113"/);
      assert.equal(freed.length, 1);
      assert.match(freed[0]!.record, /"heldBy":"system:test"/);
      const created = await ledger.store.eventsByTarget('footage.bookmark.created', [mark.id]);
      assert.equal(created.length, 1);
      assert.doesNotMatch(created[0]!.record, /van at the gate/, 'the note is sealed, not in the leaf');
      await bookmarks.remove(camera.id, mark.id, testActor);
      assert.equal((await bookmarks.list(camera.id, 0, now)).length, 1, 'released, the bookmark can be deleted');
    });
  });
}
