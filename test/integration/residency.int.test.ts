/**
 * Residency (issue 14 item 7) with real parts: a real `custos serve` process refuses to start, in
 * one line naming it, when a location (here an OIDC provider) is declared in US while
 * `residency.allowed` is [EU], and touches nothing; a real recording's report (API and CLI)
 * lists every location; `residency.configured` is recorded when the configuration changes and
 * only then.
 */
import { describe, test } from 'node:test';
import assert from 'node:assert/strict';
import { execFile } from 'node:child_process';
import { access, writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { promisify } from 'node:util';
import { openDatabase } from '../../src/db/database.ts';
import type { ResidencyReport } from '../../src/residency/residency-report.ts';
import { startTestApp, startTestCamsim, tempDir, waitFor } from '../helpers/harness.ts';
import { testPrincipal } from '../helpers/access.ts';
import { testActor } from '../helpers/audit.ts';
import { teardown } from '../helpers/teardown.ts';

const run = promisify(execFile);
const cli = join(import.meta.dirname, '../../bin/custos.js');
const env = { PATH: process.env.PATH ?? '' };

describe('residency', { concurrency: true }, () => {
  test('custos serve with an OIDC provider in US and residency.allowed [EU] refuses to start in one line naming it, and creates nothing', async (t) => {
    const defer = teardown(t);
    const dir = await tempDir('residency-refuse');
    defer(() => dir.remove());
    const config = join(dir.path, 'custos.yaml');
    const dataDir = join(dir.path, 'data');
    await writeFile(
      config,
      [
        `dataDir: ${dataDir}`,
        'server: { port: 0 }',
        'residency: { allowed: [EU], dataDir: DE }',
        'identity:',
        '  oidc:',
        '    - { id: corp, name: Corp, issuer: "https://login.example.com/t", clientId: custos, jurisdiction: US }',
      ].join('\n'),
    );
    const result = await run(process.execPath, [cli, 'serve', '--config', config], { env, timeout: 30_000 }).then(
      (r) => ({ code: 0, stdout: r.stdout, stderr: r.stderr }),
      (e: { code: number; stdout: string; stderr: string }) => ({ code: e.code, stdout: e.stdout, stderr: e.stderr }),
    );
    assert.equal(result.code, 1, result.stderr);
    const lines = result.stderr.trim().split('\n');
    assert.equal(lines.length, 1, result.stderr);
    assert.equal(lines[0], 'custos serve: RESIDENCY_REFUSED: residency: identity provider oidc:corp is in US, outside residency.allowed [EU] (identity.oidc[0].jurisdiction)');
    await assert.rejects(access(dataDir), /ENOENT/, 'the data directory was not even created');
    // The same check without starting anything.
    const check = await run(process.execPath, [cli, 'residency', 'check', '--config', config], { env }).then(
      () => ({ code: 0, stderr: '' }),
      (e: { code: number; stderr: string }) => ({ code: e.code, stderr: e.stderr }),
    );
    assert.equal(check.code, 1);
    assert.match(check.stderr, /^custos residency: RESIDENCY_REFUSED: .*oidc:corp is in US/);
  });

  test('the report of a real recording lists where its footage, keys, database and audit log are (API and CLI), and residency.configured is recorded when the configuration changes, only then', async (t) => {
    const defer = teardown(t);
    const dir = await tempDir('residency-report');
    defer(() => dir.remove());
    const sim = await startTestCamsim({ cameras: 1 });
    defer(() => sim.close());
    const residency = { 'residency.allowed': ['EU'], 'residency.dataDir': 'DE' };
    const app = await startTestApp(dir.path, { ...residency, 'recording.segmentSeconds': 2 });
    let open = true;
    defer(async () => {
      if (open) await app.close();
    });
    const camera = await app.cameras.add({ name: 'Gate', url: sim.urls[0]! }, testActor);
    await waitFor('a closed segment', 30_000, async () => (await app.playback.segments(camera.id, 0, Number.MAX_SAFE_INTEGER)).some((s) => s.state === 'closed'));
    const auditor = await testPrincipal(app, { roles: ['auditor'] });
    const res = await auditor.inject({ method: 'GET', url: '/api/v1/residency/report' });
    assert.equal(res.statusCode, 200, res.body);
    const report = JSON.parse(res.body) as ResidencyReport;
    assert.deepEqual([report.enforced, report.allowed, report.violations], [true, ['EU'], []]);
    const gate = report.cameras.find((c) => c.id === camera.id);
    assert.equal(gate?.footage.length, 1);
    assert.deepEqual([gate?.footage[0]?.zone, gate?.footage[0]?.kind, gate?.footage[0]?.jurisdiction], ['default', 'storage-zone', 'DE']);
    assert.ok((gate?.footage[0]?.segments ?? 0) >= 1 && (gate?.footage[0]?.bytes ?? 0) > 0);
    assert.deepEqual([gate?.keys.masterKey.id, gate?.keys.masterKey.jurisdiction, gate?.keys.dataKeys.id, gate?.keys.dataKeys.jurisdiction], ['file', 'DE', 'sqlite', 'DE']);
    assert.deepEqual([report.database.id, report.database.jurisdiction, report.auditLog.kind, report.auditLog.jurisdiction], ['sqlite', 'DE', 'audit-log', 'DE']);
    assert.deepEqual(report.outbound, []);
    assert.ok(report.locations.every((l) => l.allowed === true));
    const viewer = await testPrincipal(app, { roles: ['viewer'] });
    assert.equal((await viewer.inject({ method: 'GET', url: '/api/v1/residency/report' })).statusCode, 403, 'audit.read is required');
    await app.cameras.update(camera.id, { enabled: false }, testActor);
    await app.recorder.reconcile();
    const segments = await app.playback.segments(camera.id, 0, Number.MAX_SAFE_INTEGER);
    open = false;
    await app.close();

    // The CLI gives the same answer from the database, offline.
    const cliOut = await run(process.execPath, [cli, 'residency', 'report', '--json', '--data-dir', dir.path], { env: { ...env, CUSTOS_RESIDENCY_ALLOWED: 'EU', CUSTOS_RESIDENCY_DATA_DIR: 'DE' } });
    const offline = JSON.parse(cliOut.stdout) as ResidencyReport;
    const gateOffline = offline.cameras.find((c) => c.id === camera.id);
    assert.equal(gateOffline?.footage[0]?.segments, segments.length, 'every segment of the recording is counted where it is');
    assert.equal(gateOffline?.footage[0]?.jurisdiction, 'DE');
    const text = await run(process.execPath, [cli, 'residency', 'report', '--data-dir', dir.path], { env: { ...env, CUSTOS_RESIDENCY_DATA_DIR: 'DE' } });
    assert.match(text.stdout, /Gate \(/);
    assert.match(text.stdout, /footage: zone default \(storage-zone\) in DE: \d+ segments/);

    // Restart with the same residency: no new event; with another jurisdiction: one more.
    const again = await startTestApp(dir.path, residency);
    await again.close();
    const moved = await startTestApp(dir.path, { ...residency, 'residency.dataDir': 'FR' });
    await moved.close();
    const { db } = await openDatabase({ url: null, dataDir: dir.path });
    try {
      const rows = await db.selectFrom('audit_events').select('record').where('type', '=', 'residency.configured').orderBy('seq').execute();
      const details = rows.map((r) => (JSON.parse(r.record) as { details: { hash: string; previousHash: string | null; locations: { id: string; jurisdiction: string }[] } }).details);
      assert.equal(details.length, 2, 'one event for the first start, one for the change, none for the unchanged restart');
      assert.equal(details[0]?.previousHash, null);
      assert.equal(details[1]?.previousHash, details[0]?.hash);
      assert.equal(details[1]?.locations.find((l) => l.id === 'local')?.jurisdiction, 'FR');
    } finally {
      await db.destroy();
    }
  });
});
