import type { Config } from '../config/schema.ts';
import type { Logger } from '../lib/logger.ts';
import { createChosenIngest } from './chosen-ingest.ts';
import { createFfmpegIngest } from './ffmpeg/ffmpeg-ingest.ts';
import { createWorkerIngest } from './native/worker-ingest.ts';

/**
 * The recorder's ingest: the native RTSP ingest on worker threads (so HTTP, database and GC
 * pauses on the main thread do not stall it), with ffmpeg as the per-camera fallback. `native`
 * is returned too: it MUST be closed at shutdown (its workers).
 */
export function buildIngest(recording: Config['recording'], log: Logger, workersByDefault: number, onRing?: (buffer: SharedArrayBuffer) => void) {
  const native = createWorkerIngest({
    workers: recording.ingestWorkers || workersByDefault,
    fragmentSeconds: recording.fragmentSeconds,
    stallTimeoutMs: recording.stallSeconds * 1000,
    log,
    networks: recording.cameraNetworks,
    // Live viewers get a chunk per frame (ADR 0038); the recorder records fragments only.
    liveChunks: true,
    // The seal workers read recorded fragments in the ingest workers' rings (ADR 0044).
    ...(onRing === undefined ? {} : { onRing }),
  });
  const ingest = createChosenIngest({
    native,
    ffmpeg: createFfmpegIngest({
      ffmpegPath: recording.ffmpegPath,
      fragmentSeconds: recording.fragmentSeconds,
      stallTimeoutMs: recording.stallSeconds * 1000,
      log,
      networks: recording.cameraNetworks,
    }),
    log,
  });
  return { native, ingest };
}
