/**
 * The ledger feed and the alarm inbox across restarts, on real SQLite and PostgreSQL and the
 * real ledger: alarms are handed over once, in order; a reopened feed resumes at its saved
 * position (nothing repeated, what was committed while it was down delivered); a first start
 * skips older records; inbox state (acknowledged, snoozed) is what the database says.
 */
import { after, describe, test } from 'node:test';
import assert from 'node:assert/strict';
import { createTestDatabase, engines } from '../../test/helpers/databases.ts';
import { createTestDataKeys } from '../../test/helpers/keys.ts';
import { createTestLedger, testActor } from '../../test/helpers/audit.ts';
import { teardown } from '../../test/helpers/teardown.ts';
import type { AuditInput, LeafRecord } from '../audit/audit-event.ts';
import { createLogger } from '../lib/logger.ts';
import { isAppError } from '../lib/errors.ts';
import { AlarmInbox } from './alarm-inbox.ts';
import { createAlarmInboxStore } from './alarm-inbox.store.ts';
import { createFeedCursor } from './feed-cursor.store.ts';
import { LedgerFeed } from './ledger-feed.ts';

const log = createLogger({ level: 'silent' });
const alarm = (rule: string, cameraId?: string): AuditInput => ({ type: 'alarm.raised', actor: { kind: 'system', id: 'system:alarm-rules' }, outcome: 'success', ...(cameraId ? { cameraId } : {}), details: { rule, title: rule, triggeredBy: [] } });
const heartbeat: AuditInput = { type: 'audit.ledger.heartbeat', actor: { kind: 'system', id: 'system' }, outcome: 'success' };

for (const engine of engines) {
  describe(`ledger feed and alarm inbox on ${engine}`, () => {
    const defer = teardown({ after });
    const setup = (async () => {
      const database = await createTestDatabase(engine);
      defer(() => database.close());
      const keys = await createTestDataKeys(database.db);
      defer(() => keys.close());
      const built = await createTestLedger(database.db, keys.dataKeys);
      defer(() => built.close());
      return { db: database.db, ledger: built.ledger, store: built.store };
    })();

    test('a first start skips older records; a reopened feed resumes where it stopped, repeating nothing', async () => {
      const { db, ledger, store } = await setup;
      await ledger.record(alarm('camera-tamper', 'cam-old'));
      const handled: LeafRecord[] = [];
      const open = () => LedgerFeed.open({ events: store, cursor: createFeedCursor(db, 'test-feed'), types: ['alarm.raised'], handle: async (r) => void handled.push(r), log, now: () => Date.now() }, () => store.size());
      const first = await open();
      await ledger.record(alarm('camera-tamper', 'cam-1'));
      await ledger.record(heartbeat);
      await first.settled();
      await first.settled();
      assert.deepEqual(handled.map((r) => r.camera_id), ['cam-1'], 'the alarm before the first start is not imported; the heartbeat is not handed over');
      await first.stop();
      // Committed while the feed is down.
      await ledger.record(alarm('recording-gap', 'cam-2'));
      const second = await open();
      await second.settled();
      assert.deepEqual(handled.map((r) => r.camera_id), ['cam-1', 'cam-2']);
      await second.stop();
    });

    test('inbox actions are audited and persisted; a closed alarm is final; ingesting twice adds once', async () => {
      const { db, ledger } = await setup;
      const now = { ms: Date.now() };
      const recorded = await ledger.record(alarm('camera-tamper', 'cam-9'));
      const { record } = recorded;
      const inbox = new AlarmInbox({ store: createAlarmInboxStore(db), audit: ledger, clock: { now: () => now.ms }, siteOf: async () => 'site-a' });
      assert.ok(await inbox.ingest(record));
      assert.equal(await inbox.ingest(record), undefined, 'idempotent on the leaf');
      await inbox.act(record.seq, { action: 'snooze', untilMs: now.ms + 60_000 }, testActor);
      // Another inbox over the same database (a restart) sees the snooze.
      const again = new AlarmInbox({ store: createAlarmInboxStore(db), audit: ledger, clock: { now: () => now.ms } });
      assert.equal((await again.get(record.seq)).status, 'snoozed');
      assert.equal((await again.get(record.seq)).siteId, 'site-a');
      assert.ok(!(await again.list({ limit: 100 })).some((a) => a.seq === record.seq), 'snoozed: not active');
      now.ms += 61_000;
      assert.ok((await again.list({ limit: 100 })).some((a) => a.seq === record.seq), 'the snooze ended: active again');
      await again.act(record.seq, { action: 'close', reason: 'lens cleaned' }, testActor);
      await assert.rejects(again.act(record.seq, { action: 'acknowledge' }, testActor), (e) => isAppError(e, 'CONFLICT'));
      await ledger.drain();
      const events = await (await setup).store.eventsByTarget('alarm.updated', [String(record.seq)]);
      assert.deepEqual(events.map((e) => (JSON.parse(e.record) as { details: { action: string } }).details.action), ['snooze', 'close']);
    });
  });
}
