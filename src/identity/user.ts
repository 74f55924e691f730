/** A user as the identity module holds it. The password hash never leaves this module. */
export interface User {
  readonly id: string;
  /** Lower-cased, unique. */
  readonly username: string;
  readonly displayName: string;
  readonly kind: 'local' | 'sso';
  readonly provider: string | null;
  readonly subject: string | null;
  readonly passwordHash: string | null;
  readonly passwordChangedMs: number | null;
  /** A third-party account: MUST expire (IAM-4). */
  readonly external: boolean;
  readonly expiresMs: number | null;
  readonly disabled: boolean;
  readonly createdBy: string;
  readonly createdMs: number;
  readonly updatedMs: number;
  /**
   * Set when an administrator reset the password or factors of this account (four-eyes for a
   * sensitive account): until the user enters the one-time enrolment code and enrols a new
   * second factor, nothing else is allowed. Null otherwise.
   */
  readonly resetMs: number | null;
}

/** True when the user may sign in at `nowMs`: enabled and not expired. */
export function userActive(user: User, nowMs: number): boolean {
  return !user.disabled && (user.expiresMs === null || user.expiresMs > nowMs);
}

/** User names: 1–64 characters of letters, digits and . _ @ - (stored lower-cased). */
export const usernamePattern = /^[a-z0-9][a-z0-9._@-]{0,63}$/;
