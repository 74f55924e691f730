/**
 * One HTTPS POST for the HTTP SIEM destinations (Splunk HEC, Chronicle, webhook): the adapter's
 * only network edge. It never rejects for a receiver's answer or a network fault; it answers
 * `{ kind: 'fault' }` with a one-line reason instead, so a destination can turn it into a
 * retryable outcome (src/siem/destination.ts).
 *
 * Contract:
 * - HTTPS only, the server certificate MUST chain to `ca` (when given) or the system store and
 *   match the host; there is no option to skip verification;
 * - a reason names the origin and path only: never the query, a header or the body (a token or
 *   a signature would be in those);
 * - honours `signal` and gives up after `timeoutMs`.
 */
import { Agent, request } from 'node:https';

/** A response as read (bodies are small JSON answers; at most 64 KiB is kept). */
export interface HttpAnswer {
  readonly kind: 'response';
  readonly status: number;
  readonly headers: Readonly<Record<string, string | string[] | undefined>>;
  readonly body: string;
}

/** No answer: DNS, connect, TLS, timeout or abort. */
export interface HttpFault {
  readonly kind: 'fault';
  readonly reason: string;
}

/** What to send. */
export interface HttpPost {
  readonly url: URL;
  readonly headers: Readonly<Record<string, string>>;
  readonly body: Buffer | string;
  readonly signal: AbortSignal;
  readonly timeoutMs: number;
}

const MAX_ANSWER = 64 * 1024;

/** A TLS agent trusting `ca` (PEM) besides nothing else, or the system store when undefined. */
export function httpsAgent(ca: string | undefined): Agent {
  return new Agent({ keepAlive: true, ca, minVersion: 'TLSv1.2', rejectUnauthorized: true });
}

/** Where a request went, for reasons: origin and path, no query. */
export function safeTarget(url: URL): string {
  return `${url.origin}${url.pathname}`;
}

/** Posts `post.body`; resolves with the answer or a fault, never rejects. */
export function postHttps(agent: Agent, post: HttpPost): Promise<HttpAnswer | HttpFault> {
  return new Promise((resolve) => {
    if (post.url.protocol !== 'https:') {
      resolve({ kind: 'fault', reason: `refusing ${post.url.protocol} (HTTPS only): ${safeTarget(post.url)}` });
      return;
    }
    if (post.signal.aborted) {
      resolve({ kind: 'fault', reason: 'aborted' });
      return;
    }
    const body = typeof post.body === 'string' ? Buffer.from(post.body, 'utf8') : post.body;
    let req: ReturnType<typeof request>;
    try {
      req = request(post.url, {
        method: 'POST',
        agent,
        headers: { ...post.headers, 'content-length': String(body.length) },
        signal: post.signal,
        timeout: post.timeoutMs,
      });
    } catch (error) {
      // E.g. a secret file holding a character a header cannot carry: Node names the header, not the value.
      const code = (error as NodeJS.ErrnoException).code ?? 'error';
      resolve({ kind: 'fault', reason: `POST ${safeTarget(post.url)} not sent: ${code}` });
      return;
    }
    req.on('timeout', () => req.destroy(new Error(`no answer within ${post.timeoutMs} ms`)));
    req.on('error', (error: NodeJS.ErrnoException) => {
      const code = error.code !== undefined && error.code !== 'ABORT_ERR' ? `${error.code}: ` : '';
      const what = post.signal.aborted ? 'aborted' : `${code}${error.message}`;
      resolve({ kind: 'fault', reason: `POST ${safeTarget(post.url)} failed: ${oneLine(what)}` });
    });
    req.on('response', (res) => {
      const chunks: Buffer[] = [];
      let size = 0;
      res.on('data', (chunk: Buffer) => {
        if (size < MAX_ANSWER) chunks.push(chunk);
        size += chunk.length;
      });
      res.on('error', (error) => resolve({ kind: 'fault', reason: `reading the answer of ${safeTarget(post.url)} failed: ${oneLine(error.message)}` }));
      res.on('end', () => {
        resolve({
          kind: 'response',
          status: res.statusCode ?? 0,
          headers: res.headers,
          body: Buffer.concat(chunks).subarray(0, MAX_ANSWER).toString('utf8'),
        });
      });
    });
    req.end(body);
  });
}

/** Text on one line, at most 300 characters (reasons are log lines). */
export function oneLine(text: string): string {
  const flat = text.replace(/[\r\n\t]+/g, ' ').trim();
  return flat.length > 300 ? `${flat.slice(0, 297)}...` : flat;
}
