import type { AuditSink } from '../audit/ledger.ts';
import { defaultMinRetentionHours } from '../cameras/camera.ts';
import type { ClockTrust } from '../lib/clock-watch.ts';
import type { Clock } from '../lib/clock.ts';
import type { Logger } from '../lib/logger.ts';
import type { Segment } from '../media/segment.ts';
import type { CameraSource } from './recorder.ts';
import type { Shredder } from './retention.ts';
import type { SegmentIndex } from './segment-index.store.ts';
import type { SegmentStore } from './segment-store.ts';
import { recordingOf, recordingsOf, streamDetail } from './recorded-stream.ts';

/** What one reclaim pass did. */
export interface ReclaimReport {
  readonly deletedSegments: number;
  /** Sum of the deleted segments' sizes as indexed (the space given back, near enough). */
  readonly freedBytes: number;
  readonly shreddedKeys: number;
}

/** Candidates read per camera per round; a round deletes the globally oldest of them. */
const batch = 50;
const hourMs = 3_600_000;

/**
 * The disk-full policy's deletion (issue 14 item 6): frees at least `needBytes` by deleting the
 * OLDEST closed segments, across every camera, that are older than their camera's minimum
 * retention (`minRetentionHours`; footage of removed cameras has none). Footage on legal hold
 * (overlapping a held bookmark) and the data keys it needs are never touched (ADR 0036), nor is
 * footage younger than its minimum: when nothing else is left the pass frees less than asked and the
 * caller stops recording instead.
 *
 * Same order and record as retention (retention.ts): each camera's deletion is committed to the
 * ledger first (`footage.deleted`, actor system:retention, `details.trigger: disk-watermark`),
 * then the data keys whose window ends before the oldest footage kept are destroyed
 * (crypto-shredding; a key still used by kept or current footage never is), then the index rows,
 * then the objects. A crash in between leaves objects that start-up recovery indexes again or
 * removes (their key destroyed).
 *
 * Time: a minimum retention is read on the wall clock. With `clockTrust` not steady, only
 * cameras with no minimum (0 h: any closed footage may go, whatever the time) are reclaimed from,
 * so a clock stepped forward can never delete footage inside a minimum retention.
 */
export async function reclaimSpace(
  deps: {
    cameras: CameraSource;
    index: SegmentIndex;
    store: SegmentStore;
    clock: Clock;
    log: Logger;
    shred: Shredder;
    audit?: AuditSink;
    clockTrust?: () => ClockTrust;
    /** Which storage this frees (the directory), for the audit reason and the log. */
    where: string;
  },
  needBytes: number,
): Promise<ReclaimReport> {
  const cameras = await deps.cameras.list();
  // Per recording: a recorded sub-stream (ADR 0043) under its camera's minimum, capped by its own retention.
  const minimum = new Map([...recordingsOf(cameras)].map(([id, r]) => [id, r.minHours]));
  for (const id of await deps.index.orphanCameraIds([...minimum.keys()])) minimum.set(id, defaultMinRetentionHours);
  const steady = deps.clockTrust?.().steady ?? true;
  const now = deps.clock.now();
  const cutoffs = new Map<string, number>();
  for (const [id, hours] of minimum) {
    if (hours > 0 && !steady) continue;
    // 0 h: every closed segment (end before "infinitely late"); else older than the minimum.
    cutoffs.set(id, hours === 0 ? Number.MAX_SAFE_INTEGER : now - hours * hourMs);
  }

  let freedBytes = 0;
  let deletedSegments = 0;
  let shreddedKeys = 0;
  while (freedBytes < needBytes) {
    // The oldest candidates of each camera, merged: the oldest footage overall goes first.
    const candidates: Segment[] = [];
    for (const [id, cutoff] of cutoffs) candidates.push(...(await deps.index.deletable(id, cutoff, batch)));
    if (candidates.length === 0) break;
    candidates.sort((a, b) => a.startMs - b.startMs);
    const chosen: Segment[] = [];
    for (const s of candidates) {
      if (freedBytes >= needBytes) break;
      chosen.push(s);
      freedBytes += s.bytes;
    }
    const byCamera = Map.groupBy(chosen, (s) => s.cameraId);
    for (const [cameraId, segments] of byCamera) {
      const hours = minimum.get(cameraId) ?? defaultMinRetentionHours;
      const lastEnd = Math.max(...segments.map((s) => s.endMs));
      const [oldestKept] = await deps.index.overlapping(cameraId, lastEnd, Number.MAX_SAFE_INTEGER);
      const oldestHeld = await deps.index.oldestHeldStart(cameraId);
      const keyCutoff = Math.min(lastEnd, oldestKept?.startMs ?? lastEnd, oldestHeld ?? lastEnd);
      const camera = recordingOf(cameraId);
      await deps.audit?.record({
        type: 'footage.deleted',
        actor: { kind: 'system', id: 'system:retention' },
        target: { kind: 'camera', id: camera.cameraId },
        cameraId: camera.cameraId,
        outcome: 'success',
        reason: `free space below the watermark of ${deps.where}: oldest footage past the minimum retention of ${hours} h`,
        details: {
          ...streamDetail(cameraId),
          trigger: 'disk-watermark',
          segments: segments.length,
          segmentIds: segments.map((s) => s.id),
          bytes: segments.reduce((n, s) => n + s.bytes, 0),
          keysBefore: new Date(keyCutoff).toISOString(),
        },
      });
      shreddedKeys += await deps.shred(cameraId, keyCutoff);
      for (const segment of segments) {
        await deps.index.remove(segment.id);
        await deps.store.remove(segment.objectKey);
        deletedSegments++;
      }
    }
  }
  if (deletedSegments > 0) deps.log.warn({ where: deps.where, deletedSegments, freedBytes, shreddedKeys }, 'free space below the watermark: deleted the oldest footage past its minimum retention');
  return { deletedSegments, freedBytes, shreddedKeys };
}
