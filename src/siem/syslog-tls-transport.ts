/**
 * Syslog over TLS (RFC 5425): one TLS connection to a collector carrying octet-counted frames
 * (src/siem/syslog-frame.ts). The syslog destination (src/siem/delivery/syslog-destination.ts)
 * uses it and owns reconnection and replay.
 *
 * Contract:
 * - TLS 1.3 is preferred and 1.2 allowed (RFC 5425 §4.2 asks for TLS; older versions are
 *   refused); the server certificate MUST chain to `ca` and match `servername` (or the host),
 *   there is no option to skip verification;
 * - a client certificate is presented when `cert` and `key` are given (RFC 5425 §5.1 mutual
 *   authentication);
 * - `send` resolves when the frame was handed to the socket; back-pressure is the caller's
 *   (await each send). Acceptance by the collector is NOT acknowledged by syslog: a destination
 *   MUST NOT advance its cursor on `send` alone without its own durability rules.
 */
import { connect, type TLSSocket } from 'node:tls';

/** Where and how to connect. PEM texts, never paths (the caller reads secrets from files). */
export interface SyslogTlsOptions {
  readonly host: string;
  readonly port: number;
  /** CA certificate(s) the collector's certificate must chain to. */
  readonly ca: string;
  /** Name the certificate must carry; defaults to `host`. */
  readonly servername?: string;
  readonly cert?: string;
  readonly key?: string;
  /** Gives up connecting after this long; defaults to 10 s. */
  readonly connectTimeoutMs?: number;
}

/** An open TLS connection to a syslog collector. */
export class SyslogTlsTransport {
  private readonly socket: TLSSocket;

  private constructor(socket: TLSSocket) {
    this.socket = socket;
  }

  /** Connects and completes the handshake, or rejects (certificate, protocol, timeout). */
  static open(options: SyslogTlsOptions): Promise<SyslogTlsTransport> {
    return new Promise((resolve, reject) => {
      const socket = connect({
        host: options.host,
        port: options.port,
        ca: options.ca,
        cert: options.cert,
        key: options.key,
        servername: options.servername ?? (isIp(options.host) ? undefined : options.host),
        minVersion: 'TLSv1.2',
        maxVersion: 'TLSv1.3',
        rejectUnauthorized: true,
      });
      const timer = setTimeout(() => {
        socket.destroy();
        reject(new Error(`syslog TLS connect to ${options.host}:${options.port} timed out`));
      }, options.connectTimeoutMs ?? 10_000);
      socket.once('secureConnect', () => {
        clearTimeout(timer);
        socket.removeAllListeners('error');
        // Later errors surface on the next send; a stray one must not crash the process.
        socket.on('error', () => undefined);
        resolve(new SyslogTlsTransport(socket));
      });
      socket.once('error', (error) => {
        clearTimeout(timer);
        socket.destroy();
        reject(error instanceof Error ? error : new Error(String(error)));
      });
    });
  }

  /** The negotiated protocol, e.g. `TLSv1.3`. */
  get protocol(): string | null {
    return this.socket.getProtocol();
  }

  /** Writes one octet-counted frame. */
  send(frame: Buffer): Promise<void> {
    return new Promise((resolve, reject) => {
      if (this.socket.destroyed || !this.socket.writable) {
        reject(new Error('syslog TLS connection is closed'));
        return;
      }
      this.socket.write(frame, (error) => (error instanceof Error ? reject(error) : resolve()));
    });
  }

  /** Calls `listener` once when the connection closes, for whatever reason. */
  onClose(listener: () => void): void {
    if (this.socket.destroyed) queueMicrotask(listener);
    else this.socket.once('close', listener);
  }

  /** Drops the connection at once (after a fault; unwritten frames are lost). */
  destroy(): void {
    this.socket.destroy();
  }

  /** Ends the connection after pending frames are written (TLS close_notify). */
  close(): Promise<void> {
    return new Promise((resolve) => {
      if (this.socket.destroyed) { resolve(); return; }
      this.socket.once('close', () => resolve());
      this.socket.end();
    });
  }
}

function isIp(host: string): boolean {
  return /^[0-9.]+$/.test(host) || host.includes(':');
}
