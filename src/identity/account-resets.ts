import type { AuditContext } from '../audit/audit-event.ts';
import type { AuditSink } from '../audit/ledger.ts';
import type { GrantApproval } from '../access/grants.service.ts';
import { generateRecoveryCodes, hashRecoveryCode } from './credentials/recovery-codes.ts';
import type { ApiTokens } from './api-tokens.ts';
import type { FactorStore } from './factors.ts';
import type { Sessions } from './sessions.ts';
import type { User } from './user.ts';
import type { UsersService } from './users.service.ts';

/** What a session's method gains when the user of a reset account entered its enrolment code. */
export const enrolmentCodeStep = '+enrolment-code';

/** True when this session entered the enrolment code of its reset account. */
export function enteredEnrolmentCode(session: { readonly method: string }): boolean {
  return session.method.endsWith(enrolmentCodeStep);
}

/** A reset done: the account as it is now, and the one-time enrolment code (shown once). */
export interface ResetDone {
  readonly user: User;
  /** The user needs it, with the password, to enrol a new second factor. Never stored in clear. */
  readonly enrolmentCode: string;
  readonly sessionsEnded: number;
  readonly tokensRevoked: number;
}

/**
 * Account resets by an administrator (issue 11 item 1): a new password, the second factors
 * removed, or both. A reset MUST end every session and API token of the account, remove its
 * factors and put it in the reset state: the next login needs the password *and* a one-time
 * enrolment code, and may then only enrol a new second factor. A reset by a person through the
 * API is a four-eyes request (`account.reset`) unless `identity.grantApproval` is `none`: the
 * requester chooses the password, the approver receives the enrolment code, so neither
 * administrator alone can sign in as the user (ADR 0014). Every account, not only those holding
 * a sensitive role: one reset alone and granted a sensitive role later would be taken over.
 */
export class AccountResets {
  readonly #users: UsersService;
  readonly #approval: GrantApproval;
  readonly #factors: FactorStore;
  readonly #sessions: Sessions;
  readonly #tokens: ApiTokens;
  readonly #audit: AuditSink;

  /** `approval` is `identity.grantApproval`: `none` lets one administrator reset alone. */
  constructor(deps: { users: UsersService; approval: GrantApproval; factors: FactorStore; sessions: Sessions; tokens: ApiTokens; audit: AuditSink }) {
    this.#users = deps.users;
    this.#approval = deps.approval;
    this.#factors = deps.factors;
    this.#sessions = deps.sessions;
    this.#tokens = deps.tokens;
    this.#audit = deps.audit;
  }

  /** True when a person resetting an account through the API needs a second person's approval. */
  get needsApproval(): boolean {
    return this.#approval !== 'none';
  }

  /**
   * The hash of a new password after the policy check (as for an account without a factor: it
   * has none until it enrols again), or null for a reset of the factors only.
   */
  prepare(user: User, password: string | null): Promise<string | null> {
    return password === null ? Promise.resolve(null) : this.#users.newPasswordHash(user, password, false);
  }

  /**
   * Resets the account: audited first (a reset the ledger cannot record is not made), then the
   * password (when given), the factors, the sessions and the tokens. `approvalId` names the
   * four-eyes request that allowed it; null for a reset that needed none (or the host's CLI).
   */
  async apply(user: User, passwordHash: string | null, by: AuditContext, approvalId: string | null): Promise<ResetDone> {
    await this.#audit.record({
      type: 'account.reset',
      ...by,
      target: { kind: 'user', id: `user:${user.id}` },
      outcome: 'success',
      details: { password: passwordHash !== null, factors: true, approvalId },
    });
    const [enrolmentCode] = generateRecoveryCodes(1) as [string];
    const updated = await this.#users.markReset(user, passwordHash);
    await this.#factors.removeAll(user.id);
    await this.#factors.replaceRecoveryCodes(user.id, [hashRecoveryCode(enrolmentCode)], updated.updatedMs);
    const sessionsEnded = await this.#sessions.endAll(user.id);
    const tokensRevoked = await this.#tokens.revokeAllOf(user.id);
    return { user: updated, enrolmentCode, sessionsEnded, tokensRevoked };
  }
}
