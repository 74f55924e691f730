import { createServer, type Server } from 'node:https';
import type { AddressInfo } from 'node:net';
import type { Logger } from '../lib/logger.ts';
import type { TlsMaterial } from '../http/tls.ts';
import type { Witness } from './witness.ts';

/** Largest add-checkpoint body accepted (a checkpoint with many signatures and 63 proof lines is far below). */
export const MAX_REQUEST_BYTES = 64 * 1024;

/** A running witness listener. */
export interface WitnessListener {
  readonly port: number;
  close(): Promise<void>;
}

/**
 * Serves `POST /add-checkpoint` (https://c2sp.org/tlog-witness) over TLS (1.2 or 1.3) with
 * keep-alive. Anything else is 404 (405 for another method on the path); a body above
 * MAX_REQUEST_BYTES is 413. There is no authentication beyond the log signature (the spec's
 * design): the witness only ever cosigns what a configured log key signed.
 */
export async function listenWitness(opts: { witness: Witness; tls: TlsMaterial; host: string; port: number; log: Logger }): Promise<WitnessListener> {
  const server: Server = createServer({ cert: opts.tls.cert, key: opts.tls.key, minVersion: 'TLSv1.2', keepAliveTimeout: 30_000 }, (req, res) => {
    const path = (req.url ?? '').split('?')[0];
    if (path !== '/add-checkpoint') {
      res.writeHead(404, { 'content-type': 'text/plain; charset=utf-8' }).end('not found\n');
      return;
    }
    if (req.method !== 'POST') {
      res.writeHead(405, { allow: 'POST', 'content-type': 'text/plain; charset=utf-8' }).end('use POST\n');
      return;
    }
    const chunks: Buffer[] = [];
    let size = 0;
    let tooLarge = false;
    req.on('data', (c: Buffer) => {
      size += c.length;
      if (size > MAX_REQUEST_BYTES) tooLarge = true;
      else chunks.push(c);
    });
    req.on('end', () => {
      if (tooLarge) {
        res.writeHead(413, { 'content-type': 'text/plain; charset=utf-8' }).end('request too large\n');
        return;
      }
      try {
        const body = new TextDecoder('utf-8', { fatal: true }).decode(Buffer.concat(chunks));
        const a = opts.witness.addCheckpoint(body);
        res.writeHead(a.status, { 'content-type': a.contentType }).end(a.body);
      } catch (e) {
        if (e instanceof TypeError) {
          res.writeHead(400, { 'content-type': 'text/plain; charset=utf-8' }).end('the body is not UTF-8\n');
          return;
        }
        opts.log.error({ err: e }, 'witness request failed');
        res.writeHead(500, { 'content-type': 'text/plain; charset=utf-8' }).end('internal error\n');
      }
    });
    req.on('error', () => res.destroy());
  });
  await new Promise<void>((resolve, reject) => {
    server.once('error', reject);
    server.listen(opts.port, opts.host, () => {
      server.off('error', reject);
      resolve();
    });
  });
  return {
    port: (server.address() as AddressInfo).port,
    close: () =>
      new Promise<void>((resolve) => {
        server.close(() => resolve());
        server.closeAllConnections();
      }),
  };
}
