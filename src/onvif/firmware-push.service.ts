/**
 * A four-eyes firmware push (AST-3, issue 17 item 6): somebody holding `camera.manage` on a
 * camera asks to push an image staged on the host (`custos firmware stage`); a second person
 * holding it approves (approval action `camera.manage`, details `change: camera.firmwarePush`);
 * the approval's executor then pushes through FirmwareService.pushVerified, which verifies the
 * image again and checks it is a release for the camera's vendor and model before any byte is
 * sent. The camera must be identified and not quarantined; its stored credentials go only to
 * its own host, as at identification.
 */
import type { AuditContext } from '../audit/audit-event.ts';
import { AppError, isAppError } from '../lib/errors.ts';
import type { FirmwareManifest } from './firmware-manifest.ts';
import { startFirmwareUpgrade, uploadFirmware } from './firmware-upgrade.ts';
import type { FirmwareService } from './firmware.service.ts';
import type { InventoryEntry, OnboardingDeps } from './onboarding.service.ts';

/** The details of a push request (an approval of action `camera.manage`). */
export interface FirmwarePushRequest {
  readonly change: 'camera.firmwarePush';
  readonly cameraId: string;
  readonly sha256: string;
}

/** True when a `camera.manage` request is a firmware push. */
export function isFirmwarePush(details: Record<string, unknown>): boolean {
  return details.change === 'camera.firmwarePush';
}

/** Dependencies, by interface. */
export interface FirmwarePushDeps {
  readonly firmware: FirmwareService;
  readonly inventory: { get(cameraId: string): Promise<InventoryEntry> };
  readonly cameras: OnboardingDeps['cameras'];
  readonly connect: OnboardingDeps['connect'];
  /** The staged image named by its SHA-256 (firmware-staging.ts). */
  readonly readStaged: (sha256: string) => Promise<Uint8Array | undefined>;
  /** The upload (firmware-upgrade.ts; tests may bound it). */
  readonly upload?: typeof uploadFirmware;
}

function hostOf(url: string): string | null {
  try {
    return new URL(url).hostname.toLowerCase();
  } catch {
    return null;
  }
}

/** Request and execution of firmware pushes. */
export class FirmwarePushService {
  readonly #d: FirmwarePushDeps;

  constructor(deps: FirmwarePushDeps) {
    this.#d = deps;
  }

  async #entry(cameraId: string): Promise<InventoryEntry> {
    let entry: InventoryEntry;
    try {
      entry = await this.#d.inventory.get(cameraId);
    } catch (e) {
      if (isAppError(e, 'NOT_FOUND')) throw new AppError('NOT_FOUND', 'the camera was not identified over ONVIF; identify it first', { cameraId });
      throw e;
    }
    if (entry.quarantined) throw new AppError('CONFLICT', 'the camera is quarantined; firmware is not pushed to it', { cameraId });
    if (entry.asset.onvifXaddr === null) throw new AppError('CONFLICT', 'the camera has no ONVIF address', { cameraId });
    return entry;
  }

  /** Checks a push can be asked for (identified camera, staged image) and returns its details. */
  async request(cameraId: string, sha256: string): Promise<FirmwarePushRequest> {
    await this.#entry(cameraId);
    if ((await this.#d.readStaged(sha256)) === undefined) throw new AppError('NOT_FOUND', `no firmware image ${sha256.slice(0, 64)} is staged; run custos firmware stage IMAGE on the host`, { sha256 });
    return { change: 'camera.firmwarePush', cameraId, sha256 };
  }

  /** Executes an approved push (the approver's `by`). */
  async execute(r: FirmwarePushRequest, by: AuditContext): Promise<FirmwareManifest> {
    const entry = await this.#entry(r.cameraId);
    const image = await this.#d.readStaged(r.sha256);
    if (image === undefined) throw new AppError('NOT_FOUND', `the staged image ${r.sha256} is gone`, { sha256: r.sha256 });
    const xaddr = entry.asset.onvifXaddr ?? '';
    const camera = await this.#d.cameras.get(r.cameraId);
    const ownHost = hostOf(xaddr) === hostOf(camera.url);
    const onvif = this.#d.connect({ xaddr, username: ownHost ? (camera.username ?? undefined) : undefined, password: ownHost ? (camera.password ?? undefined) : undefined });
    const upload = this.#d.upload ?? uploadFirmware;
    return this.#d.firmware.pushVerified(image, { id: r.cameraId, vendor: entry.asset.vendor, model: entry.asset.model }, by, async (verified) => {
      await onvif.systemDateAndTime();
      await upload(await startFirmwareUpgrade(onvif, xaddr), verified);
    });
  }
}
