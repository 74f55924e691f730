/**
 * An RTSP listener that keeps every byte it receives, for tests of what Custos sends to a camera
 * (or to someone posing as one): it answers each request with `answer(method, cseq)` — by default
 * 401 with a Basic challenge — and can greet with raw bytes instead (another service's banner).
 */
import { createServer, type Server, type Socket } from 'node:net';

/** A running listener. */
export interface RtspListener {
  readonly port: number;
  readonly url: (path?: string) => string;
  /** Everything received so far, all connections, as latin1 text. */
  received(): string;
  /** Connections accepted so far. */
  connections(): number;
  close(): Promise<void>;
}

/** Options: where to listen and how to answer. */
export interface RtspListenerOptions {
  /** A loopback address; 127.0.0.1 by default (127.0.0.2 is "another host" on the same machine). */
  readonly host?: string;
  /** Written on connect (a banner); then requests are not answered unless `answer` is given too. */
  readonly greeting?: Buffer | string;
  /** The answer to one request, without the final blank line; undefined sends nothing. */
  readonly answer?: (method: string, cseq: string) => string | undefined;
  /** Close each connection right after accepting it. */
  readonly closeOnAccept?: boolean;
}

/** `RTSP/1.0 401` with a Basic challenge: what a camera (or an attacker) asking for Basic sends. */
export const basicChallenge = (_method: string, cseq: string): string =>
  `RTSP/1.0 401 Unauthorized\r\nCSeq: ${cseq}\r\nWWW-Authenticate: Basic realm="camera"\r\n`;

/** `RTSP/1.0 401` with a Digest challenge: the answer would be a Digest response to crack offline. */
export const digestChallenge = (_method: string, cseq: string): string =>
  `RTSP/1.0 401 Unauthorized\r\nCSeq: ${cseq}\r\nWWW-Authenticate: Digest realm="camera", nonce="0123456789abcdef", algorithm=MD5\r\n`;

/** Starts a listener on an ephemeral port. */
export async function startRtspListener(opts: RtspListenerOptions = {}): Promise<RtspListener> {
  const host = opts.host ?? '127.0.0.1';
  const chunks: Buffer[] = [];
  const sockets = new Set<Socket>();
  let accepted = 0;
  const answer = opts.answer ?? (opts.greeting === undefined ? basicChallenge : undefined);
  const server: Server = createServer((socket) => {
    sockets.add(socket);
    accepted += 1;
    socket.on('close', () => sockets.delete(socket));
    socket.on('error', () => undefined);
    if (opts.closeOnAccept === true) {
      socket.destroy();
      return;
    }
    if (opts.greeting !== undefined) socket.write(opts.greeting);
    let pending = '';
    socket.on('data', (chunk: Buffer) => {
      chunks.push(chunk);
      pending += chunk.toString('latin1');
      for (;;) {
        const end = pending.indexOf('\r\n\r\n');
        if (end < 0) break;
        const head = pending.slice(0, end);
        pending = pending.slice(end + 4);
        const method = head.split(' ', 1)[0] ?? '';
        const cseq = /^CSeq:\s*(\d+)/im.exec(head)?.[1] ?? '0';
        const reply = answer?.(method, cseq);
        if (reply !== undefined) socket.write(`${reply}\r\n`);
      }
    });
  });
  await new Promise<void>((resolve, reject) => {
    server.once('error', reject);
    server.listen(0, host, resolve);
  });
  const port = (server.address() as { port: number }).port;
  return {
    port,
    url: (path = '/stream') => `rtsp://${host}:${port}${path}`,
    received: () => Buffer.concat(chunks).toString('latin1'),
    connections: () => accepted,
    close: async () => {
      for (const s of sockets) s.destroy();
      await new Promise<void>((resolve) => server.close(() => resolve()));
    },
  };
}
