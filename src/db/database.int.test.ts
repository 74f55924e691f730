/**
 * The PostgreSQL pool survives the server ending its connections. Real PostgreSQL on
 * 127.0.0.1:5432: the test ends the pool's idle backend with pg_terminate_backend, as a
 * database restart, a failover or idle_session_timeout would.
 */
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { tmpdir } from 'node:os';
import { setTimeout as delay } from 'node:timers/promises';
import pg from 'pg';
import { sql } from 'kysely';
import { Secret } from '../config/secret.ts';
import { createLogger } from '../lib/logger.ts';
import { openDatabase } from './database.ts';
import { createTestDatabase, pgAdminUrl } from '../../test/helpers/databases.ts';
import { memoryLog, waitFor } from '../../test/helpers/harness.ts';
import { teardown } from '../../test/helpers/teardown.ts';

test('an idle PostgreSQL connection ended by the server is logged and replaced; the process goes on', async (t) => {
  const defer = teardown(t);
  const made = await createTestDatabase('postgres');
  defer(() => made.close());
  const { lines, destination } = memoryLog();
  const { db } = await openDatabase({ url: new Secret(made.location), dataDir: tmpdir(), log: createLogger({ level: 'warn', destination }) });
  defer(() => db.destroy());
  const pidOf = async () => (await sql<{ pid: number }>`SELECT pg_backend_pid() AS pid`.execute(db)).rows[0]!.pid;
  const before = await pidOf(); // the pool now holds one idle connection

  const admin = new pg.Client({ connectionString: pgAdminUrl });
  await admin.connect();
  defer(() => admin.end());
  const ended = await admin.query('SELECT pg_terminate_backend($1) AS ok', [before]);
  assert.equal(ended.rows[0]?.ok, true);

  // Unhandled, the pool's 'error' event would end this process here and fail the test file.
  await waitFor('the warning about the closed connection', 5_000, () => lines.some((l) => l.includes('idle connection was closed by the server')));
  await delay(50);
  const after = await pidOf();
  assert.notEqual(after, before, 'the next query runs on a new connection');
  const warning = lines.find((l) => l.includes('idle connection was closed'))!;
  assert.match(JSON.parse(warning).reason, /terminat/i);
  assert.doesNotMatch(warning, /postgres:\/\//, 'no connection string in the log');
});
