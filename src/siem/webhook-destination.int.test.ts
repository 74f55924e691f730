// The receiver is a TEST DOUBLE (test/helpers/https-receiver.ts): a webhook has no vendor, so
// the double verifies what our scheme documents (webhook-signature.ts) with the same verifier a
// receiver would use. TLS is real: a test CA made by openssl, HTTPS on loopback.
import { after, before, describe, test } from 'node:test';
import assert from 'node:assert/strict';
import { writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { webhookDestination as webhookSchema } from '../config/siem-http.schema.ts';
import { createHttpDestination } from './build-http-destination.ts';
import type { SendOutcome, SiemDestination } from './destination.ts';
import { verifyWebhook, webhookSignature } from './webhook-signature.ts';
import { makeTestPki, type TestPki } from '../../test/helpers/rsyslog.ts';
import { json, startHttpsReceiver, type HttpsReceiver } from '../../test/helpers/https-receiver.ts';
import { product, shippedEvents } from '../../test/helpers/siem-shipped.ts';
import { tempDir } from '../../test/helpers/harness.ts';
import { teardown, type Defer } from '../../test/helpers/teardown.ts';

const KEY = 'whsec-0123456789abcdef0123456789abcdef';
const reasons: string[] = [];

describe('webhook destination (against a signature-checking test receiver)', { concurrency: true }, () => {
  let pki: TestPki;
  let dir: string;
  const defer: Defer = teardown({ after });
  before(async () => {
    const d = await tempDir('custos-webhook-');
    defer(() => d.remove());
    dir = d.path;
    pki = await makeTestPki(dir);
    await writeFile(join(dir, 'key'), `${KEY}\n`, { mode: 0o600 });
    await writeFile(join(dir, 'short-key'), 'short\n', { mode: 0o600 });
    await writeFile(join(dir, 'ca.pem'), pki.ca);
    await writeFile(join(dir, 'other-ca.pem'), pki.otherCa);
  });

  async function setup(d: Defer, config: Record<string, unknown> = {}, now?: () => number): Promise<{ receiver: HttpsReceiver; events: Record<string, unknown>[]; dest: SiemDestination }> {
    const events: Record<string, unknown>[] = [];
    const receiver = await startHttpsReceiver({ cert: pki.serverCert, key: pki.serverKey }, (request) => {
      if (request.path !== '/hooks/custos') return json(404, { error: 'no such hook' });
      const verdict = verifyWebhook(Buffer.from(KEY), request.headers, request.body, Date.now(), 300);
      if (!verdict.ok) return json(401, { error: verdict.reason });
      if (request.body.length > 16_384) return json(413, { error: 'too large' });
      events.push(...(JSON.parse(request.body.toString('utf8')) as Record<string, unknown>[]));
      return { status: 204 };
    });
    d(() => receiver.close());
    const parsed = webhookSchema.parse({
      kind: 'webhook', id: 'hook', jurisdiction: 'FR', url: new URL('/hooks/custos', receiver.url).href, hmacKeyFile: join(dir, 'key'), caFile: join(dir, 'ca.pem'), ...config,
    });
    const dest = await createHttpDestination(parsed, { product, ...(now !== undefined ? { now } : {}) });
    d(() => dest.close());
    return { receiver, events, dest };
  }

  async function send(dest: SiemDestination, batch: ReturnType<typeof shippedEvents>): Promise<SendOutcome> {
    const outcome = await dest.send(batch, AbortSignal.timeout(20_000));
    if (!outcome.ok) reasons.push(outcome.reason);
    return outcome;
  }

  test('a signed batch arrives as a JSON array of OCSF events matching the records, split under maxRequestBytes', async (t) => {
    const { receiver, events, dest } = await setup(teardown(t), { maxRequestBytes: 16_384 });
    const batch = shippedEvents(40, 7, 600);
    assert.deepEqual(await send(dest, batch), { ok: true });
    assert.ok(receiver.requests.length >= 3, `${receiver.requests.length} requests`);
    assert.ok(receiver.requests.every((r) => r.body.length <= 16_384));
    assert.deepEqual(events.map((e) => (e.metadata as { uid: string }).uid), batch.map((e) => e.record.id));
    assert.deepEqual(events.map((e) => (e.unmapped as { custos_type: string }).custos_type), batch.map((e) => e.record.type));
    assert.deepEqual(events.map((e) => e.time), batch.map((e) => Date.parse(e.record.time)));
    const r = receiver.requests[0]!;
    const stamp = Number(r.headers['x-custos-timestamp']);
    assert.ok(Math.abs(stamp - Date.now() / 1000) < 30);
    assert.equal(r.headers['x-custos-signature'], webhookSignature(Buffer.from(KEY), stamp, r.body));
    assert.ok(!JSON.stringify(r.headers).includes(KEY), 'the key itself is never sent');
  });

  test('the verifier refuses a replay older than its tolerance, a changed body and a wrong key', () => {
    const body = Buffer.from('[{"metadata":{"uid":"x"}}]');
    const now = Date.UTC(2026, 11, 7, 5, 0, 0);
    const stamp = now / 1000;
    const headers = { 'x-custos-timestamp': String(stamp), 'x-custos-signature': webhookSignature(Buffer.from(KEY), stamp, body) };
    assert.deepEqual(verifyWebhook(Buffer.from(KEY), headers, body, now + 299_000, 300), { ok: true });
    assert.match((verifyWebhook(Buffer.from(KEY), headers, body, now + 301_000, 300) as { reason: string }).reason, /replay/);
    assert.deepEqual(verifyWebhook(Buffer.from(KEY), headers, Buffer.from('[]'), now, 300), { ok: false, reason: 'signature does not match' });
    assert.deepEqual(verifyWebhook(Buffer.from('another key of more than 32 bytes!'), headers, body, now, 300), { ok: false, reason: 'signature does not match' });
    const rotating = { ...headers, 'x-custos-signature': `v1=${'0'.repeat(64)}, ${headers['x-custos-signature']}` };
    assert.deepEqual(verifyWebhook(Buffer.from(KEY), rotating, body, now, 300), { ok: true }, 'any v1 entry may match while keys rotate');
  });

  test('a request signed with a stale timestamp is refused by the receiver: a retryable failure naming the replay check', async (t) => {
    const { events, dest } = await setup(teardown(t), {}, () => Date.now() - 600_000);
    const outcome = await send(dest, shippedEvents(2));
    assert.ok(!outcome.ok && outcome.retryable && /refused the credential \(HTTP 401\).*replay/.test(outcome.reason), JSON.stringify(outcome));
    assert.equal(events.length, 0);
  });

  test('429 with Retry-After as an HTTP date gives retryAfterMs; 503 is retryable', async (t) => {
    const { receiver, dest } = await setup(teardown(t));
    receiver.failNext(1, { status: 429, headers: { 'retry-after': new Date(Date.now() + 30_000).toUTCString() } });
    const limited = await send(dest, shippedEvents(1));
    assert.ok(!limited.ok && limited.retryable && limited.retryAfterMs !== undefined && limited.retryAfterMs > 25_000 && limited.retryAfterMs <= 30_000, JSON.stringify(limited));
    receiver.failNext(1, { status: 503 });
    const down = await send(dest, shippedEvents(1));
    assert.ok(!down.ok && down.retryable);
  });

  test('a receiver whose certificate does not chain to caFile is refused before anything is sent', async (t) => {
    const { receiver, dest } = await setup(teardown(t), { caFile: join(dir, 'other-ca.pem') });
    const outcome = await send(dest, shippedEvents(1));
    assert.ok(!outcome.ok && outcome.retryable && /UNABLE_TO_VERIFY|SELF_SIGNED|certificate/i.test(outcome.reason), JSON.stringify(outcome));
    assert.equal(receiver.requests.length, 0);
  });

  test('send honours its abort signal: a receiver that never answers gives a retryable failure, not a hang', async (t) => {
    const d = teardown(t);
    const silent = await startHttpsReceiver({ cert: pki.serverCert, key: pki.serverKey }, () => new Promise(() => undefined));
    d(() => silent.close());
    const parsed = webhookSchema.parse({ kind: 'webhook', id: 'hook', jurisdiction: 'FR', url: silent.url.href, hmacKeyFile: join(dir, 'key'), caFile: join(dir, 'ca.pem') });
    const dest = await createHttpDestination(parsed, { product });
    d(() => dest.close());
    const started = Date.now();
    const outcome = await dest.send(shippedEvents(1), AbortSignal.timeout(300));
    assert.deepEqual(outcome, { ok: false, retryable: true, reason: `POST ${silent.url.origin}/ failed: aborted` });
    assert.ok(Date.now() - started < 3000);
  });

  test('an HMAC key shorter than 32 bytes is refused when the destination is built, without quoting it', async () => {
    const parsed = webhookSchema.parse({ kind: 'webhook', id: 'hook', jurisdiction: 'FR', url: 'https://127.0.0.1:1/x', hmacKeyFile: join(dir, 'short-key') });
    await assert.rejects(createHttpDestination(parsed, { product }), (e: Error) => /fewer than 32 bytes/.test(e.message) && !e.message.includes('short\n'));
    assert.throws(() => webhookSchema.parse({ kind: 'webhook', id: 'hook', jurisdiction: 'FR', url: 'http://127.0.0.1:1/x', hmacKeyFile: 'k' }), /https/);
  });
});

after(() => {
  for (const reason of reasons) assert.ok(!reason.includes(KEY), reason);
});
