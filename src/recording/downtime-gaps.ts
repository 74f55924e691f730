import { randomUUID } from 'node:crypto';
import type { Logger } from '../lib/logger.ts';
import type { CameraSource } from './recorder.ts';
import type { SegmentIndex } from './segment-index.store.ts';
import { recordsSubStream } from '../cameras/camera.ts';
import { recordingId } from './recorded-stream.ts';

/** Gap reason for the time the server itself was down (stopped, crashed, host off). */
export const serverDownReason = 'server not running';

/**
 * At start-up, before recording starts (and after recovery, so recovered segments have their
 * real end): gives every enabled camera a closed gap with reason "server not running" from the
 * end of its last segment to `nowMs`, so the timeline says why nothing was recorded while the
 * server was down. A camera whose recording was already interrupted (an open gap, e.g. camera
 * offline at the crash) keeps that gap; a last segment ending after `nowMs` (the wall clock went
 * back) gets none. A recorded sub-stream (ADR 0043) gets its own. Returns how many gaps were recorded.
 */
export async function recordDowntimeGaps(deps: {
  cameras: CameraSource;
  index: Pick<SegmentIndex, 'lastSegment' | 'gapsOverlapping' | 'insertGap'>;
  nowMs: number;
  log: Logger;
}): Promise<number> {
  let recorded = 0;
  const ids = (await deps.cameras.list()).filter((c) => c.enabled).flatMap((c) => (recordsSubStream(c) ? [c.id, recordingId(c.id, 'sub')] : [c.id]));
  for (const id of ids) {
    const last = await deps.index.lastSegment(id);
    if (last === undefined || last.endMs >= deps.nowMs) continue;
    const gaps = await deps.index.gapsOverlapping(id, last.endMs, deps.nowMs);
    if (gaps.some((g) => g.endMs === null)) continue;
    await deps.index.insertGap({ id: randomUUID(), cameraId: id, startMs: last.endMs, endMs: deps.nowMs, reason: serverDownReason });
    recorded++;
  }
  if (recorded > 0) deps.log.info({ cameras: recorded }, 'recorded the downtime of the server as recording gaps');
  return recorded;
}
