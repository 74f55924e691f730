import type { CameraSource } from './recorder.ts';
import type { Clock } from '../lib/clock.ts';
import type { ClockTrust } from '../lib/clock-watch.ts';
import type { Logger } from '../lib/logger.ts';
import type { AuditSink } from '../audit/ledger.ts';
import { defaultRetentionHours } from '../cameras/camera.ts';
import type { SegmentIndex } from './segment-index.store.ts';
import type { SegmentStore } from './segment-store.ts';
import { recordingOf, recordingsOf, streamDetail } from './recorded-stream.ts';

/**
 * Destroys the data keys of a camera whose key window ends at or before `beforeMs`
 * (crypto-shredding); returns how many were destroyed. `DataKeys.destroyBefore` satisfies it.
 */
export type Shredder = (cameraId: string, beforeMs: number) => Promise<number>;

/** What one retention pass did. */
export interface RetentionReport {
  readonly deletedSegments: number;
  readonly shreddedKeys: number;
  /** Set when the pass deleted nothing because the wall clock is not steady: ms until it may be. */
  readonly heldMs?: number;
}

/**
 * Deletes segments whose end is older than their camera's retention; a recorded sub-stream's
 * (ADR 0043) after its own, with its own data keys. Segments of cameras that
 * were removed keep the default retention (72 h) rather than vanishing with the camera.
 * A segment overlapping a legal hold in force (a held bookmark) MUST NOT be deleted, nor any data
 * key from the oldest held segment on (ADR 0036): held footage stays readable until its release.
 *
 * Order (crypto-shredding first): the data keys that only expired footage uses are destroyed,
 * then the index rows, then the objects. A key is destroyed only when its window ends before
 * the start of the camera's oldest segment still within retention, so footage inside retention
 * never loses its key; copies of the expired objects (backups) become undecryptable at once.
 * An object left by a crash between row and object is indexed again by recovery at the next
 * start (or removed, when its key is already destroyed) and deleted by the next pass.
 *
 * Time: "expired" is read on the wall clock, which can be stepped. With `clockTrust`, a pass
 * MUST delete nothing unless the wall clock is steady (ClockWatch: in step with the monotonic
 * clock for the confirmation delay, since start-up and since the last step), checked before each
 * camera, so one wrong reading (a step forward past the retention) can never shred footage.
 */
export async function applyRetention(deps: {
  cameras: CameraSource;
  index: SegmentIndex;
  store: SegmentStore;
  clock: Clock;
  log: Logger;
  shred: Shredder;
  /** When given, each deletion is committed to the audit ledger before it happens. */
  audit?: AuditSink;
  /** When given, nothing is deleted while it says the wall clock is not steady. */
  clockTrust?: () => ClockTrust;
}): Promise<RetentionReport> {
  const cameras = await deps.cameras.list();
  // Per recording: each camera's main stream and its recorded sub-stream (ADR 0043), each under its own retention.
  const retention = new Map([...recordingsOf(cameras)].map(([id, r]) => [id, r.hours]));
  const orphans = await deps.index.orphanCameraIds([...retention.keys()]);
  for (const id of orphans) retention.set(id, defaultRetentionHours);
  let deletedSegments = 0;
  let shreddedKeys = 0;
  for (const [cameraId, hours] of retention) {
    const trust = deps.clockTrust?.();
    if (trust !== undefined && !trust.steady) {
      deps.log.info({ waitMs: Math.round(trust.waitMs), deletedSegments, shreddedKeys }, 'retention held: the wall clock was stepped or the server just started; nothing is deleted until it has been steady');
      return { deletedSegments, shreddedKeys, heldMs: trust.waitMs };
    }
    const cutoff = deps.clock.now() - hours * 3_600_000;
    const [oldestKept] = await deps.index.overlapping(cameraId, cutoff, Number.MAX_SAFE_INTEGER);
    // Footage on legal hold is kept whatever its age, and so are the keys it needs.
    const oldestHeld = await deps.index.oldestHeldStart(cameraId);
    const keyCutoff = Math.min(cutoff, oldestKept?.startMs ?? cutoff, oldestHeld ?? cutoff);
    const shredded = await deps.shred(cameraId, keyCutoff);
    shreddedKeys += shredded;
    for (let first = true; ; first = false) {
      const batch = await deps.index.deletable(cameraId, cutoff, 200);
      if (deps.audit && (batch.length > 0 || (first && shredded > 0))) {
        const camera = recordingOf(cameraId);
        await deps.audit.record({
          type: 'footage.deleted',
          actor: { kind: 'system', id: 'system:retention' },
          target: { kind: 'camera', id: camera.cameraId },
          cameraId: camera.cameraId,
          outcome: 'success',
          reason: `retention of ${hours} h${camera.stream === 'sub' ? ' (sub-stream)' : ''}`,
          details: {
            ...streamDetail(cameraId),
            segments: batch.length,
            segmentIds: batch.map((s) => s.id),
            dataKeysDestroyed: first ? shredded : 0,
            keysBefore: new Date(keyCutoff).toISOString(),
            before: new Date(cutoff).toISOString(),
          },
        });
      }
      for (const segment of batch) {
        await deps.index.remove(segment.id);
        await deps.store.remove(segment.objectKey);
        deletedSegments++;
      }
      if (batch.length < 200) break;
    }
    await deps.index.removeGapsBefore(cameraId, cutoff);
  }
  if (deletedSegments + shreddedKeys > 0) deps.log.info({ deletedSegments, shreddedKeys }, 'retention deleted expired footage');
  return { deletedSegments, shreddedKeys };
}
