// The receivers are TEST DOUBLES of Google's OAuth token endpoint and the Chronicle API's
// ImportLogs (test/helpers/chronicle-receiver.ts): no Google service can run here. The real
// google-auth-library signs a JWT with a test service-account key and exchanges it at the
// double's token URI, over HTTPS with a test CA made by openssl.
import { after, before, describe, test } from 'node:test';
import assert from 'node:assert/strict';
import { writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { chronicleDestination as chronicleSchema } from '../config/siem-http.schema.ts';
import { createHttpDestination } from './build-http-destination.ts';
import type { SendOutcome, SiemDestination } from './destination.ts';
import { makeTestPki, type TestPki } from '../../test/helpers/rsyslog.ts';
import { CHRONICLE_MAX_REQUEST_BYTES, startChronicleDoubles, testServiceAccount, type ChronicleDoubles } from '../../test/helpers/chronicle-receiver.ts';
import { startHttpsReceiver } from '../../test/helpers/https-receiver.ts';
import { product, shippedEvents } from '../../test/helpers/siem-shipped.ts';
import { tempDir } from '../../test/helpers/harness.ts';
import { teardown, type Defer } from '../../test/helpers/teardown.ts';

const INSTANCE = '0b1c2d3e-4f50-6172-8394-a5b6c7d8e9f0';
const parent = `projects/custos-test/locations/eu/instances/${INSTANCE}/logTypes/CUSTOS_OCSF`;
const reasons: string[] = [];
let privateKeyLines: string[] = [];

describe('Chronicle destination (real google-auth-library against Google token and ImportLogs test doubles)', { concurrency: true }, () => {
  let pki: TestPki;
  let dir: string;
  // One key pair for the account and one the token endpoint does not know (RSA generation is slow).
  const account = testServiceAccount('https://oauth2.googleapis.com/token');
  const other = testServiceAccount('https://oauth2.googleapis.com/token');
  const defer: Defer = teardown({ after });
  before(async () => {
    const d = await tempDir('custos-chronicle-');
    defer(() => d.remove());
    dir = d.path;
    pki = await makeTestPki(dir);
    await writeFile(join(dir, 'ca.pem'), pki.ca);
    await writeFile(join(dir, 'other-ca.pem'), pki.otherCa);
  });

  async function setup(d: Defer, config: Record<string, unknown> = {}, keyOf: 'own' | 'other' = 'own'): Promise<{ google: ChronicleDoubles; dest: SiemDestination }> {
    const google = await startChronicleDoubles({ cert: pki.serverCert, key: pki.serverKey }, { publicKey: account.publicKey, email: account.email, parent });
    d(() => google.close());
    const keyFile = join(dir, `key-${google.token.url.port}.json`);
    const keyJson = keyOf === 'own' ? account.json : other.json.replace(other.email, account.email);
    privateKeyLines.push(...(JSON.parse(keyJson) as { private_key: string }).private_key.split('\n').filter((l) => l.length > 40));
    await writeFile(keyFile, keyJson, { mode: 0o600 });
    const parsed = chronicleSchema.parse({
      kind: 'chronicle', id: 'secops', jurisdiction: 'DE', endpoint: google.api.url.href, project: 'custos-test', location: 'eu', instance: INSTANCE,
      logType: 'CUSTOS_OCSF', serviceAccountKeyFile: keyFile, tokenUri: new URL('/token', google.token.url).href, caFile: join(dir, 'ca.pem'), ...config,
    });
    const dest = await createHttpDestination(parsed, { product });
    d(() => dest.close());
    return { google, dest };
  }

  async function send(dest: SiemDestination, batch: ReturnType<typeof shippedEvents>): Promise<SendOutcome> {
    const outcome = await dest.send(batch, AbortSignal.timeout(30_000));
    if (!outcome.ok) reasons.push(outcome.reason);
    return outcome;
  }

  test('a batch arrives as ImportLogs logs whose base64 data is the OCSF event of each record, with its time, namespace, labels and forwarder', async (t) => {
    const forwarder = `projects/custos-test/locations/eu/instances/${INSTANCE}/forwarders/f-01`;
    const { google, dest } = await setup(teardown(t), { namespace: 'site-berlin', labels: { site: 'berlin' }, forwarder });
    const batch = shippedEvents(20, 40);
    assert.deepEqual(await send(dest, batch), { ok: true });
    assert.equal(google.logs.length, 20);
    google.logs.forEach((log, n) => {
      const record = batch[n]!.record;
      const ocsf = JSON.parse(Buffer.from(log.data, 'base64').toString('utf8')) as { metadata: { uid: string; sequence: number }; unmapped: { custos_type: string }; time: number };
      assert.deepEqual([ocsf.metadata.uid, ocsf.metadata.sequence, ocsf.unmapped.custos_type, ocsf.time], [record.id, record.seq, record.type, Date.parse(record.time)]);
      assert.equal(log.logEntryTime, record.time);
      assert.ok(Date.parse(log.collectionTime) >= Date.parse(record.time), 'collected at or after the event, even one stamped ahead of this clock');
      assert.equal(log.environmentNamespace, 'site-berlin');
      assert.deepEqual(log.labels, { site: { value: 'berlin' } });
    });
    assert.deepEqual(google.forwarders, [forwarder]);
    assert.equal(google.token.requests.length, 1, 'one token exchange');
    assert.deepEqual(await send(dest, shippedEvents(2)), { ok: true });
    assert.equal(google.token.requests.length, 1, 'the token is cached until it nears expiry');
  });

  test('a batch over 1 MB is split into ImportLogs requests under the limit, in order', async (t) => {
    const { google, dest } = await setup(teardown(t), { maxBatch: 2000 });
    const batch = shippedEvents(900, 0, 1500);
    assert.deepEqual(await send(dest, batch), { ok: true });
    const sizes = google.api.requests.map((r) => r.body.length);
    assert.ok(sizes.length >= 2 && sizes.every((s) => s <= CHRONICLE_MAX_REQUEST_BYTES), sizes.join(','));
    assert.deepEqual(google.logs.map((l) => (JSON.parse(Buffer.from(l.data, 'base64').toString()) as { metadata: { uid: string } }).metadata.uid), batch.map((e) => e.record.id));
  });

  test('a key the token endpoint does not accept is a retryable failure quoting Google\'s OAuth error, not the key', async (t) => {
    const { google, dest } = await setup(teardown(t), {}, 'other');
    const outcome = await send(dest, shippedEvents(2));
    assert.deepEqual(outcome, { ok: false, retryable: true, reason: 'Google token request refused (HTTP 400): invalid_grant: Invalid JWT Signature.' });
    assert.equal(google.api.requests.length, 0);
  });

  test('429 with Retry-After is retryable with retryAfterMs; 503 is retryable; 400 is not', async (t) => {
    const { google, dest } = await setup(teardown(t));
    google.api.failNext(1, { status: 429, headers: { 'retry-after': '3', 'content-type': 'application/json' }, body: '{"error":{"code":429,"message":"Quota exceeded","status":"RESOURCE_EXHAUSTED"}}' });
    assert.deepEqual(await send(dest, shippedEvents(1)), { ok: false, retryable: true, retryAfterMs: 3000, reason: 'Chronicle answered HTTP 429: RESOURCE_EXHAUSTED: Quota exceeded' });
    google.api.failNext(1, { status: 503, body: '{"error":{"code":503,"message":"The service is currently unavailable.","status":"UNAVAILABLE"}}' });
    const down = await send(dest, shippedEvents(1));
    assert.ok(!down.ok && down.retryable && /UNAVAILABLE/.test(down.reason));
    google.api.failNext(1, { status: 400, body: '{"error":{"code":400,"message":"Invalid log type","status":"INVALID_ARGUMENT"}}' });
    assert.deepEqual(await send(dest, shippedEvents(1)), { ok: false, retryable: false, reason: 'Chronicle answered HTTP 400: INVALID_ARGUMENT: Invalid log type' });
    assert.deepEqual(await send(dest, shippedEvents(1)), { ok: true });
  });

  test('a token endpoint whose certificate does not chain to caFile is refused; nothing is imported', async (t) => {
    const { google, dest } = await setup(teardown(t), { caFile: join(dir, 'other-ca.pem') });
    const outcome = await send(dest, shippedEvents(1));
    assert.ok(!outcome.ok && outcome.retryable && /Google token request refused.*(CERT|UNABLE_TO_VERIFY|SELF_SIGNED)/.test(outcome.reason), JSON.stringify(outcome));
    assert.equal(google.token.requests.length, 0);
    assert.equal(google.api.requests.length, 0);
  });

  test('send honours its abort signal while the token endpoint does not answer', async (t) => {
    const d = teardown(t);
    const silent = await startHttpsReceiver({ cert: pki.serverCert, key: pki.serverKey }, () => new Promise(() => undefined));
    d(() => silent.close());
    const keyFile = join(dir, 'silent-key.json');
    await writeFile(keyFile, account.json, { mode: 0o600 });
    const parsed = chronicleSchema.parse({
      kind: 'chronicle', id: 'secops', jurisdiction: 'DE', endpoint: silent.url.href, project: 'p', location: 'eu', instance: INSTANCE,
      logType: 'CUSTOS_OCSF', serviceAccountKeyFile: keyFile, tokenUri: new URL('/token', silent.url).href, caFile: join(dir, 'ca.pem'),
    });
    const dest = await createHttpDestination(parsed, { product });
    d(() => dest.close());
    const started = Date.now();
    assert.deepEqual(await dest.send(shippedEvents(1), AbortSignal.timeout(300)), { ok: false, retryable: true, reason: 'aborted while getting a Google access token' });
    assert.ok(Date.now() - started < 3000);
  });

  test('a key file that is not a service-account key is refused at build without quoting it', async () => {
    const file = join(dir, 'not-a-key.json');
    await writeFile(file, '{"secret":"hunter2-hunter2"}');
    const parsed = chronicleSchema.parse({ kind: 'chronicle', id: 'secops', jurisdiction: 'DE', endpoint: 'https://127.0.0.1:1', project: 'p', location: 'eu', instance: 'i', logType: 'CUSTOS_OCSF', serviceAccountKeyFile: file });
    await assert.rejects(createHttpDestination(parsed, { product }), (e: Error) => /no client_email or private_key/.test(e.message) && !e.message.includes('hunter2'));
  });
});

after(() => {
  for (const reason of reasons) for (const line of privateKeyLines) assert.ok(!reason.includes(line), reason);
  privateKeyLines = [];
});
