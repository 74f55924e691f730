/**
 * The jobs lease's fence (ADR 0039) on real PostgreSQL (a database of its own): a write runs only
 * under the lease's current token, and a successor's claim waits for a write already checked.
 */
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { setTimeout as delay } from 'node:timers/promises';
import { createTestDatabase } from '../../test/helpers/databases.ts';
import { teardown } from '../../test/helpers/teardown.ts';
import { createLeaseStore } from '../cluster/leases.store.ts';
import { createAlarmStateStore, fencedAlarmStateStore } from '../audit/alarm-state.store.ts';
import { fencedSiemDeliveryStore } from '../siem/delivery/siem-delivery.store.ts';
import { leaseFence } from './lease-fence.ts';
import { isAppError } from '../lib/errors.ts';

test('PostgreSQL: fenced writes pass under the current token, are refused with LEASE_LOST after a takeover or without a token, and a claim waits for a checked write', async (t) => {
  const defer = teardown(t);
  const pg = await createTestDatabase('postgres');
  defer(() => pg.close());
  const leases = createLeaseStore(pg.db);
  const claimed = await leases.claim('jobs', 'n1', 400);
  assert.equal(claimed?.token, 1);
  let token: number | null = 1;
  const fence = leaseFence(pg.db, { name: 'jobs', holder: 'n1', token: () => token });
  const state = fencedAlarmStateStore(pg.db, fence);
  await state.save({ nextSeq: 7, state: '{}' }, 1);
  assert.equal((await createAlarmStateStore(pg.db).load())?.nextSeq, 7, 'a write under the held lease lands');

  // The checked write holds its share lock until it commits: a successor's claim (the lease has
  // lapsed meanwhile) waits for it, so the write cannot land after the takeover.
  let committed = 0;
  const slow = fence.run(async (trx) => {
    await delay(700);
    await createAlarmStateStore(trx).save({ nextSeq: 8, state: '{}' }, 2);
    committed = Date.now();
  });
  await delay(500);
  const taken = await leases.claim('jobs', 'n2', 60_000);
  const claimedAt = Date.now();
  await slow;
  assert.equal(taken?.token, 2);
  assert.equal(taken?.prevHolder, 'n1', 'the lapsed lease moves, naming its previous holder');
  assert.ok(committed > 0 && claimedAt >= committed, `the claim returned after the checked write committed (${claimedAt - committed} ms after)`);

  // The old holder, still believing its token: refused, and nothing is written.
  const refused = await state.save({ nextSeq: 3, state: '{}' }, 3).then(() => null, (e: unknown) => e);
  assert.ok(isAppError(refused, 'LEASE_LOST'), `a write under the old token is refused: ${String(refused)}`);
  assert.equal((await createAlarmStateStore(pg.db).load())?.nextSeq, 8, 'the refused write left the saved position alone');
  token = null;
  const none = await state.save({ nextSeq: 3, state: '{}' }, 4).then(() => null, (e: unknown) => e);
  assert.ok(isAppError(none, 'LEASE_LOST'), 'no token: refused');

  // The successor's fence passes.
  const successor = fencedAlarmStateStore(pg.db, leaseFence(pg.db, { name: 'jobs', holder: 'n2', token: () => 2 }));
  await successor.save({ nextSeq: 9, state: '{}' }, 5);
  assert.equal((await createAlarmStateStore(pg.db).load())?.nextSeq, 9);

  // A SIEM cursor step with dead letters runs inside the fence's transaction (no nested one).
  const siem = fencedSiemDeliveryStore(pg.db, leaseFence(pg.db, { name: 'jobs', holder: 'n2', token: () => 2 }));
  await siem.advance('d1', { nextSeq: 5, sent: 4, deadLetters: [{ seq: 2, eventId: 'e2', reason: 'too large', timeMs: 1 }] }, 6);
  assert.equal((await siem.cursor('d1')).nextSeq, 5);
  assert.equal((await siem.deadLetters('d1', 10)).length, 1);
  const stale = fencedSiemDeliveryStore(pg.db, fence);
  token = 1;
  const refusedStep = await stale.advance('d1', { nextSeq: 9 }, 7).then(() => null, (e: unknown) => e);
  assert.ok(isAppError(refusedStep, 'LEASE_LOST'), 'a cursor step under the old token is refused');
  assert.equal((await siem.cursor('d1')).nextSeq, 5);
});
