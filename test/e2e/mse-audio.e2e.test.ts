/**
 * Browsers take our two-track fMP4 (ADR 0037): real H.264 (libx264) and real AAC-LC frames
 * (ffmpeg's encoder, ADTS headers stripped, as RTP delivers them) written by Fmp4Writer, appended
 * to a Media Source Extensions SourceBuffer in the system Chromium with the mime type the live hub
 * announces. Chromium's MP4 parser is stricter than ffmpeg's: an `esds` or `mp4a` it does not
 * accept fails the append. Both tracks MUST end up buffered over the clip's length.
 */
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { accessUnits, encodeAnnexB, run } from '../helpers/annexb-streams.ts';
import { launchChromium } from '../helpers/chromium.ts';
import { Fmp4Writer } from '../../src/media/fmp4/fmp4-writer.ts';
import type { MediaPiece } from '../../src/media/media.ts';

/** Raw AAC-LC frames (48 kHz mono) from ffmpeg's ADTS output, and the AudioSpecificConfig. */
async function aacFrames(seconds: number): Promise<{ config: Buffer; frames: Buffer[] }> {
  const { stdout } = await run('/usr/bin/ffmpeg', ['-hide_banner', '-loglevel', 'error', '-nostdin', '-f', 'lavfi', '-i', 'sine=frequency=440:sample_rate=48000', '-t', String(seconds), '-ac', '1', '-c:a', 'aac', '-f', 'adts', 'pipe:1']);
  const frames: Buffer[] = [];
  let config: Buffer | undefined;
  for (let at = 0; at + 7 <= stdout.length; ) {
    const protectionAbsent = (stdout[at + 1] as number) & 1;
    const length = (((stdout[at + 3] as number) & 0x03) << 11) | ((stdout[at + 4] as number) << 3) | ((stdout[at + 5] as number) >> 5);
    const header = protectionAbsent ? 7 : 9;
    if (config === undefined) {
      // ADTS profile (object type - 1), sampling frequency index, channel configuration → AudioSpecificConfig.
      const profile = ((stdout[at + 2] as number) >> 6) + 1;
      const index = ((stdout[at + 2] as number) >> 2) & 0x0f;
      const channels = (((stdout[at + 2] as number) & 1) << 2) | ((stdout[at + 3] as number) >> 6);
      config = Buffer.from([(profile << 3) | (index >> 1), ((index & 1) << 7) | (channels << 3)]);
    }
    frames.push(stdout.subarray(at + header, at + length));
    at += length;
  }
  return { config: config as Buffer, frames };
}

test('Chromium\'s Media Source Extensions buffer both tracks of our H.264 + AAC fMP4', { timeout: 60_000 }, async (t) => {
  const seconds = 4;
  const units = accessUnits('h264', await encodeAnnexB({ codec: 'h264', seconds }));
  const audio = await aacFrames(seconds);
  const writer = new Fmp4Writer();
  const sps = units[0]?.nalus.find((n) => ((n[0] as number) & 0x1f) === 7) as Buffer;
  const pps = units[0]?.nalus.find((n) => ((n[0] as number) & 0x1f) === 8) as Buffer;
  const pieces: MediaPiece[] = [writer.init({ codec: 'h264', sps, pps: [pps] }, { codec: 'aac', config: audio.config, timescale: 48_000 })];
  let a = 0;
  for (const [i, unit] of units.entries()) {
    const ts = i * 3600;
    // Audio up to this frame's time arrives first, as it does from a camera.
    while (a < audio.frames.length && a * 1024 <= (ts * 48_000) / 90_000) writer.addAudio(audio.frames[a] as Buffer, a++ * 1024);
    pieces.push(...writer.addFrame({ nalus: unit.nalus, timestamp: ts, keyframe: unit.keyframe }));
  }
  const last = writer.flush();
  if (last !== undefined) pieces.push(last);
  const init = pieces[0];
  assert.ok(init?.kind === 'init');
  const mime = `video/mp4; codecs="${init.codec}"`;

  const browser = await launchChromium();
  t.after(() => browser.close());
  const page = await browser.newPage();
  const result = await page.evaluate(
    async ({ mime, chunks }) => {
      if (!MediaSource.isTypeSupported(mime)) return { error: `not supported: ${mime}` };
      const ms = new MediaSource();
      const video = document.createElement('video');
      video.src = URL.createObjectURL(ms);
      await new Promise((resolve) => ms.addEventListener('sourceopen', resolve, { once: true }));
      const sb = ms.addSourceBuffer(mime);
      let failed = '';
      sb.addEventListener('error', () => (failed = 'SourceBuffer error'));
      for (const b64 of chunks) {
        const bytes = Uint8Array.from(atob(b64), (c) => c.charCodeAt(0));
        sb.appendBuffer(bytes);
        await new Promise((resolve) => sb.addEventListener('updateend', resolve, { once: true }));
        if (failed !== '' || ms.readyState !== 'open') return { error: failed || `MediaSource ${ms.readyState}` };
      }
      const ranges = Array.from({ length: sb.buffered.length }, (_, i) => [sb.buffered.start(i), sb.buffered.end(i)]);
      return { ranges, audioTracks: (video as HTMLVideoElement & { audioTracks?: { length: number } }).audioTracks?.length ?? null };
    },
    { mime, chunks: pieces.map((p) => p.bytes.toString('base64')) },
  );
  assert.equal(result.error, undefined, result.error);
  // The buffered ranges of a SourceBuffer are the intersection of its tracks' ranges: audio is there for the whole clip.
  assert.equal(result.ranges?.length, 1, JSON.stringify(result));
  const [start = 0, end = 0] = result.ranges?.[0] ?? [];
  assert.ok(start < 0.1 && end > seconds - 0.2, `buffered ${start}–${end} s`);
});
