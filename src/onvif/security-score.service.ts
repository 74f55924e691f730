/**
 * Assembles a camera's security score from the system's facts: the camera (URL and the stored
 * credentials, which are compared with the default list here and go no further), its inventory
 * entry, its open advisories and the recorder's status. The score and its evidence never carry
 * a password or a username.
 */
import type { Clock } from '../lib/clock.ts';
import type { CameraAsset } from './camera-asset.ts';
import type { Advisory } from './advisory.ts';
import { defaultCredentials, type DefaultCredential } from './default-credentials.ts';
import { securityScore, type ScoreFacts, type SecurityScore } from './security-score.ts';

/** Dependencies, by interface. */
export interface SecurityScoreDeps {
  /** The camera with its stored credentials (NOT_FOUND when absent). */
  readonly camera: (id: string) => Promise<{ readonly id: string; readonly url: string; readonly username: string | null; readonly password: string | null }>;
  readonly asset: (cameraId: string) => Promise<CameraAsset | undefined>;
  readonly advisories: (cameraId: string) => Promise<readonly { readonly advisory: Advisory }[]>;
  /** The recorder's status of the camera now. */
  readonly status: (cameraId: string) => Promise<ScoreFacts['recorder']>;
  readonly clock: Clock;
  /** The default-credential list; the repository's by default. */
  readonly defaults?: readonly DefaultCredential[];
}

/** Scores cameras. */
export class SecurityScoreService {
  readonly #d: SecurityScoreDeps;

  constructor(deps: SecurityScoreDeps) {
    this.#d = deps;
  }

  /** The score of one camera now. */
  async score(cameraId: string): Promise<SecurityScore> {
    const camera = await this.#d.camera(cameraId);
    const asset = await this.#d.asset(cameraId);
    return securityScore(
      {
        cameraId: camera.id,
        url: camera.url,
        username: camera.username,
        password: camera.password,
        asset: asset === undefined ? null : assetFacts(asset),
        advisories: asset === undefined ? [] : (await this.#d.advisories(cameraId)).map((x) => ({ documentId: x.advisory.documentId, severity: x.advisory.severity })),
        recorder: await this.#d.status(cameraId),
        nowMs: this.#d.clock.now(),
      },
      this.#d.defaults ?? defaultCredentials,
    );
  }
}

/** The inventory facts a score reads. */
export function assetFacts(a: CameraAsset): NonNullable<ScoreFacts['asset']> {
  return { vendor: a.vendor, vetting: a.vetting, likelyRelabel: a.verdict.likelyRelabel, firmware: a.firmware, firmwareVerdict: a.verdict.firmware ?? null, onvifClockOffsetMs: a.evidence.clock.offsetMs, identifiedMs: a.identifiedMs };
}
