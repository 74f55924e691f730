// SIEM delivery to a real rsyslog (Debian rsyslogd + rsyslog-gnutls) over mutual TLS on
// loopback: CEF and LEEF parsed back against the ledger, a collector killed (SIGKILL) during a
// burst of 10,000 events and started again after an outage, and the shipper restarted mid-burst.
// The issue asks for a 60 s outage; the test uses CUSTOS_TEST_SIEM_OUTAGE_SECONDS (default 3 s)
// to keep the suite fast: the code path (connection lost, reconnect with backoff, replay) is the
// same for any outage longer than the retry delay.
import { describe, test } from 'node:test';
import assert from 'node:assert/strict';
import { readFile } from 'node:fs/promises';
import { join } from 'node:path';
import { createServer, type TLSSocket } from 'node:tls';
import type { LeafRecord } from '../../audit/audit-event.ts';
import { parseCef, parseLeef, parseSyslog, type ParsedSyslog } from '../../../test/helpers/siem-parse.ts';
import { awkwardNames } from '../../../test/helpers/siem-records.ts';
import { makeTestPki } from '../../../test/helpers/rsyslog.ts';
import { startRsyslogReceiver, type RsyslogReceiver } from '../../../test/helpers/rsyslog-receiver.ts';
import { recordBurst, shippingRig, type ShippingRig } from '../../../test/helpers/siem-shipping.ts';
import { tempDir, waitFor } from '../../../test/helpers/harness.ts';
import { teardown, type Defer } from '../../../test/helpers/teardown.ts';

const outageMs = Number(process.env.CUSTOS_TEST_SIEM_OUTAGE_SECONDS ?? '3') * 1000;
const burst = 10_000;

async function collector(defer: Defer, prefix: string): Promise<{ dir: string; receiver: RsyslogReceiver }> {
  const dir = await tempDir(prefix);
  defer(() => dir.remove());
  await makeTestPki(dir.path);
  const receiver = await startRsyslogReceiver(dir.path);
  defer(() => receiver.stop());
  return { dir: dir.path, receiver };
}

const syslogDestination = (dir: string, port: number, id: string, payload: 'cef' | 'leef') => ({
  kind: 'syslog',
  id,
  jurisdiction: 'DE',
  host: '127.0.0.1',
  port,
  caFile: join(dir, 'ca.pem'),
  certFile: join(dir, 'client.pem'),
  keyFile: join(dir, 'client.key'),
  payload,
  hostname: 'nvr-01',
});

/** Records `burst` events in 20 slices 250 ms apart, so the burst is still flowing while the test breaks something. */
async function pacedBurst(rig: ShippingRig): Promise<void> {
  for (let slice = 0; slice < 20; slice += 1) {
    await recordBurst(rig.ledger, burst / 20, `slice ${slice}`);
    await new Promise((r) => setTimeout(r, 250));
  }
}

/** Parsed event messages (heartbeats left out) with their event id and leaf index. */
async function arrived(receiver: RsyslogReceiver): Promise<Array<{ id: string; seq: number; syslog: ParsedSyslog }>> {
  return (await receiver.messages())
    .map((m) => parseSyslog(m))
    .filter((s) => s.msgId !== 'siem.heartbeat')
    .map((syslog) => {
      const sd = syslog.structuredData.get('custos@32473')!;
      return { id: sd.get('eventId')!, seq: Number(sd.get('leafIndex')), syslog };
    });
}

/** Every record arrived, first arrivals in leaf order, a duplicate only with the same id and index; returns the duplicates. */
function assertDeliveredInOrder(records: readonly LeafRecord[], got: ReadonlyArray<{ id: string; seq: number }>): number {
  const first = new Map<string, number>();
  const order: number[] = [];
  for (const g of got) {
    const seen = first.get(g.id);
    if (seen !== undefined) {
      assert.equal(seen, g.seq, `a duplicate of ${g.id} carries the same leaf index`);
      continue;
    }
    first.set(g.id, g.seq);
    order.push(g.seq);
  }
  const want = records.map((r) => r.seq);
  assert.deepEqual(order.slice(0, want.length), want, 'every event arrived, first arrivals in leaf order');
  for (const r of records) assert.equal(first.get(r.id), r.seq, `event ${r.seq} arrived under its own id`);
  return got.length - order.length;
}

/** Waits until every committed record up to the destination's cursor arrived; returns those records. */
async function caughtUp(rig: ShippingRig, receiver: RsyslogReceiver, timeoutMs: number): Promise<LeafRecord[]> {
  return waitFor('every committed event at the collector', timeoutMs, async () => {
    const records = await rig.records();
    const cursor = await rig.store.cursor('soc');
    if (cursor.nextSeq < records.length) return undefined;
    const ids = new Set((await arrived(receiver)).map((a) => a.id));
    return records.every((r) => ids.has(r.id)) ? records : undefined;
  });
}

describe('SIEM delivery to rsyslog over TLS', { concurrency: true }, () => {
  test('CEF and LEEF destinations: every awkward field of every event parses back to the ledger record', async (t) => {
    const defer = teardown(t);
    const { dir, receiver } = await collector(defer, 'custos-siem-syslog-');
    const rig = await shippingRig(defer);
    for (const [, text] of awkwardNames) {
      await rig.ledger.record({ type: 'camera.updated', actor: { kind: 'system', id: 'system:test' }, target: { kind: 'camera', id: 'cam-1', name: text }, outcome: 'failure', reason: text, correlationId: `req-${text}` });
    }
    const checkpoint = (await rig.ledger.checkpoint())!;
    const shipper = await rig.start({ destinations: [syslogDestination(dir, receiver.port, 'cef', 'cef'), syslogDestination(dir, receiver.port, 'leef', 'leef')] });
    const records = await rig.records();
    const got = await waitFor('both formats of every event', 30_000, async () => {
      const a = await arrived(receiver);
      return a.length >= records.length * 2 ? a : undefined;
    });
    for (const record of records) {
      const mine = got.filter((g) => g.id === record.id);
      assert.equal(mine.length, 2, `one CEF and one LEEF message for ${record.seq}`);
      for (const { syslog, seq } of mine) {
        assert.equal(seq, record.seq);
        assert.equal(syslog.msgId, record.type);
        assert.equal(syslog.timestamp, record.time);
        assert.equal(syslog.hostname, 'nvr-01');
        if (syslog.msg.startsWith('CEF:')) {
          const cef = parseCef(syslog.msg).extension;
          assert.deepEqual([cef.get('cs1'), cef.get('cn1'), cef.get('reason'), cef.get('flexString1'), cef.get('cs4')], [record.id, String(record.seq), record.reason, record.target?.name, record.correlation_id]);
        } else {
          const leef = parseLeef(syslog.msg).attributes;
          assert.deepEqual([leef.get('eventId'), leef.get('leafIndex'), leef.get('reason'), leef.get('targetName'), leef.get('correlationId')], [record.id, String(record.seq), record.reason, record.target?.name, record.correlation_id]);
        }
      }
    }
    const status = await shipper.status();
    assert.deepEqual(status.map((s) => [s.id, s.sent, s.failed]), [['cef', records.length, 0], ['leef', records.length, 0]]);
    // Each destination's start-up heartbeat carries the signed checkpoint.
    const beats = (await receiver.messages()).map((m) => parseSyslog(m)).filter((s) => s.msgId === 'siem.heartbeat');
    const cefBeat = beats.find((b) => b.msg.startsWith('CEF:'));
    const leefBeat = beats.find((b) => b.msg.startsWith('LEEF:'));
    assert.ok(cefBeat && leefBeat, 'a CEF and a LEEF heartbeat');
    const details = JSON.parse(parseCef(cefBeat.msg).extension.get('cs6')!) as Record<string, unknown>;
    assert.deepEqual([details['checkpointSize'], details['checkpointRoot'], details['checkpointNote']], [checkpoint.size, checkpoint.root.toString('hex'), checkpoint.note]);
    assert.equal(cefBeat.structuredData.get('custos@32473')!.get('leafIndex'), '-1');
  });

  test(`the collector killed during a burst of ${burst} events and back after ${outageMs / 1000} s: every event arrives, in order, duplicates only with the same id; the outage is alarmed and the recovery recorded`, async (t) => {
    const defer = teardown(t);
    const { dir, receiver } = await collector(defer, 'custos-siem-outage-');
    const rig = await shippingRig(defer);
    await rig.start({ alarmAfterSeconds: 1, retryMaxSeconds: 1, destinations: [syslogDestination(dir, receiver.port, 'soc', 'cef')] });
    const recording = pacedBurst(rig);
    await waitFor('part of the burst at the collector', 60_000, async () => (await receiver.messages()).length >= 2000);
    await receiver.kill();
    assert.ok(rig.ledger.size < burst, `killed mid-burst (${rig.ledger.size} of ${burst} recorded)`);
    await new Promise((r) => setTimeout(r, outageMs));
    await receiver.restart();
    await recording;
    const records = await caughtUp(rig, receiver, 120_000);
    const duplicates = assertDeliveredInOrder(records, await arrived(receiver));
    t.diagnostic(`${records.length} events, ${duplicates} duplicates (replayed after the reconnect)`);
    assert.ok(records.some((r) => r.type === 'alarm.raised' && r.details?.['rule'] === 'siem-destination-failing' && r.target?.id === 'soc'), 'the outage raised the alarm');
    assert.ok(records.some((r) => r.type === 'siem.destination.recovered' && r.target?.id === 'soc'), 'and its end was recorded');
  });

  test(`the shipper restarted during a burst of ${burst} events: every event arrives, in order, duplicates only with the same id`, async (t) => {
    const defer = teardown(t);
    const { dir, receiver } = await collector(defer, 'custos-siem-restart-');
    const rig = await shippingRig(defer);
    const config = { destinations: [syslogDestination(dir, receiver.port, 'soc', 'leef')] };
    const first = await rig.start(config);
    const recording = pacedBurst(rig);
    await waitFor('part of the burst at the collector', 60_000, async () => (await receiver.messages()).length >= 2000);
    await first.stop();
    assert.ok(rig.ledger.size < burst, `stopped mid-burst (${rig.ledger.size} of ${burst} recorded)`);
    const stoppedAt = (await rig.store.cursor('soc')).nextSeq;
    await rig.start(config);
    await recording;
    const records = await caughtUp(rig, receiver, 120_000);
    assert.ok(stoppedAt < records.length, `stopped mid-burst (cursor ${stoppedAt} of ${records.length})`);
    const duplicates = assertDeliveredInOrder(records, await arrived(receiver));
    t.diagnostic(`${records.length} events, ${duplicates} duplicates`);
  });

  test('a collector that accepts but stops reading: the write stalls, and the shipper still stops at once (the batch is resent at the next start)', async (t) => {
    const defer = teardown(t);
    const dir = await tempDir('custos-siem-stall-');
    defer(() => dir.remove());
    await makeTestPki(dir.path);
    const read = (f: string) => readFile(join(dir.path, f), 'utf8');
    // Not rsyslog: a TLS listener that never reads, which rsyslog cannot be made to be.
    const sockets: TLSSocket[] = [];
    const server = createServer({ cert: await read('server.pem'), key: await read('server.key'), ca: await read('ca.pem'), requestCert: true }, (socket) => {
      socket.pause();
      sockets.push(socket);
    });
    await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
    defer(() => new Promise((resolve) => server.close(resolve)));
    defer(() => sockets.forEach((s) => s.destroy()));
    const port = (server.address() as { port: number }).port;
    const rig = await shippingRig(defer);
    await recordBurst(rig.ledger, 20_000);
    const shipper = await rig.start({ destinations: [syslogDestination(dir.path, port, 'soc', 'cef')] });
    // Stalled: the cursor stops moving well before the end.
    let last = -1;
    let since = performance.now();
    const stalledAt = await waitFor('the write to stall (no progress for 2 s)', 60_000, async () => {
      const now = (await shipper.status())[0]!.nextSeq;
      if (now !== last) {
        last = now;
        since = performance.now();
      }
      return now > 0 && performance.now() - since >= 2000 ? now : undefined;
    });
    assert.ok(stalledAt < 20_000, `stalled at ${stalledAt}`);
    const start = performance.now();
    await shipper.stop();
    const took = performance.now() - start;
    assert.ok(took < 3000, `stop took ${Math.round(took)} ms`);
    assert.equal((await rig.store.cursor('soc')).nextSeq, stalledAt, 'the stalled batch did not move the cursor');
  });
});
