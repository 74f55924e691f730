import { spawn } from 'node:child_process';
import pg from 'pg';
import { AppError } from '../lib/errors.ts';
import type { Secret } from '../config/secret.ts';
import { firstLine } from './database-faults.ts';

/**
 * pg_dump and pg_restore (PostgreSQL's client tools) for `custos backup` / `custos restore` on
 * PostgreSQL. The password MUST NOT reach an argv (it would show in `ps`): the URL goes to the
 * tool without it and the password travels in PGPASSWORD, in the child's environment only.
 */

/** The installed pg_dump's version line, or null when the client tools are not installed. */
export async function pgDumpVersion(): Promise<string | null> {
  try {
    const { code, out } = await run('pg_dump', ['--version'], {});
    return code === 0 ? out.trim() : null;
  } catch {
    return null;
  }
}

/** Dumps the database in pg_dump's custom format (compressed, restorable table by table) to `file`. */
export async function pgDump(url: Secret, file: string): Promise<void> {
  const { target, env } = split(url);
  const { code, err } = await run('pg_dump', ['--format=custom', '--no-owner', '--no-privileges', '--file', file, '--dbname', target], env);
  if (code !== 0) throw new AppError('STORAGE_FAILED', `pg_dump failed (exit ${code}): ${firstLine(err) || 'no message'}`);
}

/** Restores a custom-format dump into the (empty) database at `url`; stops at the first error. */
export async function pgRestore(url: Secret, file: string): Promise<void> {
  const { target, env } = split(url);
  const { code, err } = await run('pg_restore', ['--exit-on-error', '--no-owner', '--no-privileges', '--single-transaction', '--dbname', target, file], env);
  if (code !== 0) throw new AppError('STORAGE_FAILED', `pg_restore failed (exit ${code}): ${firstLine(err) || 'no message'}`);
}

/** Tables in the public schema of the database at `url` (0 for a fresh database). */
export async function pgTableCount(url: Secret): Promise<number> {
  const client = new pg.Client({ connectionString: url.reveal(), connectionTimeoutMillis: 5000 });
  try {
    await client.connect();
    const { rows } = await client.query<{ n: string }>("select count(*) as n from information_schema.tables where table_schema = 'public'");
    return Number(rows[0]?.n ?? 0);
  } catch (e) {
    throw new AppError('DATABASE_UNAVAILABLE', `restore: cannot reach the target database: ${firstLine(e instanceof Error ? e.message : String(e))}`);
  } finally {
    await client.end().catch(() => undefined);
  }
}

function split(url: Secret): { target: string; env: Record<string, string> } {
  const parsed = new URL(url.reveal());
  const password = decodeURIComponent(parsed.password);
  parsed.password = '';
  return { target: parsed.href, env: password === '' ? {} : { PGPASSWORD: password } };
}

function run(cmd: string, args: string[], env: Record<string, string>): Promise<{ code: number; out: string; err: string }> {
  return new Promise((resolve, reject) => {
    const child = spawn(cmd, args, { env: { ...process.env, ...env }, stdio: ['ignore', 'pipe', 'pipe'] });
    let out = '';
    let err = '';
    child.stdout.on('data', (d: Buffer) => (out += d.toString()));
    child.stderr.on('data', (d: Buffer) => (err += d.toString()));
    child.once('error', reject);
    child.once('close', (code) => resolve({ code: code ?? 1, out, err }));
  });
}
