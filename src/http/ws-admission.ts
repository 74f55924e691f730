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
 */
export function keepWhileAdmitted(socket: WebSocket, check: () => Promise<unknown>, everyMs: number, log: AdmissionLog): void {
  let checking = false;
  let done = false;
  const stop = () => {
    done = true;
    clearInterval(timer);
  };
  const timer = setInterval(() => {
    if (checking || done) return;
    checking = true;
    check().then(
      () => {
        checking = false;
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
  }, everyMs);
  timer.unref();
  socket.once('close', stop);
}
