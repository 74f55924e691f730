// The replica and an HTTP destination through the real delivery loop (the other kinds' own tests
// call their adapters directly): the replica receives every leaf and every signed checkpoint in
// order and verifies alone; a webhook receives the events and the heartbeats, as OCSF, signed.
// The webhook receiver is a TEST DOUBLE (test/helpers/https-receiver.ts) checking our documented
// signature scheme, as a webhook has no vendor server to run.
import assert from 'node:assert/strict';
import { writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { describe, test } from 'node:test';
import { tempDir, waitFor } from '../../../test/helpers/harness.ts';
import { json, startHttpsReceiver } from '../../../test/helpers/https-receiver.ts';
import { makeTestPki } from '../../../test/helpers/rsyslog.ts';
import { recordBurst, shippingRig } from '../../../test/helpers/siem-shipping.ts';
import { teardown } from '../../../test/helpers/teardown.ts';
import { verifyReplica } from '../../audit/verify-replica.ts';
import { parseVerifierKey } from '../../tlog/signed-note.ts';
import { readReplica } from '../replica-reader.ts';
import { verifyWebhook } from '../webhook-signature.ts';

describe('destination kinds through the delivery loop', { concurrency: true }, () => {
  test('a replica destination receives every leaf and every checkpoint in order, and verifies alone', async (t) => {
    const defer = teardown(t);
    const dir = await tempDir('custos-siem-replica-');
    defer(() => dir.remove());
    const rig = await shippingRig(defer);
    const sizes: number[] = [];
    for (let i = 0; i < 4; i++) {
      await recordBurst(rig.ledger, 120, `r${i}`);
      sizes.push((await rig.ledger.checkpoint())!.size);
    }
    const shipper = await rig.start({ destinations: [{ kind: 'replica', id: 'copy', jurisdiction: 'DE', path: join(dir.path, 'replica'), maxBatch: 100 }] });
    defer(() => shipper.stop());
    // Checkpoints signed while it ships are sent too, once their leaves are in.
    await recordBurst(rig.ledger, 50, 'late');
    sizes.push((await rig.ledger.checkpoint())!.size);
    const last = sizes[sizes.length - 1]!;
    await waitFor('the replica holds the last checkpoint', 30_000, async () => {
      const replica = await readReplica(join(dir.path, 'replica')).catch(() => undefined);
      return replica !== undefined && replica.checkpoints.some((l) => l.includes(`"size":${last}`)) ? replica : null;
    });
    const replica = await readReplica(join(dir.path, 'replica'));
    const report = await verifyReplica({ replica, verifiers: [parseVerifierKey(rig.ledger.vkey)], origin: rig.ledger.origin });
    assert.equal(report.firstBad, null, JSON.stringify(report));
    assert.ok(report.leaves >= last, `${report.leaves} leaves`);
    assert.ok(report.checkpointsVerified >= sizes.length, `every checkpoint in the replica verified (${report.checkpointsVerified} of ${sizes.length} signed)`);
    const status = (await shipper.status()).find((s) => s.id === 'copy');
    assert.ok(status !== undefined && status.nextSeq >= last);
  });

  test('a webhook destination receives the events and heartbeats with the latest checkpoint, signed', async (t) => {
    const defer = teardown(t);
    const dir = await tempDir('custos-siem-hook-');
    defer(() => dir.remove());
    const pki = await makeTestPki(dir.path);
    const key = 'whsec-0123456789abcdef0123456789abcdef';
    await writeFile(join(dir.path, 'key'), `${key}\n`, { mode: 0o600 });
    await writeFile(join(dir.path, 'ca.pem'), pki.ca);
    const received: Record<string, unknown>[] = [];
    const receiver = await startHttpsReceiver({ cert: pki.serverCert, key: pki.serverKey }, (request) => {
      const verdict = verifyWebhook(Buffer.from(key), request.headers, request.body, Date.now(), 300);
      if (!verdict.ok) return json(401, { error: verdict.reason });
      received.push(...(JSON.parse(request.body.toString('utf8')) as Record<string, unknown>[]));
      return { status: 204 };
    });
    defer(() => receiver.close());
    const rig = await shippingRig(defer);
    await recordBurst(rig.ledger, 200);
    const checkpoint = (await rig.ledger.checkpoint())!;
    const shipper = await rig.start({
      heartbeatSeconds: 1,
      destinations: [{ kind: 'webhook', id: 'hook', jurisdiction: 'FR', url: new URL('/hooks/custos', receiver.url).href, hmacKeyFile: join(dir.path, 'key'), caFile: join(dir.path, 'ca.pem') }],
    });
    defer(() => shipper.stop());
    const type = (e: Record<string, unknown>) => (e.unmapped as { custos_type: string }).custos_type;
    await waitFor('events and a heartbeat carrying the checkpoint', 30_000, () =>
      received.filter((e) => type(e) !== 'siem.heartbeat').length >= checkpoint.size &&
      received.some((e) => type(e) === 'siem.heartbeat' && JSON.stringify(e).includes(`"checkpointSize":${checkpoint.size}`)));
    const records = (await rig.records()).slice(0, checkpoint.size);
    const events = received.filter((e) => type(e) !== 'siem.heartbeat').map((e) => (e.metadata as { uid: string }).uid);
    assert.deepEqual([...new Set(events)].slice(0, records.length), records.map((r) => r.id), 'every event once at least, in leaf order');
    const status = (await shipper.status()).find((s) => s.id === 'hook');
    assert.equal(status?.heartbeats, true);
  });
});
