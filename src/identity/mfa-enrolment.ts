import type { AuditContext } from '../audit/audit-event.ts';
import type { AuditSink } from '../audit/ledger.ts';
import type { SecretSealer } from '../keys/secret-sealer.ts';
import type { Clock } from '../lib/clock.ts';
import { AppError } from '../lib/errors.ts';
import { enteredEnrolmentCode } from './account-resets.ts';
import type { Authenticator } from './authenticator.ts';
import type { PendingStore } from './challenges.ts';
import { qrSvg } from './credentials/qr-svg.ts';
import { generateRecoveryCodes, hashRecoveryCode } from './credentials/recovery-codes.ts';
import { generateTotpSecret, totpUri, verifyTotp } from './credentials/totp.ts';
import { registrationOptions, verifyRegistration } from './credentials/webauthn.ts';
import type { FactorStore } from './factors.ts';
import type { RelyingParty } from './login.service.ts';
import type { OpenSession, Sessions } from './sessions.ts';
import type { StoredSession } from './session.ts';
import type { User } from './user.ts';
import type { UsersService } from './users.service.ts';

/** The result of enrolling a factor: a rotated session, and recovery codes when it was the first. */
export interface Enrolled {
  readonly open: OpenSession;
  /** Shown once; only their hashes are kept. Empty when the user already had a factor. */
  readonly recoveryCodes: string[];
}

/** What factor enrolment is built from. */
export interface EnrolmentDeps {
  users: UsersService;
  factors: FactorStore;
  authenticator: Authenticator;
  sessions: Sessions;
  sealer: SecretSealer;
  challenges: PendingStore<{ challenge: string; userId: string | null }>;
  relyingParty: () => RelyingParty;
  /** Name shown in authenticator apps and as the WebAuthn relying party name. */
  issuer: string;
  audit: AuditSink;
  clock: Clock;
}

/**
 * Enrolment of second factors (IAM-1): TOTP (otpauth URI and QR code, confirmed by a first
 * code) and WebAuthn passkeys. A user who already has a factor MUST have verified it in this
 * session before adding another, so a stolen password alone cannot add an attacker's factor.
 * Enrolling counts as verifying: the session rotates and is marked MFA-verified. An account an
 * administrator reset MUST have entered its one-time enrolment code in this session first, and
 * its first enrolment ends the reset state.
 */
export class MfaEnrolment {
  readonly #deps: EnrolmentDeps;

  constructor(deps: EnrolmentDeps) {
    this.#deps = deps;
  }

  /** Starts TOTP enrolment: a new secret (stored sealed, unconfirmed), its URI and QR code. */
  async beginTotp(user: User, session: StoredSession): Promise<{ secret: string; uri: string; qrSvg: string }> {
    await this.#assertMayEnrol(user, session);
    const existing = await this.#deps.factors.totp(user.id);
    if (existing?.confirmedMs != null) throw new AppError('CONFLICT', 'TOTP is already enrolled for this account');
    const secret = generateTotpSecret();
    await this.#deps.factors.putTotp({ userId: user.id, sealedSecret: await this.#deps.sealer.sealSecret(secret), confirmedMs: null, lastStep: 0 }, this.#deps.clock.now());
    const uri = totpUri({ secret, account: user.username, issuer: this.#deps.issuer });
    return { secret, uri, qrSvg: await qrSvg(uri) };
  }

  /** Confirms TOTP enrolment with a first code. */
  async confirmTotp(user: User, session: StoredSession, code: string, ctx: AuditContext): Promise<Enrolled> {
    await this.#assertMayEnrol(user, session);
    const stored = await this.#deps.factors.totp(user.id);
    if (!stored || stored.confirmedMs !== null) throw new AppError('CONFLICT', 'no TOTP enrolment in progress; start one first');
    const secret = await this.#deps.sealer.openSecret(stored.sealedSecret);
    const step = verifyTotp(secret, code, this.#deps.clock.now(), { window: 1, lastStep: null });
    if (step === null) throw new AppError('LOGIN_FAILED', 'the code does not match; check the authenticator app\'s clock and try the next code');
    const first = !(await this.#deps.authenticator.hasFactor(user.id));
    await this.#deps.audit.record({ type: 'auth.mfa.enrolled', ...ctx, target: { kind: 'user', id: `user:${user.id}` }, outcome: 'success', details: { factor: 'totp', recoveryCodesIssued: first } });
    await this.#deps.factors.confirmTotp(user.id, step, this.#deps.clock.now());
    return this.#enrolled(user, session, first);
  }

  /** Options to register a passkey. */
  async passkeyOptions(user: User, session: StoredSession): Promise<{ challengeId: string; options: unknown }> {
    await this.#assertMayEnrol(user, session);
    const rp = this.#deps.relyingParty();
    const existing = await this.#deps.factors.passkeys(user.id);
    const options = await registrationOptions({
      rpId: rp.rpId,
      rpName: this.#deps.issuer,
      user: { id: user.id, name: user.username, displayName: user.displayName },
      existing: existing.map((p) => ({ id: p.id, publicKey: p.publicKey, counter: p.counter, transports: p.transports })),
    });
    return { challengeId: this.#deps.challenges.put({ challenge: options.challenge, userId: user.id }, `user:${user.id}`), options };
  }

  /** Registers a passkey from the browser's attestation response. */
  async registerPasskey(user: User, session: StoredSession, challengeId: string, response: unknown, name: string, ctx: AuditContext): Promise<Enrolled> {
    await this.#assertMayEnrol(user, session);
    const pending = this.#deps.challenges.take(challengeId);
    if (!pending || pending.userId !== user.id) throw new AppError('LOGIN_FAILED', 'the registration challenge is unknown or expired; start again');
    const rp = this.#deps.relyingParty();
    const credential = await verifyRegistration({ response, expectedChallenge: pending.challenge, origin: rp.origin, rpId: rp.rpId });
    if (await this.#deps.factors.passkey(credential.id)) throw new AppError('CONFLICT', 'this passkey is already registered');
    const first = !(await this.#deps.authenticator.hasFactor(user.id));
    await this.#deps.audit.record({ type: 'auth.mfa.enrolled', ...ctx, target: { kind: 'user', id: `user:${user.id}` }, outcome: 'success', details: { factor: 'passkey', recoveryCodesIssued: first } });
    await this.#deps.factors.addPasskey({ ...credential, userId: user.id, name: name.trim().slice(0, 64) || 'passkey', createdMs: this.#deps.clock.now(), lastUsedMs: null });
    return this.#enrolled(user, session, first);
  }

  async #enrolled(user: User, session: StoredSession, first: boolean): Promise<Enrolled> {
    let recoveryCodes: string[] = [];
    if (first) {
      recoveryCodes = generateRecoveryCodes(10);
      await this.#deps.factors.replaceRecoveryCodes(user.id, recoveryCodes.map(hashRecoveryCode), this.#deps.clock.now());
    }
    await this.#deps.users.resetDone(user);
    const open = await this.#deps.sessions.rotate(session, { mfa: true });
    return { open, recoveryCodes };
  }

  async #assertMayEnrol(user: User, session: StoredSession): Promise<void> {
    if (session.userId !== user.id) throw new AppError('FORBIDDEN', 'a factor can only be enrolled for oneself');
    // A reset account: the password alone (which an administrator chose) MUST NOT enrol a factor.
    if (user.resetMs !== null && !session.mfa && !enteredEnrolmentCode(session)) {
      throw new AppError('MFA_REQUIRED', 'this account was reset: enter the one-time enrolment code first', { stage: 'second-factor' });
    }
    if (!session.mfa && (await this.#deps.authenticator.hasFactor(user.id))) {
      throw new AppError('MFA_REQUIRED', 'verify your existing second factor before adding another');
    }
  }
}
