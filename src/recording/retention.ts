import type { CameraSource } from './recorder.ts';
import type { Clock } from '../lib/clock.ts';
import type { Logger } from '../lib/logger.ts';
import { defaultRetentionHours } from '../cameras/camera.ts';
import type { SegmentIndex } from './segment-index.store.ts';
import type { SegmentStore } from './segment-store.ts';

/**
 * Deletes segments whose end is older than their camera's retention. Segments of cameras that
 * were removed keep the default retention (72 h) rather than vanishing with the camera.
 * The index row goes first, then the object; an object left by a crash in between is removed
 * by recovery at the next start. Returns the number of segments deleted.
 */
export async function applyRetention(deps: {
  cameras: CameraSource;
  index: SegmentIndex;
  store: SegmentStore;
  clock: Clock;
  log: Logger;
}): Promise<number> {
  const cameras = await deps.cameras.list();
  const retention = new Map(cameras.map((c) => [c.id, c.retentionHours]));
  const orphans = await deps.index.orphanCameraIds([...retention.keys()]);
  for (const id of orphans) retention.set(id, defaultRetentionHours);
  let deleted = 0;
  for (const [cameraId, hours] of retention) {
    const cutoff = deps.clock.now() - hours * 3_600_000;
    for (;;) {
      const batch = await deps.index.expired(cameraId, cutoff, 200);
      for (const segment of batch) {
        await deps.index.remove(segment.id);
        await deps.store.remove(segment.objectKey);
        deleted++;
      }
      if (batch.length < 200) break;
    }
    await deps.index.removeGapsBefore(cameraId, cutoff);
  }
  if (deleted > 0) deps.log.info({ deleted }, 'retention deleted expired segments');
  return deleted;
}
