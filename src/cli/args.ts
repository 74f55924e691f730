import { parseArgs, type ParseArgsConfig } from 'node:util';
import { AppError } from '../lib/errors.ts';

/** A CLI command: its one-line summary, usage text and runner (returns the exit code). */
export interface Command {
  readonly name: string;
  readonly summary: string;
  readonly usage: string;
  run(argv: string[], io: CliIo): Promise<number>;
}

/** Where a command reads and writes; passed in so tests can capture it. */
export interface CliIo {
  readonly stdout: NodeJS.WritableStream;
  readonly stderr: NodeJS.WritableStream;
  readonly stdin: NodeJS.ReadableStream;
  readonly env: Readonly<Record<string, string | undefined>>;
}

/** Options every command that touches configuration accepts. */
export const configOptions = {
  config: { type: 'string', short: 'c' },
  'data-dir': { type: 'string' },
  help: { type: 'boolean', short: 'h' },
} as const satisfies ParseArgsConfig['options'];

/** parseArgs with unknown options as a VALIDATION_FAILED one-liner instead of a stack trace. */
export function parse<T extends NonNullable<ParseArgsConfig['options']>>(argv: string[], options: T, allowPositionals = false) {
  try {
    return parseArgs({ args: argv, options, strict: true, allowPositionals });
  } catch (e) {
    throw new AppError('VALIDATION_FAILED', (e as Error).message.split('\n')[0] ?? 'bad arguments');
  }
}

/** Reads all of stdin as text (for passwords), without echoing anything. */
export async function readStdin(stdin: NodeJS.ReadableStream): Promise<string> {
  const chunks: Buffer[] = [];
  for await (const chunk of stdin) chunks.push(Buffer.isBuffer(chunk) ? chunk : Buffer.from(chunk));
  return Buffer.concat(chunks).toString('utf8').replace(/\r?\n$/, '');
}

/** Parses a positive integer option or fails with a one-line reason. */
export function intOption(value: string | undefined, name: string, fallback: number, min = 0, max = Number.MAX_SAFE_INTEGER): number {
  if (value === undefined) return fallback;
  const n = Number(value);
  if (!Number.isInteger(n) || n < min || n > max) throw new AppError('VALIDATION_FAILED', `--${name} must be an integer from ${min} to ${max}`);
  return n;
}

/**
 * For commands with subcommands (`custos camera add …`): splits off the subcommand, or prints
 * `usage` and returns the exit code: 2 when none is given, 0 when help is asked for anywhere.
 */
export function subcommand(argv: readonly string[], usage: string, io: CliIo): { sub: string; rest: string[] } | number {
  const [sub, ...rest] = argv;
  const asked = sub === '--help' || sub === '-h' || rest.includes('--help') || rest.includes('-h');
  if (sub !== undefined && !asked) return { sub, rest };
  io.stdout.write(`${usage}\n`);
  return sub === undefined ? 2 : 0;
}
