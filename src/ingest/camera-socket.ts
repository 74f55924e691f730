import { connect as netConnect, isIP } from 'node:net';
import type { LookupFunction, OnReadOpts, Socket } from 'node:net';
import { connect as tlsConnect } from 'node:tls';
import { cameraIdentityCheck, type CameraTrust } from '../cameras/camera-trust.ts';

/**
 * Opens the TCP or TLS connection to a camera under the one set of rules both ingests follow:
 * with `trust`, TLS ≥ 1.2 and the certificate verified against it (the system CAs, or the
 * camera's CA or pinned certificate) by our identity check, with SNI only for DNS names (RFC 6066
 * §3: an IP address is checked by the identity check itself); `admitted` carries the lookup of the
 * camera-network policy. The socket is returned at once: the caller waits for `ready`.
 * `onread` (net.Socket's option: reads into caller memory) applies to plain TCP only; a TLS
 * socket ignores it and emits 'data' as usual.
 */
export function dialCamera(
  host: string,
  port: number,
  trust: CameraTrust | undefined,
  admitted: { lookup?: LookupFunction },
  onread?: OnReadOpts,
): { socket: Socket; ready: 'connect' | 'secureConnect' } {
  if (trust === undefined) return { socket: netConnect({ host, port, noDelay: true, ...admitted, ...(onread === undefined ? {} : { onread }) }), ready: 'connect' };
  const socket = tlsConnect({
    host,
    port,
    ...admitted,
    ca: trust.ca,
    minVersion: 'TLSv1.2',
    rejectUnauthorized: true,
    ...(isIP(host) === 0 ? { servername: host } : {}),
    checkServerIdentity: cameraIdentityCheck(trust),
  });
  return { socket, ready: 'secureConnect' };
}
