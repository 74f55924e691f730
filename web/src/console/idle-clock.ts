// The page's copy of the server's idle clock (issue 19, item 8). The server ends a session
// `idleMs` after its last request made for the user; background polls (X-Custos-Background)
// do not count. The page mirrors that: its deadline is the last foreground request + idleMs,
// it warns before, and user activity sends a keep-alive request so watching video is not idling.

/** Where the session stands at `nowMs`. */
export type IdlePhase = { phase: 'active' } | { phase: 'warning'; secondsLeft: number } | { phase: 'ended' };

/** How long before the end the page warns: a minute, or half the timeout when that is shorter. */
export const warnBeforeMs = (idleMs: number): number => Math.min(60_000, idleMs / 2);

/** Activity this long after the last foreground request sends a keep-alive. */
export const keepAliveAfterMs = (idleMs: number): number => Math.min(30_000, idleMs / 4);

/** The phase of a session whose last foreground request was at `lastForegroundMs`. */
export function idlePhase(nowMs: number, lastForegroundMs: number, idleMs: number): IdlePhase {
  const left = lastForegroundMs + idleMs - nowMs;
  if (left <= 0) return { phase: 'ended' };
  if (left <= warnBeforeMs(idleMs)) return { phase: 'warning', secondsLeft: Math.ceil(left / 1000) };
  return { phase: 'active' };
}

/** The idle timeout the server announced in the page (`<meta name="custos-session-idle-seconds">`), else 15 minutes. */
export function announcedIdleMs(doc: Pick<Document, 'querySelector'>): number {
  const seconds = Number(doc.querySelector('meta[name="custos-session-idle-seconds"]')?.getAttribute('content'));
  return Number.isFinite(seconds) && seconds > 0 ? seconds * 1000 : 15 * 60_000;
}
