import type { WebSocket } from 'ws';
import { isAppError } from '../lib/errors.ts';

/** Where the watcher reports a closed socket (pino-compatible). */
export interface AdmissionLog {
  info(obj: object, msg: string): void;
  warn(obj: object, msg: string): void;
}

/**
 * Keeps an open WebSocket only while what admitted it still admits it. Every `everyMs` the
 * route's gate runs again (`check`, the same one as at the upgrade); a refusal closes the socket
 * with 1008 and the refusal's error code (UNAUTHENTICATED after a logout, a disabled account,
 * a revoked or expired session or token; FORBIDDEN or NOT_FOUND after a revoked grant). A check
 * that fails for another reason (the database is down) closes with 1011: the socket MUST NOT
 * outlive a check it could not pass. Checks never overlap; the timer stops with the socket.
 *
 * Re-checking rather than closing on events is deliberate: it also catches changes made by
 * another process (the CLI, a second node on PostgreSQL) and expiries, which raise no event.
 * `wake` only brings a check forward (sessions ended in this process): it decides nothing itself.
 */
export function keepWhileAdmitted(socket: WebSocket, check: () => Promise<unknown>, everyMs: number, log: AdmissionLog, wake?: (listener: () => void) => () => void): void {
  let checking = false;
  let done = false;
  /** A wake came during a check that may have read the credentials before the change: check again after it. */
  let again = false;
  let unwake: () => void = () => undefined;
  const stop = () => {
    done = true;
    clearInterval(timer);
    unwake();
  };
  const run = () => {
    if (done) return;
    if (checking) {
      again = true;
      return;
    }
    checking = true;
    again = false;
    check().then(
      () => {
        checking = false;
        if (again) run();
      },
      (e: unknown) => {
        checking = false;
        if (done) return;
        stop();
        if (isAppError(e, 'UNAUTHENTICATED', 'FORBIDDEN', 'NOT_FOUND', 'MFA_REQUIRED')) {
          log.info({ code: e.code }, 'WebSocket closed: its credentials no longer admit it');
          socket.close(1008, e.code);
        } else {
          const code = isAppError(e) ? e.code : 'INTERNAL';
          log.warn({ code }, 'WebSocket closed: its credentials could not be checked again');
          socket.close(1011, code);
        }
      },
    );
  };
  const timer = setInterval(run, everyMs);
  timer.unref();
  // Credentials known to have changed in this process (a logout): check now, not at the next tick.
  if (wake) unwake = wake(run);
  socket.once('close', stop);
}
