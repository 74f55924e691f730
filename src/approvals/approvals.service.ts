import { randomUUID } from 'node:crypto';
import type { AuditContext } from '../audit/audit-event.ts';
import type { AuditSink } from '../audit/ledger.ts';
import type { Clock } from '../lib/clock.ts';
import { AppError } from '../lib/errors.ts';
import type { Access } from '../access/access.ts';
import type { Approval, ApprovalStore } from './approval.ts';
import type { Principal } from '../access/principal.ts';

/**
 * The four-eyes rule (IAM-5): an export or an unmask at a four-eyes site, a sensitive grant or
 * a reset of an account made through the API (`identity.grantApproval`, or footage rights over a
 * four-eyes site), and a change weakening a four-eyes site (SensitiveChange) are requests that a
 * second person must approve: for footage or a camera, one holding the same permission on the
 * camera; for a grant or a reset, one holding `user.manage` globally who is not the grantee (or
 * the reset account); for a site, `camera.manage` globally. Requester and approver MUST differ; an
 * approval is used once and expires when undecided.
 */
export class ApprovalsService {
  readonly #store: ApprovalStore;
  readonly #audit: AuditSink;
  readonly #clock: Clock;
  readonly #ttlMs: number;

  constructor(deps: { store: ApprovalStore; audit: AuditSink; clock: Clock; ttlMs: number }) {
    this.#store = deps.store;
    this.#audit = deps.audit;
    this.#clock = deps.clock;
    this.#ttlMs = deps.ttlMs;
  }

  /** Files a request by `requester` (who MUST already hold the permission on the camera). */
  async request(action: Approval['action'], cameraId: string | null, details: Record<string, unknown>, requester: Principal, by: AuditContext): Promise<Approval> {
    const now = this.#clock.now();
    const approval: Approval = {
      id: randomUUID(),
      action,
      cameraId,
      details,
      requestedBy: `user:${requester.userId}`,
      requestedMs: now,
      status: 'pending',
      decidedBy: null,
      decidedMs: null,
      expiresMs: now + this.#ttlMs,
    };
    await this.#audit.record({ type: 'access.approval.requested', ...by, target: { kind: 'approval', id: approval.id }, ...(cameraId ? { cameraId } : {}), outcome: 'success', details: { action } });
    await this.#store.insert(approval);
    return approval;
  }

  /** Approves or rejects; the approver needs the action's permission (on the camera, or globally for a grant). */
  async decide(id: string, approve: boolean, approver: Principal, access: Access, by: AuditContext, reason?: string, veto?: (a: Approval) => Promise<AppError | null>): Promise<Approval> {
    const current = await this.get(id, access);
    if (current.status !== 'pending') throw new AppError('CONFLICT', `the request is ${current.status}`);
    const fail = async (e: AppError): Promise<never> => {
      await this.#audit.record({ type: 'access.approval.decided', ...by, target: { kind: 'approval', id }, ...(current.cameraId ? { cameraId: current.cameraId } : {}), outcome: 'failure', reason: e.message, details: { action: current.action, approve } });
      throw e;
    };
    if (current.requestedBy === `user:${approver.userId}`) return fail(new AppError('SELF_APPROVAL', 'the requester cannot approve their own request'));
    if (!(await mayDecide(current, access))) return fail(new AppError('NOT_FOUND', 'no such approval request'));
    if (current.action === 'access.grant' && current.details.userId === approver.userId) return fail(new AppError('SELF_APPROVAL', 'nobody approves a grant to themselves'));
    if (current.action === 'account.reset' && current.details.userId === approver.userId) return fail(new AppError('SELF_APPROVAL', 'nobody approves a reset of their own account'));
    const vetoed = approve && veto ? await veto(current) : null;
    if (vetoed) return fail(vetoed);
    const now = this.#clock.now();
    await this.#audit.record({
      type: 'access.approval.decided',
      ...by,
      target: { kind: 'approval', id },
      ...(current.cameraId ? { cameraId: current.cameraId } : {}),
      outcome: 'success',
      ...(reason ? { reason } : {}),
      details: { action: current.action, approve, requestedBy: current.requestedBy },
    });
    if (!(await this.#store.decide(id, 'pending', approve ? 'approved' : 'rejected', `user:${approver.userId}`, now))) throw new AppError('CONFLICT', 'the request was decided meanwhile');
    return this.#mustGet(id);
  }

  /** Marks an approved request used (once), recording what it produced. */
  async use(id: string, produced: Record<string, unknown>): Promise<Approval> {
    const current = await this.#mustGet(id);
    if (!(await this.#store.decide(id, 'approved', 'used', null, this.#clock.now(), { ...current.details, ...produced }))) throw new AppError('CONFLICT', 'the approval was already used');
    return this.#mustGet(id);
  }

  /**
   * The account reset, carried out, that set `userId`'s password at `passwordSetMs` (recorded by
   * the decision as `details.passwordSetMs`), if any: its requester chose that password.
   */
  async resetThatSetPassword(userId: string, passwordSetMs: number): Promise<Approval | undefined> {
    return (await this.#store.list()).find((a) => a.action === 'account.reset' && a.status === 'used' && a.details.userId === userId && a.details.passwordSetMs === passwordSetMs);
  }

  /** A request the caller may see: theirs, or one they could decide. NOT_FOUND otherwise. */
  async get(id: string, access: Access): Promise<Approval> {
    const a = await this.#store.get(id);
    if (!a || !(await visible(a, access))) throw new AppError('NOT_FOUND', 'no such approval request');
    return this.#expired(a);
  }

  /** The requests the caller may see, newest first. */
  async list(access: Access): Promise<Approval[]> {
    const out: Approval[] = [];
    for (const a of await this.#store.list()) if (await visible(a, access)) out.push(this.#expired(a));
    return out;
  }

  /**
   * True when the caller may decide `a` now: pending (not expired), filed by someone else, and
   * the caller holds its permission on its scope. The four-eyes inbox is the requests for which
   * this holds; a decision still re-checks everything (and an executor's veto).
   */
  async canDecide(a: Approval, access: Access): Promise<boolean> {
    const p = access.principal;
    if (!p || a.requestedBy === `user:${p.userId}`) return false;
    return this.#expired(a).status === 'pending' && (await mayDecide(a, access));
  }

  async #mustGet(id: string): Promise<Approval> {
    const a = await this.#store.get(id);
    if (!a) throw new AppError('NOT_FOUND', 'no such approval request');
    return this.#expired(a);
  }

  /** Shows an undecided request past its expiry as expired. */
  #expired(a: Approval): Approval {
    return a.status === 'pending' && a.expiresMs <= this.#clock.now() ? { ...a, status: 'expired' } : a;
  }
}

async function visible(a: Approval, access: Access): Promise<boolean> {
  const p = access.principal;
  if (!p) return false;
  return a.requestedBy === `user:${p.userId}` || (await mayDecide(a, access));
}

/**
 * Footage and camera requests: the permission on the camera; grants and account resets:
 * `user.manage` globally; a site change (no camera): `camera.manage` globally.
 */
async function mayDecide(a: Approval, access: Access): Promise<boolean> {
  if (a.action === 'access.grant' || a.action === 'account.reset') return (await access.cameras('user.manage')).all;
  if (a.action === 'camera.manage' && a.cameraId === null) return (await access.cameras('camera.manage')).all;
  return a.cameraId !== null && (await access.canCamera(a.action, a.cameraId));
}
