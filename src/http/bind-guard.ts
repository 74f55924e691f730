import { isIP } from 'node:net';
import { AppError } from '../lib/errors.ts';

/**
 * Until authentication exists, the server MUST NOT be reachable from the network: only
 * loopback addresses (127.0.0.0/8, ::1, localhost) are accepted. The identity issue lifts this.
 */
export function assertLoopbackBind(host: string): void {
  if (isLoopback(host)) return;
  throw new AppError(
    'BIND_REFUSED',
    `server.host ${host} is not a loopback address; Custos has no authentication yet and only binds to 127.0.0.1, ::1 or localhost`,
  );
}

/** True for loopback host names and addresses. */
export function isLoopback(host: string): boolean {
  if (host === 'localhost' || host === '::1' || host === '[::1]') return true;
  return isIP(host) === 4 && host.startsWith('127.');
}
