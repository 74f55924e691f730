/** The CLI's advisory and security-score services over the core's database. */
import { CamerasService } from '../cameras/cameras.service.ts';
import { createCameraStore } from '../cameras/cameras.store.ts';
import type { AuditSink } from '../audit/ledger.ts';
import type { Db } from '../db/database.ts';
import type { DataKeys } from '../keys/data-keys.ts';
import { systemClock } from '../lib/clock.ts';
import { AdvisoriesService } from '../onvif/advisories.service.ts';
import { createAdvisoryStore } from '../onvif/advisories.store.ts';
import { createInventoryStore } from '../onvif/inventory.store.ts';
import { SecurityScoreService } from '../onvif/security-score.service.ts';

/** The advisory and score services over an open database (the CLI has no recorder: last seen is unknown). */
export function cliAdvisories(db: Db, dataKeys: DataKeys, audit: AuditSink): { advisories: AdvisoriesService; scores: SecurityScoreService; cameras: CamerasService } {
  const inventory = createInventoryStore(db);
  const cameras = new CamerasService(createCameraStore(db, dataKeys), systemClock, audit);
  const advisories = new AdvisoriesService({
    store: createAdvisoryStore(db), clock: systemClock, audit,
    targets: async () => (await inventory.list()).map((a) => ({ cameraId: a.cameraId, vendor: a.vendor, model: a.model, firmware: a.firmware })),
  });
  const scores = new SecurityScoreService({
    camera: (id) => cameras.get(id), asset: (id) => inventory.get(id), advisories: (id) => advisories.forCamera(id),
    status: async () => ({ state: 'unknown', sinceMs: systemClock.now(), clockOffsetMs: null }), clock: systemClock,
  });
  return { advisories, scores, cameras };
}

