/**
 * Vendors' SBOMs attached to cameras' inventory entries (AST-5): one per camera, the latest
 * replacing the earlier one, audited (`camera.sbom.attached`) before it is stored.
 */
import type { AuditContext } from '../audit/audit-event.ts';
import type { AuditSink } from '../audit/ledger.ts';
import type { Clock } from '../lib/clock.ts';
import { AppError } from '../lib/errors.ts';
import { checkCameraSbom } from './camera-sbom.ts';
import type { CameraSbomSummary } from './camera-sbom.ts';

/** A stored SBOM. */
export interface StoredCameraSbom {
  readonly cameraId: string;
  readonly summary: CameraSbomSummary;
  readonly document: string;
  readonly attachedBy: string;
  readonly attachedMs: number;
}

/** What the service needs from storage. */
export interface CameraSbomStore {
  get(cameraId: string): Promise<StoredCameraSbom | undefined>;
  /** Inserts or replaces the camera's SBOM. */
  put(sbom: StoredCameraSbom): Promise<void>;
}

/** Attaching and reading camera SBOMs. */
export class CameraSbomService {
  readonly #d: { store: CameraSbomStore; audit: AuditSink; clock: Clock; hasEntry(cameraId: string): Promise<boolean> };

  constructor(deps: { store: CameraSbomStore; audit: AuditSink; clock: Clock; hasEntry(cameraId: string): Promise<boolean> }) {
    this.#d = deps;
  }

  /** Attaches `doc` (parsed JSON) to the camera's inventory entry; NOT_FOUND without one. */
  async attach(cameraId: string, doc: unknown, by: AuditContext): Promise<StoredCameraSbom> {
    if (!(await this.#d.hasEntry(cameraId))) throw new AppError('NOT_FOUND', 'the camera has no inventory entry; identify it first', { cameraId });
    const { summary, text } = checkCameraSbom(doc);
    const before = await this.#d.store.get(cameraId);
    await this.#d.audit.record({
      type: 'camera.sbom.attached', ...by, target: { kind: 'camera', id: cameraId }, cameraId, outcome: 'success',
      details: { format: summary.format, specVersion: summary.specVersion, bytes: summary.bytes, sha256: summary.sha256, components: summary.components, replaced: before?.summary.sha256 ?? null },
    });
    const stored: StoredCameraSbom = { cameraId, summary, document: text, attachedBy: by.actor.id, attachedMs: this.#d.clock.now() };
    await this.#d.store.put(stored);
    return stored;
  }

  /** The camera's SBOM; NOT_FOUND when none is attached. */
  async get(cameraId: string): Promise<StoredCameraSbom> {
    const s = await this.#d.store.get(cameraId);
    if (s === undefined) throw new AppError('NOT_FOUND', 'no SBOM is attached to this camera', { cameraId });
    return s;
  }
}
