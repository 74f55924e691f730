import { pino, type Logger } from 'pino';
import { prettyLogLine } from './pretty-log-line.ts';
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

/** How log lines are written: `json` (one JSON object a line) or `pretty` (one human line per event). */
export type LogFormat = 'json' | 'pretty';

/**
 * `log.format` resolved against where the log goes: `auto` is pretty on a terminal (a TTY) and
 * JSON everywhere else (a pipe, a file, journald, a log shipper).
 */
export function logFormatFor(setting: 'auto' | LogFormat, out: { isTTY?: boolean }): LogFormat {
  if (setting !== 'auto') return setting;
  return out.isTTY === true ? 'pretty' : 'json';
}

/**
 * The structured, secret-free log (STYLE rule 12): JSON lines on stdout. Well-known secret
 * fields are redacted, and every finished line passes through `scrubUrl`, so credentials in
 * any URL (an ffmpeg message, an error) never reach the output, whatever logged them. Requests
 * to authentication routes are logged without their query string (an OIDC callback's `code`).
 * `format: 'pretty'` rewrites each finished line (after redaction and scrubbing) for a person
 * at a terminal (pretty-log-line.ts); it carries the same fields, so it leaks nothing more.
 */
export function createLogger(opts: { level: string; destination?: NodeJS.WritableStream; format?: LogFormat }): Logger {
  const out = opts.destination ?? process.stdout;
  const colour = opts.format === 'pretty' && (out as { isTTY?: boolean }).isTTY === true && process.env.NO_COLOR === undefined;
  const write = opts.format === 'pretty' ? (line: string) => out.write(`${prettyLogLine(scrubUrl(line).trimEnd(), colour)}\n`) : (line: string) => out.write(scrubUrl(line));
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
    { write },
  );
}
