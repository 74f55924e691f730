/**
 * The ffmpeg ingest against real ffmpeg and a real RTSP server (tools/camsim, small profile,
 * Digest auth) on loopback; failure paths against a closed port and a silent TCP server.
 */
import assert from 'node:assert/strict';
import { createServer } from 'node:net';
import type { Server, Socket } from 'node:net';
import { readdirSync, readFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { after, before, describe, test } from 'node:test';
import { startCamsim } from '../../../tools/camsim/camsim.ts';
import type { Camsim } from '../../../tools/camsim/camsim.ts';
import { AppError, isAppError } from '../../lib/errors.ts';
import { createFfmpegIngest } from './ffmpeg-ingest.ts';
import type { IngestLog } from './ffmpeg-ingest.ts';
import type { IngestTarget } from '../ingest.ts';
import type { FragmentPiece, MediaPiece } from '../../media/media.ts';

const cacheDir = join(tmpdir(), 'custos-camsim-test-cache');
const password = 'p@ss word:1';

/** A log that records every line, so tests can check that no secret reached it. */
function memoryLog(): IngestLog & { lines: string[] } {
  const lines: string[] = [];
  return {
    lines,
    warn: (obj, msg) => lines.push(`warn ${JSON.stringify(obj)} ${msg}`),
    debug: (obj, msg) => lines.push(`debug ${JSON.stringify(obj)} ${msg}`),
  };
}

const ingestWith = (log: IngestLog, stallTimeoutMs = 5000) =>
  createFfmpegIngest({ ffmpegPath: '/usr/bin/ffmpeg', fragmentSeconds: 1, stallTimeoutMs, log, killGraceMs: 500 });

/**
 * The argv of every process this test started, children and their children (what any local user
 * can read in /proc/<pid>/cmdline). Only ours: another test file running at the same time may
 * start an ffprobe with credentials on purpose (ffmpeg-ingest-rtsps.int.test.ts shows ffmpeg
 * ignoring its TLS flags).
 */
function everyCommandLine(): string[] {
  const parents = new Map<number, number>();
  for (const pid of readdirSync('/proc').filter((d) => /^\d+$/.test(d))) {
    try {
      // The parent pid is the field after the parenthesised command name, which may hold spaces.
      const stat = readFileSync(`/proc/${pid}/stat`, 'latin1');
      parents.set(Number(pid), Number(stat.slice(stat.lastIndexOf(')') + 2).split(' ')[1]));
    } catch {
      // the process ended meanwhile
    }
  }
  const ours = (pid: number): boolean => {
    for (let p = parents.get(pid); p !== undefined && p > 1; p = parents.get(p)) if (p === process.pid) return true;
    return false;
  };
  const lines: string[] = [];
  for (const pid of parents.keys()) {
    if (!ours(pid)) continue;
    try {
      lines.push(readFileSync(`/proc/${pid}/cmdline`, 'latin1').replaceAll('\0', ' '));
    } catch {
      // the process ended meanwhile
    }
  }
  return lines;
}

/** A loopback port with nothing listening on it. */
async function closedPort(): Promise<number> {
  const server = createServer();
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const { port } = server.address() as { port: number };
  await new Promise<void>((resolve) => server.close(() => resolve()));
  return port;
}

describe('ffmpeg ingest against camsim', () => {
  let sim: Camsim;
  let target: IngestTarget;
  before(async () => {
    sim = await startCamsim({ cameras: 1, port: 0, profile: 'small', cacheDir, username: 'alice', password });
    target = { cameraId: 'cam-1', url: sim.urls[0] as string, username: 'alice', password };
  });
  after(() => sim.close());

  test('pieces arrive as one init then key-framed fragments, and aborting resolves the run', { timeout: 30_000 }, async () => {
    const log = memoryLog();
    const pieces: MediaPiece[] = [];
    const ac = new AbortController();
    const exitListeners = process.listenerCount('exit');
    let duringRun = -1;
    let commandLines: string[] = [];
    const run = ingestWith(log).run(target, (p) => {
      pieces.push(p);
      if (pieces.length === 1) duringRun = process.listenerCount('exit');
      if (pieces.length === 2) commandLines = everyCommandLine();
      if (pieces.length === 4) ac.abort();
    }, ac.signal);
    await run;
    assert.equal(duringRun, exitListeners + 1, 'ffmpeg is killed if Node exits mid-run');
    assert.equal(process.listenerCount('exit'), exitListeners, 'the exit listener is removed after the run');
    assert.equal(pieces[0]?.kind, 'init');
    assert.ok(pieces[0]?.kind === 'init' && pieces[0].codec.startsWith('avc1.'));
    const fragments = pieces.slice(1) as FragmentPiece[];
    assert.ok(fragments.length >= 3 && fragments.every((f) => f.kind === 'fragment'));
    assert.equal(fragments[0]?.keyframe, true);
    assert.ok(fragments.every((f) => f.sampleCount > 0 && f.duration > 0));
    assert.ok(log.lines.every((l) => !l.includes('p@ss') && !l.includes('p%40ss')));
    // The camera has credentials: ffmpeg got them from nobody, the bridge answered the Digest challenge.
    assert.ok(commandLines.some((l) => l.includes('ffmpeg') && l.includes('pipe:1')), 'the ffmpeg ingest was running');
    const exposed = commandLines.filter((l) => l.includes('p@ss') || l.includes('p%40ss') || l.includes('alice'));
    assert.deepEqual(exposed, [], 'no process argument holds the camera user or password');
  });

  test('a slow sink is never given a piece before its previous promise settled', { timeout: 30_000 }, async () => {
    const ac = new AbortController();
    let inFlight = 0;
    let maxInFlight = 0;
    let count = 0;
    await ingestWith(memoryLog(), 2000).run(target, async () => {
      inFlight++;
      maxInFlight = Math.max(maxInFlight, inFlight);
      // Longer than the stall timeout: our own back-pressure MUST NOT count as a stall.
      await new Promise((r) => setTimeout(r, count === 1 ? 2500 : 50));
      inFlight--;
      if (++count === 4) ac.abort();
    }, ac.signal);
    assert.equal(maxInFlight, 1);
    assert.equal(count, 4);
  });

  test('a sink that throws stops ffmpeg and the run rejects with that error', { timeout: 30_000 }, async () => {
    const boom = new AppError('STORAGE_FAILED', 'disk full');
    await assert.rejects(
      ingestWith(memoryLog()).run(target, (p) => {
        if (p.kind === 'fragment') throw boom;
      }, new AbortController().signal),
      (e) => e === boom,
    );
  });

  test('a wrong password rejects with CAMERA_UNREACHABLE naming 401 and no credentials', { timeout: 30_000 }, async () => {
    const log = memoryLog();
    const wrong = { ...target, password: 'Wr0ng:secret' };
    await assert.rejects(ingestWith(log).run(wrong, () => undefined, new AbortController().signal), (e) => {
      assert.ok(isAppError(e, 'CAMERA_UNREACHABLE'));
      assert.match(e.message, /401|Unauthorized|authorization failed/i);
      for (const text of [e.message, JSON.stringify(e.detail), ...log.lines]) {
        assert.ok(!text.includes('Wr0ng') && !text.includes('alice:'), text);
      }
      return true;
    });
  });
});

describe('ffmpeg ingest failures without a camera', () => {
  test('a refused connection rejects quickly with CAMERA_UNREACHABLE and a scrubbed message', { timeout: 15_000 }, async () => {
    const log = memoryLog();
    const port = await closedPort();
    const target = { cameraId: 'cam-x', url: `rtsp://127.0.0.1:${port}/x`, username: 'admin', password: 'hunter2' };
    const started = Date.now();
    await assert.rejects(ingestWith(log).run(target, () => undefined, new AbortController().signal), (e) => {
      assert.ok(isAppError(e, 'CAMERA_UNREACHABLE'));
      assert.match(e.message, /connection refused/i);
      for (const text of [e.message, ...log.lines]) assert.ok(!text.includes('hunter2') && !text.includes('admin'), text);
      return true;
    });
    assert.ok(Date.now() - started < 5000);
  });

  describe('with a TCP server that accepts and never answers', () => {
    let server: Server;
    const sockets: Socket[] = [];
    before(async () => {
      server = createServer((s) => sockets.push(s));
      await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
    });
    after(async () => {
      for (const s of sockets) s.destroy();
      await new Promise<void>((resolve) => server.close(() => resolve()));
    });
    const url = () => `rtsp://127.0.0.1:${(server.address() as { port: number }).port}/x`;

    test('no data for the stall timeout rejects with CAMERA_UNREACHABLE', { timeout: 15_000 }, async () => {
      const target = { cameraId: 'cam-s', url: url(), username: null, password: null };
      const started = Date.now();
      await assert.rejects(ingestWith(memoryLog(), 500).run(target, () => undefined, new AbortController().signal), (e) => {
        assert.ok(isAppError(e, 'CAMERA_UNREACHABLE'));
        assert.equal(e.message, 'no data for 0.5 s');
        return true;
      });
      assert.ok(Date.now() - started < 4000);
    });

    test('aborting a run that is waiting for the camera resolves it', { timeout: 15_000 }, async () => {
      const target = { cameraId: 'cam-a', url: url(), username: null, password: null };
      const ac = new AbortController();
      setTimeout(() => ac.abort(), 300);
      await ingestWith(memoryLog(), 10_000).run(target, () => undefined, ac.signal);
    });
  });

  test('an already aborted signal resolves without starting ffmpeg', async () => {
    const ac = new AbortController();
    ac.abort();
    const ingest = createFfmpegIngest({ ffmpegPath: '/nonexistent/ffmpeg', fragmentSeconds: 1, stallTimeoutMs: 1000, log: memoryLog() });
    await ingest.run({ cameraId: 'c', url: 'rtsp://127.0.0.1/x', username: null, password: null }, () => undefined, ac.signal);
  });

  test('a missing ffmpeg binary rejects with INTERNAL', async () => {
    const ingest = createFfmpegIngest({ ffmpegPath: '/nonexistent/ffmpeg', fragmentSeconds: 1, stallTimeoutMs: 1000, log: memoryLog() });
    const run = ingest.run({ cameraId: 'c', url: 'rtsp://127.0.0.1/x', username: null, password: null }, () => undefined, new AbortController().signal);
    await assert.rejects(run, (e) => isAppError(e, 'INTERNAL') && /ENOENT/.test(e.message));
  });
});
