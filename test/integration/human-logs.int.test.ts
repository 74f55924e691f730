/**
 * Human logs (issue 19 item 10): with `log.format: pretty` every event is one human line, with
 * the same redaction as the JSON form; request lines are at debug unless `log.requests: info`.
 * Real: the app over its real route table (inject), SQLite, login with a password, a bearer
 * token, a camera whose URL carries a password (recording disabled, so no ingest runs).
 */
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { startApp } from '../../src/app.ts';
import { loadConfig } from '../../src/config/load.ts';
import { createLogger, logFormatFor, type LogFormat } from '../../src/lib/logger.ts';
import { memoryLog, tempDir } from '../helpers/harness.ts';
import { strongPassword, testPrincipal } from '../helpers/access.ts';
import { testActor } from '../helpers/audit.ts';
import { BrowserSession } from '../helpers/login.ts';
import { teardown, type Defer } from '../helpers/teardown.ts';

const cameraPassword = 'Cam-pass-7781';

/** Runs a small session against an app logging at `level` in `format`; returns the log lines and the secrets used. */
async function session(defer: Defer, level: string, format: LogFormat, requests: 'debug' | 'info') {
  const dir = await tempDir('human-logs');
  defer(() => dir.remove());
  const { lines, destination } = memoryLog();
  const config = await loadConfig({ file: null, env: {}, overrides: { dataDir: dir.path, 'server.port': 0, 'log.requests': requests } });
  const app = await startApp(config, { logger: createLogger({ level, destination, format }) });
  defer(() => app.close());
  const password = strongPassword();
  const user = await app.identity.users.create({ username: 'lena', password }, testActor);
  await app.identity.grants.grant(user, { role: 'viewer', scope: 'global' }, { audit: testActor, userId: null });
  const browser = new BrowserSession(app);
  await browser.attempt('lena', 'a-wrong-password-for-the-log');
  await browser.login('lena', password);
  await browser.send('GET', '/api/v1/cameras');
  const admin = await testPrincipal(app, { roles: ['admin'] });
  await admin.inject({ method: 'POST', url: '/api/v1/cameras', payload: { name: 'Yard', url: `rtsp://root:${cameraPassword}@127.0.0.1:9/yard`, enabled: false } });
  await admin.inject({ method: 'GET', url: '/api/v1/cameras' });
  return { lines: lines.join('').split('\n').filter((l) => l !== ''), secrets: { password, wrong: 'a-wrong-password-for-the-log', session: browser.sessionToken!, csrf: browser.csrfToken!, token: admin.token, cameraPassword } };
}

test('pretty logs: one human line per event, request lines at debug, no secret in any line', async (t) => {
  const defer = teardown(t);
  const { lines, secrets } = await session(defer, 'debug', 'pretty', 'debug');
  assert.ok(lines.length > 5, 'the log was written');
  for (const line of lines) {
    assert.match(line, /^\d{2}:\d{2}:\d{2}\.\d{3} (TRACE|DEBUG|INFO |WARN |ERROR|FATAL) /, `a human line: ${line}`);
    assert.ok(!line.includes('\u001b['), 'no colours when the destination is not a terminal');
  }
  const requests = lines.filter((l) => l.includes(' request completed '));
  assert.ok(requests.length >= 4, 'each request is one line');
  assert.ok(requests.every((l) => /^\S+ DEBUG request completed /.test(l)), 'request lines are at debug');
  assert.ok(requests.some((l) => / req="GET \/api\/v1\/cameras from [^"]+" status=200 ms=\d+/.test(l)), 'a request line names the method, route, client, status and time');
  const log = lines.join('\n');
  for (const [what, value] of Object.entries(secrets)) assert.ok(!log.includes(value), `the ${what} is not in the log`);
});

test('at info, request lines are left out unless log.requests is info; JSON stays JSON', async (t) => {
  const defer = teardown(t);
  const quiet = await session(defer, 'info', 'json', 'debug');
  assert.ok(quiet.lines.length > 0);
  for (const line of quiet.lines) assert.doesNotThrow(() => JSON.parse(line), 'JSON lines');
  assert.equal(quiet.lines.filter((l) => l.includes('request completed')).length, 0, 'no request lines at info');
  const loud = await session(defer, 'info', 'json', 'info');
  const requests = loud.lines.map((l) => JSON.parse(l) as { msg: string; level: number; status?: number }).filter((r) => r.msg === 'request completed');
  assert.ok(requests.length >= 4 && requests.every((r) => r.level === 30 && typeof r.status === 'number'), 'log.requests: info logs each request at info');
  const log = loud.lines.join('\n');
  for (const [what, value] of Object.entries(loud.secrets)) assert.ok(!log.includes(value), `the ${what} is not in the log`);
});

test('log.format auto is pretty on a terminal and JSON elsewhere', () => {
  assert.equal(logFormatFor('auto', { isTTY: true }), 'pretty');
  assert.equal(logFormatFor('auto', {}), 'json');
  assert.equal(logFormatFor('json', { isTTY: true }), 'json');
  assert.equal(logFormatFor('pretty', {}), 'pretty');
});
