// The page's copy of the server's session clock (issue 19, item 8). The server ends a session
// `idleMs` after its last request made for the user (background polls, X-Custos-Background: 1,
// do not count) or at its absolute end, whichever comes first; GET /api/v1/auth/session says
// both. The page mirrors that: its deadline is the last foreground request + idleMs (never past
// the absolute end), it warns before, and user activity sends a keep-alive request so watching
// video is not idling.

/** Where the session stands at `nowMs`. */
export type IdlePhase = { phase: 'active' } | { phase: 'warning'; secondsLeft: number } | { phase: 'ended' };

/** How long before the end the page warns: a minute, or half the timeout when that is shorter. */
export const warnBeforeMs = (idleMs: number): number => Math.min(60_000, idleMs / 2);

/** Activity this long after the last foreground request sends a keep-alive. */
export const keepAliveAfterMs = (idleMs: number): number => Math.min(30_000, idleMs / 4);

/** The session's limits as the page knows them. */
export interface SessionLimits {
  idleMs: number;
  /** The absolute end (ms since the epoch), or null when unknown. */
  absoluteEndMs: number | null;
}

/** Until the server says otherwise: its default idle timeout (identity.sessionIdleMinutes). */
export const defaultLimits: SessionLimits = { idleMs: 15 * 60_000, absoluteEndMs: null };

/** The phase of a session whose last foreground request was at `lastForegroundMs`. */
export function idlePhase(nowMs: number, lastForegroundMs: number, limits: SessionLimits): IdlePhase {
  const end = Math.min(lastForegroundMs + limits.idleMs, limits.absoluteEndMs ?? Number.POSITIVE_INFINITY);
  const left = end - nowMs;
  if (left <= 0) return { phase: 'ended' };
  if (left <= warnBeforeMs(limits.idleMs)) return { phase: 'warning', secondsLeft: Math.ceil(left / 1000) };
  return { phase: 'active' };
}

/** The limits from GET /api/v1/auth/session's answer. */
export function limitsOf(answer: { idleTimeoutSeconds: number; absoluteEndsAt: string }): SessionLimits {
  const absolute = Date.parse(answer.absoluteEndsAt);
  return { idleMs: answer.idleTimeoutSeconds * 1000, absoluteEndMs: Number.isFinite(absolute) ? absolute : null };
}
