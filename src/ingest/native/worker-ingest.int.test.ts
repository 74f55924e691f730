/**
 * The native ingest on worker threads, against camsim: pieces come back to the main thread
 * whole and in order, decode with ffmpeg, cameras spread over the workers, a stop ends the run,
 * back-pressure from a slow sink holds the camera instead of piling pieces up, and the loss
 * counters reach the main thread.
 */
import assert from 'node:assert/strict';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { after, before, test } from 'node:test';
import { setTimeout as delay } from 'node:timers/promises';
import { startCamsim, type Camsim } from '../../../tools/camsim/camsim.ts';
import { countFrames, decodeErrors, probeErrors } from '../../../test/helpers/media-probe.ts';
import { createLogger } from '../../lib/logger.ts';
import type { MediaPiece } from '../../media/media.ts';
import { createWorkerIngest, type WorkerIngest } from './worker-ingest.ts';
import { teardown } from '../../../test/helpers/teardown.ts';

let sim: Camsim;
let ingest: WorkerIngest;
before(async () => {
  sim = await startCamsim({ cameras: 3, port: 0, profile: 'small', cacheDir: join(tmpdir(), 'custos-camsim-test-cache') });
  ingest = createWorkerIngest({ workers: 2, fragmentSeconds: 1, stallTimeoutMs: 5000, log: createLogger({ level: 'silent' }) });
});
const defer = teardown({ after });
defer(() => sim.close());
defer(() => ingest.close());

test('three cameras over two workers: each run delivers init then fragments that decode exactly, and a stop ends it', { timeout: 60_000 }, async () => {
  const runs = sim.urls.map(async (url, i) => {
    const pieces: MediaPiece[] = [];
    const ac = new AbortController();
    await ingest.run(
      { cameraId: `cam-${i}`, url, username: null, password: null },
      (p) => {
        pieces.push(p);
        if (pieces.length >= 5) ac.abort();
      },
      ac.signal,
    );
    return pieces;
  });
  for (const pieces of await Promise.all(runs)) {
    assert.equal(pieces[0]?.kind, 'init');
    assert.ok(pieces.slice(1).every((p) => p.kind === 'fragment'));
    const mp4 = Buffer.concat(pieces.map((p) => p.bytes));
    assert.equal(await probeErrors(mp4), '');
    assert.equal(await decodeErrors(mp4), '');
    const written = pieces.reduce((n, p) => n + (p.kind === 'fragment' ? p.sampleCount : 0), 0);
    assert.equal(await countFrames(mp4), written);
  }
  assert.deepEqual(ingest.losses?.('cam-0')?.lostPackets, 0);
});

test('a slow sink holds the camera back: pieces arrive one at a time, never piled up', { timeout: 60_000 }, async () => {
  let inSink = 0;
  let maxInSink = 0;
  let count = 0;
  const ac = new AbortController();
  await ingest.run(
    { cameraId: 'slow', url: sim.urls[0] as string, username: null, password: null },
    async () => {
      inSink++;
      maxInSink = Math.max(maxInSink, inSink);
      await delay(300);
      inSink--;
      if (++count >= 6) ac.abort();
    },
    ac.signal,
  );
  assert.equal(maxInSink, 1, 'the sink is never called again before it settled');
  assert.ok(count >= 6);
});

test('a sink that fails ends the run with its error, and the worker serves the next run', { timeout: 60_000 }, async () => {
  const failing = ingest.run(
    { cameraId: 'failing', url: sim.urls[1] as string, username: null, password: null },
    (p) => {
      if (p.kind === 'fragment') throw new Error('disk full');
    },
    new AbortController().signal,
  );
  await assert.rejects(failing, /disk full/);
  const ac = new AbortController();
  let pieces = 0;
  await ingest.run(
    { cameraId: 'after', url: sim.urls[1] as string, username: null, password: null },
    () => {
      if (++pieces >= 3) ac.abort();
    },
    ac.signal,
  );
  assert.ok(pieces >= 3);
});

test('recorded fragments come as views of the worker\'s shared ring, reused in turn, and each stays intact while the key-frame group it belongs to is current (ADR 0044)', { timeout: 60_000 }, async () => {
  // A ring of a few fragments, so it wraps within seconds.
  const small = createWorkerIngest({ workers: 1, fragmentSeconds: 1, stallTimeoutMs: 5000, log: createLogger({ level: 'silent' }), ringBytes: 400_000 });
  try {
    const ac = new AbortController();
    const group: { view: Buffer; copy: Buffer }[] = [];
    const offsets: number[] = [];
    let shared = 0;
    let fragments = 0;
    await small.run(
      { cameraId: 'ring', url: sim.urls[2] as string, username: null, password: null },
      (p) => {
        if (p.kind !== 'fragment') return;
        fragments++;
        // Everything of the current key-frame group is still as it arrived (the hub may hold it).
        for (const g of group) assert.ok(g.view.equals(g.copy), 'a fragment of the current key-frame group was overwritten');
        if (p.keyframe) group.length = 0;
        if (p.bytes.buffer instanceof SharedArrayBuffer) {
          shared++;
          offsets.push(p.bytes.byteOffset);
        }
        group.push({ view: p.bytes, copy: Buffer.from(p.bytes) });
        if (fragments >= 15) ac.abort();
      },
      ac.signal,
    );
    assert.ok(shared >= 12, `fragments through the ring: ${shared} of ${fragments}`);
    assert.ok(new Set(offsets).size < offsets.length || offsets.some((o, i) => i > 0 && o < (offsets[i - 1] as number)), `the ring was reused: ${offsets.join(' ')}`);
  } finally {
    await small.close();
  }
});
