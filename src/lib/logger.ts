import { pino, type Logger } from 'pino';
import { scrubUrl } from './scrub-url.ts';

export type { Logger };

/**
 * The structured, secret-free log (STYLE rule 12): JSON lines on stdout. Well-known secret
 * fields are redacted, and every finished line passes through `scrubUrl`, so credentials in
 * any URL (an ffmpeg message, an error) never reach the output, whatever logged them.
 */
export function createLogger(opts: { level: string; destination?: NodeJS.WritableStream }): Logger {
  const out = opts.destination ?? process.stdout;
  return pino(
    {
      level: opts.level,
      base: { app: 'custos' },
      timestamp: pino.stdTimeFunctions.isoTime,
      redact: {
        paths: ['password', '*.password', 'req.headers.authorization', 'req.headers.cookie', 'headers.authorization', 'headers.cookie'],
        censor: '[redacted]',
      },
    },
    { write: (line: string) => out.write(scrubUrl(line)) },
  );
}
