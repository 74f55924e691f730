// Each HTTP SIEM destination through the real delivery loop while its receiver is killed during a
// burst of 10,000 events and then restarted: every event arrives, first arrivals in leaf order,
// a repeat only under the same id. The receivers are TEST DOUBLES (test/helpers/*-receiver.ts)
// checking what each vendor documents, because no Splunk, Azure or Google service runs here; the
// Azure and Google SDKs are the real ones. The issue asks for a 60 s outage; the test uses
// CUSTOS_TEST_SIEM_OUTAGE_SECONDS (3 s by default) to keep the suite fast.
import assert from 'node:assert/strict';
import { writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { setTimeout as delay } from 'node:timers/promises';
import { describe, test } from 'node:test';
import { tempDir, waitFor } from '../../../test/helpers/harness.ts';
import { startChronicleDoubles, testServiceAccount } from '../../../test/helpers/chronicle-receiver.ts';
import { startHecReceiver } from '../../../test/helpers/hec-receiver.ts';
import { json, startHttpsReceiver, type HttpsReceiver } from '../../../test/helpers/https-receiver.ts';
import { makeTestPki, type TestPki } from '../../../test/helpers/rsyslog.ts';
import { startSentinelDoubles } from '../../../test/helpers/sentinel-receiver.ts';
import { recordBurst, shippingRig } from '../../../test/helpers/siem-shipping.ts';
import { teardown, type Defer } from '../../../test/helpers/teardown.ts';
import { verifyWebhook } from '../webhook-signature.ts';

const burst = 10_000;
const outageMs = Number(process.env.CUSTOS_TEST_SIEM_OUTAGE_SECONDS ?? 3) * 1000;

/** A receiver double: the one to kill, and the event ids it accepted, in order of arrival. */
interface Target {
  readonly config: Record<string, unknown>;
  readonly victim: HttpsReceiver;
  ids(): string[];
  /** Closes every server of the double (the victim and, for Sentinel and Chronicle, their token endpoints). */
  close(): Promise<void>;
}

/** Runs the burst through the loop to `target`, killing its receiver once a tenth arrived. */
async function outage(defer: Defer, target: (dir: string, pki: TestPki) => Promise<Target>): Promise<void> {
  const dir = await tempDir('custos-siem-outage-');
  defer(() => dir.remove());
  const pki = await makeTestPki(dir.path);
  await writeFile(join(dir.path, 'ca.pem'), pki.ca);
  const t = await target(dir.path, pki);
  defer(() => t.close());
  const rig = await shippingRig(defer);
  await recordBurst(rig.ledger, burst);
  const shipper = await rig.start({ retryMaxSeconds: 1, heartbeatSeconds: 3600, destinations: [{ jurisdiction: 'DE', caFile: join(dir.path, 'ca.pem'), ...t.config }] });
  defer(() => shipper.stop());
  await waitFor('a tenth of the burst arrived', 60_000, () => t.ids().length >= burst / 10);
  await t.victim.stop();
  const killedAt = t.ids().length;
  await delay(outageMs);
  assert.equal(t.ids().length, killedAt, 'nothing arrives while the receiver is down');
  const [status] = await shipper.status();
  assert.ok(status !== undefined && status.lastError !== null, `the destination reports the outage: ${JSON.stringify(status)}`);
  await t.victim.restart();
  const records = (await rig.records()).slice(0, burst);
  await waitFor('every event arrived after the restart', 120_000, () => new Set(t.ids()).size >= records.length);
  const first: string[] = [];
  const seen = new Set<string>();
  for (const id of t.ids()) {
    if (seen.has(id)) continue;
    seen.add(id);
    first.push(id);
  }
  assert.deepEqual(first.slice(0, records.length), records.map((r) => r.id), 'first arrivals in leaf order, every event, each under its own id');
}

/** The event id of an OCSF event, or null for a heartbeat (not a ledger event). */
const uid = (ocsf: unknown): string | null => {
  const e = ocsf as { metadata: { uid: string }; unmapped?: { custos_type?: string } };
  return e.unmapped?.custos_type === 'siem.heartbeat' ? null : e.metadata.uid;
};
const ids = (list: readonly (string | null)[]): string[] => list.filter((id) => id !== null);

describe('HTTP SIEM destinations survive a receiver killed mid-burst', { concurrency: true }, () => {
  test('Splunk HEC', { timeout: 300_000 }, async (t) => {
    await outage(teardown(t), async (dir, pki) => {
      const token = '7f1d2c3b-4a59-4687-9a0b-1c2d3e4f5a6b';
      await writeFile(join(dir, 'token'), `${token}\n`, { mode: 0o600 });
      const hec = await startHecReceiver({ cert: pki.serverCert, key: pki.serverKey }, { token });
      return { victim: hec, close: () => hec.close(), config: { kind: 'splunk-hec', id: 'splunk', url: hec.url.href, tokenFile: join(dir, 'token') }, ids: () => ids(hec.events.map((e) => uid(e.event))) };
    });
  });

  test('Microsoft Sentinel (Logs Ingestion API)', { timeout: 300_000 }, async (t) => {
    await outage(teardown(t), async (dir, pki) => {
      const expect = {
        tenantId: '72f988bf-86f1-41af-91ab-2d7cd011db47', clientId: '3c2b1a09-8f7e-4d6c-5b4a-392817160504', clientSecret: 'Q~outage.client~secret-0a1b2c3d',
        ruleId: 'dcr-00112233445566778899aabbccddeeff', streamName: 'Custom-CustosAudit_CL',
        columns: ['TimeGenerated', 'EventId', 'EventType', 'LeafIndex', 'SeverityId', 'TypeUid', 'Status', 'Message', 'Ocsf'],
      };
      await writeFile(join(dir, 'secret'), `${expect.clientSecret}\n`, { mode: 0o600 });
      const azure = await startSentinelDoubles({ cert: pki.serverCert, key: pki.serverKey }, expect);
      return {
        victim: azure.dce,
        close: () => azure.close(),
        config: { kind: 'sentinel', id: 'sentinel', endpoint: azure.dce.url.href, ruleId: expect.ruleId, streamName: expect.streamName, tenantId: expect.tenantId, clientId: expect.clientId, clientSecretFile: join(dir, 'secret'), authorityHost: azure.entra.url.href },
        ids: () => azure.rows.filter((r) => r.EventType !== 'siem.heartbeat').map((r) => String(r.EventId)),
      };
    });
  });

  test('Google SecOps (Chronicle)', { timeout: 300_000 }, async (t) => {
    await outage(teardown(t), async (dir, pki) => {
      const instance = '0b1c2d3e-4f50-6172-8394-a5b6c7d8e9f0';
      const account = testServiceAccount('https://oauth2.googleapis.com/token');
      const google = await startChronicleDoubles({ cert: pki.serverCert, key: pki.serverKey }, { publicKey: account.publicKey, email: account.email, parent: `projects/custos-test/locations/eu/instances/${instance}/logTypes/CUSTOS_OCSF` });
      await writeFile(join(dir, 'key.json'), account.json, { mode: 0o600 });
      return {
        victim: google.api,
        close: () => google.close(),
        config: { kind: 'chronicle', id: 'secops', endpoint: google.api.url.href, project: 'custos-test', location: 'eu', instance, logType: 'CUSTOS_OCSF', serviceAccountKeyFile: join(dir, 'key.json'), tokenUri: new URL('/token', google.token.url).href },
        ids: () => ids(google.logs.map((l) => uid(JSON.parse(Buffer.from(l.data, 'base64').toString('utf8'))))),
      };
    });
  });

  test('signed webhook', { timeout: 300_000 }, async (t) => {
    await outage(teardown(t), async (dir, pki) => {
      const key = 'whsec-0123456789abcdef0123456789abcdef';
      await writeFile(join(dir, 'key'), `${key}\n`, { mode: 0o600 });
      const got: (string | null)[] = [];
      const hook = await startHttpsReceiver({ cert: pki.serverCert, key: pki.serverKey }, (request) => {
        const verdict = verifyWebhook(Buffer.from(key), request.headers, request.body, Date.now(), 300);
        if (!verdict.ok) return json(401, { error: verdict.reason });
        got.push(...(JSON.parse(request.body.toString('utf8')) as unknown[]).map(uid));
        return { status: 204 };
      });
      return { victim: hook, close: () => hook.close(), config: { kind: 'webhook', id: 'hook', url: new URL('/hooks/custos', hook.url).href, hmacKeyFile: join(dir, 'key') }, ids: () => ids(got) };
    });
  });
});
