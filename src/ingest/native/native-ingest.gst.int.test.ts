/**
 * The native ingest against GStreamer's RTSP server (gst-rtsp-server, Debian packages; see
 * test/helpers/gst-rtsp.ts): an RTSP/RTP implementation we did not write, where camsim is ours.
 * For H.264 and H.265, a 4 s clip (100 frames, a key frame every 25, no B-frames) made here by
 * ffmpeg is served once per client; GStreamer ends it with an RTCP BYE. The native ingest records
 * it to that end and MUST hold exactly the source's frames, decoding to the same pictures; the
 * ffmpeg ingest records the same file at the same time, as a cross-check of the server and clip.
 */
import assert from 'node:assert/strict';
import { execFile } from 'node:child_process';
import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { promisify } from 'node:util';
import { after, before, describe, test } from 'node:test';
import { startGstRtspServer, type GstRtspServer } from '../../../test/helpers/gst-rtsp.ts';
import { countFrames, decodeErrors, frameHashes, probeErrors, videoCodec } from '../../../test/helpers/media-probe.ts';
import { createLogger } from '../../lib/logger.ts';
import { createFfmpegIngest } from '../ffmpeg/ffmpeg-ingest.ts';
import type { Ingest } from '../ingest.ts';
import type { MediaPiece } from '../../media/media.ts';
import { IngestCounters } from './ingest-counters.ts';
import { createNativeIngest } from './native-ingest.ts';

const CLIP_FRAMES = 100;
/** The clip plays in real time (4 s): a run still going after this has missed the end of stream. */
const END_DEADLINE_MS = 15_000;
/** Longer than the deadline, so a run can only end by the server ending the stream. */
const STALL_TIMEOUT_MS = 30_000;

const codecs = [
  { codec: 'h264', ffprobeName: 'h264', initCodec: /^avc1\./, encoder: ['-c:v', 'libx264', '-g', '25', '-bf', '0'] },
  { codec: 'h265', ffprobeName: 'hevc', initCodec: /^hvc1\./, encoder: ['-c:v', 'libx265', '-x265-params', 'keyint=25:bframes=0:log-level=error'] },
] as const;

/** Runs an ingest until the stream ends; fails if it is still running at the deadline. */
async function recordToEnd(ingest: Ingest, server: GstRtspServer): Promise<{ pieces: MediaPiece[]; mp4: Buffer }> {
  const pieces: MediaPiece[] = [];
  const deadline = new AbortController();
  const timer = setTimeout(() => deadline.abort(), END_DEADLINE_MS);
  try {
    await ingest.run({ cameraId: 'gst', url: server.url, username: null, password: null }, (p) => void pieces.push(p), deadline.signal);
  } finally {
    clearTimeout(timer);
  }
  assert.ok(!deadline.signal.aborted, `${ingest.name} ingest: the stream had not ended after ${END_DEADLINE_MS / 1000} s; server: ${server.stderr()}`);
  return { pieces, mp4: Buffer.concat(pieces.map((p) => p.bytes)) };
}

for (const c of codecs) {
  describe(`${c.codec} from GStreamer's RTSP server`, { concurrency: true }, () => {
    let dir: string;
    let clip: string;
    let server: GstRtspServer;
    let sourceHashes: string[];
    before(async () => {
      dir = await mkdtemp(join(tmpdir(), 'custos-gst-'));
      clip = join(dir, `clip-${c.codec}.mp4`);
      await promisify(execFile)('/usr/bin/ffmpeg', [
        '-hide_banner', '-nostdin', '-loglevel', 'error',
        '-f', 'lavfi', '-i', 'testsrc2=size=640x360:rate=25', '-t', '4',
        ...c.encoder, '-pix_fmt', 'yuv420p', clip,
      ]);
      sourceHashes = await frameHashes(clip);
      assert.equal(sourceHashes.length, CLIP_FRAMES, 'the source clip');
      server = await startGstRtspServer({ file: clip, codec: c.codec });
    });
    after(async () => {
      await server?.close();
      if (dir !== undefined) await rm(dir, { recursive: true, force: true });
    });

    test('the native ingest records to the RTCP BYE every frame of the clip, which decode with no error to the source pictures', { timeout: 60_000 }, async () => {
      const counters = new IngestCounters();
      const ingest = createNativeIngest({ log: createLogger({ level: 'silent' }), fragmentSeconds: 1, stallTimeoutMs: STALL_TIMEOUT_MS, counters });
      const { pieces, mp4 } = await recordToEnd(ingest, server);
      const [init, ...fragments] = pieces;
      assert.ok(init?.kind === 'init' && c.initCodec.test(init.codec), init?.kind === 'init' ? init.codec : 'no init first');
      assert.ok(fragments.length > 0 && fragments.every((f) => f.kind === 'fragment'));
      assert.equal(fragments[0]?.kind === 'fragment' && fragments[0].keyframe, true, 'the first fragment starts at a key frame');
      assert.equal(fragments.reduce((n, f) => n + (f.kind === 'fragment' ? f.sampleCount : 0), 0), CLIP_FRAMES, 'frames written');
      assert.equal(await probeErrors(mp4), '');
      assert.equal(await decodeErrors(mp4), '');
      assert.equal(await videoCodec(mp4), c.ffprobeName);
      assert.equal(await countFrames(mp4), CLIP_FRAMES);
      assert.deepEqual(await frameHashes(mp4), sourceHashes, 'decoded pictures');
      const t = counters.totals('gst');
      assert.ok(t?.frames === CLIP_FRAMES && t.sessions === 1, JSON.stringify(t));
      assert.deepEqual([t.lostPackets, t.droppedFrames, t.malformedPackets, t.refusedFrames], [0, 0, 0, 0], JSON.stringify(t));
      // GStreamer sends RTCP sender reports from this machine's clock: the offset is about zero.
      assert.ok(t.clockOffsetMs !== null && Math.abs(t.clockOffsetMs) < 2000, `camera clock offset ${t.clockOffsetMs} ms`);
    });

    test('the ffmpeg ingest records the same clip to its end with the same frames (cross-check)', { timeout: 60_000 }, async () => {
      const ingest = createFfmpegIngest({ ffmpegPath: '/usr/bin/ffmpeg', fragmentSeconds: 1, stallTimeoutMs: STALL_TIMEOUT_MS, log: createLogger({ level: 'silent' }) });
      const { pieces, mp4 } = await recordToEnd(ingest, server);
      assert.equal(pieces[0]?.kind, 'init');
      assert.equal(await probeErrors(mp4), '');
      assert.equal(await decodeErrors(mp4), '');
      assert.equal(await videoCodec(mp4), c.ffprobeName);
      assert.equal(await countFrames(mp4), CLIP_FRAMES);
      assert.deepEqual(await frameHashes(mp4), sourceHashes, 'decoded pictures');
    });
  });
}
