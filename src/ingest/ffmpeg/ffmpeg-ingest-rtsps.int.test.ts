/**
 * The ffmpeg ingest over RTSPS against real ffmpeg and a real camsim serving TLS 1.3 with its
 * self-signed certificate on loopback: the certificate is verified in Node (TLS bridge), since
 * ffmpeg 5.1 passes no TLS options to its RTSPS connection.
 */
import assert from 'node:assert/strict';
import { spawn, spawnSync } from 'node:child_process';
import { mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { createServer } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { after, before, describe, test } from 'node:test';
import { startCamsim } from '../../../tools/camsim/camsim.ts';
import type { Camsim } from '../../../tools/camsim/camsim.ts';
import { isAppError } from '../../lib/errors.ts';
import { createFfmpegIngest } from './ffmpeg-ingest.ts';
import type { IngestLog } from './ffmpeg-ingest.ts';
import type { IngestTarget } from '../ingest.ts';
import type { FragmentPiece, MediaPiece } from '../../media/media.ts';

const cacheDir = join(tmpdir(), 'custos-camsim-test-cache');
const password = 'tls p@ss:1';

function memoryLog(): IngestLog & { lines: string[] } {
  const lines: string[] = [];
  return {
    lines,
    warn: (obj, msg) => lines.push(`warn ${JSON.stringify(obj)} ${msg}`),
    debug: (obj, msg) => lines.push(`debug ${JSON.stringify(obj)} ${msg}`),
  };
}

const ingestWith = (log: IngestLog) =>
  createFfmpegIngest({ ffmpegPath: '/usr/bin/ffmpeg', fragmentSeconds: 1, stallTimeoutMs: 5000, log, killGraceMs: 500, tlsConnectTimeoutMs: 3000 });

function openssl(args: string[], cwd: string): void {
  const r = spawnSync('openssl', args, { cwd });
  assert.equal(r.status, 0, r.stderr.toString());
}

/** A self-signed certificate for localhost/127.0.0.1 that camsim does not hold (openssl CLI). */
function otherCertificate(): string {
  const dir = mkdtempSync(join(tmpdir(), 'custos-rtsps-'));
  try {
    openssl(['req', '-x509', '-newkey', 'ec', '-pkeyopt', 'ec_paramgen_curve:P-256', '-nodes', '-keyout', 'k.pem',
      '-out', 'c.pem', '-days', '2', '-subj', '/CN=localhost', '-addext', 'subjectAltName=DNS:localhost,IP:127.0.0.1'], dir);
    return readFileSync(join(dir, 'c.pem'), 'utf8');
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
}

/** A CA and a camera certificate it signed for IP 127.0.0.1 only (openssl CLI). */
function caAndCamera(): { ca: string; cert: string; key: string } {
  const dir = mkdtempSync(join(tmpdir(), 'custos-rtsps-'));
  try {
    const ec = ['-newkey', 'ec', '-pkeyopt', 'ec_paramgen_curve:P-256', '-nodes'];
    openssl(['req', '-x509', ...ec, '-keyout', 'ca.key', '-out', 'ca.pem', '-days', '2', '-subj', '/CN=Custos test CA',
      '-addext', 'basicConstraints=critical,CA:TRUE', '-addext', 'keyUsage=critical,keyCertSign'], dir);
    openssl(['req', '-new', ...ec, '-keyout', 'cam.key', '-out', 'cam.csr', '-subj', '/CN=camera'], dir);
    writeFileSync(join(dir, 'ext.cnf'), 'subjectAltName=IP:127.0.0.1\nbasicConstraints=CA:FALSE\nextendedKeyUsage=serverAuth\n');
    openssl(['x509', '-req', '-in', 'cam.csr', '-CA', 'ca.pem', '-CAkey', 'ca.key', '-CAcreateserial', '-out', 'cam.pem',
      '-days', '2', '-extfile', 'ext.cnf'], dir);
    const read = (f: string): string => readFileSync(join(dir, f), 'utf8');
    return { ca: read('ca.pem'), cert: read('cam.pem'), key: read('cam.key') };
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
}

async function collect(target: IngestTarget, log: IngestLog, count: number): Promise<MediaPiece[]> {
  const pieces: MediaPiece[] = [];
  const ac = new AbortController();
  await ingestWith(log).run(target, (p) => {
    pieces.push(p);
    if (pieces.length === count) ac.abort();
  }, ac.signal);
  return pieces;
}

describe('ffmpeg ingest over RTSPS against camsim', () => {
  let sim: Camsim;
  let target: IngestTarget;
  before(async () => {
    sim = await startCamsim({ cameras: 1, port: 0, profile: 'small', cacheDir, username: 'alice', password, tls: 'self-signed' });
    assert.ok(sim.certificatePem !== null);
    target = { cameraId: 'cam-tls', url: sim.urls[0] as string, username: 'alice', password, tlsCaPem: sim.certificatePem };
  });
  after(() => sim.close());

  test('with the camera certificate pinned, an init and key-framed fragments arrive', { timeout: 30_000 }, async () => {
    const log = memoryLog();
    assert.match(target.url, /^rtsps:\/\/127\.0\.0\.1:\d+\/cam1$/);
    const pieces = await collect(target, log, 4);
    assert.equal(pieces[0]?.kind, 'init');
    const fragments = pieces.slice(1) as FragmentPiece[];
    assert.ok(fragments.length >= 2 && fragments.every((f) => f.kind === 'fragment' && f.sampleCount > 0));
    assert.equal(fragments[0]?.keyframe, true);
    assert.ok(log.lines.every((l) => !l.includes('p@ss') && !l.includes('p%40ss')));
  });

  test('a different certificate pinned rejects quickly with CAMERA_UNREACHABLE naming the certificate', { timeout: 15_000 }, async () => {
    const log = memoryLog();
    const started = Date.now();
    await assert.rejects(ingestWith(log).run({ ...target, tlsCaPem: otherCertificate() }, () => assert.fail('no piece may arrive'), new AbortController().signal), (e) => {
      assert.ok(isAppError(e, 'CAMERA_UNREACHABLE'));
      assert.match(e.message, /^TLS certificate verification failed: .*certificate/);
      assert.ok(!e.message.includes('p@ss'));
      return true;
    });
    assert.ok(Date.now() - started < 3000, 'no ffmpeg is started for an unverified camera');
  });

  test('without a CA the system store is used, which does not trust a self-signed camera', { timeout: 15_000 }, async () => {
    await assert.rejects(ingestWith(memoryLog()).run({ ...target, tlsCaPem: null }, () => undefined, new AbortController().signal), (e) =>
      isAppError(e, 'CAMERA_UNREACHABLE') && /^TLS certificate verification failed: self-signed certificate/.test(e.message));
  });

  test('a pinned certificate is accepted whatever host name or IP it was reached under', { timeout: 30_000 }, async () => {
    const alias = await startCamsim({ cameras: 1, port: 0, host: '0.0.0.0', profile: 'small', cacheDir, tls: 'self-signed' });
    try {
      const url = alias.urls[0]?.replace('0.0.0.0', '127.0.0.2') ?? '';
      const pieces = await collect({ ...target, url, username: null, password: null }, memoryLog(), 2);
      assert.equal(pieces[0]?.kind, 'init');
    } finally {
      await alias.close();
    }
  });

  test('ffmpeg 5.1 itself ignores -tls_verify and -ca_file on rtsps:// (why the ingest verifies in Node)', { timeout: 20_000 }, async () => {
    const dir = mkdtempSync(join(tmpdir(), 'custos-rtsps-'));
    try {
      writeFileSync(join(dir, 'wrong.pem'), otherCertificate());
      // Asynchronous: camsim runs in this process and must keep serving.
      const child = spawn('ffprobe', ['-v', 'error', '-rtsp_transport', 'tcp', '-tls_verify', '1', '-ca_file', join(dir, 'wrong.pem'),
        '-show_entries', 'stream=codec_name', '-of', 'csv=p=0', target.url.replace('rtsps://', 'rtsps://alice:tls%20p%40ss%3A1@')],
      { stdio: ['ignore', 'pipe', 'pipe'] });
      let out = '';
      child.stdout.on('data', (b: Buffer) => { out += b.toString(); });
      child.stderr.on('data', (b: Buffer) => { out += b.toString(); });
      const code = await new Promise((resolve) => child.on('close', resolve));
      // If this starts failing, ffmpeg verifies RTSPS by itself now and the TLS bridge can go.
      assert.equal(code, 0, out);
      assert.equal(out.trim(), 'h264');
    } finally {
      rmSync(dir, { recursive: true, force: true });
    }
  });

  test('aborting while the TLS handshake is pending resolves the run', { timeout: 15_000 }, async () => {
    const silent = createServer(() => undefined);
    await new Promise<void>((resolve) => silent.listen(0, '127.0.0.1', resolve));
    try {
      const ac = new AbortController();
      setTimeout(() => ac.abort(), 200);
      const { port } = silent.address() as { port: number };
      await ingestWith(memoryLog()).run({ ...target, url: `rtsps://127.0.0.1:${port}/x` }, () => undefined, ac.signal);
    } finally {
      silent.close();
    }
  });
});

describe('ffmpeg ingest over RTSPS with a camera certificate signed by a CA', () => {
  let sim: Camsim;
  let ca: string;
  before(async () => {
    const made = caAndCamera();
    ca = made.ca;
    sim = await startCamsim({ cameras: 1, port: 0, host: '0.0.0.0', profile: 'small', cacheDir, tls: { cert: made.cert, key: made.key } });
  });
  after(() => sim.close());
  const urlVia = (ip: string): string => (sim.urls[0] as string).replace('0.0.0.0', ip);

  test('the chain to the configured CA and the IP SAN verify, and pieces arrive', { timeout: 30_000 }, async () => {
    const pieces = await collect({ cameraId: 'cam-ca', url: urlVia('127.0.0.1'), username: null, password: null, tlsCaPem: ca }, memoryLog(), 3);
    assert.equal(pieces[0]?.kind, 'init');
    assert.equal(pieces[1]?.kind, 'fragment');
  });

  test('the same certificate reached under an IP it does not name is refused', { timeout: 15_000 }, async () => {
    const target = { cameraId: 'cam-ca', url: urlVia('127.0.0.2'), username: null, password: null, tlsCaPem: ca };
    await assert.rejects(ingestWith(memoryLog()).run(target, () => assert.fail('no piece may arrive'), new AbortController().signal), (e) => {
      assert.ok(isAppError(e, 'CAMERA_UNREACHABLE'));
      assert.match(e.message, /^TLS certificate verification failed: the host name or IP is not in the certificate \(ERR_TLS_CERT_ALTNAME_INVALID\)$/);
      return true;
    });
  });

  test('a CA that did not sign the camera certificate is refused', { timeout: 15_000 }, async () => {
    const target = { cameraId: 'cam-ca', url: urlVia('127.0.0.1'), username: null, password: null, tlsCaPem: otherCertificate() };
    await assert.rejects(ingestWith(memoryLog()).run(target, () => undefined, new AbortController().signal), (e) =>
      isAppError(e, 'CAMERA_UNREACHABLE') && /^TLS certificate verification failed: .*certificate/.test(e.message));
  });
});
