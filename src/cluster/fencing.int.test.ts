/**
 * Leases and fencing in the database itself (migration 0020): real PostgreSQL (a database of its
 * own on 127.0.0.1:5432) and SQLite. A claim gives the next token only when the lease is free or
 * lapsed; a write of a camera's index rows with an older (or no) token is refused by the database.
 */
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { setTimeout as delay } from 'node:timers/promises';
import { sql } from 'kysely';
import { createTestDatabase, engines } from '../../test/helpers/databases.ts';
import { teardown } from '../../test/helpers/teardown.ts';
import { createLeaseStore } from './leases.store.ts';
import { createSegmentIndex } from '../recording/segment-index.store.ts';
import { isFencedWrite } from '../db/fencing.ts';
import type { Segment } from '../media/segment.ts';

const segment = (id: string, cameraId: string): Segment => ({ id, cameraId, objectKey: `${cameraId}/${id}.mp4`, startMs: 1000, endMs: 1000, bytes: 10, initSize: 10, codec: 'avc1.64001f', timescale: 90000, fragments: [], state: 'open' });

test('PostgreSQL: one claimer wins, tokens grow, a lapsed lease moves with its previous holder named, renewals need the current token', async (t) => {
  const defer = teardown(t);
  const pg = await createTestDatabase('postgres');
  defer(() => pg.close());
  const store = createLeaseStore(pg.db);
  const [a, b] = await Promise.all([store.claim('camera:c1', 'n1', 400), store.claim('camera:c1', 'n2', 400)]);
  assert.equal([a, b].filter((c) => c !== null).length, 1, 'exactly one of two concurrent claims wins');
  const first = (a ?? b)!;
  const winner = a !== null ? 'n1' : 'n2';
  const loser = winner === 'n1' ? 'n2' : 'n1';
  assert.equal(first.token, 1);
  assert.equal(first.prevHolder, null);
  assert.deepEqual([...(await store.renew(new Map([['camera:c1', 1]]), winner, 400))], ['camera:c1']);
  assert.equal(await store.claim('camera:c1', loser, 400), null, 'a live lease is not taken');
  await delay(500);
  const second = await store.claim('camera:c1', loser, 400);
  assert.equal(second?.token, 2);
  assert.equal(second?.prevHolder, winner, 'a lapsed lease names the holder that lost it (failover)');
  assert.equal((await store.renew(new Map([['camera:c1', 1]]), winner, 400)).size, 0, 'the old holder cannot renew');
  await store.release(new Map([['camera:c1', 2]]), loser);
  const third = await store.claim('camera:c1', winner, 400);
  assert.equal(third?.token, 3);
  assert.equal(third?.prevHolder, null, 'a released lease is a handover, not a failover');
  // A keeper's round: heartbeat and renewals in one statement, then nodes and leases in one.
  const node = { nodeId: winner, instance: 'i1', roles: ['recorder'], url: null };
  const beat = await store.beat(node, new Map([['camera:c1', 3], ['camera:gone', 9]]), 400);
  assert.deepEqual([...beat.renewed], ['camera:c1']);
  assert.ok(Math.abs(beat.nowMs - Date.now()) < 5_000, 'the database clock');
  assert.equal((await store.beat({ ...node, nodeId: loser }, new Map(), 400)).renewed.size, 0);
  const view = await store.view('camera:');
  assert.deepEqual(view.leases.map((l) => [l.name, l.holder, l.token]), [['camera:c1', winner, 3]]);
  assert.deepEqual(view.nodes.map((n) => [n.nodeId, n.roles, n.stoppedMs]).sort(), [[loser, ['recorder'], null], [winner, ['recorder'], null]].sort());
});

for (const engine of engines) {
  test(`${engine}: the database refuses index writes of a camera that carry an older or no lease token`, async (t) => {
    const defer = teardown(t);
    const database = await createTestDatabase(engine);
    defer(() => database.close());
    const index = createSegmentIndex(database.db);
    // Before any lease: no check (SQLite, one process).
    await index.insert(segment('s0', 'c1'));
    await database.db.insertInto('cluster_leases').values({ name: 'camera:c1', holder: 'n2', token: 5, expires_ms: Date.now() + 60_000, acquired_ms: Date.now(), prev_holder: 'n1', prev_end_ms: Date.now() }).execute();
    const refused = async (what: string, op: () => Promise<void>) => {
      const e = await op().then(() => null, (err: unknown) => err);
      assert.ok(isFencedWrite(e), `${what} is refused as fenced: ${String(e)}`);
    };
    await refused('an insert with token 4', () => index.insert(segment('s1', 'c1'), 4));
    await refused('an insert without a token', () => index.insert(segment('s2', 'c1')));
    await refused('an update (close) with token 4', () => index.update({ ...segment('s0', 'c1'), state: 'closed' }, 4));
    await refused('a gap with token 4', () => index.insertGap({ id: 'g1', cameraId: 'c1', startMs: 0, endMs: null, reason: 'x' }, 4));
    await index.insertGap({ id: 'g2', cameraId: 'c1', startMs: 0, endMs: null, reason: 'failover' }, 6);
    await refused('closing gaps with token 4', () => index.closeGaps('c1', 5, 4));
    assert.equal((await index.gapsOverlapping('c1', 0, 10))[0]?.endMs, null, 'the refused close left the gap open');
    assert.equal((await index.get('s0'))?.state, 'open', 'the refused update changed nothing');
    assert.equal(await index.get('s1'), undefined);
    await index.insert(segment('s3', 'c1'), 5);
    await index.update({ ...segment('s0', 'c1'), state: 'recovered' }, 5);
    await index.closeGaps('c1', 5, 5);
    assert.equal((await index.get('s0'))?.state, 'recovered');
    assert.equal((await index.gapsOverlapping('c1', 0, 10))[0]?.endMs, 5);
    // The camera's recorded sub-stream (ADR 0043, rows under `c1.sub`) is fenced by the camera's lease (migration 0024).
    await refused('a sub-stream insert with token 4', () => index.insert(segment('s5', 'c1.sub'), 4));
    await refused('a sub-stream gap without a token', () => index.insertGap({ id: 'g3', cameraId: 'c1.sub', startMs: 0, endMs: null, reason: 'x' }));
    await index.insert(segment('s6', 'c1.sub'), 5);
    // Another camera without a lease is not affected.
    await index.insert(segment('s4', 'c2'));
    await index.insert(segment('s7', 'c2.sub'));
    const rows = await sql<{ n: number }>`SELECT count(*) AS n FROM segments`.execute(database.db);
    assert.equal(Number(rows.rows[0]?.n), 5);
  });
}
