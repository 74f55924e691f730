import { request, Agent } from 'node:https';
import { readFile } from 'node:fs/promises';
import { rootCertificates } from 'node:tls';
import { AppError } from '../lib/errors.ts';

/** What a witness answered. */
export interface WitnessReply {
  readonly status: number;
  readonly contentType: string;
  readonly body: string;
}

/** Posts add-checkpoint bodies to one witness. */
export interface WitnessTransport {
  /** Resolves with the answer, whatever its status; rejects on a network fault or timeout (one line, no secret). */
  addCheckpoint(body: string): Promise<WitnessReply>;
  close(): void;
}

/** Largest answer read from a witness. */
const maxReplyBytes = 64 * 1024;

/**
 * The HTTPS transport to a witness at `url` (its submission prefix): POST `<url>/add-checkpoint`
 * on a keep-alive agent (the spec's SHOULD), the server certificate verified against the system
 * store plus `caFile` when given, TLS 1.2 at least.
 */
export async function witnessTransport(opts: { url: string; caFile: string | null; timeoutMs: number }): Promise<WitnessTransport> {
  let ca: string[] | undefined;
  if (opts.caFile !== null) {
    try {
      ca = [...rootCertificates, await readFile(opts.caFile, 'utf8')];
    } catch (e) {
      throw new AppError('CONFIG_INVALID', `config: witnesses: cannot read caFile ${opts.caFile}: ${(e as NodeJS.ErrnoException).code ?? 'error'}`);
    }
  }
  const agent = new Agent({ keepAlive: true, maxSockets: 1, minVersion: 'TLSv1.2', ...(ca === undefined ? {} : { ca }) });
  const target = new URL(`${opts.url.replace(/\/+$/, '')}/add-checkpoint`);
  return {
    addCheckpoint: (body) =>
      new Promise<WitnessReply>((resolve, reject) => {
        const req = request(target, { method: 'POST', agent, timeout: opts.timeoutMs, headers: { 'content-type': 'text/plain; charset=utf-8', 'content-length': Buffer.byteLength(body) } }, (res) => {
          const chunks: Buffer[] = [];
          let size = 0;
          res.on('data', (c: Buffer) => {
            size += c.length;
            if (size > maxReplyBytes) req.destroy(new Error('the witness answer is too large'));
            else chunks.push(c);
          });
          res.on('end', () => resolve({ status: res.statusCode ?? 0, contentType: String(res.headers['content-type'] ?? ''), body: Buffer.concat(chunks).toString('utf8') }));
          res.on('error', reject);
        });
        req.on('timeout', () => req.destroy(new Error(`no answer within ${opts.timeoutMs} ms`)));
        req.on('error', (e) => reject(new Error(`${target.host}: ${e.message}`)));
        req.end(body);
      }),
    close: () => agent.destroy(),
  };
}
