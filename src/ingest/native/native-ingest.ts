/**
 * The native ingest (issue 5): RTSP over TCP interleaved (plain or TLS, src/ingest/native/rtsp/) →
 * RTP depacketization (src/ingest/native/rtp/) → fMP4 (src/media/fmp4/) → the same MediaPieces the
 * ffmpeg ingest produces, in this process: no child process, no loopback bridge for RTSPS,
 * credentials never on a command line.
 *
 * Contracts (see src/ingest/ingest.ts):
 * - `run` resolves when the stream ends (an RTCP BYE on the video track, RFC 3550 §6.6: the
 *   session is torn down and the frames held are written) or `signal` aborts; rejects with
 *   CAMERA_UNREACHABLE (connect, refusal, timeout, stall, a codec or packetization native does
 *   not read: then `detail.unsupported` says what, so the auto ingest can fall back to ffmpeg)
 *   or MEDIA_MALFORMED.
 * - Nothing is delivered before the first key frame; the init segment is built from the SDP's
 *   parameter sets, else from the first key frame's in-band ones.
 * - Back-pressure: the sink's promise pauses the socket (RtspSession.play).
 * - Audio (ADR 0037): AAC-LC (RFC 3640 AAC-hbr) is set up and recorded as a second track in
 *   the same fragments, on the video's clock (audio-sync.ts); any other audio is not set up, and
 *   the counters say why (`not recorded (codec PCMU)`, audio-plan.ts). Audio never stops video:
 *   a refused audio SETUP or a bad audio packet leaves a video-only recording.
 */
import { AppError, isAppError } from '../../lib/errors.ts';
import type { Logger } from '../../lib/logger.ts';
import type { Ingest, IngestEvents, IngestTarget, PieceSink } from '../ingest.ts';
import type { MediaPiece } from '../../media/media.ts';
import { LiveChunker } from '../../media/fmp4/live-chunker.ts';
import { Fmp4Writer, type VideoCodecConfig } from '../../media/fmp4/fmp4-writer.ts';
import type { AccessUnit, AccessUnitAssembler } from './rtp/access-unit-assembler.ts';
import { createH264Depacketizer } from './rtp/h264-depacketizer.ts';
import { createH265Depacketizer } from './rtp/h265-depacketizer.ts';
import { AacDepacketizer } from './rtp/aac-depacketizer.ts';
import { audioSetUp, planAudio, type AudioPlan } from './audio-plan.ts';
import { AudioSync, type RtpInfoAnchor } from './audio-sync.ts';
import { parseRtcpCompound, rtcpPacketType } from './rtp/rtcp-sr.ts';
import { parseRtpPacket } from './rtp/rtp-packet.ts';
import { openRtspSession, type RtspSession } from './rtsp/rtsp-client.ts';
import type { H264Track, H265Track } from './rtsp/sdp.ts';
import { type IngestCounters } from './ingest-counters.ts';
import { addressCheck, type CameraNetworkPolicy } from '../camera-networks.ts';
import { systemMonotonicClock, type MonotonicClock } from '../../lib/monotonic-clock.ts';
import { StallWatch } from './stall-watch.ts';

export interface NativeIngestOptions {
  readonly log: Logger;
  /** Upper bound of one fMP4 fragment (the most a crash can lose). */
  readonly fragmentSeconds: number;
  /** A camera that delivers no frame for this long is treated as failed. */
  readonly stallTimeoutMs: number;
  /** Shared per-camera counters (status, /metrics). */
  readonly counters: IngestCounters;
  /** Networks cameras may be in (recording.cameraNetworks), enforced on every connection, redirects included. */
  readonly networks?: CameraNetworkPolicy;
  /** Measures the stall timeout; a wall-clock step MUST NOT fire (or hide) a stall. The system's by default. */
  readonly monotonic?: MonotonicClock;
  /**
   * Besides the recording's fragments, send one `live-chunk` piece per frame for live viewers
   * (ADR 0038; not when audio is recorded). Off by default: a sink that records only may ignore them.
   */
  readonly liveChunks?: boolean;
}

/** Why native cannot read a track, or undefined when it can. */
export function unsupportedReason(track: H264Track | H265Track): string | undefined {
  if (track.codec === 'h264' && track.packetizationMode === 2) return 'H.264 interleaved packetization (mode 2)';
  if (track.codec === 'h265' && track.spropMaxDonDiff > 0) return 'H.265 with DONL (sprop-max-don-diff > 0)';
  return undefined;
}

function unsupported(what: string): AppError {
  return new AppError('CAMERA_UNREACHABLE', `native ingest does not read ${what}`, { unsupported: what });
}

/** The RTP-Info `rtptime` of the video and audio tracks (matched by control URL, else by order), when both were stated. */
function rtpInfoAnchor(session: RtspSession, videoUrl: string, audioUrl: string): RtpInfoAnchor | undefined {
  const info = session.rtpInfo;
  const find = (url: string, index: number) => info.find((i) => i.url === url || url.endsWith(i.url) || i.url.endsWith(url)) ?? (info.length === session.tracks.length ? info[index] : undefined);
  const v = find(videoUrl, 0)?.rtptime;
  const a = find(audioUrl, session.tracks.findIndex((t) => t.kind === 'audio'))?.rtptime;
  return v === undefined || a === undefined ? undefined : { videoRtpTime: v, audioRtpTime: a };
}

/** Parameter sets for the init segment: from the SDP, else from an in-band key frame. */
function codecConfig(track: H264Track | H265Track, au: AccessUnit): VideoCodecConfig | undefined {
  const inBand = au.parameterSets;
  if (track.codec === 'h264') {
    const sps = inBand.sps ?? track.sps[0];
    const pps = inBand.pps ? [inBand.pps] : track.pps;
    return sps !== undefined && pps.length > 0 ? { codec: 'h264', sps, pps } : undefined;
  }
  const vps = inBand.vps ?? track.vps[0];
  const sps = inBand.sps ?? track.sps[0];
  const pps = inBand.pps ? [inBand.pps] : track.pps;
  return vps !== undefined && sps !== undefined && pps.length > 0 ? { codec: 'h265', vps, sps, pps } : undefined;
}

export function createNativeIngest(opts: NativeIngestOptions): Ingest {
  const { log, counters } = opts;
  const check = addressCheck(opts.networks);
  return {
    name: 'native',
    losses: (cameraId) => counters.totals(cameraId),
    async run(target: IngestTarget, sink: PieceSink, signal: AbortSignal, events?: IngestEvents): Promise<void> {
      const rtspLog = {
        warn: (obj: object, msg: string) => log.warn({ ...obj, cameraId: target.cameraId }, msg),
        debug: (obj: object, msg: string) => log.debug({ ...obj, cameraId: target.cameraId }, msg),
      };
      const session = await openRtspSession(
        { url: target.url, username: target.username, password: target.password, tlsCaPem: target.tlsCaPem ?? null, audio: (d) => planAudio(d, target.recordAudio === true).record, log: rtspLog, ...(check === undefined ? {} : { addressCheck: check }) },
        signal,
      );
      if (session === undefined) return;
      try {
        await pump(session, target, sink, signal, opts, events);
      } finally {
        counters.session(target.cameraId);
        await session.close();
      }
    },
  };
}

async function pump(session: RtspSession, target: IngestTarget, sink: PieceSink, signal: AbortSignal, opts: NativeIngestOptions, events?: IngestEvents): Promise<void> {
  const video = session.tracks.find((t) => t.kind === 'video');
  if (video === undefined) throw new AppError('CAMERA_UNREACHABLE', 'the camera offers no video track', { unsupported: 'no video track' });
  const track = video.track as H264Track | H265Track;
  const reason = unsupportedReason(track);
  if (reason !== undefined) throw unsupported(reason);
  const counters = opts.counters.camera(target.cameraId);
  const audioTrack = session.tracks.find((t) => t.kind === 'audio');
  const plan: AudioPlan = audioSetUp(planAudio(session.description, target.recordAudio === true), audioTrack !== undefined);
  counters.audio = plan.status;
  const depacketizer: AccessUnitAssembler = track.codec === 'h264' ? createH264Depacketizer() : createH265Depacketizer();
  const writer = new Fmp4Writer({ maxFragmentMs: opts.fragmentSeconds * 1000 });
  // Per-frame chunks for live viewers (ADR 0038), besides the recording's fragments. Not with a
  // recorded audio track: the init segment then declares it, and video-only chunks would stall MSE.
  const chunker = opts.liveChunks === true && !plan.record ? new LiveChunker() : undefined;
  let initialized = false;
  /** Live chunks are being made (wanted, and a key frame was seen since they became so). */
  let chunking = false;
  const monotonic = opts.monotonic ?? systemMonotonicClock;
  const aac = plan.record ? new AacDepacketizer() : undefined;
  // RTP-Info is read when the first audio frame is anchored: PLAY has been answered by then.
  const sync = plan.record && audioTrack !== undefined
    ? new AudioSync({ videoRate: 90_000, audioRate: plan.track.clockRate, rtpInfo: () => rtpInfoAnchor(session, video.controlUrl, audioTrack.controlUrl) })
    : undefined;

  // A stalled camera (connection open, nothing coming) ends the run so the recorder reconnects;
  // our own stalls (back-pressure, a stopped host) are not charged to it (stall-watch.ts).
  const stall = new AbortController();
  const watch = new StallWatch({ stallTimeoutMs: opts.stallTimeoutMs, now: () => monotonic.now() });
  const deliver = (piece: MediaPiece) => watch.busy(Promise.resolve(sink(piece)));
  const watchdog = setInterval(() => {
    const seen = watch.tick();
    if (seen.kind === 'camera-stalled') stall.abort();
    else if (seen.kind === 'host-stalled') opts.log.warn({ cameraId: target.cameraId, stalledMs: seen.ms }, 'native ingest: this process did not run for a while (host stall); not counted against the camera');
  }, watch.tickMs);
  /** Depacketizes one audio RTP packet into the writer; audio problems are counted, never fatal. */
  const addAudio = (payload: Buffer): void => {
    const parsed = parseRtpPacket(payload);
    const s = sync;
    if (!parsed.ok || aac === undefined || s === undefined) return;
    for (const f of aac.push(parsed.packet)) {
      const at = s.audio(f.timestamp, monotonic.now());
      try {
        if (at === undefined || writer.addAudio(f.data, at) !== undefined) counters.droppedAudioFrames++;
        else counters.audioFrames++;
      } catch (e) {
        if (!isAppError(e, 'MEDIA_MALFORMED')) throw e;
        counters.droppedAudioFrames++;
      }
    }
  };
  /** Writes completed access units and delivers what they make, in order (the sink may hold each). */
  const units = async (aus: readonly AccessUnit[]): Promise<void> => {
    for (const au of aus) {
      watch.frame();
      if (!initialized) {
        const config = au.keyframe ? codecConfig(track, au) : undefined;
        if (config === undefined) continue;
        await deliver(writer.init(config, plan.record ? { codec: 'aac', config: plan.track.config, timescale: plan.track.clockRate, channels: plan.track.channels } : undefined));
        initialized = true;
        chunker?.reset();
        chunking = false;
      }
      sync?.video(au.timestamp, monotonic.now());
      let pieces;
      try {
        pieces = writer.addFrame({ nalus: au.nalus, timestamp: au.timestamp, keyframe: au.keyframe });
      } catch (e) {
        // A frame the writer refuses (timestamp going back: B-frames, a camera clock reset) is
        // skipped and counted; the stream goes on.
        if (!isAppError(e, 'MEDIA_MALFORMED')) throw e;
        counters.refusedFrames++;
        continue;
      }
      counters.frames++;
      // The fragment a key frame closes goes first: a viewer switching from fragments to chunks
      // at this key frame then misses no frame (live-hub.ts).
      for (const piece of pieces) await deliver(piece);
      if (chunker !== undefined) {
        // Chunks only while someone watches (ADR 0044). A viewer arriving mid-group gets the
        // group from its key frame at once (LiveChunker.start), not a wait for the next one.
        const wanted = events?.live?.wanted() ?? true;
        if (!wanted) {
          chunking = false;
          chunker.skip(au);
        } else if (chunking) {
          const chunk = chunker.chunk(au);
          if (chunk !== undefined) await deliver(chunk);
        } else {
          const first = chunker.start(au);
          chunking = first !== undefined;
          for (const chunk of first ?? []) await deliver(chunk);
        }
      }
    }
  };
  const stop = () => void session.close();
  stall.signal.addEventListener('abort', stop, { once: true });
  signal.addEventListener('abort', stop, { once: true });
  let failure: unknown;
  try {
    await session.play((frame) => {
      if (frame.track === 'audio') {
        if (frame.kind === 'rtp' && aac !== undefined && initialized) addAudio(frame.payload);
        return;
      }
      if (frame.kind === 'rtcp') {
        // A BYE is the camera ending the stream (a file served once, a camera shutting down):
        // a normal end, as for ffmpeg's RTSP reader. Waiting for the stall timeout instead would
        // make it a failure and lose the frames held for the fragment in progress.
        const rtcp = parseRtcpCompound(frame.payload);
        // A sender report states the camera's wall clock: its distance from ours is the
        // camera's clock offset (LOG-4; network delay on a LAN is well under its precision).
        const report = rtcp.ok ? rtcp.senderReports.at(-1) : undefined;
        if (report !== undefined) counters.clockOffsetMs = Math.round(report.unixMs - Date.now());
        if (rtcp.ok && rtcp.packetTypes.includes(rtcpPacketType.bye)) {
          opts.log.debug({ cameraId: target.cameraId }, 'native ingest: the camera ended the stream (RTCP BYE)');
          void session.close();
        }
        return;
      }
      counters.packets++;
      counters.bytes += frame.payload.length;
      const parsed = parseRtpPacket(frame.payload);
      if (!parsed.ok) {
        counters.malformedPackets++;
        return;
      }
      const aus = depacketizer.push(parsed.packet);
      const s = depacketizer.stats;
      counters.lostPackets = s.lostPackets;
      counters.droppedFrames = s.droppedAccessUnits;
      // Most packets complete no access unit: no promise for them (a promise and a socket pause
      // per packet were much of the worker's garbage). The connection waits for the one returned.
      return aus.length === 0 ? undefined : units(aus);
    }, () => events?.playing?.());
  } catch (e) {
    failure = e;
  } finally {
    clearInterval(watchdog);
    signal.removeEventListener('abort', stop);
  }
  if (signal.aborted) failure = undefined;
  else if (stall.signal.aborted) failure = new AppError('CAMERA_UNREACHABLE', `camera sent no frame for ${Math.round(opts.stallTimeoutMs / 1000)} s`);
  // The frames held for the fragment in progress are written however the stream ended (a
  // clean end, a stop, or a failure), so a camera that drops loses nothing already received.
  if (initialized) {
    try {
      const last = writer.flush();
      if (last !== undefined) await sink(last);
    } catch (e) {
      failure ??= e;
    }
  }
  if (failure !== undefined) throw failure;
}
