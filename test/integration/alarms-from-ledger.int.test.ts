/**
 * The alarm rules evaluate the committed ledger, not one process's events (issue 13): what a CLI
 * command commits while the server runs is alarmed by the server, and a restart resumes with the
 * windows and the position it stopped at (no empty windows, no old alarm raised again, the events
 * committed while it was down alarmed).
 */
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { spawn } from 'node:child_process';
import { join } from 'node:path';
import { startTestApp, tempDir, waitFor } from '../helpers/harness.ts';
import { teardown } from '../helpers/teardown.ts';
import { openDatabase } from '../../src/db/database.ts';
import { loadConfig } from '../../src/config/load.ts';
import { openCore } from '../../src/core.ts';
import type { AuditInput } from '../../src/audit/audit-event.ts';

const cli = join(import.meta.dirname, '../../bin/custos.js');

/** Runs the CLI with `stdin` to its end: exit code and output. */
async function custos(args: string[], stdin: string): Promise<{ code: number | null; stdout: string; stderr: string }> {
  const child = spawn(process.execPath, [cli, ...args], { env: { ...process.env, CUSTOS_LOG_LEVEL: 'warn' }, stdio: ['pipe', 'pipe', 'pipe'] });
  let stdout = '';
  let stderr = '';
  child.stdout.on('data', (d: Buffer) => (stdout += d.toString()));
  child.stderr.on('data', (d: Buffer) => (stderr += d.toString()));
  child.stdin.end(stdin);
  const timer = setTimeout(() => child.kill('SIGKILL'), 60_000);
  const code = await new Promise<number | null>((done) => child.once('exit', (c) => done(c)));
  clearTimeout(timer);
  return { code, stdout, stderr };
}

/** Every committed `alarm.raised` of the data directory: rule and the leaves that triggered it. */
async function alarmsIn(dataDir: string): Promise<{ rule: string; triggeredBy: number[] }[]> {
  const { db } = await openDatabase({ url: null, dataDir });
  try {
    const rows = await db.selectFrom('audit_events').select('record').where('type', '=', 'alarm.raised').orderBy('seq').execute();
    return rows.map((r) => (JSON.parse(r.record) as { details: { rule: string; triggeredBy: number[] } }).details);
  } finally {
    await db.destroy();
  }
}

/** Records events as another process would: its own core and ledger on the same data directory. */
async function recordElsewhere(dataDir: string, inputs: readonly AuditInput[]): Promise<number[]> {
  const core = await openCore(await loadConfig({ file: null, env: {}, overrides: { dataDir } }));
  try {
    const ledger = await core.ledger();
    const seqs: number[] = [];
    for (const input of inputs) seqs.push((await ledger.record(input)).seq);
    return seqs;
  } finally {
    await core.close();
  }
}

const lockout = (user: string): AuditInput => ({
  type: 'auth.lockout',
  actor: { kind: 'anonymous', id: 'anonymous' },
  target: { kind: 'user', id: `user:${user}` },
  outcome: 'success',
  reason: 'failed logins from one address reached the limit',
  details: { scope: 'account-and-address' },
});

test('an administrator added by a CLI process while the server runs raises the privilege-assigned alarm in the server', async (t) => {
  const defer = teardown(t);
  const dir = await tempDir('alarms-cli');
  defer(() => dir.remove());
  const app = await startTestApp(dir.path);
  defer(() => app.close());

  const added = await custos(['user', 'add', 'root-by-cli', '--role', 'admin', '--data-dir', dir.path], 'a long enough password for the cli 1');
  assert.equal(added.code, 0, added.stderr);
  const userId = added.stdout.trim();
  const { db } = await openDatabase({ url: null, dataDir: dir.path });
  const grant = await db.selectFrom('audit_events').select('seq').where('type', '=', 'access.grant.created').where('target_id', '=', `user:${userId}`).executeTakeFirstOrThrow();
  await db.destroy();

  const alarms = await waitFor('the privilege-assigned alarm of the grant the CLI made', 20_000, async () => {
    const found = (await alarmsIn(dir.path)).filter((a) => a.rule === 'privilege-assigned' && a.triggeredBy.includes(Number(grant.seq)));
    return found.length > 0 ? found : null;
  });
  assert.equal(alarms.length, 1, 'raised once');
});

test('after a restart the rules resume where they stopped: windows kept, old alarms not raised again, events committed while down alarmed', async (t) => {
  const defer = teardown(t);
  const dir = await tempDir('alarms-restart');
  defer(() => dir.remove());
  const first = await startTestApp(dir.path);
  let firstClosed = false;
  defer(() => (firstClosed ? undefined : first.close()));

  // Two lockouts (the burst needs three within 15 minutes) and a reset, from another process.
  const [, , reset] = await recordElsewhere(dir.path, [
    lockout('a'),
    lockout('b'),
    { type: 'account.reset', actor: { kind: 'cli', id: 'cli:root' }, target: { kind: 'user', id: 'user:c' }, outcome: 'success', details: { password: true } },
  ]);
  await waitFor('the account-reset alarm', 20_000, async () => (await alarmsIn(dir.path)).some((a) => a.rule === 'account-reset' && a.triggeredBy.includes(reset!)));
  assert.ok(!(await alarmsIn(dir.path)).some((a) => a.rule === 'lockouts-burst'), 'two lockouts are no burst');
  firstClosed = true;
  await first.close();

  // The third lockout while no server runs.
  const [third] = await recordElsewhere(dir.path, [lockout('d')]);
  const second = await startTestApp(dir.path);
  defer(() => second.close());
  const burst = await waitFor('the lockouts-burst alarm after the restart', 20_000, async () => (await alarmsIn(dir.path)).find((a) => a.rule === 'lockouts-burst'));
  assert.equal(burst.triggeredBy.length, 3, 'the two lockouts before the restart are still in the window');
  assert.ok(burst.triggeredBy.includes(third!));
  await second.ledger.drain();
  const resets = (await alarmsIn(dir.path)).filter((a) => a.rule === 'account-reset');
  assert.equal(resets.length, 1, 'the reset alarmed before the restart is not alarmed again');
});
