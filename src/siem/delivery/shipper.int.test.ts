// SIEM delivery over the real ledger and delivery store (SQLite and PostgreSQL): the file
// destination (real files, rotation), restart from the durable cursor, dead letters, the
// siem-destination-failing alarm and its recovery, heartbeats and the config-change event.
import { describe, test } from 'node:test';
import assert from 'node:assert/strict';
import { mkdir, readdir, readFile, stat } from 'node:fs/promises';
import { join } from 'node:path';
import type { LeafRecord } from '../../audit/audit-event.ts';
import type { SendOutcome, ShippedEvent, SiemDestination } from '../destination.ts';
import { recordBurst, shippingRig } from '../../../test/helpers/siem-shipping.ts';
import { tempDir, waitFor } from '../../../test/helpers/harness.ts';
import { teardown } from '../../../test/helpers/teardown.ts';
import { engines } from '../../../test/helpers/databases.ts';

interface OcsfLine {
  metadata: { uid: string; sequence: number };
  unmapped: { custos_type: string; details?: Record<string, unknown> };
}

/** Lines of `path` and its rotated files, oldest first. */
async function rotatedLines(path: string): Promise<{ files: string[]; lines: OcsfLine[] }> {
  const dir = join(path, '..');
  const base = path.slice(dir.length + 1);
  const names = (await readdir(dir)).filter((n) => n === base || n.startsWith(`${base}.`));
  const order = (n: string) => (n === base ? 0 : Number(n.slice(base.length + 1)));
  names.sort((a, b) => order(b) - order(a));
  const lines: OcsfLine[] = [];
  for (const n of names) {
    for (const l of (await readFile(join(dir, n), 'utf8')).split('\n')) if (l !== '') lines.push(JSON.parse(l) as OcsfLine);
  }
  return { files: names, lines };
}

const events = (lines: OcsfLine[]) => lines.filter((l) => l.unmapped.custos_type !== 'siem.heartbeat');

/** Asserts every record arrived, first arrivals in leaf order, duplicates only of the same id at the same index. */
function assertDeliveredInOrder(records: readonly LeafRecord[], arrived: ReadonlyArray<{ id: string; seq: number }>): number {
  const firstSeen = new Map<string, number>();
  const order: number[] = [];
  for (const a of arrived) {
    const seen = firstSeen.get(a.id);
    if (seen !== undefined) {
      assert.equal(seen, a.seq, `a duplicate of ${a.id} carries the same leaf index`);
      continue;
    }
    firstSeen.set(a.id, a.seq);
    order.push(a.seq);
  }
  assert.deepEqual(order, records.map((r) => r.seq), 'every event arrived once at least, first arrivals in leaf order');
  for (const r of records) assert.equal(firstSeen.get(r.id), r.seq, `event ${r.seq} arrived under its own id`);
  return arrived.length - order.length;
}

describe('SIEM delivery', { concurrency: true }, () => {
  test('file destination: every event as an OCSF line in leaf order, rotated by size, filter applied, heartbeats with the checkpoint whatever the filter', async (t) => {
    const defer = teardown(t);
    const dir = await tempDir('custos-siem-file-');
    defer(() => dir.remove());
    const rig = await shippingRig(defer);
    await recordBurst(rig.ledger, 400);
    const checkpoint = (await rig.ledger.checkpoint())!;
    const all = join(dir.path, 'all.jsonl');
    const auth = join(dir.path, 'auth.jsonl');
    const shipper = await rig.start({
      heartbeatSeconds: 1,
      destinations: [
        { kind: 'file', id: 'all', jurisdiction: 'DE', path: all, maxBytes: 65_536, keep: 100 },
        { kind: 'file', id: 'auth', jurisdiction: 'DE', path: auth, maxBytes: 4096, keep: 2, filter: { types: ['auth.'], minSeverity: 2 } },
      ],
    });
    const size = await rig.ledgerStore.size();
    await waitFor('both destinations caught up', 30_000, async () => (await shipper.status()).every((s) => s.nextSeq >= size));
    const caughtUp = Date.now();
    // A heartbeat after the last rotation, so the small file still holds it.
    await waitFor('a heartbeat after catching up', 10_000, async () => (await shipper.status()).every((s) => (s.lastHeartbeatMs ?? 0) > caughtUp));
    const records = (await rig.records()).slice(0, size);

    const everything = await rotatedLines(all);
    assert.ok(everything.files.length > 3, `rotated into several files (${everything.files.join(', ')})`);
    for (const f of everything.files) assert.ok((await stat(join(dir.path, f))).size <= 65_536, `${f} within maxBytes`);
    assert.equal(assertDeliveredInOrder(records, events(everything.lines).map((l) => ({ id: l.metadata.uid, seq: l.metadata.sequence }))), 0, 'no duplicates without a failure');

    const authLines = await rotatedLines(auth);
    assert.deepEqual(authLines.files, ['auth.jsonl.2', 'auth.jsonl.1', 'auth.jsonl'], 'keep 2: older rotated files deleted');
    const wanted = records.filter((r) => r.type.startsWith('auth.') && r.severity_id >= 2);
    const kept = events(authLines.lines);
    assert.ok(kept.length > 0 && kept.length < wanted.length, 'the oldest auth lines were rotated away');
    assert.deepEqual(kept.map((l) => l.metadata.uid), wanted.slice(wanted.length - kept.length).map((r) => r.id), 'the kept lines are the newest wanted events, in order');

    for (const lines of [everything.lines, authLines.lines]) {
      const beat = lines.find((l) => l.unmapped.custos_type === 'siem.heartbeat');
      assert.ok(beat, 'a heartbeat arrived, whatever the filter');
      assert.equal(beat.metadata.sequence, -1, 'a heartbeat is not a leaf');
      assert.equal(beat.unmapped.details?.['checkpointSize'], checkpoint.size);
      assert.equal(beat.unmapped.details?.['checkpointRoot'], checkpoint.root.toString('hex'));
      assert.equal(beat.unmapped.details?.['checkpointNote'], checkpoint.note);
    }
    const status = await shipper.status();
    assert.equal(status[0]!.sent, size);
    assert.equal(status[1]!.sent, wanted.length);
    assert.deepEqual([status[0]!.lag, status[0]!.failed, status[0]!.deadLetters], [0, 0, 0]);
  });

  for (const engine of engines) {
    test(`restart resumes from the durable cursor (${engine}): every event once at least, in leaf order`, async (t) => {
      const defer = teardown(t);
      const dir = await tempDir('custos-siem-resume-');
      defer(() => dir.remove());
      const rig = await shippingRig(defer, engine);
      await recordBurst(rig.ledger, 3000, 'first');
      const path = join(dir.path, 'out.jsonl');
      const config = { batchSize: 20, destinations: [{ kind: 'file', id: 'out', jurisdiction: 'FR', path, maxBytes: 1 << 30 }] };
      const first = await rig.start(config);
      await waitFor('some progress', 30_000, async () => ((await first.status())[0]!.nextSeq >= 300 ? true : undefined));
      await first.stop();
      const stoppedAt = (await rig.store.cursor('out')).nextSeq;
      assert.ok(stoppedAt < 3000, `stopped mid-burst (cursor ${stoppedAt})`);
      await recordBurst(rig.ledger, 1000, 'while stopped');
      const second = await rig.start(config);
      const size = await rig.ledgerStore.size();
      await waitFor('caught up after the restart', 60_000, async () => (await second.status())[0]!.nextSeq >= size);
      const records = (await rig.records()).slice(0, size);
      const lines = events((await rotatedLines(path)).lines);
      assertDeliveredInOrder(records, lines.map((l) => ({ id: l.metadata.uid, seq: l.metadata.sequence })));
      assert.ok((await rig.store.cursor('out')).sent >= size);
    });
  }

  for (const engine of engines) {
  test(`a receiver refusing one event for good (${engine}): it becomes a dead letter, visible and audited, the rest flows (a test destination standing in for an HTTP 400)`, async (t) => {
    const defer = teardown(t);
    const rig = await shippingRig(defer, engine);
    await recordBurst(rig.ledger, 120);
    const poison = 37;
    const received: ShippedEvent[] = [];
    let refusals = 0;
    // Not one of ours: a receiver's answers (503 twice, then 400 for the poison event) behind the destination contract.
    const receiver: SiemDestination = {
      id: 'strict',
      maxBatch: 25,
      async send(batch): Promise<SendOutcome> {
        if (refusals < 2) {
          refusals += 1;
          return { ok: false, retryable: true, reason: 'HTTP 503' };
        }
        if (batch.some((e) => e.record.seq === poison)) return { ok: false, retryable: false, reason: 'HTTP 400: event refused' };
        received.push(...batch);
        return { ok: true };
      },
      async close() {},
    };
    const shipper = await rig.start({ retryMaxSeconds: 0.2, destinations: [{ kind: 'file', id: 'strict', jurisdiction: 'DE', path: '/nonexistent/unused' }] }, { strict: receiver });
    await waitFor('the dead-letter notice shipped', 30_000, async () => received.some((e) => e.record.type === 'siem.events.dead-lettered') || undefined);
    const records = await rig.records();
    const notice = records.find((r) => r.type === 'siem.events.dead-lettered')!;
    assert.deepEqual(notice.details?.['seqs'], [poison]);
    assert.equal(notice.target?.id, 'strict');
    const expected = records.filter((r) => r.seq !== poison && r.seq <= notice.seq);
    assert.deepEqual(received.filter((e) => e.record.seq <= notice.seq).map((e) => e.record.seq), expected.map((r) => r.seq), 'everything but the poison event, in order, once');
    const letters = await shipper.deadLetters('strict', 10);
    assert.deepEqual(letters?.map((d) => [d.seq, d.eventId, d.reason]), [[poison, records[poison]!.id, 'HTTP 400: event refused']]);
    const status = (await shipper.status())[0]!;
    assert.equal(status.deadLetters, 1);
    assert.ok(status.failed >= 2, 'the 503s were counted');
    assert.equal(await shipper.deadLetters('nope', 10), undefined);
  });
  }

  test('a destination failing longer than alarmAfterSeconds raises siem-destination-failing once, and its recovery is recorded', async (t) => {
    const defer = teardown(t);
    const dir = await tempDir('custos-siem-alarm-');
    defer(() => dir.remove());
    const rig = await shippingRig(defer);
    await recordBurst(rig.ledger, 50);
    const missing = join(dir.path, 'not-yet');
    const shipper = await rig.start({
      alarmAfterSeconds: 1,
      retryMaxSeconds: 0.3,
      destinations: [{ kind: 'file', id: 'late', jurisdiction: 'NL', path: join(missing, 'out.jsonl') }],
    });
    const alarm = await waitFor('the alarm', 15_000, async () => (await rig.records()).find((r) => r.type === 'alarm.raised' && r.details?.['rule'] === 'siem-destination-failing'));
    assert.equal(alarm.target?.id, 'late');
    assert.match(alarm.reason ?? '', /ENOENT/);
    const failing = (await shipper.status())[0]!;
    assert.ok(failing.alarmed && failing.failingSinceMs !== null && failing.failed > 1 && failing.nextSeq === 0, JSON.stringify(failing));
    await new Promise((r) => setTimeout(r, 1500));
    assert.equal((await rig.records()).filter((r) => r.type === 'alarm.raised').length, 1, 'one alarm per episode');
    await mkdir(missing);
    const recovered = await waitFor('the recovery', 15_000, async () => (await rig.records()).find((r) => r.type === 'siem.destination.recovered'));
    assert.equal(recovered.target?.id, 'late');
    const size = await rig.ledgerStore.size();
    await waitFor('caught up', 15_000, async () => (await shipper.status())[0]!.nextSeq >= size);
    const healthy = (await shipper.status())[0]!;
    assert.deepEqual([healthy.alarmed, healthy.failingSinceMs, healthy.lastError], [false, null, null]);
    assert.ok(healthy.lastSuccessMs !== null);
  });

  test('a changed destinations configuration is recorded at start-up, an unchanged one is not', async (t) => {
    const defer = teardown(t);
    const dir = await tempDir('custos-siem-config-');
    defer(() => dir.remove());
    const rig = await shippingRig(defer);
    const one = { destinations: [{ kind: 'file', id: 'a', jurisdiction: 'DE', path: join(dir.path, 'a.jsonl') }] };
    const changes = async () => (await rig.records()).filter((r) => r.type === 'siem.destinations.changed');
    await (await rig.start(one)).stop();
    await (await rig.start(one)).stop();
    await rig.ledger.drain();
    assert.equal((await changes()).length, 1, 'the first configuration, once');
    await (await rig.start({ destinations: [{ ...one.destinations[0], filter: { minSeverity: 3 } }] })).stop();
    await rig.ledger.drain();
    const [first, second] = await changes();
    assert.equal(second?.details?.['previousSha256'], first?.details?.['sha256']);
    assert.notEqual(second?.details?.['sha256'], first?.details?.['sha256']);
    assert.equal((second?.details?.['destinations'] as Array<{ filter: { minSeverity: number } }>)[0]!.filter.minSeverity, 3);
  });
});
