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
import type { AdvisoriesService } from './advisories.service.ts';
import type { VetAssessment } from './onboarding.service.ts';

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
    const asset = await this.#d.asset(cameraId);
    const open = asset === undefined ? [] : (await this.#d.advisories(cameraId)).map((x) => x.advisory);
    return this.scoreOf(cameraId, asset, open);
  }

  /** The score of a camera with the given inventory entry and open advisories (the vet step's, before they are stored). */
  async scoreOf(cameraId: string, asset: CameraAsset | undefined, open: readonly Advisory[]): Promise<SecurityScore> {
    const camera = await this.#d.camera(cameraId);
    return securityScore(
      {
        cameraId: camera.id,
        url: camera.url,
        username: camera.username,
        password: camera.password,
        asset: asset === undefined ? null : assetFacts(asset),
        advisories: open.map((a) => ({ documentId: a.documentId, severity: a.severity })),
        recorder: await this.#d.status(cameraId),
        nowMs: this.#d.clock.now(),
      },
      this.#d.defaults ?? defaultCredentials,
    );
  }
}

/** The vet step's assessment (onboarding's `assess`): the advisories an identity matches now, and its score. */
export function vetAssessor(advisories: Pick<AdvisoriesService, 'preview'>, scores: SecurityScoreService): (asset: CameraAsset) => Promise<VetAssessment> {
  return async (asset) => {
    const open = await advisories.preview(asset);
    const score = await scores.scoreOf(asset.cameraId, asset, open.map((o) => o.advisory));
    return {
      advisories: open.map((o) => ({ advisoryId: o.advisory.id, documentId: o.advisory.documentId, cves: o.advisory.cves, severity: o.advisory.severity, range: o.match.product.range })),
      score: { total: score.total, grade: score.grade, cappedBy: score.cappedBy, factors: score.factors },
    };
  };
}

/** The inventory facts a score reads. */
export function assetFacts(a: CameraAsset): NonNullable<ScoreFacts['asset']> {
  return { vendor: a.vendor, vetting: a.vetting, likelyRelabel: a.verdict.likelyRelabel, firmware: a.firmware, firmwareVerdict: a.verdict.firmware ?? null, onvifClockOffsetMs: a.evidence.clock.offsetMs, identifiedMs: a.identifiedMs };
}
