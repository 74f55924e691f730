/**
 * Process-level guard: an error inside a route or a background job MUST NOT take the server
 * down. A real `custos serve` child records camsim; the test damages one stored segment (a
 * flipped ciphertext byte) and deletes another's object, exports a range over both through the
 * HTTPS API, and checks the export ends (done, stating the damage, or failed cleanly) while the
 * process keeps running and recording.
 */
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { execFile, spawn } from 'node:child_process';
import { request } from 'node:https';
import { createWriteStream } from 'node:fs';
import { open, readdir, rm, stat } from 'node:fs/promises';
import { join, relative } from 'node:path';
import { promisify } from 'node:util';
import { startTestCamsim, tempDir, waitFor } from '../helpers/harness.ts';
import { openDatabase } from '../../src/db/database.ts';
import { teardown } from '../helpers/teardown.ts';

const run = promisify(execFile);
const cli = join(import.meta.dirname, '../../bin/custos.js');

async function custos(args: string[], input = ''): Promise<string> {
  const child = run(process.execPath, [cli, ...args], { env: { PATH: process.env.PATH ?? '' } });
  child.child.stdin?.end(input);
  return (await child).stdout;
}

async function files(root: string): Promise<string[]> {
  const out: string[] = [];
  for (const entry of await readdir(root, { recursive: true, withFileTypes: true }).catch(() => [])) {
    if (entry.isFile()) out.push(relative(root, join(entry.parentPath, entry.name)));
  }
  return out.sort();
}

/** One JSON request to the child's HTTPS API (self-signed certificate). */
function api(port: number, token: string, method: string, path: string, body?: unknown): Promise<{ status: number; json: Record<string, unknown> }> {
  return new Promise((resolve, reject) => {
    const payload = body === undefined ? undefined : JSON.stringify(body);
    const req = request(
      {
        host: '127.0.0.1',
        port,
        method,
        path,
        rejectUnauthorized: false,
        headers: { authorization: `Bearer ${token}`, ...(payload === undefined ? {} : { 'content-type': 'application/json' }) },
      },
      (res) => {
        let text = '';
        res.setEncoding('utf8').on('data', (d: string) => (text += d));
        res.on('end', () => resolve({ status: res.statusCode ?? 0, json: text ? (JSON.parse(text) as Record<string, unknown>) : {} }));
      },
    );
    req.on('error', reject);
    req.end(payload);
  });
}

test('an export over a damaged and a missing segment ends cleanly and the server keeps recording', async (t) => {
  const defer = teardown(t);
  const dir = await tempDir('job-errors');
  defer(() => dir.remove());
  const sim = await startTestCamsim({ cameras: 1 });
  defer(() => sim.close());
  const cameraId = (await custos(['camera', 'add', '--data-dir', dir.path, '--name', 'Gate', '--url', sim.urls[0]!])).trim();
  await custos(['user', 'add', 'ines', '--role', 'investigator', '--data-dir', dir.path], 'a long and unusual passphrase 7\n');
  const token = (await custos(['token', 'create', '--user', 'ines', '--name', 'test', '--permission', 'recording.export,camera.read', '--data-dir', dir.path])).trim().split(/\s+/).pop()!;

  const env = { ...process.env, CUSTOS_SERVER_PORT: '0', CUSTOS_RECORDING_SEGMENT_SECONDS: '2', CUSTOS_LOG_LEVEL: 'warn' };
  const child = spawn(process.execPath, [cli, 'serve', '--data-dir', dir.path], { env, stdio: ['ignore', 'pipe', 'pipe'] });
  defer(async () => {
    if (child.exitCode === null && child.signalCode === null) {
      child.kill('SIGTERM');
      await new Promise((done) => child.once('exit', done));
    }
  });
  let stderr = '';
  let stdout = '';
  child.stderr.on('data', (d: Buffer) => (stderr += d.toString()));
  child.stdout.on('data', (d: Buffer) => (stdout = (stdout + d.toString()).slice(-20_000)));
  const alive = () => child.exitCode === null && child.signalCode === null;
  const port = await waitFor('the server to listen', 60_000, () => {
    assert.ok(alive(), `serve exited: ${stderr}`);
    return Number(/Custos is up at https:\/\/[^:]+:(\d+)/.exec(stderr)?.[1] ?? 0);
  });

  // Three closed segments: the export covers the first three; the first is damaged, the second deleted.
  const closed = async () => {
    const { db } = await openDatabase({ url: null, dataDir: dir.path });
    try {
      return await db.selectFrom('segments').selectAll().where('camera_id', '=', cameraId).where('state', '=', 'closed').orderBy('start_ms').execute();
    } finally {
      await db.destroy();
    }
  };
  const rows = await waitFor('three closed segments', 60_000, async () => {
    const r = await closed();
    return r.length >= 3 ? r : null;
  });
  const [damaged, missing, intact] = rows as [(typeof rows)[0], (typeof rows)[0], (typeof rows)[0]];
  const damagedPath = join(dir.path, 'segments', damaged.object_key);
  const { size } = await stat(damagedPath);
  const fh = await open(damagedPath, 'r+');
  const at = Math.floor(size / 2);
  const byte = Buffer.alloc(1);
  await fh.read(byte, 0, 1, at);
  byte[0] = byte[0]! ^ 0xff;
  await fh.write(byte, 0, 1, at);
  await fh.close();
  await rm(join(dir.path, 'segments', missing.object_key));

  const created = await api(port, token, 'POST', '/api/v1/exports', {
    cameraId,
    from: new Date(damaged.start_ms).toISOString(),
    to: new Date(intact.end_ms).toISOString(),
    reason: 'fault injection',
    requestedFor: 'the test',
  });
  assert.equal(created.status, 202, JSON.stringify(created.json));
  const id = created.json.id as string;
  const job = await waitFor('the export to end', 120_000, async () => {
    assert.ok(alive(), `the server died during the export (code ${child.exitCode}, signal ${child.signalCode}): ${stderr}\n${stdout.slice(-3000)}`);
    const got = await api(port, token, 'GET', `/api/v1/exports/${id}`);
    return got.json.state === 'done' || got.json.state === 'failed' ? got.json : null;
  });
  // The intact footage is exported; the damaged and the missing spans are stated as gaps.
  assert.equal(job.state, 'done', `export ended ${String(job.state)}: ${String(job.error)}`);
  const { db } = await openDatabase({ url: null, dataDir: dir.path });
  const row = await db.selectFrom('exports').select('evidence').where('id', '=', id).executeTakeFirstOrThrow();
  await db.destroy();
  const evidence = JSON.parse(row.evidence ?? '{}') as { custody: string; leaves: Record<string, string> };
  const custody = JSON.parse(evidence.custody) as { gaps?: Array<{ from: string; to: string; reason: string }> };
  const reasons = (custody.gaps ?? []).map((g) => g.reason).join('; ');
  assert.match(reasons, /fails authentication/, 'the damaged chunk is a stated gap');
  assert.match(reasons, /object missing/, 'the deleted object is a stated gap');
  const missingGap = custody.gaps?.find((g) => g.reason.includes('object missing'));
  assert.ok(missingGap && Date.parse(missingGap.from) <= missing.start_ms + 1000 && Date.parse(missingGap.to) >= missing.end_ms - 1000, 'the missing segment is wholly a gap');
  const completion = Object.values(evidence.leaves).map((text) => JSON.parse(text) as { type: string; details: { damaged?: unknown[] } }).find((l) => l.type === 'footage.export.completed');
  assert.equal(completion?.details.damaged?.length, custody.gaps?.length, 'the ledger completion event names the damage');

  // The evidence package verifies offline, naming the stated gaps.
  const zipPath = join(dir.path, 'evidence.zip');
  await new Promise<void>((resolve, reject) => {
    request({ host: '127.0.0.1', port, path: `/api/v1/exports/${id}/evidence`, rejectUnauthorized: false, headers: { authorization: `Bearer ${token}` } }, (res) => {
      assert.equal(res.statusCode, 200);
      const out = createWriteStream(zipPath);
      res.pipe(out).on('finish', resolve).on('error', reject);
    })
      .on('error', reject)
      .end();
  });
  const vkey = (await custos(['audit', 'key', '--data-dir', dir.path])).trim();
  const verified = await custos(['export', 'verify', zipPath, '--key', vkey]);
  assert.match(verified, /except 2 stated gaps/);

  // Recording goes on after the export: new segments keep arriving from the same process.
  const before = (await files(join(dir.path, 'segments'))).length;
  await waitFor('two more segments after the export', 60_000, async () => {
    assert.ok(alive(), `the server died after the export: ${stderr}`);
    return (await files(join(dir.path, 'segments'))).length >= before + 2;
  });
  assert.ok(alive());
});
