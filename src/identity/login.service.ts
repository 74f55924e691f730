import type { AuditContext } from '../audit/audit-event.ts';
import type { AuditSink } from '../audit/ledger.ts';
import type { GrantsService } from '../access/grants.service.ts';
import type { SecretSealer } from '../keys/secret-sealer.ts';
import type { Clock } from '../lib/clock.ts';
import type { ConcurrencyLimit } from '../lib/concurrency-limit.ts';
import { AppError } from '../lib/errors.ts';
import { clientKey } from './client-address.ts';
import { enrolmentCodeStep } from './account-resets.ts';
import type { Authenticator } from './authenticator.ts';
import type { PendingStore } from './challenges.ts';
import { hashPassword, verifyPassword } from './credentials/password-hash.ts';
import { hashRecoveryCode } from './credentials/recovery-codes.ts';
import { verifyTotp } from './credentials/totp.ts';
import { authenticationOptions, verifyAuthentication } from './credentials/webauthn.ts';
import type { ExternalIdentity } from './external-identity.ts';
import type { FactorStore } from './factors.ts';
import type { AttemptTicket, LoginThrottle } from './login-throttle.ts';
import { RefusalSummary } from './refusal-summary.ts';
import type { OpenSession, Sessions } from './sessions.ts';
import type { StoredSession } from './session.ts';
import { userActive, type User } from './user.ts';
import type { UsersService } from './users.service.ts';

/**
 * Where a login stands: `complete` (every permission usable), `second-factor` (the user has a
 * factor and MUST verify it), or `enrol` (a privileged role makes MFA mandatory and the user
 * has no factor yet: they can only enrol one).
 */
export type LoginStage = 'complete' | 'second-factor' | 'enrol';

/** A login's result: the session to set as a cookie, and what remains to do. */
export interface LoginResult {
  readonly open: OpenSession;
  readonly stage: LoginStage;
  readonly user: User;
}

/** The relying party of WebAuthn: our origin and its host name. */
export interface RelyingParty {
  readonly origin: string;
  readonly rpId: string;
}

/** What the login service is built from. */
export interface LoginDeps {
  users: UsersService;
  grants: GrantsService;
  authenticator: Authenticator;
  sessions: Sessions;
  factors: FactorStore;
  throttle: LoginThrottle;
  /** The limit every password hash shares (see UsersService). */
  hashing: ConcurrencyLimit;
  sealer: SecretSealer;
  challenges: PendingStore<{ challenge: string; userId: string | null }>;
  relyingParty: () => RelyingParty;
  audit: AuditSink;
  clock: Clock;
}

/** The generic answer to every failed login: it never says which part was wrong. */
const loginFailed = () => new AppError('LOGIN_FAILED', 'the user name, password or second factor was not accepted');

/**
 * Logins: password (+ TOTP, recovery code or passkey as second factor), passkey alone, and
 * SSO. Brute force is throttled per client address (in memory) and per (account name, address)
 * with an account-wide ceiling (database, ADR 0015); a guessable secret (password, TOTP code,
 * recovery or enrolment code) is counted *before* it is checked, so attempts sent together
 * cannot overtake the lockout. Every success, failure and lockout is an audit event whose
 * reason the caller never learns (IAM-1/2); refusals of an address over its rate or of a
 * locked name are summarised (one event per key and minute), so they cannot fill the ledger.
 */
export class LoginService {
  readonly #deps: LoginDeps;
  #dummyHash: Promise<string> | null = null;
  readonly #refusals = new RefusalSummary(60_000);

  constructor(deps: LoginDeps) {
    this.#deps = deps;
  }

  /** First step: user name and password. */
  async password(username: string, password: string, ctx: AuditContext): Promise<LoginResult> {
    const { users, throttle } = this.#deps;
    const name = username.trim().toLowerCase().slice(0, 128);
    await this.#admitAddress(ctx);
    const ticket = await this.#reserve(name, ctx);
    const user = await users.findByUsername(name);
    // Hash something whatever happens, so timing does not tell whether the account exists.
    const hash = user?.passwordHash;
    const ok = await this.#deps.hashing.run(() => (hash ? verifyPassword(hash, password) : this.#dummyVerify(password)));
    if (!user || !ok || !user.passwordHash) return this.#fail(ticket, user, ctx, user ? 'wrong password' : 'unknown account');
    if (!userActive(user, this.#deps.clock.now())) return this.#fail(ticket, user, ctx, user.disabled ? 'account disabled' : 'account expired');
    await throttle.succeeded(ticket);
    return this.#primaryDone(user, 'password', false, ctx);
  }

  /** Second step with a TOTP code; rotates the session. */
  async totp(session: StoredSession, code: string, ctx: AuditContext): Promise<LoginResult> {
    const { user, ticket } = await this.#pendingUser(session, ctx);
    const stored = await this.#deps.factors.totp(user.id);
    if (!stored || stored.confirmedMs === null) return this.#fail(ticket, user, ctx, 'no TOTP enrolled');
    const secret = await this.#deps.sealer.openSecret(stored.sealedSecret);
    const step = verifyTotp(secret, code, this.#deps.clock.now(), { window: 1, lastStep: stored.lastStep });
    if (step === null || !(await this.#deps.factors.useTotpStep(user.id, step))) return this.#fail(ticket, user, ctx, step === null ? 'wrong TOTP code' : 'TOTP code replayed');
    await this.#deps.throttle.succeeded(ticket);
    return this.#secondDone(session, user, `${session.method}+totp`, ctx);
  }

  /**
   * Second step with a single-use recovery code; rotates the session. For an account an
   * administrator reset, the code is its one-time enrolment code: it is checked, not used up,
   * and the rotated session may then only enrol a new factor (stage `enrol`).
   */
  async recoveryCode(session: StoredSession, code: string, ctx: AuditContext): Promise<LoginResult> {
    const { user, ticket } = await this.#pendingUser(session, ctx);
    const hash = hashRecoveryCode(code);
    if (user.resetMs !== null) {
      if (!(await this.#deps.factors.hasRecoveryCode(user.id, hash))) return this.#fail(ticket, user, ctx, 'wrong enrolment code');
      await this.#deps.throttle.succeeded(ticket);
      const method = `${session.method}${enrolmentCodeStep}`;
      const open = await this.#deps.sessions.rotate(session, { method, mfa: false });
      await this.#succeeded(user, ctx, { method, mfa: false, stage: 'enrol' });
      return { open, stage: 'enrol', user };
    }
    if (!(await this.#deps.factors.useRecoveryCode(user.id, hash, this.#deps.clock.now()))) return this.#fail(ticket, user, ctx, 'wrong recovery code');
    await this.#deps.throttle.succeeded(ticket);
    return this.#secondDone(session, user, `${session.method}+recovery-code`, ctx);
  }

  /**
   * Changes the signed-in user's own password. The current password is a guessable secret like
   * a login's: throttled, counted before it is checked, hashed within the shared limit.
   */
  async changePassword(session: StoredSession, currentPassword: string, newPassword: string, ctx: AuditContext): Promise<LoginResult> {
    const { users, sessions } = this.#deps;
    const { user, ticket } = await this.#pendingUser(session, ctx);
    const hash = user.passwordHash;
    const ok = hash !== null && (await this.#deps.hashing.run(() => verifyPassword(hash, currentPassword)));
    if (!ok) return this.#fail(ticket, user, ctx, 'wrong current password (password change)', 'the current password is not correct');
    await this.#deps.throttle.succeeded(ticket);
    const updated = await users.setPassword(user, newPassword, await this.#deps.authenticator.hasFactor(user.id), ctx);
    await sessions.endAll(user.id);
    const open = await sessions.rotate(session, {});
    return { open, stage: 'complete', user: updated };
  }

  /** Options for a passkey assertion: for a login (no session) or a second factor (session). */
  async passkeyOptions(session: StoredSession | null, ctx: AuditContext): Promise<{ challengeId: string; options: unknown }> {
    const rp = this.#deps.relyingParty();
    const allow = session ? await this.#deps.factors.passkeys(session.userId) : undefined;
    const options = await authenticationOptions({ rpId: rp.rpId, ...(allow ? { allow: allow.map(toCredential) } : {}) });
    const owner = session ? `user:${session.userId}` : `address:${addressOf(ctx)}`;
    return { challengeId: this.#deps.challenges.put({ challenge: options.challenge, userId: session?.userId ?? null }, owner), options };
  }

  /**
   * Verifies a passkey assertion. Without a session it is a full login (a passkey with user
   * verification is two factors: possession and PIN or biometrics); with a pending session it
   * completes the second factor.
   */
  async passkey(challengeId: string, response: unknown, session: StoredSession | null, ctx: AuditContext): Promise<LoginResult> {
    await this.#admitAddress(ctx);
    const pending = this.#deps.challenges.take(challengeId);
    const credentialId = typeof response === 'object' && response !== null && typeof (response as { id?: unknown }).id === 'string' ? (response as { id: string }).id : '';
    const credential = credentialId ? await this.#deps.factors.passkey(credentialId) : undefined;
    const user = credential ? await this.#deps.users.get(credential.userId).catch(() => undefined) : undefined;
    // A passkey assertion cannot be guessed, so it neither counts towards nor is stopped by the
    // account lockout (ADR 0015: a locked-out user signs in with a passkey); the address rate applies.
    if (!pending || !credential || !user) return this.#fail(null, user, ctx, !pending ? 'challenge unknown or expired' : 'unknown passkey');
    if (pending.userId !== null && pending.userId !== user.id) return this.#fail(null, user, ctx, 'passkey of another user');
    if (session && session.userId !== user.id) return this.#fail(null, user, ctx, 'passkey of another user');
    if (!userActive(user, this.#deps.clock.now())) return this.#fail(null, user, ctx, 'account disabled or expired');
    const rp = this.#deps.relyingParty();
    let counter: number;
    try {
      counter = await verifyAuthentication({ response, expectedChallenge: pending.challenge, origin: rp.origin, rpId: rp.rpId, credential: toCredential(credential), requireUserVerification: session === null });
    } catch (e) {
      return this.#fail(null, user, ctx, e instanceof AppError ? e.message : 'passkey assertion invalid');
    }
    await this.#deps.factors.usePasskey(credential.id, counter, this.#deps.clock.now());
    await this.#deps.throttle.succeeded({ id: '', username: user.username, address: addressOf(ctx) });
    if (session) return this.#secondDone(session, user, `${session.method}+passkey`, ctx);
    return this.#primaryDone(user, 'passkey', true, ctx);
  }

  /** Completes an SSO login: the user (created at first login), grants re-derived from the claims. */
  async sso(identity: ExternalIdentity, ctx: AuditContext): Promise<LoginResult> {
    const user = await this.#deps.users.fromProvider(identity, ctx);
    if (!userActive(user, this.#deps.clock.now())) return this.#fail(null, user, ctx, 'account disabled or expired');
    await this.#deps.grants.syncFromProvider(user, identity.provider, identity.grants, { audit: { ...ctx, actor: { kind: 'system', id: `sso:${identity.provider}` } }, userId: null });
    return this.#primaryDone(user, identity.protocol, identity.mfa, ctx, { authnContext: [...identity.authnContext] });
  }

  /** Counts an SSO callback against the address's login rate; RATE_LIMITED (summarised) when over it. */
  admitSso(ctx: AuditContext): Promise<void> {
    return this.#admitAddress(ctx);
  }

  /**
   * Records a refused SSO callback. One that carried no login in flight (no or unknown SSO
   * cookie) is anonymous: summarised per address and minute, like a rate-limited login.
   */
  async ssoRefused(provider: string, message: string, anonymous: boolean, ctx: AuditContext): Promise<void> {
    if (anonymous) {
      const count = this.#refusals.refused(`sso:${addressOf(ctx)}`, this.#deps.clock.now());
      if (count === null) return;
      await this.#deps.audit.record({ type: 'auth.login.failed', ...ctx, outcome: 'failure', reason: `${provider}: ${message}`, details: { refused: count, windowSeconds: 60 } });
      return;
    }
    await this.#deps.audit.record({ type: 'auth.login.failed', ...ctx, outcome: 'failure', reason: `${provider}: ${message}` });
  }

  /** Ends a session (logout). */
  async logout(session: StoredSession, ctx: AuditContext, everywhere: boolean): Promise<number> {
    const ended = everywhere ? await this.#deps.sessions.endAll(session.userId) : (await this.#deps.sessions.end(session), 1);
    await this.#deps.audit.record({ type: 'auth.logout', ...ctx, target: { kind: 'user', id: `user:${session.userId}` }, outcome: 'success', details: { everywhere, sessions: ended } });
    return ended;
  }

  /** Where a user stands after the first factor. */
  async stageOf(user: User, mfa: boolean): Promise<LoginStage> {
    if (mfa) return 'complete';
    // A reset account: its one-time enrolment code is the second factor to give next.
    if (user.resetMs !== null || (await this.#deps.authenticator.hasFactor(user.id))) return 'second-factor';
    return (await this.#deps.grants.needsMfa(user.id)) ? 'enrol' : 'complete';
  }

  async #primaryDone(user: User, method: string, mfa: boolean, ctx: AuditContext, extra: Record<string, string[]> = {}): Promise<LoginResult> {
    const stage = await this.stageOf(user, mfa);
    // A new session at every login: a token planted earlier (fixation) is never promoted.
    const open = await this.#deps.sessions.start(user.id, method, mfa);
    await this.#succeeded(user, ctx, { method, mfa, stage, ...extra });
    return { open, stage, user };
  }

  async #secondDone(session: StoredSession, user: User, method: string, ctx: AuditContext): Promise<LoginResult> {
    // Privilege changes: the session id rotates.
    const open = await this.#deps.sessions.rotate(session, { method, mfa: true });
    await this.#succeeded(user, ctx, { method, mfa: true, stage: 'complete' });
    return { open, stage: 'complete', user };
  }

  /** Records a login step that succeeded, as the user who made it. */
  async #succeeded(user: User, ctx: AuditContext, details: Record<string, string | boolean | string[]>): Promise<void> {
    await this.#deps.audit.record({
      type: 'auth.login.succeeded',
      ...ctx,
      actor: { kind: 'user', id: `user:${user.id}`, name: user.displayName },
      target: { kind: 'user', id: `user:${user.id}` },
      outcome: 'success',
      details,
    });
  }

  /** The user of a session whose second step (or password change) is attempted, with the attempt reserved. */
  async #pendingUser(session: StoredSession, ctx: AuditContext): Promise<{ user: User; ticket: AttemptTicket }> {
    const user = await this.#deps.users.get(session.userId);
    await this.#admitAddress(ctx);
    return { user, ticket: await this.#reserve(user.username, ctx) };
  }

  /** Counts an attempt from the client address; RATE_LIMITED when it is over its rate (nothing written but a summary). */
  async #admitAddress(ctx: AuditContext): Promise<void> {
    const address = addressOf(ctx);
    if (this.#deps.throttle.allowAddress(address)) return;
    const count = this.#refusals.refused(`address:${address}`, this.#deps.clock.now());
    if (count !== null) await this.#deps.audit.record({ type: 'auth.login.failed', ...ctx, outcome: 'failure', reason: 'address over its login rate', details: { refused: count, windowSeconds: 60 } });
    throw new AppError('RATE_LIMITED', 'too many login attempts from this address; wait a minute');
  }

  /** Reserves an attempt at a secret of `name` before it is checked; RATE_LIMITED when locked. */
  async #reserve(name: string, ctx: AuditContext): Promise<AttemptTicket> {
    const address = addressOf(ctx);
    const r = await this.#deps.throttle.reserve(name, address);
    if ('ticket' in r) return r.ticket;
    const count = this.#refusals.refused(`locked:${name}\n${address}`, this.#deps.clock.now());
    if (count !== null) {
      const reason = r.refused === 'pair-locked' ? 'account name locked for this address' : 'account name locked for addresses it never signed in from';
      await this.#deps.audit.record({ type: 'auth.login.failed', ...ctx, outcome: 'failure', reason, details: { refused: count, windowSeconds: 60 } });
    }
    throw new AppError('RATE_LIMITED', 'too many failed attempts; wait and retry');
  }

  /**
   * Records a failed attempt and throws LOGIN_FAILED. `ticket` (null for passkeys, which are
   * not counted) settles the reserved attempt as a failure, which may lock the name.
   */
  async #fail(ticket: AttemptTicket | null, user: User | undefined, ctx: AuditContext, reason: string, message?: string): Promise<never> {
    const { throttle, audit } = this.#deps;
    const target = user ? { kind: 'user', id: `user:${user.id}` } : undefined;
    await audit.record({ type: 'auth.login.failed', ...ctx, ...(target ? { target } : {}), outcome: 'failure', reason });
    const locked = ticket ? await throttle.failed(ticket) : null;
    if (locked !== null) {
      await audit.record({
        type: 'auth.lockout',
        ...ctx,
        ...(target ? { target } : { target: { kind: 'account-name', id: 'unknown' } }),
        outcome: 'success',
        reason: locked === 'pair' ? 'failed logins from one address reached the limit' : 'failed logins from several addresses reached the account-wide limit',
        details: { scope: locked === 'pair' ? 'account-and-address' : 'account' },
      });
    }
    throw message === undefined ? loginFailed() : new AppError('LOGIN_FAILED', message);
  }

  #dummyVerify(password: string): Promise<boolean> {
    this.#dummyHash ??= hashPassword('custos-timing-equaliser');
    return this.#dummyHash.then((h) => verifyPassword(h, password)).then(() => false);
  }
}

/** The client address of a request, as the throttle keys it. */
/** The client the throttle counts: the request's address, an IPv6 one as its /64 (clientKey). */
function addressOf(ctx: AuditContext): string {
  return clientKey(ctx.source?.address ?? 'unknown');
}

function toCredential(p: { id: string; publicKey: string; counter: number; transports: string[] }) {
  return { id: p.id, publicKey: p.publicKey, counter: p.counter, transports: p.transports };
}
