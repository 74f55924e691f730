// The receivers are TEST DOUBLES of Microsoft Entra ID and an Azure Monitor data collection
// endpoint (test/helpers/sentinel-receiver.ts): no Azure service can run here. The SDKs are the
// real @azure/identity (ClientSecretCredential) and @azure/monitor-ingestion (LogsIngestionClient)
// talking HTTPS to them, with a test CA made by openssl.
import { after, before, describe, test } from 'node:test';
import assert from 'node:assert/strict';
import { writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { sentinelDestination as sentinelSchema } from '../config/siem-http.schema.ts';
import { createHttpDestination } from './build-http-destination.ts';
import type { SendOutcome, SiemDestination } from './destination.ts';
import { makeTestPki, type TestPki } from '../../test/helpers/rsyslog.ts';
import { LOGS_INGESTION_MAX_BYTES, startSentinelDoubles, type SentinelDoubles } from '../../test/helpers/sentinel-receiver.ts';
import { product, shippedEvents } from '../../test/helpers/siem-shipped.ts';
import { tempDir } from '../../test/helpers/harness.ts';
import { teardown, type Defer } from '../../test/helpers/teardown.ts';

const SECRET = 'Q~sentinel.client~secret-9f8e7d6c5b4a';
const expect = {
  tenantId: '72f988bf-86f1-41af-91ab-2d7cd011db47',
  clientId: '3c2b1a09-8f7e-4d6c-5b4a-392817160504',
  clientSecret: SECRET,
  ruleId: 'dcr-00112233445566778899aabbccddeeff',
  streamName: 'Custom-CustosAudit_CL',
  columns: ['TimeGenerated', 'EventId', 'EventType', 'LeafIndex', 'SeverityId', 'TypeUid', 'Status', 'Message', 'Ocsf'],
};
const reasons: string[] = [];

describe('Sentinel destination (real Azure SDKs against Entra and Logs Ingestion test doubles)', { concurrency: true }, () => {
  let pki: TestPki;
  let dir: string;
  const defer: Defer = teardown({ after });
  before(async () => {
    const d = await tempDir('custos-sentinel-');
    defer(() => d.remove());
    dir = d.path;
    pki = await makeTestPki(dir);
    await writeFile(join(dir, 'secret'), `${SECRET}\n`, { mode: 0o600 });
    await writeFile(join(dir, 'wrong-secret'), 'Q~wrong-secret\n', { mode: 0o600 });
    await writeFile(join(dir, 'ca.pem'), pki.ca);
    await writeFile(join(dir, 'other-ca.pem'), pki.otherCa);
  });

  async function setup(d: Defer, config: Record<string, unknown> = {}): Promise<{ azure: SentinelDoubles; dest: SiemDestination }> {
    const azure = await startSentinelDoubles({ cert: pki.serverCert, key: pki.serverKey }, expect);
    d(() => azure.close());
    const parsed = sentinelSchema.parse({
      kind: 'sentinel', id: 'sentinel', jurisdiction: 'NL', endpoint: azure.dce.url.href, ruleId: expect.ruleId, streamName: expect.streamName,
      tenantId: expect.tenantId, clientId: expect.clientId, clientSecretFile: join(dir, 'secret'), authorityHost: azure.entra.url.href,
      caFile: join(dir, 'ca.pem'), ...config,
    });
    const dest = await createHttpDestination(parsed, { product });
    d(() => dest.close());
    return { azure, dest };
  }

  async function send(dest: SiemDestination, batch: ReturnType<typeof shippedEvents>): Promise<SendOutcome> {
    const outcome = await dest.send(batch, AbortSignal.timeout(30_000));
    if (!outcome.ok) reasons.push(outcome.reason);
    return outcome;
  }

  test('a batch arrives as DCR stream rows (gzip, bearer token from Entra client credentials) matching the records', async (t) => {
    const { azure, dest } = await setup(teardown(t));
    const batch = shippedEvents(30, 500);
    assert.deepEqual(await send(dest, batch), { ok: true });
    assert.equal(azure.rows.length, 30);
    azure.rows.forEach((row, n) => {
      const record = batch[n]!.record;
      assert.deepEqual([row.TimeGenerated, row.EventId, row.EventType, row.LeafIndex], [record.time, record.id, record.type, record.seq]);
      const ocsf = row.Ocsf as { metadata: { uid: string }; time: number; type_uid: number };
      assert.deepEqual([ocsf.metadata.uid, ocsf.time, ocsf.type_uid], [record.id, Date.parse(record.time), row.TypeUid]);
    });
    const call = azure.dce.requests.at(-1)!;
    assert.equal(call.headers['content-encoding'], 'gzip');
    const token = azure.entra.requests.find((r) => r.method === 'POST' && r.path.includes('/oauth2/v2.0/token'))!;
    assert.equal(new URLSearchParams(token.body.toString()).get('client_id'), expect.clientId);
  });

  test('a batch over the 1 MB per call limit is split by the SDK into calls under it, every row in order', async (t) => {
    const { azure, dest } = await setup(teardown(t), { maxBatch: 2000 });
    const batch = shippedEvents(1200, 0, 1500);
    assert.deepEqual(await send(dest, batch), { ok: true });
    assert.ok(azure.callSizes.length >= 2, `${azure.callSizes.length} calls`);
    assert.ok(azure.callSizes.every((s) => s <= LOGS_INGESTION_MAX_BYTES), azure.callSizes.join(','));
    assert.deepEqual(azure.rows.map((r) => r.EventId), batch.map((e) => e.record.id));
  });

  test('a wrong client secret is a retryable failure naming Entra\'s error code, not the secret', async (t) => {
    const { azure, dest } = await setup(teardown(t), { clientSecretFile: join(dir, 'wrong-secret') });
    const outcome = await send(dest, shippedEvents(2));
    assert.ok(!outcome.ok && outcome.retryable, JSON.stringify(outcome));
    assert.equal(outcome.reason, 'Entra token request refused (client credentials): invalid_client: AADSTS7000215: Invalid client secret provided.');
    assert.equal(azure.rows.length, 0);
  });

  test('429 with Retry-After is retryable with retryAfterMs (the SDK does not retry by itself); 503 is retryable; 400 is not', async (t) => {
    const { azure, dest } = await setup(teardown(t));
    azure.dce.failNext(1, { status: 429, headers: { 'retry-after': '12', 'content-type': 'application/json' }, body: '{"error":{"code":"TooManyRequests","message":"Rate limit exceeded"}}' });
    const limited = await send(dest, shippedEvents(3));
    assert.deepEqual(limited, { ok: false, retryable: true, retryAfterMs: 12_000, reason: 'Logs Ingestion API answered HTTP 429: TooManyRequests: Rate limit exceeded' });
    azure.dce.failNext(1, { status: 503, body: '' });
    const down = await send(dest, shippedEvents(3));
    assert.ok(!down.ok && down.retryable && /503/.test(down.reason), JSON.stringify(down));
    azure.dce.failNext(1, { status: 400, headers: { 'content-type': 'application/json' }, body: '{"error":{"code":"InvalidStream","message":"Stream not declared"}}' });
    const bad = await send(dest, shippedEvents(3));
    assert.deepEqual(bad, { ok: false, retryable: false, reason: 'Logs Ingestion API answered HTTP 400: InvalidStream: Stream not declared' });
    assert.deepEqual(await send(dest, shippedEvents(3)), { ok: true });
  });

  test('an endpoint whose certificate does not chain to caFile is refused before any row is sent', async (t) => {
    const { azure, dest } = await setup(teardown(t), { caFile: join(dir, 'other-ca.pem') });
    const outcome = await send(dest, shippedEvents(1));
    // MSAL reports the refused authority as endpoints_resolution_error (it hides the TLS cause).
    assert.deepEqual(outcome, { ok: false, retryable: true, reason: 'Entra token request refused (client credentials): endpoints_resolution_error' });
    assert.equal(azure.entra.requests.length, 0, 'no request reached the unverified token endpoint');
    assert.equal(azure.dce.requests.length, 0);
  });
});

after(() => {
  for (const reason of reasons) assert.ok(!reason.includes(SECRET) && !reason.includes('Q~wrong-secret'), reason);
});
