import type { CompiledQuery, DatabaseConnection, Dialect, Driver, QueryResult, TransactionSettings } from 'kysely';
import { databaseFault, type DatabaseHealth } from './database-faults.ts';

/** How often, at most, a connection is attempted while the server is known to be away. */
const probeEveryMs = 1000;

/**
 * Wraps a Kysely dialect so that faults of the database's environment surface as what they are
 * (issue 12, items 5 and 6):
 * - a full disk or an unreachable server becomes AppError STORAGE_FULL / DATABASE_UNAVAILABLE
 *   (mapped to 507 / 503), other driver errors pass unchanged;
 * - while the server is known to be away, new connections are refused at once except one probe
 *   per second, so the API answers 503 quickly instead of every request waiting out a timeout;
 * - a ROLLBACK after SQLite already rolled the transaction back itself (SQLITE_FULL, IOERR)
 *   MUST NOT replace the real error with "cannot rollback - no transaction is active".
 * Every outcome is reported to `health` (read by `/healthz`).
 */
export function faultAwareDialect(inner: Dialect, health: DatabaseHealth): Dialect {
  return {
    createDriver: () => new FaultAwareDriver(inner.createDriver(), health),
    createQueryCompiler: () => inner.createQueryCompiler(),
    createAdapter: () => inner.createAdapter(),
    createIntrospector: (db) => inner.createIntrospector(db),
  };
}

const writeStatement = /^\s*(insert|update|delete|commit|create|alter|drop|replace)\b/i;

class FaultAwareDriver implements Driver {
  readonly #inner: Driver;
  readonly #health: DatabaseHealth;
  readonly #unwrap = new WeakMap<DatabaseConnection, DatabaseConnection>();

  constructor(inner: Driver, health: DatabaseHealth) {
    this.#inner = inner;
    this.#health = health;
  }

  init(): Promise<void> {
    return this.#guard(() => this.#inner.init());
  }

  async acquireConnection(): Promise<DatabaseConnection> {
    if (this.#health.refuseNow(probeEveryMs)) throw this.#health.unavailable();
    const connection = await this.#guard(() => this.#inner.acquireConnection());
    const execute = async <R>(query: CompiledQuery): Promise<QueryResult<R>> => {
      const result = await this.#guard(() => connection.executeQuery<R>(query));
      this.#health.succeeded(writeStatement.test(query.sql));
      return result;
    };
    // Everything else (stream, cancel, the driver's private release) goes to the real connection.
    const wrapped = new Proxy(connection, {
      get(target, prop, receiver) {
        if (prop === 'executeQuery') return execute;
        const value: unknown = Reflect.get(target, prop, receiver === wrapped ? target : receiver);
        return typeof value === 'function' ? (value as (...a: unknown[]) => unknown).bind(target) : value;
      },
    });
    this.#unwrap.set(wrapped, connection);
    return wrapped;
  }

  beginTransaction(connection: DatabaseConnection, settings: TransactionSettings): Promise<void> {
    return this.#guard(() => this.#inner.beginTransaction(this.#real(connection), settings));
  }

  async commitTransaction(connection: DatabaseConnection): Promise<void> {
    await this.#guard(() => this.#inner.commitTransaction(this.#real(connection)));
    this.#health.succeeded(true);
  }

  async rollbackTransaction(connection: DatabaseConnection): Promise<void> {
    try {
      await this.#inner.rollbackTransaction(this.#real(connection));
    } catch (e) {
      // SQLite ends a transaction by itself on SQLITE_FULL / IOERR: nothing is left to roll back,
      // and the error that caused it is the one the caller must see.
      if (e instanceof Error && /no transaction is active/i.test(e.message)) return;
      throw databaseFault(e) ?? e;
    }
  }

  savepoint(connection: DatabaseConnection, name: string, compile: Parameters<NonNullable<Driver['savepoint']>>[2]): Promise<void> {
    return this.#guard(() => this.#inner.savepoint?.(this.#real(connection), name, compile) ?? Promise.resolve());
  }

  rollbackToSavepoint(connection: DatabaseConnection, name: string, compile: Parameters<NonNullable<Driver['rollbackToSavepoint']>>[2]): Promise<void> {
    return this.#guard(() => this.#inner.rollbackToSavepoint?.(this.#real(connection), name, compile) ?? Promise.resolve());
  }

  releaseSavepoint(connection: DatabaseConnection, name: string, compile: Parameters<NonNullable<Driver['releaseSavepoint']>>[2]): Promise<void> {
    return this.#guard(() => this.#inner.releaseSavepoint?.(this.#real(connection), name, compile) ?? Promise.resolve());
  }

  releaseConnection(connection: DatabaseConnection): Promise<void> {
    return this.#inner.releaseConnection(this.#real(connection));
  }

  destroy(): Promise<void> {
    return this.#inner.destroy();
  }

  #real(connection: DatabaseConnection): DatabaseConnection {
    return this.#unwrap.get(connection) ?? connection;
  }

  async #guard<T>(work: () => Promise<T>): Promise<T> {
    try {
      return await work();
    } catch (e) {
      this.#health.observe(e);
      throw databaseFault(e) ?? e;
    }
  }
}
