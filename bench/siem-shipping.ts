/**
 * SIEM shipping throughput (issue 16), against its goals:
 * - shipping: ≥ 20,000 events/s to the file destination (OCSF JSON lines, fsync per batch) and
 *   to the syslog destination (CEF over TLS to a real rsyslog on loopback), each measured from a
 *   cursor at 0 over a ledger of `--events` committed events until the cursor reaches the end
 *   (for syslog also until rsyslog has written every message);
 * - the ledger's append rate with three destinations shipping (two files, one syslog) against
 *   none, side by side in alternating rounds: time with / time without ≤ 1.05.
 * SQLite opened as the app opens it. Needs rsyslogd (rsyslog, rsyslog-gnutls) and openssl.
 *
 *   node bench/siem-shipping.ts [--events 20000] [--rounds 3]
 */
import { createHash } from 'node:crypto';
import { loadavg } from 'node:os';
import { join } from 'node:path';
import { parseArgs } from 'node:util';
import type { AuditInput } from '../src/audit/audit-event.ts';
import { siem as siemSchema } from '../src/config/siem.schema.ts';
import { createLogger } from '../src/lib/logger.ts';
import { systemMonotonicClock } from '../src/lib/monotonic-clock.ts';
import { buildDestination } from '../src/siem/build-destination.ts';
import { SiemShipper } from '../src/siem/delivery/shipper.ts';
import { createSiemDeliveryStore } from '../src/siem/delivery/siem-delivery.store.ts';
import { createTestLedger } from '../test/helpers/audit.ts';
import { createTestDatabase } from '../test/helpers/databases.ts';
import { tempDir } from '../test/helpers/harness.ts';
import { createTestDataKeys } from '../test/helpers/keys.ts';
import { makeTestPki } from '../test/helpers/rsyslog.ts';
import { startRsyslogReceiver, type RsyslogReceiver } from '../test/helpers/rsyslog-receiver.ts';
import { testProduct } from '../test/helpers/siem-shipping.ts';

const { values } = parseArgs({ options: { events: { type: 'string', default: '20000' }, rounds: { type: 'string', default: '3' } } });
const events = Number(values.events);
const rounds = Number(values.rounds);
const goals = { shipPerSecond: 20_000, appendRatio: 1.05 };
const fmt = (x: number): string => Math.round(x).toLocaleString('en-US');
/** User + system CPU of this process (all threads), in ms: a figure the machine's load does not inflate. */
const cpuMs = (u: NodeJS.CpuUsage): number => (u.user + u.system) / 1000;
const log = createLogger({ level: 'silent' });

function eventFor(i: number): AuditInput {
  if (i % 10 === 9) return { type: 'auth.login.failed', actor: { kind: 'user', id: `user:${i % 7}` }, outcome: 'failure', reason: 'bad password' };
  return {
    type: 'footage.segment.sealed',
    actor: { kind: 'system', id: 'system:recorder' },
    cameraId: `cam-${i % 16}`,
    target: { kind: 'segment', id: `seg-${i}` },
    outcome: 'success',
    details: { fromMs: 1_800_000_000_000 + i * 6000, toMs: 1_800_000_006_000 + i * 6000, bytes: 3_000_000 + i, sha256: createHash('sha256').update(String(i)).digest('hex') },
  };
}

const dir = await tempDir('custos-bench-siem-');
await makeTestPki(dir.path);
const receiver: RsyslogReceiver = await startRsyslogReceiver(dir.path);
const database = await createTestDatabase('sqlite');
const keys = await createTestDataKeys(database.db);
const built = await createTestLedger(database.db, keys.dataKeys);
const store = createSiemDeliveryStore(database.db);

async function append(n: number): Promise<number> {
  const start = performance.now();
  for (let from = 0; from < n; from += 1000) {
    await Promise.all(Array.from({ length: Math.min(1000, n - from) }, (_, k) => built.ledger.record(eventFor(from + k))));
  }
  return performance.now() - start;
}

function destinations(kinds: readonly ('file' | 'syslog')[], prefix: string): Array<Record<string, unknown>> {
  return kinds.map((kind, n) => {
    const id = `${prefix}-${kind}-${n}`;
    return kind === 'file'
      ? { kind, id, jurisdiction: 'DE', path: join(dir.path, `${id}.jsonl`), maxBytes: 1 << 30 }
      : { kind, id, jurisdiction: 'DE', host: '127.0.0.1', port: receiver.port, caFile: join(dir.path, 'ca.pem'), certFile: join(dir.path, 'client.pem'), keyFile: join(dir.path, 'client.key'), payload: 'cef' };
  });
}

/** A shipper; destinations of the same `prefix` share cursors (a new prefix starts at 0). */
async function shipper(kinds: readonly ('file' | 'syslog')[], prefix: string): Promise<SiemShipper> {
  const settings = siemSchema.parse({ heartbeatSeconds: 3600, destinations: destinations(kinds, prefix) });
  return SiemShipper.start({
    destinations: await Promise.all(settings.destinations.map(async (config) => ({ config, destination: await buildDestination(config, { product: testProduct }) }))),
    settings,
    ledger: built.store,
    store,
    record: (input) => built.ledger.record(input),
    clock: { now: () => Date.now() },
    monotonic: systemMonotonicClock,
    log,
    idlePollMs: 20,
  });
}

/** Time until every destination's cursor reached `size` (polled every 25 ms: the poll's own cost stays small). */
async function untilShipped(s: SiemShipper, size: number): Promise<number> {
  const start = performance.now();
  const ids = (await s.status()).map((d) => d.id);
  for (;;) {
    const cursors = await Promise.all(ids.map((id) => store.cursor(id)));
    if (cursors.every((c) => c.nextSeq >= size)) return performance.now() - start;
    await new Promise((r) => setTimeout(r, 25));
  }
}

console.log(`SIEM shipping, ${fmt(events)} events, ${rounds} rounds, load ${loadavg().map((l) => l.toFixed(2)).join(' ')}`);
await append(events);
const size = await built.store.size();
for (let round = 1; round <= rounds; round += 1) {
  const file = await shipper(['file'], `r${round}`);
  const cpu0 = process.cpuUsage();
  const fileMs = await untilShipped(file, size);
  const fileCpuMs = cpuMs(process.cpuUsage(cpu0));
  await file.stop();
  const before = (await receiver.messages()).length;
  const syslog = await shipper(['syslog'], `r${round}`);
  const cpu1 = process.cpuUsage();
  const syslogMs = await untilShipped(syslog, size);
  const syslogCpuMs = cpuMs(process.cpuUsage(cpu1));
  const start = performance.now();
  while ((await receiver.messages()).length < before + size) await new Promise((r) => setTimeout(r, 20));
  const writtenMs = syslogMs + (performance.now() - start);
  await syslog.stop();
  console.log(
    `round ${round}: file ${fmt((size / fileMs) * 1000)} events/s; syslog ${fmt((size / syslogMs) * 1000)} events/s sent, ` +
      `${fmt((size / writtenMs) * 1000)} events/s written by rsyslog (goal ≥ ${fmt(goals.shipPerSecond)} each); ` +
      `per CPU-second of this process: file ${fmt((size / fileCpuMs) * 1000)}, syslog ${fmt((size / syslogCpuMs) * 1000)}`,
  );
}

// Append rate, three destinations shipping vs none, alternating.
const ratios: number[] = [];
for (let round = 1; round <= rounds; round += 1) {
  const offMs = await append(events);
  const three = await shipper(['file', 'file', 'syslog'], 'steady');
  // Let the new destinations catch up with the backlog first: only appends under steady shipping count.
  await untilShipped(three, await built.store.size());
  const onMs = await append(events);
  await untilShipped(three, await built.store.size());
  await three.stop();
  ratios.push(onMs / offMs);
  console.log(`round ${round}: appends ${fmt((events / offMs) * 1000)}/s without, ${fmt((events / onMs) * 1000)}/s with three destinations: ratio ${(onMs / offMs).toFixed(3)} (goal ≤ ${goals.appendRatio})`);
}
const median = [...ratios].sort((a, b) => a - b)[Math.floor(ratios.length / 2)]!;
console.log(`median ratio ${median.toFixed(3)}; load ${loadavg().map((l) => l.toFixed(2)).join(' ')}`);

await built.close();
await keys.close();
await database.close();
await receiver.stop();
await dir.remove();
