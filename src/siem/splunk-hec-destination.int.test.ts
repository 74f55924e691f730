// The receiver is a TEST DOUBLE of Splunk's HTTP Event Collector (test/helpers/hec-receiver.ts):
// no Splunk can run here. It checks what Splunk documents (path, Authorization: Splunk <token>,
// concatenated JSON events, max_content_length, channel and ackId, error codes). TLS is real:
// a test CA made by openssl, HTTPS on loopback, the certificate verified.
import { after, before, describe, test } from 'node:test';
import assert from 'node:assert/strict';
import { writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { inspect } from 'node:util';
import { splunkHecDestination as hecSchema } from '../config/siem-http.schema.ts';
import { createHttpDestination } from './build-http-destination.ts';
import type { SendOutcome, SiemDestination } from './destination.ts';
import { makeTestPki, type TestPki } from '../../test/helpers/rsyslog.ts';
import { startHecReceiver, type HecReceiver } from '../../test/helpers/hec-receiver.ts';
import { product, shippedEvents } from '../../test/helpers/siem-shipped.ts';
import { tempDir } from '../../test/helpers/harness.ts';
import { teardown, type Defer } from '../../test/helpers/teardown.ts';

const TOKEN = '8f2c6a0e-3b1d-4e5f-9a7b-c0d1e2f3a4b5';
const reasons: string[] = [];

describe('Splunk HEC destination (against a HEC test double)', { concurrency: true }, () => {
  let pki: TestPki;
  let dir: string;
  const defer: Defer = teardown({ after });
  before(async () => {
    const d = await tempDir('custos-hec-');
    defer(() => d.remove());
    dir = d.path;
    pki = await makeTestPki(dir);
    await writeFile(join(dir, 'token'), `${TOKEN}\n`, { mode: 0o600 });
    await writeFile(join(dir, 'wrong-token'), 'not-the-token\n', { mode: 0o600 });
    await writeFile(join(dir, 'ca.pem'), pki.ca);
    await writeFile(join(dir, 'other-ca.pem'), pki.otherCa);
  });

  async function setup(d: Defer, receiverOptions: Parameters<typeof startHecReceiver>[1], config: Record<string, unknown> = {}): Promise<{ hec: HecReceiver; dest: SiemDestination }> {
    const hec = await startHecReceiver({ cert: pki.serverCert, key: pki.serverKey }, receiverOptions);
    d(() => hec.close());
    const parsed = hecSchema.parse({
      kind: 'splunk-hec', id: 'splunk', jurisdiction: 'DE', url: hec.url.href, tokenFile: join(dir, 'token'), caFile: join(dir, 'ca.pem'), ...config,
    });
    assert.ok(!inspect(parsed).includes(TOKEN));
    const dest = await createHttpDestination(parsed, { product });
    d(() => dest.close());
    return { hec, dest };
  }

  async function send(dest: SiemDestination, batch: ReturnType<typeof shippedEvents>): Promise<SendOutcome> {
    const outcome = await dest.send(batch, AbortSignal.timeout(20_000));
    if (!outcome.ok) reasons.push(outcome.reason);
    return outcome;
  }

  test('a batch arrives as HEC JSON events whose time, host, source, sourcetype, index and OCSF event match the records', async (t) => {
    const { hec, dest } = await setup(teardown(t), { token: TOKEN }, { index: 'security' });
    const batch = shippedEvents(25, 100);
    assert.deepEqual(await send(dest, batch), { ok: true });
    assert.equal(hec.events.length, 25);
    hec.events.forEach((e, n) => {
      const record = batch[n]!.record;
      assert.equal(e.time, Date.parse(record.time) / 1000, 'epoch seconds with milliseconds');
      assert.match(JSON.stringify(e.time), /^\d{10}\.\d{1,3}$/);
      assert.deepEqual([e.host, e.source, e.sourcetype, e.index], ['nvr-01', 'custos', 'custos:ocsf', 'security']);
      const meta = e.event.metadata as { uid: string; sequence: number };
      assert.deepEqual([meta.uid, meta.sequence, (e.event.unmapped as { custos_type: string }).custos_type, e.event.time], [record.id, record.seq, record.type, Date.parse(record.time)]);
    });
    const request = hec.requests[0]!;
    assert.equal(request.path, '/services/collector/event');
    assert.equal(request.headers['content-type'], 'application/json');
    assert.equal(request.headers['x-splunk-request-channel'], undefined, 'no channel without acknowledgement');
  });

  test('with indexer acknowledgement, send resolves only after the ack endpoint says every ackId is indexed', async (t) => {
    const channel = '0e4b2c9d-1f3a-4b5c-8d7e-6f5a4b3c2d1e';
    const { hec, dest } = await setup(teardown(t), { token: TOKEN, ack: true, ackAfterPolls: 2 }, { ack: { enabled: true, channel, pollSeconds: 0.05 }, maxRequestBytes: 8000 });
    const batch = shippedEvents(12, 0, 500);
    assert.deepEqual(await send(dest, batch), { ok: true });
    assert.deepEqual(hec.events.map((e) => (e.event.metadata as { uid: string }).uid), batch.map((e) => e.record.id), 'every event indexed, in order');
    const eventRequests = hec.requests.filter((r) => r.path === '/services/collector/event');
    const polls = hec.requests.filter((r) => r.path.startsWith('/services/collector/ack'));
    assert.ok(eventRequests.length >= 2, 'split into several requests, each with its ackId');
    assert.ok(polls.length >= 3, `polled until acknowledged (${polls.length} polls)`);
    for (const r of [...eventRequests, ...polls]) assert.equal(r.headers['x-splunk-request-channel'], channel);
    assert.equal(new URL(polls[0]!.path, 'https://x').searchParams.get('channel'), channel);
    assert.deepEqual(JSON.parse(polls[0]!.body.toString()), { acks: eventRequests.map((_, n) => n) });
  });

  test('an ack that never comes is a retryable failure after ack.timeoutSeconds', async (t) => {
    const { dest } = await setup(teardown(t), { token: TOKEN, ack: true, ackAfterPolls: 1_000_000 }, { ack: { enabled: true, pollSeconds: 0.05, timeoutSeconds: 1 } });
    const outcome = await send(dest, shippedEvents(3));
    assert.equal(outcome.ok, false);
    assert.ok(!outcome.ok && outcome.retryable && /did not acknowledge/.test(outcome.reason), JSON.stringify(outcome));
  });

  test('a refused token is a retryable failure whose reason quotes HEC and not the token', async (t) => {
    const { dest } = await setup(teardown(t), { token: 'a-different-token' });
    const outcome = await send(dest, shippedEvents(2));
    assert.deepEqual(outcome, { ok: false, retryable: true, reason: 'Splunk HEC refused the credential (HTTP 403): Invalid token (code 4)' });
  });

  test('a token file holding a character no header can carry gives a failure naming the error, not the token, and never rejects', async (t) => {
    await writeFile(join(dir, 'broken-token'), `${TOKEN}\nsecond-line\n`, { mode: 0o600 });
    const { hec, dest } = await setup(teardown(t), { token: TOKEN }, { tokenFile: join(dir, 'broken-token') });
    const outcome = await send(dest, shippedEvents(1));
    assert.deepEqual(outcome, { ok: false, retryable: true, reason: `POST ${hec.url.origin}/services/collector/event not sent: ERR_INVALID_CHAR` });
    assert.equal(hec.requests.length, 0);
  });

  test('429 with Retry-After is retryable with retryAfterMs; 503 is retryable; a 400 is not', async (t) => {
    const { hec, dest } = await setup(teardown(t), { token: TOKEN });
    hec.failNext(1, { status: 429, headers: { 'retry-after': '7', 'content-type': 'application/json' }, body: '{"text":"Server is busy","code":9}' });
    assert.deepEqual(await send(dest, shippedEvents(1)), { ok: false, retryable: true, retryAfterMs: 7000, reason: 'Splunk HEC answered HTTP 429: Server is busy (code 9)' });
    hec.failNext(1, { status: 503, body: '{"text":"HEC is unhealthy, queues are full","code":18}' });
    const busy = await send(dest, shippedEvents(1));
    assert.ok(!busy.ok && busy.retryable && busy.retryAfterMs === undefined && /503/.test(busy.reason));
    hec.failNext(1, { status: 400, body: '{"text":"Incorrect index","code":7}' });
    assert.deepEqual(await send(dest, shippedEvents(1)), { ok: false, retryable: false, reason: 'Splunk HEC answered HTTP 400: Incorrect index (code 7)' });
    assert.deepEqual(await send(dest, shippedEvents(1)), { ok: true });
  });

  test('a batch over maxRequestBytes is split into requests under the collector\'s max_content_length, in order', async (t) => {
    const { hec, dest } = await setup(teardown(t), { token: TOKEN, maxContentLength: 20_000 }, { maxRequestBytes: 20_000 });
    const batch = shippedEvents(60, 0, 1000);
    assert.deepEqual(await send(dest, batch), { ok: true });
    assert.ok(hec.bodySizes.length >= 4, `${hec.bodySizes.length} requests`);
    assert.ok(hec.bodySizes.every((s) => s <= 20_000), hec.bodySizes.join(','));
    assert.deepEqual(hec.events.map((e) => (e.event.metadata as { uid: string }).uid), batch.map((e) => e.record.id));
    const tooBig = await send(dest, shippedEvents(1, 0, 30_000));
    assert.ok(!tooBig.ok && !tooBig.retryable && /larger than maxRequestBytes/.test(tooBig.reason));
  });

  test('a collector whose certificate does not chain to caFile is refused (retryable, reason names the certificate)', async (t) => {
    const { hec, dest } = await setup(teardown(t), { token: TOKEN }, { caFile: join(dir, 'other-ca.pem') });
    const outcome = await send(dest, shippedEvents(1));
    assert.ok(!outcome.ok && outcome.retryable && /certificate|UNABLE_TO_VERIFY|SELF_SIGNED/i.test(outcome.reason), JSON.stringify(outcome));
    assert.equal(hec.requests.length, 0, 'nothing was sent to the unverified server');
  });
});

after(() => {
  // Every reason a test produced is a log line: none holds the token.
  for (const reason of reasons) assert.ok(!reason.includes(TOKEN) && !reason.includes('not-the-token'), reason);
});
