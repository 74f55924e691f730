/**
 * A fetch-compatible function over node:https that trusts extra CAs (an OIDC provider's
 * `caFile`) besides Node's default store, for openid-client's `customFetch`. Node's global fetch
 * cannot take a CA without undici's Agent, which is not a dependency; this is the small
 * replacement. It never follows redirects (openid-client asks for `redirect: 'manual'`).
 */
import { request } from 'node:https';
import { getCACertificates } from 'node:tls';
import type { CustomFetch, CustomFetchOptions } from 'openid-client';

/** Largest response body accepted: provider metadata, key sets and tokens weigh a few KiB. */
const maxResponseBytes = 1 << 20;

/** Statuses whose Response MUST NOT carry a body. */
const nullBodyStatuses = new Set([101, 103, 204, 205, 304]);

/** The request options this fetch understands (openid-client's, and the test browser's). */
export type ProviderFetchOptions = Pick<CustomFetchOptions, 'body' | 'headers' | 'method' | 'signal'> & { redirect?: 'manual' };

/** A fetch limited to https: URLs that trusts `extraCaPem` (PEM text, possibly several certificates) besides Node's default CAs. */
export function providerFetch(extraCaPem: readonly string[]): CustomFetch & ((url: string, options: ProviderFetchOptions) => Promise<Response>) {
  const ca = [...getCACertificates('default'), ...extraCaPem];
  return async (url, options) => {
    const target = new URL(url);
    if (target.protocol !== 'https:') throw new TypeError('only https: URLs may be fetched from an identity provider');
    const body = bodyBytes(options.body);
    const headers: Record<string, string> = { ...options.headers };
    if (body) headers['content-length'] = String(body.length);
    return new Promise<Response>((resolve, reject) => {
      const req = request(target, { method: options.method, headers, ca, signal: options.signal }, (res) => {
        const chunks: Buffer[] = [];
        let size = 0;
        res.on('data', (chunk: Buffer) => {
          size += chunk.length;
          if (size > maxResponseBytes) {
            res.destroy(new Error('identity provider response too large'));
            return;
          }
          chunks.push(chunk);
        });
        res.on('error', reject);
        res.on('end', () => {
          const status = res.statusCode ?? 502;
          const responseHeaders = new Headers();
          for (let i = 0; i + 1 < res.rawHeaders.length; i += 2) responseHeaders.append(res.rawHeaders[i]!, res.rawHeaders[i + 1]!);
          try {
            resolve(
              new Response(nullBodyStatuses.has(status) ? null : Buffer.concat(chunks), {
                status,
                statusText: res.statusMessage ?? '',
                headers: responseHeaders,
              }),
            );
          } catch (e) {
            reject(e instanceof Error ? e : new Error(String(e)));
          }
        });
      });
      req.on('error', reject);
      req.end(body);
    });
  };
}

function bodyBytes(body: CustomFetchOptions['body']): Buffer | undefined {
  if (body === undefined || body === null) return undefined;
  if (typeof body === 'string') return Buffer.from(body);
  if (body instanceof URLSearchParams) return Buffer.from(body.toString());
  if (body instanceof ArrayBuffer) return Buffer.from(body);
  if (body instanceof Uint8Array) return Buffer.from(body.buffer, body.byteOffset, body.byteLength);
  throw new TypeError('streamed request bodies are not supported');
}
