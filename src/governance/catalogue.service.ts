import type { AuditContext } from '../audit/audit-event.ts';
import type { AuditSink } from '../audit/ledger.ts';
import type { Clock } from '../lib/clock.ts';
import { AppError } from '../lib/errors.ts';
import { catalogueSeed } from './catalogue-seed.ts';
import { requirementProblems, type GovernanceStore, type Requirement, type RequirementChange } from './governance-model.ts';

/**
 * The requirement catalogue and Statement of Applicability (GOV-1): seeded from
 * catalogue-seed.ts, assessed through {@link update}.
 *
 * Contracts:
 * - The seed is loaded at the first read; requirements missing from the store are added, stored
 *   assessments are never overwritten.
 * - Every change is recorded as `governance.requirement.updated` (with the fields changed, before
 *   and after) before it is stored: no unlogged change (AUDIT_UNAVAILABLE stops it).
 * - A change that leaves the requirement invalid (not applicable without a reason, a bad
 *   evidence link) is refused with VALIDATION_FAILED naming every problem.
 */
export class CatalogueService {
  readonly #store: GovernanceStore;
  readonly #audit: AuditSink;
  readonly #clock: Clock;
  #seeded: Promise<void> | undefined;

  constructor(deps: { store: GovernanceStore; audit: AuditSink; clock: Clock }) {
    this.#store = deps.store;
    this.#audit = deps.audit;
    this.#clock = deps.clock;
  }

  #seed(): Promise<void> {
    this.#seeded ??= (async () => {
      const now = this.#clock.now();
      await this.#store.seedRequirements(
        catalogueSeed.map((s, position): Requirement => ({ ...s, position, status: 'not-assessed', owner: null, reason: null, updatedBy: 'system:seed', updatedMs: now })),
      );
    })().catch((e: unknown) => {
      this.#seeded = undefined;
      throw e;
    });
    return this.#seeded;
  }

  /** Every requirement, in catalogue order. */
  async list(): Promise<Requirement[]> {
    await this.#seed();
    return this.#store.requirements();
  }

  /** One requirement; NOT_FOUND when there is none. */
  async get(id: string): Promise<Requirement> {
    await this.#seed();
    const r = await this.#store.requirement(id);
    if (r === undefined) throw new AppError('NOT_FOUND', `no requirement ${id}`);
    return r;
  }

  /** Changes a requirement's assessment; audited. */
  async update(id: string, change: RequirementChange, by: AuditContext): Promise<Requirement> {
    const current = await this.get(id);
    const next: Requirement = {
      ...current,
      ...(change.status === undefined ? {} : { status: change.status }),
      ...(change.owner === undefined ? {} : { owner: change.owner }),
      ...(change.evidence === undefined ? {} : { evidence: [...new Set(change.evidence)] }),
      ...(change.reason === undefined ? {} : { reason: change.reason }),
      updatedBy: by.actor.id,
      updatedMs: this.#clock.now(),
    };
    const problems = requirementProblems(next);
    if (problems.length > 0) throw new AppError('VALIDATION_FAILED', `requirement ${id}: ${problems.join('; ')}`, { problems });
    const changed = (['status', 'owner', 'evidence', 'reason'] as const).filter((k) => JSON.stringify(current[k]) !== JSON.stringify(next[k]));
    await this.#audit.record({
      type: 'governance.requirement.updated',
      ...by,
      target: { kind: 'requirement', id },
      outcome: 'success',
      details: {
        requirement: id,
        changed: [...changed],
        before: { status: current.status, owner: current.owner, evidence: [...current.evidence], reason: current.reason },
        after: { status: next.status, owner: next.owner, evidence: [...next.evidence], reason: next.reason },
      },
    });
    await this.#store.saveRequirement(next);
    return next;
  }
}
