/**
 * Assembles camera control over ONVIF for the server (issue 17 items 6, 9, 10): PTZ with its
 * audited sessions, four-eyes firmware pushes of staged images, and vendors' SBOMs attached to
 * inventory entries. Every ONVIF connection and upload obeys the camera network policy.
 */
import type { AuditSink } from '../audit/ledger.ts';
import type { AddressCheck } from '../ingest/camera-networks.ts';
import type { Db } from '../db/database.ts';
import type { Clock } from '../lib/clock.ts';
import { isAppError } from '../lib/errors.ts';
import { CameraSbomService } from './camera-sbom.service.ts';
import { createCameraSbomStore } from './camera-sbom.store.ts';
import { FirmwarePushService } from './firmware-push.service.ts';
import { readStagedFirmware } from './firmware-staging.ts';
import { uploadFirmware } from './firmware-upgrade.ts';
import type { FirmwareService } from './firmware.service.ts';
import type { OnboardingDeps, OnboardingService } from './onboarding.service.ts';
import { createOnvifClient } from './onvif-client.ts';
import { PtzSessions } from './ptz-sessions.ts';
import { PtzService } from './ptz.service.ts';

/** What camera control is assembled from. */
export interface CameraControlOptions {
  readonly db: Db;
  readonly clock: Clock;
  readonly audit: AuditSink;
  readonly cameras: OnboardingDeps['cameras'];
  readonly onboarding: OnboardingService;
  readonly firmware: FirmwareService;
  readonly dataDir: string;
  readonly addressCheck: AddressCheck | undefined;
  readonly ptzIdleMs: number;
}

/** Builds it; the PTZ sweep runs until `ptzSessions.close()`. */
export function buildCameraControl(o: CameraControlOptions): { routes: { ptz: PtzService; firmwarePush: FirmwarePushService; cameraSboms: CameraSbomService }; ptzSessions: PtzSessions } {
  const connect: OnboardingDeps['connect'] = (target) => createOnvifClient({ ...target, clock: o.clock, addressCheck: o.addressCheck });
  const ptzSessions = new PtzSessions({ audit: o.audit, clock: o.clock, idleMs: o.ptzIdleMs });
  ptzSessions.start();
  const ptz = new PtzService({ inventory: o.onboarding, cameras: o.cameras, sessions: ptzSessions, audit: o.audit, clock: o.clock, connect });
  const firmwarePush = new FirmwarePushService({
    firmware: o.firmware, inventory: o.onboarding, cameras: o.cameras, connect,
    readStaged: (sha256) => readStagedFirmware(o.dataDir, sha256),
    upload: (upload, image) => uploadFirmware(upload, image, { addressCheck: o.addressCheck }),
  });
  const hasEntry = (id: string): Promise<boolean> =>
    o.onboarding.get(id).then(() => true, (e: unknown) => {
      if (isAppError(e, 'NOT_FOUND')) return false;
      throw e;
    });
  const cameraSboms = new CameraSbomService({ store: createCameraSbomStore(o.db), audit: o.audit, clock: o.clock, hasEntry });
  return { routes: { ptz, firmwarePush, cameraSboms }, ptzSessions };
}
