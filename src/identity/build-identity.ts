import type { CameraPlacements } from '../access/access.ts';
import { ApprovalsService } from '../approvals/approvals.service.ts';
import { createApprovalStore } from '../approvals/approvals.store.ts';
import { buildAccess } from '../access/build-access.ts';
import type { GrantsService } from '../access/grants.service.ts';
import type { Roles } from '../access/roles.ts';
import type { SitesService } from '../access/sites.service.ts';
import type { AuditSink } from '../audit/ledger.ts';
import type { SecretSealer } from '../cameras/cameras.store.ts';
import type { IdentityConfig } from '../config/identity.schema.ts';
import type { Db } from '../db/database.ts';
import type { Clock } from '../lib/clock.ts';
import { ConcurrencyLimit } from '../lib/concurrency-limit.ts';
import { AccountResets } from './account-resets.ts';
import { ApiTokens } from './api-tokens.ts';
import { createTokenStore } from './api-tokens.store.ts';
import { Authenticator } from './authenticator.ts';
import { PendingStore } from './challenges.ts';
import { createPasswordPolicy } from './credentials/password-policy.ts';
import { createFactorStore } from './factors.store.ts';
import type { FactorStore } from './factors.ts';
import { LoginThrottle } from './login-throttle.ts';
import { createLoginFailureStore } from './login-failures.store.ts';
import { LoginService, type RelyingParty } from './login.service.ts';
import { MfaEnrolment } from './mfa-enrolment.ts';
import { createAssertionReplayStore } from './saml/assertion-replay.store.ts';
import { Sessions } from './sessions.ts';
import { createSessionStore } from './sessions.store.ts';
import { SetupTokens } from './setup-token.ts';
import { createSetupTokenStore } from './setup-tokens.store.ts';
import type { PendingSso } from './sso.routes.ts';
import { SsoProviders } from './sso-providers.ts';
import { UsersService } from './users.service.ts';
import { createUserStore } from './users.store.ts';

/** Everything identity and access are made of, built once by the composition root (or the CLI). */
export interface Identity {
  readonly roles: Roles;
  readonly users: UsersService;
  readonly grants: GrantsService;
  readonly sessions: Sessions;
  readonly tokens: ApiTokens;
  readonly factors: FactorStore;
  readonly authenticator: Authenticator;
  readonly login: LoginService;
  readonly enrolment: MfaEnrolment;
  readonly setup: SetupTokens;
  readonly sites: SitesService;
  readonly approvals: ApprovalsService;
  readonly resets: AccountResets;
  readonly placements: CameraPlacements;
  readonly sso: SsoProviders;
  readonly pendingSso: PendingStore<PendingSso>;
}

const minute = 60_000;
const day = 86_400_000;

/**
 * Builds identity and access from the config slice. `publicUrl` is read lazily (the port is
 * known only once the server listens); WebAuthn's relying party id is its host name.
 */
export function buildIdentity(deps: {
  db: Db;
  config: IdentityConfig;
  sealer: SecretSealer;
  audit: AuditSink;
  clock: Clock;
  publicUrl: () => string;
  /** Told when sessions end in this process (the server re-checks open live views at once). */
  sessionsEnded?: () => void;
}): Identity {
  const { db, config, sealer, audit, clock } = deps;
  const userStore = createUserStore(db);
  const factors = createFactorStore(db);
  const sessions = new Sessions(createSessionStore(db), clock, { idleMs: config.sessionIdleMinutes * minute, absoluteMs: config.sessionAbsoluteHours * 60 * minute }, deps.sessionsEnded);
  const { roles, grants, sites, placements } = buildAccess({
    db,
    config,
    audit,
    clock,
    elevated: async (userId, by) => {
      const ended = await sessions.endAll(userId);
      if (ended > 0) await audit.record({ type: 'auth.logout', ...by, target: { kind: 'user', id: `user:${userId}` }, outcome: 'success', reason: 'privileges changed: log in again', details: { everywhere: true, sessions: ended } });
    },
  });
  // Two password hashes at a time, for logins, password changes and new accounts alike: a burst
  // must not starve the recorder's file I/O (argon2 shares libuv's thread pool with it).
  const hashing = new ConcurrencyLimit(2);
  const users = new UsersService({
    store: userStore,
    rules: createPasswordPolicy({ minLength: config.passwordMinLength, minLengthWithMfa: config.passwordMinLengthWithMfa }),
    audit,
    clock,
    externalMaxMs: config.externalMaxDays * day,
    hashing,
  });
  const tokenStore = createTokenStore(db);
  const tokens = new ApiTokens({ store: tokenStore, audit, clock, maxDays: config.tokenMaxDays });
  const authenticator = new Authenticator({ users: userStore, sessions, tokens: tokenStore, grants, factors, clock });
  const challenges = new PendingStore<{ challenge: string; userId: string | null }>(clock, 5 * minute);
  const relyingParty = (): RelyingParty => {
    const url = new URL(deps.publicUrl());
    return { origin: url.origin, rpId: url.hostname };
  };
  const throttle = new LoginThrottle(createLoginFailureStore(db), clock, { failures: config.lockoutFailures, windowMs: config.lockoutMinutes * minute, accountFailures: config.lockoutAccountFailures, perAddressPerMinute: config.addressAttemptsPerMinute });
  const login = new LoginService({ users, grants, authenticator, sessions, factors, throttle, hashing, sealer, challenges, relyingParty, audit, clock });
  const enrolment = new MfaEnrolment({ users, factors, authenticator, sessions, sealer, challenges, relyingParty, issuer: 'Custos', audit, clock });
  return {
    roles,
    users,
    grants,
    sessions,
    tokens,
    factors,
    authenticator,
    login,
    enrolment,
    setup: new SetupTokens(createSetupTokenStore(db), clock),
    sites,
    approvals: new ApprovalsService({ store: createApprovalStore(db), audit, clock, ttlMs: config.approvalHours * 60 * minute }),
    resets: new AccountResets({ users, approval: config.grantApproval, factors, sessions, tokens, audit }),
    placements,
    sso: new SsoProviders({ oidc: config.oidc, saml: config.saml, publicUrl: deps.publicUrl, replay: createAssertionReplayStore(db, clock), clock }),
    pendingSso: new PendingStore<PendingSso>(clock, 10 * minute),
  };
}
