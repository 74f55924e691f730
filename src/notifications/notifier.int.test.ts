/**
 * Notifications reach real receivers over loopback: a real SMTP server (`smtp-server`, the
 * nodemailer project's) with a certificate from a test CA made by openssl, in STARTTLS and in
 * implicit-TLS mode, and an HTTPS webhook receiver that checks the HMAC and refuses a replay.
 * The delivery log is a real SQLite database. Nothing is faked.
 */
import { after, describe, test } from 'node:test';
import assert from 'node:assert/strict';
import { createServer as createHttpsServer, type Server } from 'node:https';
import { writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { SMTPServer } from 'smtp-server';
import { makeTestPki, type TestPki } from '../../test/helpers/rsyslog.ts';
import { tempDir } from '../../test/helpers/harness.ts';
import { teardown } from '../../test/helpers/teardown.ts';
import { createTestDatabase } from '../../test/helpers/databases.ts';
import { createLogger } from '../lib/logger.ts';
import { createEmailSender } from './email-sender.ts';
import { createWebhookSender } from './webhook-sender.ts';
import { createDeliveryStore, type DeliveryStore } from './deliveries.store.ts';
import { Notifier, type Channels } from './notifier.ts';
import type { Notice } from './notice.ts';
import { signWebhook, verifyWebhook } from './webhook-signature.ts';
import { targetsOf } from './routing.ts';
import type { NotificationRouteConfig } from '../config/notifications.schema.ts';

const log = createLogger({ level: 'silent' });
const clock = { now: () => Date.now() };
const hmacKey = 'k'.repeat(20) + '0123456789abcdef';

const notice = (over: Partial<Notice> = {}): Notice => ({
  id: `notice-${Math.random().toString(16).slice(2)}`,
  kind: 'alarm',
  type: 'lockouts-burst',
  severity: 'high',
  siteId: 'site-a',
  subject: 'Burst of account lockouts',
  text: 'Three accounts were locked within 15 minutes.',
  data: { rule: 'lockouts-burst', seq: 42 },
  time: new Date().toISOString(),
  ...over,
});

const route = (over: Partial<NotificationRouteConfig>): NotificationRouteConfig => ({ name: 'r', types: [], sites: [], minSeverity: 'low', email: [], webhooks: [], ...over });

interface Mail {
  readonly to: string[];
  readonly text: string;
  readonly secure: boolean;
  readonly user: string | undefined;
}

/** A real SMTP server on loopback; `mode` starttls or implicit tls; `hide` hides STARTTLS. */
async function startSmtp(pki: TestPki, mode: 'starttls' | 'tls', opts: { plain?: boolean } = {}): Promise<{ port: number; mails: Mail[]; auths: string[]; close(): Promise<void> }> {
  const mails: Mail[] = [];
  const auths: string[] = [];
  const server = new SMTPServer({
    secure: mode === 'tls',
    key: pki.serverKey,
    cert: pki.serverCert,
    ...(opts.plain ? { disabledCommands: ['STARTTLS'], allowInsecureAuth: true } : {}),
    logger: false,
    onAuth(auth, _session, done) {
      auths.push(auth.username ?? '');
      if (auth.username === 'custos' && auth.password === 'smtp-pass-from-file') done(null, { user: 'custos' });
      else done(new Error('bad credentials'));
    },
    onData(stream, session, done) {
      let text = '';
      stream.on('data', (c: Buffer) => (text += c.toString()));
      stream.on('end', () => {
        mails.push({ to: session.envelope.rcptTo.map((r) => r.address), text, secure: session.secure, user: typeof session.user === 'string' ? session.user : undefined });
        done();
      });
    },
  });
  // A client refusing our certificate aborts the handshake: the server reports it as an error.
  server.on('error', () => undefined);
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const port = (server.server.address() as { port: number }).port;
  return { port, mails, auths, close: () => new Promise<void>((resolve) => server.close(() => resolve())) };
}

/** An HTTPS webhook receiver verifying each delivery; `fail` answers 500 to that many first requests. */
async function startReceiver(pki: TestPki, opts: { fail?: number } = {}): Promise<{ url: string; verdicts: string[]; requests: { headers: Record<string, string | string[] | undefined>; body: string }[]; server: Server; seen: Map<string, number>; close(): Promise<void> }> {
  const verdicts: string[] = [];
  const requests: { headers: Record<string, string | string[] | undefined>; body: string }[] = [];
  const seen = new Map<string, number>();
  let failures = opts.fail ?? 0;
  const server = createHttpsServer({ key: pki.serverKey, cert: pki.serverCert }, (req, res) => {
    let body = '';
    req.on('data', (c: Buffer) => (body += c.toString()));
    req.on('end', () => {
      if (failures > 0) {
        failures--;
        res.writeHead(500).end();
        return;
      }
      requests.push({ headers: req.headers, body });
      const verdict = verifyWebhook(hmacKey, req.headers, body, { nowMs: Date.now(), windowSec: 300, seen });
      verdicts.push(verdict);
      res.writeHead(verdict === 'ok' ? 204 : 401).end();
    });
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const port = (server.address() as { port: number }).port;
  return { url: `https://127.0.0.1:${port}/hook`, verdicts, requests, server, seen, close: () => new Promise<void>((resolve) => server.close(() => resolve())) };
}

describe('notifications over real SMTP and HTTPS', { concurrency: true }, () => {
  const defer = teardown({ after });
  let setup: Promise<{ pki: TestPki; dir: string; store: DeliveryStore }> | undefined;
  const ready = () =>
    (setup ??= (async () => {
      const dir = await tempDir('notify');
      defer(() => dir.remove());
      const pki = await makeTestPki(dir.path);
      await writeFile(join(dir.path, 'ca-file.pem'), pki.ca);
      await writeFile(join(dir.path, 'other-ca-file.pem'), pki.otherCa);
      await writeFile(join(dir.path, 'smtp-password'), 'smtp-pass-from-file\n', { mode: 0o600 });
      await writeFile(join(dir.path, 'hook-key'), `${hmacKey}\n`, { mode: 0o600 });
      const db = await createTestDatabase('sqlite');
      defer(() => db.close());
      return { pki, dir: dir.path, store: createDeliveryStore(db.db) };
    })());

  const notifierWith = (store: DeliveryStore, routes: NotificationRouteConfig[], channels: Channels, attempts = 3) => new Notifier({ routes, channels, store, clock, log, attempts, maxWaitMs: 300 });

  for (const mode of ['starttls', 'tls'] as const) {
    test(`e-mail is delivered over ${mode === 'tls' ? 'implicit TLS' : 'STARTTLS'} with the certificate verified against the CA file, authenticated with the password from its file`, async (t) => {
      const { pki, dir, store } = await ready();
      const smtp = await startSmtp(pki, mode);
      t.after(() => smtp.close());
      const email = await createEmailSender({ host: '127.0.0.1', port: smtp.port, security: mode, caFile: join(dir, 'ca-file.pem'), user: 'custos', passwordFile: join(dir, 'smtp-password'), from: 'custos@vms.example.eu', timeoutSeconds: 5 });
      t.after(() => email.close());
      const n = notice();
      const notifier = notifierWith(store, [route({ name: 'soc', email: ['soc@example.eu'] })], { email, webhook: null });
      assert.equal(notifier.notify(n), 1);
      await notifier.idle();
      assert.equal(smtp.mails.length, 1);
      const [mail] = smtp.mails;
      assert.deepEqual(mail?.to, ['soc@example.eu']);
      assert.equal(mail?.secure, true, 'the SMTP session was TLS');
      assert.equal(mail?.user, 'custos');
      assert.match(mail?.text ?? '', /Subject: \[Custos high\] Burst of account lockouts/);
      assert.match(mail?.text ?? '', new RegExp(n.id));
      const [logged] = await store.list(10, n.id);
      assert.equal(logged?.status, 'sent');
      assert.equal(logged?.attempts, 1);
      assert.equal(logged?.route, 'soc');
    });
  }

  test('a server certificate from another CA is refused: no mail, the delivery is logged failed after its attempts', async (t) => {
    const { pki, dir, store } = await ready();
    const smtp = await startSmtp(pki, 'tls');
    t.after(() => smtp.close());
    const email = await createEmailSender({ host: '127.0.0.1', port: smtp.port, security: 'tls', caFile: join(dir, 'other-ca-file.pem'), user: 'custos', passwordFile: join(dir, 'smtp-password'), from: 'custos@vms.example.eu', timeoutSeconds: 5 });
    t.after(() => email.close());
    const n = notice();
    const notifier = notifierWith(store, [route({ email: ['soc@example.eu'] })], { email, webhook: null }, 2);
    notifier.notify(n);
    await notifier.idle();
    assert.equal(smtp.mails.length, 0);
    assert.deepEqual(smtp.auths, [], 'no password was sent');
    const [logged] = await store.list(10, n.id);
    assert.equal(logged?.status, 'failed');
    assert.equal(logged?.attempts, 2);
    assert.match(logged?.lastError ?? '', /certificate/i);
  });

  test('a server that does not offer STARTTLS gets no mail and no password', async (t) => {
    const { pki, dir, store } = await ready();
    const smtp = await startSmtp(pki, 'starttls', { plain: true });
    t.after(() => smtp.close());
    const email = await createEmailSender({ host: '127.0.0.1', port: smtp.port, security: 'starttls', caFile: join(dir, 'ca-file.pem'), user: 'custos', passwordFile: join(dir, 'smtp-password'), from: 'custos@vms.example.eu', timeoutSeconds: 5 });
    t.after(() => email.close());
    const n = notice();
    const notifier = notifierWith(store, [route({ email: ['soc@example.eu'] })], { email, webhook: null }, 1);
    notifier.notify(n);
    await notifier.idle();
    assert.equal(smtp.mails.length, 0);
    assert.deepEqual(smtp.auths, []);
    assert.equal((await store.list(10, n.id))[0]?.status, 'failed');
  });

  test('a webhook delivery carries a valid HMAC over timestamp and body; a replay, a stale timestamp and a changed body are refused', async (t) => {
    const { pki, dir, store } = await ready();
    const receiver = await startReceiver(pki);
    t.after(() => receiver.close());
    const webhook = await createWebhookSender([{ name: 'siem', url: receiver.url, secretFile: join(dir, 'hook-key'), caFile: join(dir, 'ca-file.pem'), timeoutSeconds: 5 }], clock.now);
    const n = notice();
    const notifier = notifierWith(store, [route({ webhooks: ['siem'] })], { email: null, webhook }, 1);
    notifier.notify(n);
    await notifier.idle();
    assert.deepEqual(receiver.verdicts, ['ok']);
    const [first] = receiver.requests;
    assert.ok(first);
    assert.equal((JSON.parse(first.body) as { id: string }).id, n.id);
    assert.equal((await store.list(10, n.id))[0]?.status, 'sent');
    const now = Date.now();
    // The same request again (a replay inside the window).
    assert.equal(verifyWebhook(hmacKey, first.headers, first.body, { nowMs: now, windowSec: 300, seen: receiver.seen }), 'replayed');
    // Signed correctly, but ten minutes old.
    const old = Math.floor(now / 1000) - 600;
    assert.equal(verifyWebhook(hmacKey, { ...first.headers, 'custos-timestamp': String(old), 'custos-signature': signWebhook(hmacKey, old, first.body), 'custos-delivery': 'other' }, first.body, { nowMs: now, windowSec: 300, seen: new Map() }), 'stale');
    // One byte of the body changed.
    assert.equal(verifyWebhook(hmacKey, first.headers, first.body.replace('"high"', '"low" '), { nowMs: now, windowSec: 300, seen: new Map() }), 'bad-signature');
    // Signed with another key.
    assert.equal(verifyWebhook('x'.repeat(40), first.headers, first.body, { nowMs: now, windowSec: 300, seen: new Map() }), 'bad-signature');
  });

  test('a webhook that fails twice is retried with backoff and logged sent on the third attempt', async (t) => {
    const { pki, dir, store } = await ready();
    const receiver = await startReceiver(pki, { fail: 2 });
    t.after(() => receiver.close());
    const webhook = await createWebhookSender([{ name: 'siem', url: receiver.url, secretFile: join(dir, 'hook-key'), caFile: join(dir, 'ca-file.pem'), timeoutSeconds: 5 }], clock.now);
    const n = notice();
    const notifier = notifierWith(store, [route({ webhooks: ['siem'] })], { email: null, webhook }, 4);
    notifier.notify(n);
    await notifier.idle();
    const [logged] = await store.list(10, n.id);
    assert.equal(logged?.status, 'sent');
    assert.equal(logged?.attempts, 3);
    assert.match(logged?.lastError ?? '', /HTTP 500/);
    assert.deepEqual(receiver.verdicts, ['ok']);
  });
});

describe('routing by alarm type, site and severity', () => {
  const routes = [
    route({ name: 'site-a-tamper', types: ['camera-tamper'], sites: ['site-a'], email: ['a@example.eu'] }),
    route({ name: 'critical', minSeverity: 'critical', webhooks: ['pager'] }),
    route({ name: 'all-high', minSeverity: 'high', email: ['a@example.eu', 'soc@example.eu'] }),
  ];
  const cases: [string, Partial<Notice>, string[]][] = [
    ['a tamper alarm at site A goes to its route and to the high route, each recipient once', { type: 'camera-tamper', siteId: 'site-a', severity: 'high' }, ['site-a-tamper:email:a@example.eu', 'all-high:email:soc@example.eu']],
    ['a tamper alarm at site B skips the site A route', { type: 'camera-tamper', siteId: 'site-b', severity: 'high' }, ['all-high:email:a@example.eu', 'all-high:email:soc@example.eu']],
    ['a medium alarm matches only the untyped low route of site A when typed', { type: 'camera-tamper', siteId: 'site-a', severity: 'medium' }, ['site-a-tamper:email:a@example.eu']],
    ['a critical alarm of no site pages', { type: 'storage-fault', siteId: null, severity: 'critical' }, ['critical:webhook:pager', 'all-high:email:a@example.eu', 'all-high:email:soc@example.eu']],
    ['a low alarm elsewhere goes nowhere', { type: 'privilege-assigned', siteId: 'site-b', severity: 'low' }, []],
  ];
  for (const [name, over, expected] of cases) test(name, () => assert.deepEqual(targetsOf(routes, notice(over)).map((x) => `${x.route}:${x.channel}:${x.to}`), expected));
});
