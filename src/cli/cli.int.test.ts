import { test } from 'node:test';
import assert from 'node:assert/strict';
import { execFile } from 'node:child_process';
import { join } from 'node:path';
import { promisify } from 'node:util';
import { tempDir } from '../../test/helpers/harness.ts';

const run = promisify(execFile);
const cli = join(import.meta.dirname, '../../bin/custos.js');

async function custos(args: string[], input?: string): Promise<{ code: number; stdout: string; stderr: string }> {
  const child = run(process.execPath, [cli, ...args], { env: { PATH: process.env.PATH ?? '' } });
  if (input !== undefined) {
    child.child.stdin?.end(input);
  } else child.child.stdin?.end();
  try {
    const { stdout, stderr } = await child;
    return { code: 0, stdout, stderr };
  } catch (e) {
    const err = e as { code: number; stdout: string; stderr: string };
    return { code: err.code, stdout: err.stdout, stderr: err.stderr };
  }
}

test('every command answers --help', async () => {
  for (const args of [['--help'], ['serve', '--help'], ['camsim', '--help'], ['camera', '--help']]) {
    const r = await custos(args);
    assert.equal(r.code, 0, args.join(' '));
    assert.match(r.stdout, /Usage: custos/);
  }
});

test('cameras are added, listed without credentials, updated and removed from the CLI', async (t) => {
  const dir = await tempDir('cli');
  t.after(() => dir.remove());
  const added = await custos(['camera', 'add', '--data-dir', dir.path, '--name', 'Yard', '--url', 'rtsp://127.0.0.1:8554/cam1', '--username', 'viewer', '--password-stdin'], 'Pa55word!\n');
  assert.equal(added.code, 0, added.stderr);
  const id = added.stdout.trim();
  assert.match(id, /^[0-9a-f-]{36}$/);
  const listed = await custos(['camera', 'list', '--data-dir', dir.path, '--json']);
  assert.doesNotMatch(listed.stdout, /Pa55word|viewer/);
  assert.equal((JSON.parse(listed.stdout) as Array<{ hasCredentials: boolean }>)[0]?.hasCredentials, true);
  assert.equal((await custos(['camera', 'update', id, '--data-dir', dir.path, '--disable', '--retention-hours', '12', '--sub-stream-url', 'rtsp://127.0.0.1:8554/cam1-sub', '--record-audio'])).code, 0);
  const withSub = JSON.parse((await custos(['camera', 'list', '--data-dir', dir.path, '--json'])).stdout) as Array<{ subStreamUrl: string | null; recordAudio: boolean }>;
  assert.equal(withSub[0]?.subStreamUrl, 'rtsp://127.0.0.1:8554/cam1-sub');
  assert.equal(withSub[0]?.recordAudio, true);
  const elsewhere = await custos(['camera', 'update', id, '--data-dir', dir.path, '--sub-stream-url', 'rtsp://192.0.2.1/sub']);
  assert.equal(elsewhere.stderr, "custos camera: subStreamUrl must name the camera's own host: the camera's credentials go to no other host\n");
  assert.equal((await custos(['camera', 'update', id, '--data-dir', dir.path, '--no-sub-stream'])).code, 0);
  const table = await custos(['camera', 'list', '--data-dir', dir.path]);
  assert.match(table.stdout, /Yard\s+disabled\s+12h\s+plaintext/);
  assert.equal((await custos(['camera', 'remove', id, '--data-dir', dir.path])).code, 0);
  const again = await custos(['camera', 'remove', id, '--data-dir', dir.path]);
  assert.equal(again.code, 1);
  assert.equal(again.stderr, 'custos camera: camera not found\n');
});

test('bad input gets a one-line reason and a non-zero exit, never a stack trace', async (t) => {
  const dir = await tempDir('cli-bad');
  t.after(() => dir.remove());
  const cases: Array<[string[], RegExp]> = [
    [['camera', 'add', '--data-dir', dir.path, '--name', 'X', '--url', 'http://x/'], /^custos camera: camera URL scheme must be rtsp or rtsps, not http\n$/],
    [['camera', 'add', '--data-dir', dir.path, '--name', 'X'], /^custos camera: camera add needs --name and --url\n$/],
    [['camera', 'list', '--data-dir', dir.path, '--bogus'], /^custos camera: Unknown option '--bogus'/],
    [['nonsense'], /^custos: unknown command "nonsense"/],
  ];
  for (const [args, expected] of cases) {
    const r = await custos(args);
    assert.notEqual(r.code, 0, args.join(' '));
    assert.match(r.stderr, expected);
    assert.equal(r.stderr.split('\n').filter(Boolean).length, 1, r.stderr);
  }
  const env = await run(process.execPath, [cli, 'camera', 'list', '--data-dir', dir.path], { env: { PATH: process.env.PATH ?? '', CUSTOS_SERVER_PORT: 'eighty' } }).catch((e: { stderr: string; code: number }) => e);
  assert.equal((env as { code: number }).code, 2);
  assert.match((env as { stderr: string }).stderr, /^custos camera: config: server\.port: expected a number in CUSTOS_SERVER_PORT/);
});

test('camera update drops stored credentials when --url names another host, unless they are given again', async (t) => {
  const dir = await tempDir('cli-move');
  t.after(() => dir.remove());
  const added = await custos(['camera', 'add', '--data-dir', dir.path, '--name', 'Gate', '--url', 'rtsp://192.0.2.10/stream', '--username', 'admin', '--password-stdin', '--disabled'], 'cam-secret\n');
  assert.equal(added.code, 0, added.stderr);
  const id = added.stdout.trim();
  const credentials = async () => (JSON.parse((await custos(['camera', 'list', '--data-dir', dir.path, '--json'])).stdout) as Array<{ hasCredentials: boolean }>)[0]?.hasCredentials;
  assert.equal((await custos(['camera', 'update', id, '--data-dir', dir.path, '--url', 'rtsp://192.0.2.10:8554/other'])).code, 0);
  assert.equal(await credentials(), true, 'the same host keeps them');
  assert.equal((await custos(['camera', 'update', id, '--data-dir', dir.path, '--url', 'rtsp://attacker.example/stream'])).code, 0);
  assert.equal(await credentials(), false, 'another host does not inherit them');
  assert.equal((await custos(['camera', 'update', id, '--data-dir', dir.path, '--url', 'rtsp://192.0.2.11/stream', '--username', 'admin', '--password-stdin'], 'cam-secret\n')).code, 0);
  assert.equal(await credentials(), true, 'given again with the move, they are kept');
});

test('camera names with control characters are refused, and stored ones are listed escaped', async (t) => {
  const dir = await tempDir('cli-names');
  t.after(() => dir.remove());
  const refused = await custos(['camera', 'add', '--data-dir', dir.path, '--name', 'Gate\u001b[2J', '--url', 'rtsp://192.0.2.10/a', '--disabled']);
  assert.equal(refused.code, 2);
  assert.equal(refused.stderr, 'custos camera: camera name must not hold control characters\n');
  const added = await custos(['camera', 'add', '--data-dir', dir.path, '--name', 'Gate', '--url', 'rtsp://192.0.2.10/a', '--disabled']);
  assert.equal(added.code, 0, added.stderr);
  // A name written before the check (or straight into the database) reaches the terminal escaped.
  const { default: Database } = await import('better-sqlite3');
  const db = new Database(join(dir.path, 'custos.db'));
  db.prepare('UPDATE cameras SET name = ?').run('Gate\u001b[2J\u001b]0;owned\u0007\u009b31m\u202eevil');
  db.close();
  for (const args of [[], ['--json']]) {
    const listed = await custos(['camera', 'list', '--data-dir', dir.path, ...args]);
    assert.equal(listed.code, 0, listed.stderr);
    // eslint-disable-next-line no-control-regex
    assert.doesNotMatch(listed.stdout, /[\u0000-\u0009\u000b-\u001f\u007f-\u009f\u202e]/, `no active character in ${args.join(' ') || 'the table'}`);
    assert.match(listed.stdout, /Gate\\(x1b|u001b)\[2J/);
  }
  const json = await custos(['camera', 'list', '--data-dir', dir.path, '--json']);
  assert.equal((JSON.parse(json.stdout) as Array<{ name: string }>)[0]?.name, 'Gate\u001b[2J\u001b]0;owned\u0007\u009b31m\u202eevil', 'the JSON still parses to the stored name');
});

test('user and token names from the database are listed escaped (an identity provider chooses SSO user names)', async (t) => {
  const dir = await tempDir('cli-user-names');
  t.after(() => dir.remove());
  const added = await custos(['user', 'add', 'lena', '--role', 'viewer', '--data-dir', dir.path], 'quiet harbour fog over granite 7\n');
  assert.equal(added.code, 0, added.stderr);
  const token = await custos(['token', 'create', '--user', 'lena', '--name', 'ops', '--permission', 'camera.read', '--data-dir', dir.path]);
  assert.equal(token.code, 0, token.stderr);
  const hostile = 'lena\u001b[2J\u001b]0;owned\u0007\u009b31m\u202eevil';
  const { default: Database } = await import('better-sqlite3');
  const db = new Database(join(dir.path, 'custos.db'));
  db.prepare('UPDATE api_tokens SET name = ?').run(hostile);
  const tokens = await custos(['token', 'list', '--user', 'lena', '--data-dir', dir.path]);
  db.prepare('UPDATE users SET username = ?').run(hostile);
  db.close();
  const lists = [['token list', tokens], ...(await Promise.all([['user', 'list'], ['user', 'list', '--json']].map(async (args) => [args.join(' '), await custos([...args, '--data-dir', dir.path])] as const)))] as const;
  for (const [what, listed] of lists) {
    assert.equal(listed.code, 0, listed.stderr);
    // eslint-disable-next-line no-control-regex
    assert.doesNotMatch(listed.stdout, /[\u0000-\u0009\u000b-\u001f\u007f-\u009f\u202e]/, `no active character in ${what}`);
    assert.match(listed.stdout, /lena\\(x1b|u001b)\[2J/);
  }
  const json = await custos(['user', 'list', '--json', '--data-dir', dir.path]);
  assert.equal((JSON.parse(json.stdout) as Array<{ username: string }>)[0]?.username, hostile, 'the JSON still parses to the stored name');
});
