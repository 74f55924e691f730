import { isAppError } from '../lib/errors.ts';
import type { Logger } from '../lib/logger.ts';
import type { Ingest, IngestEvents, IngestTarget, PieceSink } from './ingest.ts';

/**
 * What native cannot read, when `e` says so: an unsupported codec or packetization, RTP over UDP
 * only, or a camera answering SETUP with 461 Unsupported Transport. Undefined for any other
 * failure (network, credentials, a camera that is down), which falling back would not fix.
 */
export function nativeUnsupported(e: unknown): string | undefined {
  if (!isAppError(e, 'CAMERA_UNREACHABLE')) return undefined;
  const d = e.detail ?? {};
  if (typeof d.unsupported === 'string') return d.unsupported;
  // The codec name comes from the camera's SDP: shown in the status, so only token characters.
  if (typeof d.unsupportedCodec === 'string') return `codec ${d.unsupportedCodec.replace(/[^A-Za-z0-9._-]/g, '?').slice(0, 24)}`;
  if (d.status === 461) return 'transport (461 Unsupported Transport)';
  return undefined;
}

/**
 * The ingest the recorder runs: per camera (`IngestTarget.ingest`) `native`, `ffmpeg`, or
 * `auto` = native, falling back to ffmpeg when native cannot read the camera. A fallback is
 * remembered for the camera's URL, so later reconnects go straight to ffmpeg; `describe` says
 * which ingest pulls a camera now and why (camera status).
 */
export function createChosenIngest(deps: { native: Ingest; ffmpeg: Ingest; log: Logger }): Ingest & { describe(cameraId: string): string } {
  const { native, ffmpeg, log } = deps;
  const fallbacks = new Map<string, { url: string; reason: string }>();
  const current = new Map<string, string>();
  return {
    name: 'auto',
    describe: (cameraId) => current.get(cameraId) ?? 'auto',
    // Counted only while native pulls the camera; ffmpeg does not report losses.
    losses: (cameraId) => (current.get(cameraId) === 'native' ? native.losses?.(cameraId) : undefined),
    async run(target: IngestTarget, sink: PieceSink, signal: AbortSignal, events?: IngestEvents): Promise<void> {
      const choice = target.ingest ?? 'auto';
      if (choice !== 'auto') {
        current.set(target.cameraId, choice);
        return (choice === 'native' ? native : ffmpeg).run(target, sink, signal, events);
      }
      const known = fallbacks.get(target.cameraId);
      if (known !== undefined && known.url === target.url) {
        current.set(target.cameraId, `ffmpeg (native: ${known.reason})`);
        return ffmpeg.run(target, sink, signal, events);
      }
      current.set(target.cameraId, 'native');
      try {
        await native.run(target, sink, signal, events);
      } catch (e) {
        const reason = nativeUnsupported(e);
        if (reason === undefined) throw e;
        fallbacks.set(target.cameraId, { url: target.url, reason });
        current.set(target.cameraId, `ffmpeg (native: ${reason})`);
        log.warn({ cameraId: target.cameraId, reason }, 'native ingest cannot read this camera; falling back to ffmpeg');
        return ffmpeg.run(target, sink, signal, events);
      }
    },
  };
}
