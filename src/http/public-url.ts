import type { Logger } from '../lib/logger.ts';

/** True for loopback bind addresses (the default 127.0.0.1, ::1, localhost). */
export function isLoopbackHost(host: string): boolean {
  return host === 'localhost' || host === '::1' || host.startsWith('127.');
}

/**
 * The URL users reach Custos at when `identity.publicUrl` is not set, from the bind address and
 * the port it listens on: `localhost` for loopback binds (WebAuthn does not accept an IP address
 * as its relying party id), the host name for a wildcard bind. A guess on a non-loopback bind is
 * logged, because SSO redirects and passkeys depend on it.
 */
export function guessPublicUrl(bindHost: string, port: number, hostName: string, log: Logger): string {
  const host = bindHost.includes(':') ? `[${bindHost}]` : bindHost;
  const url = `https://${isLoopbackHost(bindHost) ? 'localhost' : bindHost === '0.0.0.0' || bindHost === '::' ? hostName : host}:${port}`;
  if (!isLoopbackHost(bindHost)) log.warn({ publicUrl: url }, 'identity.publicUrl is not set: SSO redirects and passkeys use this guess; set it to the URL users reach Custos at');
  return url;
}
