/**
 * A second process writing into an existing audit ledger (as the CLI does beside the server),
 * for tests of several writers on one database.
 *
 *   node test/helpers/ledger-writer.ts '{"engine","location","masterKey","dataDir","origin","events","batch","pauseMs"}' (a JSON Job)
 *
 * After printing `ready` it waits for `go` on stdin (so both writers start together), then records
 * N events in rounds of `batch` concurrent calls, each round awaited and followed by a pause of
 * `pauseMs` (about one transaction per round, so the writers' transactions interleave). Prints
 * the JSON array of the seqs it was given, in call order.
 */
import { createInterface } from 'node:readline';
import { setTimeout as delay } from 'node:timers/promises';
import { buildLedger } from '../../src/audit/build-ledger.ts';
import { Secret } from '../../src/config/secret.ts';
import { openDatabase } from '../../src/db/database.ts';
import { createDataKeyStore } from '../../src/keys/data-keys.store.ts';
import { DataKeys } from '../../src/keys/data-keys.ts';
import { openFileKeyProvider } from '../../src/keys/file-key-provider.ts';
import { createLogger } from '../../src/lib/logger.ts';
import { systemMonotonicClock } from '../../src/lib/monotonic-clock.ts';

interface Job {
  readonly engine: 'sqlite' | 'postgres';
  readonly location: string;
  readonly masterKey: string;
  readonly dataDir: string;
  readonly origin: string;
  readonly events: number;
  readonly batch: number;
  /** Pause between rounds, ms: a CLI does not write flat out, and SQLite's busy wait is not fair. */
  readonly pauseMs: number;
}

const job = JSON.parse(process.argv[2] ?? '{}') as Job;
const database = await openDatabase(job.engine === 'sqlite' ? { url: null, dataDir: job.location } : { url: new Secret(job.location), dataDir: job.dataDir });
const provider = await openFileKeyProvider({ path: job.masterKey, passphrase: null });
const clock = { now: () => Date.now() };
const dataKeys = new DataKeys({ provider, store: createDataKeyStore(database.db), clock, monotonic: systemMonotonicClock, hours: 1, cacheMs: 60_000 });
const { ledger } = await buildLedger({
  db: database.db,
  dataKeys,
  dataDir: job.dataDir,
  audit: { origin: job.origin, checkpointSeconds: 60, checkpointEntries: 1_000_000, heartbeatSeconds: 300 },
  clock,
  log: createLogger({ level: 'silent' }),
  announce: false,
});
process.stdout.write('ready\n');
const lines = createInterface({ input: process.stdin });
for await (const line of lines) if (line === 'go') break;
lines.close();
const seqs: number[] = [];
for (let done = 0; done < job.events; done += job.batch) {
  const round = Array.from({ length: Math.min(job.batch, job.events - done) }, (_, i) =>
    ledger.record({ type: 'footage.played', actor: { kind: 'cli', id: 'cli:second-process' }, outcome: 'success', details: { writer: 'child', i: done + i } }),
  );
  for (const e of await Promise.all(round)) seqs.push(e.seq);
  await delay(job.pauseMs);
}
process.stdout.write(`${JSON.stringify(seqs)}\n`);
await ledger.close();
await provider.close();
await database.db.destroy();
