/**
 * A loopback HTTPS server for the HTTP SIEM destination tests: a TEST DOUBLE standing in for a
 * vendor's cloud endpoint, because no real Splunk, Azure or Google service can run here. It
 * records every request (method, path with query, headers, raw body) and answers through the
 * vendor double's handler, unless a fault was queued with `failNext` (429 with Retry-After,
 * 503…), which answers first.
 */
import { createServer, type Server } from 'node:https';
import type { IncomingHttpHeaders } from 'node:http';
import type { AddressInfo } from 'node:net';

/** One received request. */
export interface ReceivedRequest {
  readonly method: string;
  /** Path and query as sent. */
  readonly path: string;
  readonly headers: IncomingHttpHeaders;
  readonly body: Buffer;
}

/** An answer. */
export interface ReceiverAnswer {
  readonly status: number;
  readonly headers?: Readonly<Record<string, string>>;
  readonly body?: string | Buffer;
}

export type ReceiverHandler = (request: ReceivedRequest) => ReceiverAnswer | Promise<ReceiverAnswer>;

/** A running receiver. */
export interface HttpsReceiver {
  readonly url: URL;
  readonly requests: ReceivedRequest[];
  /** Answers the next `count` requests whose path starts with `pathPrefix` with `answer`. */
  failNext(count: number, answer: ReceiverAnswer, pathPrefix?: string): void;
  /** Kills the receiver: open connections are cut and the port refuses connections until `restart`. */
  stop(): Promise<void>;
  /** Listens again on the same port. */
  restart(): Promise<void>;
  close(): Promise<void>;
}

/** JSON answer helper. */
export function json(status: number, value: unknown, headers: Record<string, string> = {}): ReceiverAnswer {
  return { status, headers: { 'content-type': 'application/json', ...headers }, body: JSON.stringify(value) };
}

/** Starts a receiver on 127.0.0.1 with the given certificate (SAN IP:127.0.0.1). */
export async function startHttpsReceiver(tls: { cert: string; key: string }, handler: ReceiverHandler): Promise<HttpsReceiver> {
  const requests: ReceivedRequest[] = [];
  const faults: { count: number; answer: ReceiverAnswer; prefix: string }[] = [];
  const server: Server = createServer({ cert: tls.cert, key: tls.key, minVersion: 'TLSv1.2' }, (req, res) => {
    const chunks: Buffer[] = [];
    req.on('data', (c: Buffer) => chunks.push(c));
    req.on('end', () => {
      const request: ReceivedRequest = { method: req.method ?? '', path: req.url ?? '', headers: req.headers, body: Buffer.concat(chunks) };
      requests.push(request);
      const fault = faults.find((f) => f.count > 0 && request.path.startsWith(f.prefix));
      const answer = fault !== undefined ? (fault.count--, Promise.resolve(fault.answer)) : Promise.resolve(handler(request));
      answer.then(
        (a) => {
          res.writeHead(a.status, a.headers ?? {});
          res.end(a.body ?? '');
        },
        (error: unknown) => {
          res.writeHead(500, { 'content-type': 'text/plain' });
          res.end(`receiver error: ${String(error)}`);
        },
      );
    });
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const port = (server.address() as AddressInfo).port;
  const stop = (): Promise<void> =>
    new Promise((resolve) => {
      if (!server.listening) return resolve();
      server.close(() => resolve());
      server.closeAllConnections();
    });
  return {
    url: new URL(`https://127.0.0.1:${port}`),
    requests,
    failNext(count, answer, pathPrefix = '/') {
      faults.push({ count, answer, prefix: pathPrefix });
    },
    stop,
    restart: () => new Promise<void>((resolve, reject) => {
      server.once('error', reject);
      server.listen(port, '127.0.0.1', () => {
        server.off('error', reject);
        resolve();
      });
    }),
    close: stop,
  };
}
