import { isAppError } from '../lib/errors.ts';
import type { Permission } from '../access/permissions.ts';
import type { GrantsService } from '../access/grants.service.ts';
import type { Principal } from '../access/principal.ts';
import { isPermission } from '../access/permissions.ts';
import type { Clock } from '../lib/clock.ts';
import type { TokenStore } from './api-token.ts';
import type { FactorStore } from './factors.ts';
import { enteredEnrolmentCode } from './account-resets.ts';
import { secretHash } from './secret-token.ts';
import type { Sessions } from './sessions.ts';
import type { StoredSession } from './session.ts';
import { userActive, type User } from './user.ts';
import type { UserStore } from './user-store.ts';

/** What a request authenticated with: its principal, and the session when it used a cookie. */
export interface Authenticated {
  readonly principal: Principal;
  readonly session: StoredSession | null;
}

/**
 * Turns a session token or a bearer token into a {@link Principal}: the user must be active,
 * the session or token valid, and the grants are read fresh on every request, so a revoked
 * grant or a disabled account takes effect at the next request.
 */
export class Authenticator {
  readonly #users: UserStore;
  readonly #sessions: Sessions;
  readonly #tokens: TokenStore;
  readonly #grants: GrantsService;
  readonly #factors: FactorStore;
  readonly #clock: Clock;

  constructor(deps: { users: UserStore; sessions: Sessions; tokens: TokenStore; grants: GrantsService; factors: FactorStore; clock: Clock }) {
    this.#users = deps.users;
    this.#sessions = deps.sessions;
    this.#tokens = deps.tokens;
    this.#grants = deps.grants;
    this.#factors = deps.factors;
    this.#clock = deps.clock;
  }

  /**
   * The principal of a session cookie, or null when the session is not valid. `touch: false`
   * checks without counting as use (see {@link Sessions.resolve}).
   */
  async fromSession(token: string, opts: { touch?: boolean } = {}): Promise<Authenticated | null> {
    const session = await this.#sessions.resolve(token, opts);
    if (typeof session === 'string') return null;
    const user = await this.#users.get(session.userId);
    if (!user || !userActive(user, this.#clock.now())) return null;
    return { principal: await this.principalOf(user, { via: 'session', mfa: session.mfa, tokenId: null, limit: null, enrolmentCode: enteredEnrolmentCode(session) }), session };
  }

  /** The principal of an API token (`Authorization: Bearer`), or null when not valid. */
  async fromBearer(secret: string): Promise<Authenticated | null> {
    const token = await this.#tokens.byHash(secretHash(secret));
    const now = this.#clock.now();
    if (!token || token.revokedMs !== null || token.expiresMs <= now) return null;
    const user = await this.#users.get(token.userId);
    if (!user || !userActive(user, now)) return null;
    if (token.lastUsedMs === null || now - token.lastUsedMs > 60_000) {
      // Bookkeeping, not a decision: on a full disk the token still reads (the next use records it).
      await this.#tokens.used(token.id, now).catch((e: unknown) => {
        if (!isAppError(e, 'STORAGE_FULL')) throw e;
      });
    }
    const limit = new Set(token.permissions.filter(isPermission));
    // A token was made by its owner after a verified second factor (or by the host's CLI): it
    // carries that verification, and is limited to its permissions.
    return { principal: await this.principalOf(user, { via: 'token', mfa: true, tokenId: token.id, limit }), session: null };
  }

  /**
   * Builds the principal of a user from their grants and factors. A reset account (see
   * `AccountResets`) must use a second factor whatever its roles: its one-time enrolment code
   * counts as the factor to verify until `enrolmentCode` says this session entered it; then it
   * must enrol one.
   */
  async principalOf(user: User, how: { via: 'session' | 'token'; mfa: boolean; tokenId: string | null; limit: ReadonlySet<Permission> | null; enrolmentCode?: boolean }): Promise<Principal> {
    const [grants, factor] = await Promise.all([this.#grants.effective(user.id), this.hasFactor(user.id)]);
    const reset = user.resetMs !== null;
    const hasFactor = factor || (reset && how.enrolmentCode !== true);
    const needsMfa = this.#grants.privileged(grants) || reset;
    return {
      via: how.via,
      userId: user.id,
      username: user.username,
      displayName: user.displayName,
      tokenId: how.tokenId,
      limit: how.limit,
      mfaRequired: needsMfa || hasFactor,
      mfaSatisfied: how.mfa,
      hasFactor,
      grants,
    };
  }

  /** True when the user has a confirmed TOTP or at least one passkey. */
  async hasFactor(userId: string): Promise<boolean> {
    const [totp, passkeys] = await Promise.all([this.#factors.totp(userId), this.#factors.passkeys(userId)]);
    return (totp?.confirmedMs ?? null) !== null || passkeys.length > 0;
  }
}
