import type { AuditContext } from '../audit/audit-event.ts';
import type { AuditSink } from '../audit/ledger.ts';
import type { GrantsService } from '../access/grants.service.ts';
import type { SecretSealer } from '../keys/secret-sealer.ts';
import type { Clock } from '../lib/clock.ts';
import { ConcurrencyLimit } from '../lib/concurrency-limit.ts';
import { AppError } from '../lib/errors.ts';
import type { Authenticator } from './authenticator.ts';
import type { PendingStore } from './challenges.ts';
import { hashPassword, verifyPassword } from './credentials/password-hash.ts';
import { hashRecoveryCode } from './credentials/recovery-codes.ts';
import { verifyTotp } from './credentials/totp.ts';
import { authenticationOptions, verifyAuthentication } from './credentials/webauthn.ts';
import type { ExternalIdentity } from './external-identity.ts';
import type { FactorStore } from './factors.ts';
import type { LoginThrottle } from './login-throttle.ts';
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
 * SSO. Brute force is throttled per address and per account name; every success, failure and
 * lockout is an audit event whose reason the caller never learns (IAM-1/2).
 */
export class LoginService {
  readonly #deps: LoginDeps;
  #dummyHash: Promise<string> | null = null;
  /** Two password hashes at a time: a login burst must not starve the recorder's file I/O. */
  readonly #hashing = new ConcurrencyLimit(2);

  constructor(deps: LoginDeps) {
    this.#deps = deps;
  }

  /** First step: user name and password. */
  async password(username: string, password: string, ctx: AuditContext): Promise<LoginResult> {
    const { users, throttle } = this.#deps;
    const name = username.trim().toLowerCase().slice(0, 128);
    await this.#admit(name, ctx);
    const user = await users.findByUsername(name);
    // Hash something whatever happens, so timing does not tell whether the account exists.
    const hash = user?.passwordHash;
    const ok = await this.#hashing.run(() => (hash ? verifyPassword(hash, password) : this.#dummyVerify(password)));
    if (!user || !ok || !user.passwordHash) return this.#fail(name, user, ctx, user ? 'wrong password' : 'unknown account');
    if (!userActive(user, this.#deps.clock.now())) return this.#fail(name, user, ctx, user.disabled ? 'account disabled' : 'account expired');
    await throttle.succeeded(name);
    return this.#primaryDone(user, 'password', false, ctx);
  }

  /** Second step with a TOTP code; rotates the session. */
  async totp(session: StoredSession, code: string, ctx: AuditContext): Promise<LoginResult> {
    const { user, name } = await this.#pendingUser(session, ctx);
    const stored = await this.#deps.factors.totp(user.id);
    if (!stored || stored.confirmedMs === null) return this.#fail(name, user, ctx, 'no TOTP enrolled');
    const secret = await this.#deps.sealer.openSecret(stored.sealedSecret);
    const step = verifyTotp(secret, code, this.#deps.clock.now(), { window: 1, lastStep: stored.lastStep });
    if (step === null || !(await this.#deps.factors.useTotpStep(user.id, step))) return this.#fail(name, user, ctx, step === null ? 'wrong TOTP code' : 'TOTP code replayed');
    return this.#secondDone(session, user, `${session.method}+totp`, ctx);
  }

  /** Second step with a single-use recovery code; rotates the session. */
  async recoveryCode(session: StoredSession, code: string, ctx: AuditContext): Promise<LoginResult> {
    const { user, name } = await this.#pendingUser(session, ctx);
    if (!(await this.#deps.factors.useRecoveryCode(user.id, hashRecoveryCode(code), this.#deps.clock.now()))) return this.#fail(name, user, ctx, 'wrong recovery code');
    return this.#secondDone(session, user, `${session.method}+recovery-code`, ctx);
  }

  /** Options for a passkey assertion: for a login (no session) or a second factor (session). */
  async passkeyOptions(session: StoredSession | null, ctx: AuditContext): Promise<{ challengeId: string; options: unknown }> {
    const rp = this.#deps.relyingParty();
    const allow = session ? await this.#deps.factors.passkeys(session.userId) : undefined;
    const options = await authenticationOptions({ rpId: rp.rpId, ...(allow ? { allow: allow.map(toCredential) } : {}) });
    const owner = session ? `user:${session.userId}` : `address:${ctx.source?.address ?? 'unknown'}`;
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
    // Without a known user there is no account name to lock: the address rate limit applies.
    const name = user?.username ?? null;
    if (!pending || !credential || !user) return this.#fail(name, user, ctx, !pending ? 'challenge unknown or expired' : 'unknown passkey');
    if (pending.userId !== null && pending.userId !== user.id) return this.#fail(name, user, ctx, 'passkey of another user');
    if (session && session.userId !== user.id) return this.#fail(name, user, ctx, 'passkey of another user');
    await this.#admitAccount(user.username, ctx);
    if (!userActive(user, this.#deps.clock.now())) return this.#fail(name, user, ctx, 'account disabled or expired');
    const rp = this.#deps.relyingParty();
    let counter: number;
    try {
      counter = await verifyAuthentication({ response, expectedChallenge: pending.challenge, origin: rp.origin, rpId: rp.rpId, credential: toCredential(credential), requireUserVerification: session === null });
    } catch (e) {
      return this.#fail(name, user, ctx, e instanceof AppError ? e.message : 'passkey assertion invalid');
    }
    await this.#deps.factors.usePasskey(credential.id, counter, this.#deps.clock.now());
    await this.#deps.throttle.succeeded(user.username);
    if (session) return this.#secondDone(session, user, `${session.method}+passkey`, ctx);
    return this.#primaryDone(user, 'passkey', true, ctx);
  }

  /** Completes an SSO login: the user (created at first login), grants re-derived from the claims. */
  async sso(identity: ExternalIdentity, ctx: AuditContext): Promise<LoginResult> {
    const user = await this.#deps.users.fromProvider(identity, ctx);
    if (!userActive(user, this.#deps.clock.now())) return this.#fail(user.username, user, ctx, 'account disabled or expired');
    await this.#deps.grants.syncFromProvider(user, identity.provider, identity.grants, { audit: { ...ctx, actor: { kind: 'system', id: `sso:${identity.provider}` } }, userId: null });
    return this.#primaryDone(user, identity.protocol, identity.mfa, ctx, { authnContext: [...identity.authnContext] });
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
    if (await this.#deps.authenticator.hasFactor(user.id)) return 'second-factor';
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
    await this.#deps.throttle.succeeded(user.username);
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

  async #pendingUser(session: StoredSession, ctx: AuditContext): Promise<{ user: User; name: string }> {
    const user = await this.#deps.users.get(session.userId);
    await this.#admit(user.username, ctx);
    return { user, name: user.username };
  }

  /** Refuses when the address is over its rate or the account name is locked. */
  async #admit(name: string, ctx: AuditContext): Promise<void> {
    await this.#admitAddress(ctx);
    await this.#admitAccount(name, ctx);
  }

  /** Counts an attempt from the client address; RATE_LIMITED when it is over its rate. */
  async #admitAddress(ctx: AuditContext): Promise<void> {
    const { throttle, audit } = this.#deps;
    if (!throttle.allowAddress(ctx.source?.address ?? 'unknown')) {
      await audit.record({ type: 'auth.login.failed', ...ctx, outcome: 'failure', reason: 'address over its login rate' });
      throw new AppError('RATE_LIMITED', 'too many login attempts from this address; wait a minute');
    }
  }

  /** RATE_LIMITED when the account name is locked. */
  async #admitAccount(name: string, ctx: AuditContext): Promise<void> {
    const { throttle, audit } = this.#deps;
    if (await throttle.locked(name)) {
      await audit.record({ type: 'auth.login.failed', ...ctx, outcome: 'failure', reason: 'account name locked' });
      throw new AppError('RATE_LIMITED', 'too many failed attempts; wait and retry');
    }
  }

  async #fail(name: string | null, user: User | undefined, ctx: AuditContext, reason: string): Promise<never> {
    const { throttle, audit } = this.#deps;
    const target = user ? { kind: 'user', id: `user:${user.id}` } : undefined;
    await audit.record({ type: 'auth.login.failed', ...ctx, ...(target ? { target } : {}), outcome: 'failure', reason });
    if (name !== null && (await throttle.fail(name))) {
      await audit.record({ type: 'auth.lockout', ...ctx, ...(target ? { target } : { target: { kind: 'account-name', id: 'unknown' } }), outcome: 'success', reason: 'failed logins reached the limit' });
    }
    throw loginFailed();
  }

  #dummyVerify(password: string): Promise<boolean> {
    this.#dummyHash ??= hashPassword('custos-timing-equaliser');
    return this.#dummyHash.then((h) => verifyPassword(h, password)).then(() => false);
  }
}

function toCredential(p: { id: string; publicKey: string; counter: number; transports: string[] }) {
  return { id: p.id, publicKey: p.publicKey, counter: p.counter, transports: p.transports };
}
