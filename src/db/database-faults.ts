import { AppError } from '../lib/errors.ts';

/**
 * What the database layer knows about its own health: whether the server answers and whether
 * the disk under it has room. Updated by every query (src/db/fault-aware-dialect.ts); read by
 * `/healthz` and by the dialect itself to fail fast while the server is known to be away.
 */
export class DatabaseHealth {
  #unreachable: { sinceMs: number; reason: string } | null = null;
  #full: { sinceMs: number; reason: string } | null = null;
  #lastProbeMs = 0;
  readonly #now: () => number;

  constructor(now: () => number = () => performance.now()) {
    this.#now = now;
  }

  /** The fault of `e`, when it is one, remembered; other errors pass unchanged. */
  observe(e: unknown): void {
    const fault = databaseFault(e);
    if (fault === null) return;
    if (fault.code === 'STORAGE_FULL') this.#full ??= { sinceMs: Date.now(), reason: fault.message };
    else this.#unreachable ??= { sinceMs: Date.now(), reason: fault.message };
  }

  /** A statement completed: the server answers; a completed write also means the disk had room. */
  succeeded(wrote: boolean): void {
    this.#unreachable = null;
    if (wrote) this.#full = null;
  }

  /**
   * True when a new connection attempt should be refused at once: the server is known to be away
   * and another attempt (the probe) was made less than `probeEveryMs` ago. MUST be called only
   * right before an attempt; it counts as the probe when it returns false.
   */
  refuseNow(probeEveryMs: number): boolean {
    if (this.#unreachable === null) return false;
    const now = this.#now();
    if (now - this.#lastProbeMs < probeEveryMs) return true;
    this.#lastProbeMs = now;
    return false;
  }

  /** Current problems, each one line for `/healthz` (empty when healthy). */
  problems(): string[] {
    const out: string[] = [];
    if (this.#unreachable) out.push(`database unreachable since ${new Date(this.#unreachable.sinceMs).toISOString()}: ${this.#unreachable.reason}`);
    if (this.#full) out.push(`database disk full since ${new Date(this.#full.sinceMs).toISOString()}: ${this.#full.reason}`);
    return out;
  }

  /** The error to throw while refusing. */
  unavailable(): AppError {
    return new AppError('DATABASE_UNAVAILABLE', `the database is unreachable: ${this.#unreachable?.reason ?? 'unknown'}`);
  }
}

const fullCodes = new Set(['SQLITE_FULL', 'ENOSPC', 'EDQUOT', '53100']);
const connectionCodes = new Set(['ECONNREFUSED', 'ECONNRESET', 'ETIMEDOUT', 'EHOSTUNREACH', 'ENETUNREACH', 'EPIPE', 'ENOTFOUND', '57P01', '57P02', '57P03', '57014']);
const connectionMessages = /Query read timeout|timeout exceeded when trying to connect|Connection terminated|connection timeout|Client has encountered a connection error|Connection ended unexpectedly|not queryable/i;

/**
 * Classifies a driver error: a full disk (SQLite SQLITE_FULL, ENOSPC, PostgreSQL 53100) is
 * STORAGE_FULL; a server that cannot be reached, dropped the connection or did not answer in
 * time (timeouts, ECONNREFUSED, class 08 and 57P0x) is DATABASE_UNAVAILABLE. Anything else
 * (a constraint, a syntax error) is null: not a fault of the database's environment.
 */
export function databaseFault(e: unknown): AppError | null {
  if (e instanceof AppError) return e.code === 'STORAGE_FULL' || e.code === 'DATABASE_UNAVAILABLE' ? e : null;
  if (!(e instanceof Error)) return null;
  const raw = (e as { code?: unknown }).code;
  const code = typeof raw === 'string' || typeof raw === 'number' ? String(raw) : '';
  const message = firstLine(e.message);
  if (fullCodes.has(code) || /database or disk is full|No space left on device/i.test(message)) {
    return new AppError('STORAGE_FULL', `the disk under the database is full: ${message} (${code || 'ENOSPC'})`);
  }
  if (connectionCodes.has(code) || code.startsWith('08') || connectionMessages.test(message)) {
    return new AppError('DATABASE_UNAVAILABLE', `the database is unreachable: ${message}${code ? ` (${code})` : ''}`);
  }
  return null;
}

/** Driver messages can quote a connection string; keep only the first line, scrubbed. */
export function firstLine(text: string): string {
  return (text.split('\n')[0] ?? '').replace(/\/\/[^@/\s]*@/g, '//***@');
}
