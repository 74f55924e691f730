import type { Clock } from '../lib/clock.ts';
import { randomSecret, secretHash } from './secret-token.ts';
import type { SessionStore, StoredSession } from './session.ts';

/** A session as a request sees it, with the token that names it (cookie value). */
export interface OpenSession {
  readonly token: string;
  readonly session: StoredSession;
}

/** Why a presented session token is not valid; the caller answers UNAUTHENTICATED either way. */
export type SessionRefusal = 'unknown' | 'ended' | 'idle' | 'expired';

/** Session lifetimes (IAM-2). */
export interface SessionLimits {
  readonly idleMs: number;
  readonly absoluteMs: number;
}

/** When an open session ends unless used again (see {@link Sessions.deadlines}). */
export interface SessionDeadlines {
  /** It ends at this time unless a request that counts as use comes first (capped by the absolute end). */
  readonly idleEndsMs: number;
  /** It ends at this time whatever happens. */
  readonly absoluteEndsMs: number;
  /** The idle limit itself. */
  readonly idleMs: number;
  /** The time these were read at. */
  readonly nowMs: number;
}

/** `last_seen` is written at most this often, so every request is not a database write. */
const touchEveryMs = 5_000;

/**
 * Login sessions: random 256-bit tokens, of which only the SHA-256 is stored. A session ends
 * after `idleMs` without use or `absoluteMs` after login, whichever comes first. Rotation
 * (at login and at every privilege change, e.g. a verified second factor) ends the old token
 * and issues a new one, so a token planted before login (session fixation) is worthless.
 */
export class Sessions {
  readonly #store: SessionStore;
  readonly #clock: Clock;
  readonly #limits: SessionLimits;
  readonly #ended: () => void;

  /** `ended` is told after sessions end here (logout, everywhere, rotation), so open live views are checked at once. */
  constructor(store: SessionStore, clock: Clock, limits: SessionLimits, ended: () => void = () => undefined) {
    this.#store = store;
    this.#clock = clock;
    this.#limits = limits;
    this.#ended = ended;
  }

  /** Starts a session for a user. */
  async start(userId: string, method: string, mfa: boolean): Promise<OpenSession> {
    const token = randomSecret();
    const now = this.#clock.now();
    const session: StoredSession = { idHash: secretHash(token), userId, csrf: randomSecret(24), method, mfa, createdMs: now, lastSeenMs: now, endedMs: null };
    await this.#store.insert(session);
    return { token, session };
  }

  /**
   * The session a token names, or why it is not valid. Touches `last_seen` unless `touch` is
   * false: a re-check on behalf of a passive connection (a live view) MUST NOT count as use, so
   * the idle timeout still ends a session nobody acts in.
   */
  async resolve(token: string, opts: { touch?: boolean } = {}): Promise<StoredSession | SessionRefusal> {
    const session = await this.#store.get(secretHash(token));
    if (!session) return 'unknown';
    if (session.endedMs !== null) return 'ended';
    const now = this.#clock.now();
    if (now - session.createdMs >= this.#limits.absoluteMs) {
      await this.#store.end(session.idHash, now);
      return 'expired';
    }
    if (now - session.lastSeenMs >= this.#limits.idleMs) {
      await this.#store.end(session.idHash, now);
      return 'idle';
    }
    if (opts.touch !== false && now - session.lastSeenMs >= touchEveryMs) {
      await this.#store.touch(session.idHash, now);
      return { ...session, lastSeenMs: now };
    }
    return session;
  }

  /**
   * When a session ends if nobody uses it (idle) and at the latest (absolute), in ms since the
   * epoch, as of its last recorded use. `last_seen` is written at most every few seconds, so
   * the idle end MAY be that much earlier than the exact one, never later.
   */
  deadlines(session: StoredSession): SessionDeadlines {
    const absoluteEndsMs = session.createdMs + this.#limits.absoluteMs;
    return { idleEndsMs: Math.min(session.lastSeenMs + this.#limits.idleMs, absoluteEndsMs), absoluteEndsMs, idleMs: this.#limits.idleMs, nowMs: this.#clock.now() };
  }

  /**
   * Ends `old` and starts a new session for the same user, keeping its login time (the
   * absolute timeout still counts from the first login) and adding what was verified.
   */
  async rotate(old: StoredSession, change: { method?: string; mfa?: boolean }): Promise<OpenSession> {
    const now = this.#clock.now();
    await this.#store.end(old.idHash, now);
    const token = randomSecret();
    const session: StoredSession = {
      ...old,
      idHash: secretHash(token),
      csrf: randomSecret(24),
      method: change.method ?? old.method,
      mfa: change.mfa ?? old.mfa,
      lastSeenMs: now,
      endedMs: null,
    };
    await this.#store.insert(session);
    this.#ended();
    return { token, session };
  }

  /** Ends one session (logout). */
  async end(session: StoredSession): Promise<void> {
    await this.#store.end(session.idHash, this.#clock.now());
    this.#ended();
  }

  /** Ends every session of a user ("log out everywhere", disable, password change). */
  async endAll(userId: string): Promise<number> {
    const ended = await this.#store.endAll(userId, this.#clock.now());
    if (ended > 0) this.#ended();
    return ended;
  }
}
