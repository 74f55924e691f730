/**
 * Which stream of a camera a recording holds (issue 20 item 7, ADR 0043). The main stream is
 * recorded under the camera's id; the sub-stream, when its dual recording is on, under the
 * recording id `<camera id>.sub`. Everything keyed by a camera id below the camera layer (segment
 * and gap rows, object keys, vault headers, data keys, ingest counters) therefore keeps the two
 * apart without a new column: retention, crypto-shredding, recovery and re-indexing work per
 * recording id, and each stream's data keys are destroyed on its own schedule.
 *
 * Contracts:
 * - A camera id MUST NOT end in `.sub` (they are UUIDs, made by the server).
 * - What faces people (ledger events, alarms, access scopes, the API) names the camera id, and
 *   says `stream: 'sub'` where it concerns the sub-stream.
 */

import { subStreamRetention, type Camera } from '../cameras/camera.ts';

/** A camera's recorded streams. */
export type RecordedStream = 'main' | 'sub';

/** The suffix of a sub-stream recording id; `.` is a safe object-key character (vault/object-files.ts). */
const subSuffix = '.sub';

/** The recording id of a camera's stream: the camera id for `main`, `<camera id>.sub` for `sub`. */
export function recordingId(cameraId: string, stream: RecordedStream): string {
  return stream === 'main' ? cameraId : `${cameraId}${subSuffix}`;
}

/** The camera and stream a recording id belongs to. */
export function recordingOf(id: string): { readonly cameraId: string; readonly stream: RecordedStream } {
  return id.endsWith(subSuffix) ? { cameraId: id.slice(0, -subSuffix.length), stream: 'sub' } : { cameraId: id, stream: 'main' };
}

/** `{ stream: 'sub' }` for a sub-stream recording id, else nothing: the detail ledger events add. */
export function streamDetail(id: string): { stream?: 'sub' } {
  return recordingOf(id).stream === 'sub' ? { stream: 'sub' } : {};
}

/**
 * Every recording of `cameras` with the retention and disk-pressure minimum it is kept under:
 * each camera's main stream (its own figures) and its sub-stream (its own retention; the camera's
 * minimum, capped by that retention). The sub-stream is listed whether or not it is recorded now:
 * footage recorded before it was turned off still ages out on its own schedule.
 */
export function recordingsOf(cameras: readonly Camera[]): Map<string, { readonly hours: number; readonly minHours: number }> {
  const all = new Map<string, { hours: number; minHours: number }>();
  for (const c of cameras) {
    all.set(c.id, { hours: c.retentionHours, minHours: c.minRetentionHours });
    const sub = subStreamRetention(c);
    all.set(recordingId(c.id, 'sub'), { hours: sub, minHours: Math.min(c.minRetentionHours, sub) });
  }
  return all;
}
