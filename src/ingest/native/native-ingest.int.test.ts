/**
 * The native ingest against real RTSP servers on loopback: our camsim (Digest auth, and RTSPS
 * with a pinned certificate), and failure paths. Output is checked with real ffprobe/ffmpeg.
 */
import assert from 'node:assert/strict';
import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { after, before, describe, test } from 'node:test';
import { startCamsim, type Camsim } from '../../../tools/camsim/camsim.ts';
import { ensureSelfSignedCert } from '../../../tools/camsim/camsim-tls.ts';
import { countFrames, decodeErrors, probeErrors } from '../../../test/helpers/media-probe.ts';
import { isAppError } from '../../lib/errors.ts';
import { createLogger } from '../../lib/logger.ts';
import type { IngestTarget } from '../ingest.ts';
import type { MediaPiece } from '../../media/media.ts';
import { Fmp4Reader } from '../../media/fmp4/fmp4-reader.ts';
import { IngestCounters } from './ingest-counters.ts';
import { createNativeIngest } from './native-ingest.ts';

const cacheDir = join(tmpdir(), 'custos-camsim-test-cache');
const password = 'p@ss word:1';

function ingest(counters = new IngestCounters(), stallTimeoutMs = 5000) {
  return createNativeIngest({ log: createLogger({ level: 'silent' }), fragmentSeconds: 1, stallTimeoutMs, counters });
}

/** Records until `pieces` pieces arrived (then aborts) and returns them. */
async function record(target: IngestTarget, pieces: number, counters?: IngestCounters): Promise<MediaPiece[]> {
  const got: MediaPiece[] = [];
  const ac = new AbortController();
  await ingest(counters).run(
    target,
    (p) => {
      got.push(p);
      if (got.length >= pieces) ac.abort();
    },
    ac.signal,
  );
  return got;
}

describe('native ingest against camsim', () => {
  let sim: Camsim;
  let target: IngestTarget;
  before(async () => {
    sim = await startCamsim({ cameras: 1, port: 0, profile: 'small', cacheDir, username: 'alice', password });
    target = { cameraId: 'cam-1', url: sim.urls[0] as string, username: 'alice', password };
  });
  after(() => sim.close());

  test('one init then key-framed fragments of at most 1 s that decode with no error and hold exactly the frames written', { timeout: 30_000 }, async () => {
    const counters = new IngestCounters();
    const pieces = await record(target, 6, counters);
    const [init, ...fragments] = pieces;
    assert.equal(init?.kind, 'init');
    assert.match(init.kind === 'init' ? init.codec : '', /^avc1\./);
    assert.ok(fragments.length >= 5 && fragments.every((f) => f.kind === 'fragment'));
    const frags = fragments; // narrowed to fragments by the assertion above
    assert.equal(frags[0]?.keyframe, true, 'the first fragment starts at a key frame');
    const timescale = init.kind === 'init' ? init.timescale : 0;
    for (const f of frags) assert.ok(f.duration <= timescale, `fragment of ${f.duration / timescale} s`);
    // The fMP4 reader sees the same pieces (what the segmenter reads from ffmpeg).
    const reader = new Fmp4Reader();
    const read: MediaPiece[] = [];
    for (const p of pieces) read.push(...reader.push(p.bytes));
    assert.deepEqual(read.map((p) => p.kind), pieces.map((p) => p.kind));
    const mp4 = Buffer.concat(pieces.map((p) => p.bytes));
    assert.equal(await probeErrors(mp4), '');
    assert.equal(await decodeErrors(mp4), '');
    const written = frags.reduce((n, f) => n + f.sampleCount, 0);
    assert.equal(await countFrames(mp4), written, 'every frame written decodes');
    const c = counters.totals('cam-1');
    assert.ok(c && c.packets > 0 && c.lostPackets === 0 && c.sessions === 1, JSON.stringify(c));
  });

  test('a wrong password is refused with the 401 named and the password nowhere in the error', { timeout: 20_000 }, async () => {
    await assert.rejects(record({ ...target, password: 'wrong-secret-xyz' }, 1), (e) => {
      assert.ok(isAppError(e, 'CAMERA_UNREACHABLE'), String(e));
      assert.match(e.message, /401/);
      assert.doesNotMatch(JSON.stringify({ m: e.message, d: e.detail }), /wrong-secret-xyz/);
      return true;
    });
  });
});

describe('native ingest over RTSPS', () => {
  let sim: Camsim;
  before(async () => {
    sim = await startCamsim({ cameras: 1, port: 0, profile: 'small', cacheDir, tls: 'self-signed' });
  });
  after(() => sim.close());

  test('the camera certificate pinned: recorded; another certificate: refused', { timeout: 30_000 }, async () => {
    const url = sim.urls[0] as string;
    assert.match(url, /^rtsps:/);
    const pieces = await record({ cameraId: 'tls', url, username: null, password: null, tlsCaPem: sim.certificatePem }, 3);
    assert.equal(pieces[0]?.kind, 'init');
    const otherDir = await mkdtemp(join(tmpdir(), 'custos-other-cert-'));
    try {
      const other = await ensureSelfSignedCert(otherDir);
      await assert.rejects(record({ cameraId: 'tls', url, username: null, password: null, tlsCaPem: other.cert }, 1), (e) => isAppError(e, 'CAMERA_UNREACHABLE'));
    } finally {
      await rm(otherDir, { recursive: true, force: true });
    }
  });
});
