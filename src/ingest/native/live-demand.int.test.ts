/**
 * Live chunks only while watched (ADR 0044), across the worker boundary, against camsim: an
 * unwatched camera's run makes no per-frame chunk; the first viewer gets the recording's
 * fragments at once and then chunks from the next key frame on, on the same timeline with no
 * frame missing (what it received decodes with ffmpeg); after the last viewer leaves the chunks
 * stop.
 */
import assert from 'node:assert/strict';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { after, before, test } from 'node:test';
import { setTimeout as delay } from 'node:timers/promises';
import { startCamsim, type Camsim } from '../../../tools/camsim/camsim.ts';
import { decodeErrors } from '../../../test/helpers/media-probe.ts';
import { createLogger } from '../../lib/logger.ts';
import { LiveHub, type LiveViewer } from '../../live/live-hub.ts';
import type { MediaPiece } from '../../media/media.ts';
import { createWorkerIngest, type WorkerIngest } from './worker-ingest.ts';
import { teardown } from '../../../test/helpers/teardown.ts';
import { waitFor } from '../../../test/helpers/harness.ts';

let sim: Camsim;
let ingest: WorkerIngest;
before(async () => {
  sim = await startCamsim({ cameras: 1, port: 0, profile: 'small', cacheDir: join(tmpdir(), 'custos-camsim-test-cache') });
  ingest = createWorkerIngest({ workers: 1, fragmentSeconds: 1, stallTimeoutMs: 5000, log: createLogger({ level: 'error' }), liveChunks: true });
});
const defer = teardown({ after });
defer(() => sim.close());
defer(() => ingest.close());

/** A viewer that keeps what it is sent, in order. */
class KeepingViewer implements LiveViewer {
  readonly binary: Buffer[] = [];
  send(data: string | Buffer): void {
    if (typeof data !== 'string') this.binary.push(data);
  }
  bufferedAmount(): number {
    return 0;
  }
  close(): void {}
}

test('an unwatched camera makes no live chunks; a viewer gets fragments, then chunks from a key frame on the same timeline; chunks stop when it leaves', { timeout: 60_000 }, async () => {
  const hub = new LiveHub({ maxBufferedBytes: 64 << 20 });
  // A recorded fragment may be a view of the worker's ring, reused later (ADR 0044): keep a copy.
  const pieces: { at: number; piece: MediaPiece; copy: Buffer }[] = [];
  const ac = new AbortController();
  const run = ingest.run(
    { cameraId: 'cam', url: sim.urls[0] as string, username: null, password: null },
    (piece) => {
      pieces.push({ at: Date.now(), piece, copy: Buffer.from(piece.bytes) });
      if (piece.kind === 'init') hub.publishInit('cam', piece);
      else if (piece.kind === 'live-chunk') hub.publishChunk('cam', piece);
      else hub.publishFragment('cam', piece);
    },
    ac.signal,
    { live: hub.demand('cam') },
  );
  const count = (kind: MediaPiece['kind'], from: number, to = Date.now()) => pieces.filter((p) => p.piece.kind === kind && p.at >= from && p.at < to).length;
  // Recording first (connecting may take seconds on a loaded machine), then an unwatched stretch.
  await waitFor('the first fragment', 30_000, async () => count('fragment', 0) >= 1);
  const t0 = Date.now();
  await delay(2500);
  assert.ok(count('fragment', t0) >= 1, 'the camera records meanwhile');
  assert.equal(count('live-chunk', t0), 0, 'no viewer, no chunk');

  const viewer = new KeepingViewer();
  const watching = Date.now();
  const leave = hub.subscribe('cam', viewer);
  await delay(3500);
  leave();
  const left = Date.now();
  const chunks = pieces.filter((p) => p.piece.kind === 'live-chunk' && p.at >= watching);
  assert.ok(chunks.length >= 25, `chunks while watched (${chunks.length})`);
  assert.equal(chunks[0]?.piece.kind === 'live-chunk' && chunks[0].piece.keyframe, true, 'the first chunk is a key frame');

  // What the viewer got: init, the fragments since the last key frame, then chunks; each piece
  // starts where the one before it ended.
  const byBytes = new Map(pieces.map((p) => [p.copy.toString('base64'), p.piece]));
  const got = viewer.binary.map((b) => byBytes.get(b.toString('base64')));
  assert.equal(got[0]?.kind, 'init');
  const media = got.slice(1);
  assert.ok(media.every((p) => p !== undefined && p.kind !== 'init'));
  assert.ok(media.some((p) => p?.kind === 'fragment') && media.some((p) => p?.kind === 'live-chunk'), 'fragments first, then chunks');
  for (let i = 1; i < media.length; i++) {
    const prev = media[i - 1] as Exclude<MediaPiece, { kind: 'init' }>;
    const cur = media[i] as Exclude<MediaPiece, { kind: 'init' }>;
    assert.ok(Math.abs(cur.decodeTime - (prev.decodeTime + prev.duration)) <= 10, `piece ${i} (${cur.kind}) starts where ${prev.kind} ${i - 1} ends: ${cur.decodeTime} vs ${prev.decodeTime + prev.duration}`);
  }
  assert.equal(await decodeErrors(Buffer.concat(viewer.binary)), '', 'what the viewer got decodes');

  await delay(3500);
  assert.equal(count('live-chunk', left + 1000), 0, 'no chunk once the viewer left (1 s for the message to cross)');
  assert.ok(count('fragment', left + 1000) >= 1, 'recording goes on');
  ac.abort();
  await run;
});
