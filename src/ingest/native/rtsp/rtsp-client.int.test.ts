/**
 * The RTSP client against the real camsim (tools/camsim) on an ephemeral loopback port, small
 * profile, Digest authentication, plain and TLS. Needs ffmpeg on PATH the first time (camsim
 * makes its clip once and caches it).
 */
import assert from 'node:assert/strict';
import { after, before, describe, it } from 'node:test';
import { isAppError } from '../../../lib/errors.ts';
import { loadOrMakeSelfSigned } from '../../../lib/self-signed-cert.ts';
import { startTestCamsim, tempDir } from '../../../../test/helpers/harness.ts';
import type { Camsim } from '../../../../tools/camsim/camsim.ts';
import { parseRtpPacket } from '../rtp/rtp-packet.ts';
import { openRtspSession } from './rtsp-client.ts';
import type { RtspSession, RtspSessionOptions } from './rtsp-client.ts';
import { teardown } from '../../../../test/helpers/teardown.ts';

const username = 'operator';
const password = 'pa55:w"rd@cam';

/** Plays a session for `ms`, collecting RTP packets of the video track. */
async function playFor(session: RtspSession, ms: number): Promise<{ seqs: number[]; markers: number; payloadTypes: Set<number>; lastAt: number }> {
  const seqs: number[] = [];
  const payloadTypes = new Set<number>();
  let markers = 0;
  let lastAt = 0;
  const started = Date.now();
  const timer = setTimeout(() => void session.close(), ms);
  try {
    await session.play((frame) => {
      if (frame.track !== 'video' || frame.kind !== 'rtp') return;
      const p = parseRtpPacket(frame.payload);
      assert.ok(p.ok, 'camsim sends valid RTP');
      seqs.push(p.packet.sequence);
      payloadTypes.add(p.packet.payloadType);
      if (p.packet.marker) markers += 1;
      lastAt = Date.now() - started;
    });
  } finally {
    clearTimeout(timer);
  }
  return { seqs, markers, payloadTypes, lastAt };
}

const consecutive = (seqs: number[]): boolean => seqs.every((s, i) => i === 0 || s === (((seqs[i - 1] ?? 0) + 1) & 0xffff));

describe('RTSP client against camsim', () => {
  let sim: Camsim;
  const open = (o: Partial<RtspSessionOptions> = {}, signal = new AbortController().signal) =>
    openRtspSession({ url: sim.urls[0] ?? '', username, password, requestTimeoutMs: 5_000, ...o }, signal);

  before(async () => {
    // A 2 s session timeout: without keep-alives camsim drops the connection after 2–2.5 s.
    sim = await startTestCamsim({ username, password, sessionTimeoutMs: 2_000 });
  });
  after(() => sim.close());

  it('authenticates with Digest, describes H.264, sets up, plays and receives over 40 RTP packets in 2 s', { timeout: 20_000 }, async () => {
    const session = await open();
    assert.ok(session !== undefined);
    const video = session.description.video;
    assert.ok(video?.codec === 'h264');
    assert.equal(video.profileLevelId, video.sps[0]?.subarray(1, 4).toString('hex'));
    assert.equal(video.pps.length, 1);
    assert.equal(session.tracks.length, 1);
    assert.equal(session.tracks[0]?.controlUrl, `${sim.urls[0]}/trackID=0`);
    assert.deepEqual([session.tracks[0]?.rtpChannel, session.tracks[0]?.rtcpChannel], [0, 1]);
    assert.equal(session.timeoutSeconds, 2);
    const r = await playFor(session, 2_000);
    assert.ok(r.seqs.length > 40, `${r.seqs.length} packets`);
    assert.ok(consecutive(r.seqs), 'sequence numbers follow each other');
    assert.deepEqual([...r.payloadTypes], [96]);
    assert.ok(r.markers >= 40, `${r.markers} access units`);
    assert.equal(session.rtpInfo[0]?.seq, r.seqs[0], 'RTP-Info names the first sequence number');
  });

  it('keeps the session alive past camsim\'s 2 s timeout with GET_PARAMETER every second', { timeout: 20_000 }, async () => {
    const session = await open();
    assert.ok(session !== undefined);
    assert.equal(session.keepaliveIntervalMs, 1_000);
    assert.equal(session.keepaliveMethod, 'GET_PARAMETER');
    const r = await playFor(session, 5_000);
    assert.ok(r.lastAt > 4_500, `packets still arrived at ${r.lastAt} ms`);
    assert.ok(consecutive(r.seqs));
    assert.ok(session.stats().keepalivesSent >= 4, `${session.stats().keepalivesSent} keep-alives`);
  });

  it('ends play() without error when the signal aborts, and the camera takes a new session', { timeout: 20_000 }, async () => {
    const ac = new AbortController();
    const session = await open({}, ac.signal);
    assert.ok(session !== undefined);
    let frames = 0;
    const playing = session.play(() => {
      frames += 1;
      if (frames === 20) ac.abort();
    });
    await playing;
    assert.ok(frames >= 20);
    const again = await open();
    assert.ok(again !== undefined);
    await again.close();
  });

  it('refuses a wrong password with CAMERA_UNREACHABLE naming DESCRIBE and 401, never the password', { timeout: 20_000 }, async () => {
    const wrong = 'Wr0ng-Secret-Value';
    await assert.rejects(open({ password: wrong }), (e) => {
      assert.ok(isAppError(e, 'CAMERA_UNREACHABLE'));
      assert.equal(e.message, 'DESCRIBE refused: 401 Unauthorized (credentials rejected)');
      assert.deepEqual(e.detail, { step: 'DESCRIBE', status: 401 });
      assert.ok(!JSON.stringify({ m: e.message, d: e.detail, s: e.stack }).includes(wrong));
      return true;
    });
  });

  it('says credentials are needed when none are configured', { timeout: 20_000 }, async () => {
    await assert.rejects(open({ username: null, password: null }), (e) =>
      isAppError(e, 'CAMERA_UNREACHABLE') && e.message === 'DESCRIBE refused: 401 Unauthorized (the camera requires credentials and none are configured)');
  });

  it('answers 404 for a camera that does not exist with the step and status', { timeout: 20_000 }, async () => {
    await assert.rejects(open({ url: sim.urls[0]?.replace('/cam1', '/cam99') }), (e) =>
      isAppError(e, 'CAMERA_UNREACHABLE') && e.message === 'DESCRIBE refused: 404 Not Found');
  });
});

describe('RTSPS client against camsim --tls', () => {
  let sim: Camsim;
  let otherPem: string;
  let dir: { path: string; remove(): Promise<void> };
  before(async () => {
    sim = await startTestCamsim({ username, password, tls: 'self-signed' });
    dir = await tempDir('rtsp-tls');
    otherPem = (await loadOrMakeSelfSigned(dir.path, 'other', 'CN=localhost, O=Another')).cert;
  });
  const defer = teardown({ after });
  defer(() => dir.remove());
  defer(() => sim.close());

  it('plays with the camera certificate pinned', { timeout: 20_000 }, async () => {
    assert.match(sim.urls[0] ?? '', /^rtsps:/);
    const session = await openRtspSession({ url: sim.urls[0] ?? '', username, password, tlsCaPem: sim.certificatePem }, new AbortController().signal);
    assert.ok(session !== undefined);
    const r = await playFor(session, 1_500);
    assert.ok(r.seqs.length > 30, `${r.seqs.length} packets`);
  });

  it('refuses the camera when another certificate is pinned', { timeout: 20_000 }, async () => {
    await assert.rejects(openRtspSession({ url: sim.urls[0] ?? '', username, password, tlsCaPem: otherPem }, new AbortController().signal), (e) =>
      isAppError(e, 'CAMERA_UNREACHABLE') && /TLS certificate verification failed/.test(e.message));
  });

  it('refuses the camera against the system trust store', { timeout: 20_000 }, async () => {
    await assert.rejects(openRtspSession({ url: sim.urls[0] ?? '', username, password }, new AbortController().signal), (e) =>
      isAppError(e, 'CAMERA_UNREACHABLE') && /TLS certificate verification failed/.test(e.message));
  });
});
