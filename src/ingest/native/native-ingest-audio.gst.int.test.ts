/**
 * Audio in the native ingest (ADR 0037) against GStreamer's RTSP server (an RTSP/RTP stack we did
 * not write; test/helpers/gst-rtsp.ts). A 4 s clip made here by ffmpeg (H.264, 100 frames, plus a
 * 48 kHz AAC-LC tone, or an 8 kHz G.711 mu-law tone) is served once per client, video and audio
 * from their own RTP payloaders. AAC MUST come out as a second track that ffmpeg decodes with no
 * error, starting and ending within one fragment of the video (when the camera's audio is turned
 * on; off, it MUST be video only); G.711 MUST be named in the status while the video records as
 * before.
 */
import assert from 'node:assert/strict';
import { execFile } from 'node:child_process';
import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { promisify } from 'node:util';
import { after, before, describe, test } from 'node:test';
import { startGstRtspServer, type GstRtspServer } from '../../../test/helpers/gst-rtsp.ts';
import { countFrames, decodeAllErrors, probeErrors, streamSpans } from '../../../test/helpers/media-probe.ts';
import { createLogger } from '../../lib/logger.ts';
import { Fmp4Reader } from '../../media/fmp4/fmp4-reader.ts';
import type { MediaPiece } from '../../media/media.ts';
import { IngestCounters } from './ingest-counters.ts';
import { createNativeIngest } from './native-ingest.ts';

const CLIP_FRAMES = 100;
const FRAGMENT_SECONDS = 1;
const END_DEADLINE_MS = 15_000;

const clips = [
  { audio: 'aac', file: 'clip-aac.mp4', args: ['-ar', '48000', '-c:a', 'aac', '-b:a', '64k'] },
  { audio: 'pcmu', file: 'clip-pcmu.mov', args: ['-ar', '8000', '-c:a', 'pcm_mulaw'] },
] as const;

/** Records one client's whole stream with the native ingest. */
async function record(server: GstRtspServer, recordAudio = true): Promise<{ pieces: MediaPiece[]; mp4: Buffer; counters: IngestCounters }> {
  const counters = new IngestCounters();
  const ingest = createNativeIngest({ log: createLogger({ level: 'silent' }), fragmentSeconds: FRAGMENT_SECONDS, stallTimeoutMs: 30_000, counters });
  const pieces: MediaPiece[] = [];
  const deadline = new AbortController();
  const timer = setTimeout(() => deadline.abort(), END_DEADLINE_MS);
  try {
    await ingest.run({ cameraId: 'gst', url: server.url, username: null, password: null, recordAudio }, (p) => void pieces.push(p), deadline.signal);
  } finally {
    clearTimeout(timer);
  }
  assert.ok(!deadline.signal.aborted, `the stream had not ended after ${END_DEADLINE_MS / 1000} s; server: ${server.stderr()}`);
  return { pieces, mp4: Buffer.concat(pieces.map((p) => p.bytes)), counters };
}

describe('audio from GStreamer\'s RTSP server', { concurrency: true }, () => {
  let dir: string;
  const servers = new Map<string, GstRtspServer>();
  before(async () => {
    dir = await mkdtemp(join(tmpdir(), 'custos-gst-audio-'));
    for (const c of clips) {
      const file = join(dir, c.file);
      await promisify(execFile)('/usr/bin/ffmpeg', [
        '-hide_banner', '-nostdin', '-loglevel', 'error',
        '-f', 'lavfi', '-i', 'testsrc2=size=640x360:rate=25', '-f', 'lavfi', '-i', 'sine=frequency=440:sample_rate=48000',
        '-t', '4', '-c:v', 'libx264', '-g', '25', '-bf', '0', '-pix_fmt', 'yuv420p', '-ac', '1', ...c.args, file,
      ]);
      servers.set(c.audio, await startGstRtspServer({ file, codec: 'h264', audio: c.audio }));
    }
  });
  after(async () => {
    await Promise.all([...servers.values()].map((s) => s.close()));
    if (dir !== undefined) await rm(dir, { recursive: true, force: true });
  });

  test('H.264 + AAC: a second track that ffmpeg decodes with no error, within one fragment of the video at both ends', { timeout: 60_000 }, async () => {
    const { pieces, mp4, counters } = await record(servers.get('aac') as GstRtspServer);
    const init = pieces[0];
    assert.ok(init?.kind === 'init');
    assert.match(init.codec, /^avc1\.[0-9A-F]{6},mp4a\.40\.2$/);
    assert.deepEqual(init.audio, { codec: 'mp4a.40.2', trackId: 2, timescale: 48_000, channels: 1 });
    // Our own reader finds the same audio track in the bytes (what recovery and ffmpeg's output go through).
    const reread = new Fmp4Reader().push(mp4);
    assert.equal(reread.length, pieces.length);
    assert.deepEqual(reread[0]?.kind === 'init' ? [reread[0].codec, reread[0].audio] : undefined, [init.codec, init.audio]);

    assert.equal(await probeErrors(mp4), '');
    assert.equal(await decodeAllErrors(mp4), '');
    assert.equal(await countFrames(mp4), CLIP_FRAMES);
    const { video, audio } = await streamSpans(mp4);
    assert.ok(video !== undefined && audio !== undefined, 'a video and an audio stream');
    assert.equal(audio.codec, 'aac');
    const msg = `video ${video.start}–${video.end} s, audio ${audio.start}–${audio.end} s (${audio.packets} frames)`;
    assert.ok(Math.abs(audio.start - video.start) <= FRAGMENT_SECONDS, `starts: ${msg}`);
    assert.ok(Math.abs((audio.end - audio.start) - (video.end - video.start)) <= FRAGMENT_SECONDS, `durations: ${msg}`);

    const t = counters.totals('gst');
    assert.equal(t?.audio, 'recorded (AAC 48000 Hz)');
    assert.ok(t.audioFrames === audio.packets && t.audioFrames > 150, JSON.stringify(t));
    assert.equal(t.frames, CLIP_FRAMES);
  });

  test('H.264 + AAC on a camera whose audio is off: video only, and the status says so', { timeout: 60_000 }, async () => {
    const { pieces, mp4, counters } = await record(servers.get('aac') as GstRtspServer, false);
    assert.ok(pieces[0]?.kind === 'init' && pieces[0].audio === undefined && /^avc1\.[0-9A-F]{6}$/.test(pieces[0].codec));
    assert.equal(counters.totals('gst')?.audio, 'not recorded (off for this camera)');
    assert.equal(counters.totals('gst')?.audioFrames, 0);
    assert.equal((await streamSpans(mp4)).audio, undefined);
  });

  test('H.264 + G.711: the status says the audio is not recorded and why; the video records as before', { timeout: 60_000 }, async () => {
    const { pieces, mp4, counters } = await record(servers.get('pcmu') as GstRtspServer);
    assert.ok(pieces[0]?.kind === 'init' && pieces[0].audio === undefined && /^avc1\.[0-9A-F]{6}$/.test(pieces[0].codec));
    assert.equal(counters.totals('gst')?.audio, 'not recorded (codec PCMU)');
    assert.equal(await countFrames(mp4), CLIP_FRAMES);
    assert.equal((await streamSpans(mp4)).audio, undefined);
  });
});
