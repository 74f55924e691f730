/**
 * camsim serving RTSPS (TLS 1.3 only) with its cached self-signed certificate, against real
 * clients: ffprobe and the openssl CLI. Needs ffprobe and openssl on PATH.
 *
 * ffmpeg 5.1 passes no TLS options to its RTSPS connection (see src/ingest/ffmpeg/ffmpeg-args.ts), so
 * ffprobe here reads the stream without verifying; the certificate is verified by openssl.
 */
import assert from 'node:assert/strict';
import { spawn } from 'node:child_process';
import { X509Certificate } from 'node:crypto';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { after, before, describe, it } from 'node:test';
import type { Camsim } from './camsim.ts';
import { startCamsim } from './camsim.ts';

const cacheDir = join(tmpdir(), 'custos-camsim-test-cache');

function run(cmd: string, args: string[]): Promise<{ code: number | null; stdout: string; stderr: string }> {
  return new Promise((resolve, reject) => {
    const child = spawn(cmd, args, { stdio: ['pipe', 'pipe', 'pipe'] });
    let stdout = '';
    let stderr = '';
    child.stdout.on('data', (b: Buffer) => { stdout += b.toString(); });
    child.stderr.on('data', (b: Buffer) => { stderr += b.toString(); });
    child.stdin.end();
    child.on('error', reject);
    child.on('close', (code) => resolve({ code, stdout, stderr }));
  });
}

describe('camsim over TLS', () => {
  let sim: Camsim;
  let dir: string;
  let certFile: string;
  before(async () => {
    sim = await startCamsim({ cameras: 2, port: 0, profile: 'small', cacheDir, tls: 'self-signed' });
    dir = mkdtempSync(join(tmpdir(), 'custos-camsim-tls-'));
    certFile = join(dir, 'camsim.pem');
    writeFileSync(certFile, sim.certificatePem ?? '');
  });
  after(async () => {
    await sim.close();
    rmSync(dir, { recursive: true, force: true });
  });

  const sClient = (version: '-tls1_2' | '-tls1_3') =>
    run('openssl', ['s_client', '-connect', `127.0.0.1:${sim.port}`, version, '-CAfile', certFile,
      '-verify_return_error', '-verify_ip', '127.0.0.1', '-brief']);

  it('serves rtsps:// URLs and exposes an ECDSA certificate for localhost and 127.0.0.1', () => {
    assert.deepEqual(sim.urls, [1, 2].map((k) => `rtsps://127.0.0.1:${sim.port}/cam${k}`));
    const cert = new X509Certificate(sim.certificatePem ?? '');
    assert.equal(cert.publicKey.asymmetricKeyType, 'ec');
    assert.ok(cert.checkHost('localhost') !== undefined && cert.checkIP('127.0.0.1') !== undefined);
    assert.ok(cert.verify(cert.publicKey), 'self-signed');
  });

  it('reuses the cached certificate on the next start, so a pinned copy stays valid', async () => {
    const again = await startCamsim({ cameras: 1, port: 0, profile: 'small', cacheDir, tls: 'self-signed' });
    try {
      assert.equal(again.certificatePem, sim.certificatePem);
    } finally {
      await again.close();
    }
  });

  it('lets ffprobe read H.264 640x360 over RTSPS', { timeout: 20_000 }, async () => {
    const r = await run('ffprobe', ['-v', 'error', '-rtsp_transport', 'tcp', '-show_entries', 'stream=codec_name,width,height',
      '-of', 'json', sim.urls[1] ?? '']);
    assert.equal(r.stderr, '');
    assert.equal(r.code, 0);
    assert.deepEqual((JSON.parse(r.stdout) as { streams: unknown[] }).streams, [{ codec_name: 'h264', width: 640, height: 360 }]);
  });

  it('completes a TLS 1.3 handshake whose certificate verifies against itself for IP 127.0.0.1', { timeout: 10_000 }, async () => {
    const r = await sClient('-tls1_3');
    assert.equal(r.code, 0, r.stderr);
    assert.match(r.stderr, /Protocol version: TLSv1\.3/);
    assert.match(r.stderr, /Verification: OK/);
  });

  it('refuses a TLS 1.2 client', { timeout: 10_000 }, async () => {
    const r = await sClient('-tls1_2');
    assert.notEqual(r.code, 0);
    assert.match(r.stderr, /alert protocol version|handshake failure|no protocols available/i);
  });
});

describe('camsim without TLS', () => {
  it('keeps serving plain rtsp:// with no certificate', async () => {
    const sim = await startCamsim({ cameras: 1, port: 0, profile: 'small', cacheDir });
    try {
      assert.equal(sim.certificatePem, null);
      assert.match(sim.urls[0] ?? '', /^rtsp:\/\//);
    } finally {
      await sim.close();
    }
  });
});
