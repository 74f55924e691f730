import { pino, type Logger } from 'pino';
import { scrubUrl } from './scrub-url.ts';

export type { Logger };

/** Paths whose query strings carry secrets (an OIDC authorization code and state): logged without them. */
const secretQueryPaths = '/api/v1/auth/';

/** A request URL as it may be logged: the query string of an authentication route is redacted. */
export function loggableUrl(url: string): string {
  const q = url.indexOf('?');
  if (q < 0) return url;
  const path = url.slice(0, q);
  return path.startsWith(secretQueryPaths) ? `${path}?[redacted]` : url;
}

/** How a request is logged (Fastify's fields, the URL through {@link loggableUrl}). */
function requestFields(req: { method?: string; url?: string; host?: string; ip?: string; socket?: { remotePort?: number } }) {
  return { method: req.method, url: loggableUrl(req.url ?? ''), host: req.host, remoteAddress: req.ip, remotePort: req.socket?.remotePort };
}

/**
 * The structured, secret-free log (STYLE rule 12): JSON lines on stdout. Well-known secret
 * fields are redacted, and every finished line passes through `scrubUrl`, so credentials in
 * any URL (an ffmpeg message, an error) never reach the output, whatever logged them. Requests
 * to authentication routes are logged without their query string (an OIDC callback's `code`).
 */
export function createLogger(opts: { level: string; destination?: NodeJS.WritableStream }): Logger {
  const out = opts.destination ?? process.stdout;
  return pino(
    {
      level: opts.level,
      base: { app: 'custos' },
      timestamp: pino.stdTimeFunctions.isoTime,
      // Fastify's own request serializer logs the whole URL; this one takes its place.
      serializers: { req: requestFields },
      redact: {
        paths: ['password', '*.password', 'req.headers.authorization', 'req.headers.cookie', 'headers.authorization', 'headers.cookie'],
        censor: '[redacted]',
      },
    },
    { write: (line: string) => out.write(scrubUrl(line)) },
  );
}
