/**
 * Native ingest (issue 5): what a crash of the recorder costs. The recorder with the native
 * ingest and the vault (bench/recorder-harness.ts --ingest native) records N camsim cameras and
 * is killed with SIGKILL `--kills` times, a few seconds apart, each time restarted at once on the
 * same directory (it recovers the torn segments before recording, as the server does).
 *
 * Per kill and camera, from the segment index (wall-clock times the recorder wrote):
 *   restart R = from the SIGKILL to the restarted recorder's "ready" (process up, database open,
 *               torn segments recovered, cameras being connected);
 *   gap     G = start of the first fragment recorded after the restart − end of the last whole
 *               fragment recorded before the kill;
 *   loss    L = G − R: what was lost beyond the time no recorder ran: the fragment in flight at
 *               the kill (≤ 1 s) and reconnecting to the camera.
 * Then every segment is read back through the vault and decoded in full with ffmpeg; a segment
 * ffmpeg cannot read, or reads with errors, is counted.
 *
 *   node bench/ingest-kill.ts [--cameras 10] [--kills 20] [--min-interval 4] [--max-interval 8] [--app]
 * `--app` (issue 20): the recorder as the server runs it: native ingest and sealing on worker
 * threads (fragments through the shared rings, ADR 0044), segment leaves in the audit ledger.
 */
import { mkdtemp, rm } from 'node:fs/promises';
import { loadavg, tmpdir } from 'node:os';
import { join } from 'node:path';
import { parseArgs } from 'node:util';
import { setTimeout as delay } from 'node:timers/promises';
import { openDatabase } from '../src/db/database.ts';
import { DataKeys } from '../src/keys/data-keys.ts';
import { createDataKeyStore } from '../src/keys/data-keys.store.ts';
import { openFileKeyProvider } from '../src/keys/file-key-provider.ts';
import { systemClock } from '../src/lib/clock.ts';
import { systemMonotonicClock } from '../src/lib/monotonic-clock.ts';
import { createSegmentIndex } from '../src/recording/segment-index.store.ts';
import type { Segment } from '../src/media/segment.ts';
import { VaultSegmentStore } from '../src/vault/vault-segment-store.ts';
import { decodeErrors } from '../test/helpers/media-probe.ts';
import { startCamsimProcess, startHarness, stopChild, type HarnessProcess, type HarnessReady } from './bench-processes.ts';

const { values } = parseArgs({
  options: {
    cameras: { type: 'string', default: '10' },
    kills: { type: 'string', default: '20' },
    'min-interval': { type: 'string', default: '4' },
    'max-interval': { type: 'string', default: '8' },
    app: { type: 'boolean', default: false },
  },
});
const ingest = values.app ? 'native-workers' : 'native';
const extra = values.app ? ['--workers', '2', '--seal-workers', '2', '--ledger', '--live-chunks'] : [];
const cameras = Number(values.cameras);
const kills = Number(values.kills);
const minMs = Number(values['min-interval']) * 1000;
const maxMs = Number(values['max-interval']) * 1000;
const port = 19054;
const cameraIds = Array.from({ length: cameras }, (_, i) => `00000000-0000-4000-8000-${String(i + 1).padStart(12, '0')}`);

interface Kill {
  killAt: number;
  readyAt: number;
  ready: HarnessReady;
}

const work = await mkdtemp(join(tmpdir(), 'custos-bench-kill-'));
const dir = join(work, 'recorder');
const camsim = await startCamsimProcess(cameras, port);
const killLog: Kill[] = [];
try {
  console.log(`kill test: ${cameras} cameras, native ingest + vault, ${kills} SIGKILLs ${minMs / 1000}–${maxMs / 1000} s after each restart; load average ${loadavg().map((l) => l.toFixed(2)).join(' ')}`);
  let h: HarnessProcess = startHarness({ ingest, cameras, port, dir, extra });
  await h.ready;
  for (let k = 0; k < kills; k++) {
    await delay(minMs + Math.random() * (maxMs - minMs));
    const killAt = Date.now();
    await stopChild(h.child, 'SIGKILL');
    h = startHarness({ ingest, cameras, port, dir, extra });
    const ready = await h.ready;
    killLog.push({ killAt, readyAt: Date.now(), ready });
  }
  await delay(minMs);
  await h.stop();
} finally {
  await stopChild(camsim);
}

try {
  const { db } = await openDatabase({ url: null, dataDir: dir });
  const provider = await openFileKeyProvider({ path: join(dir, 'keys', 'master.key'), passphrase: null });
  const store = new VaultSegmentStore(join(dir, 'segments'), new DataKeys({ provider, store: createDataKeyStore(db), clock: systemClock, monotonic: systemMonotonicClock, hours: 1, cacheMs: 600_000 }));
  const index = createSegmentIndex(db);
  const segments = new Map<string, Segment[]>();
  for (const id of cameraIds) segments.set(id, (await index.overlapping(id, 0, Number.MAX_SAFE_INTEGER)).sort((a, b) => a.startMs - b.startMs));

  const losses: number[] = [];
  const gaps: number[] = [];
  let notResumed = 0;
  let notRecovered = 0;
  for (const k of killLog) {
    for (const id of cameraIds) {
      const list = segments.get(id) ?? [];
      const before = list.filter((s) => s.startMs < k.killAt).at(-1);
      const after = list.find((s) => s.startMs >= k.killAt);
      if (after === undefined) {
        notResumed++;
        continue;
      }
      if (before === undefined) continue;
      if (before.state !== 'recovered') notRecovered++;
      const gap = after.startMs - before.endMs;
      gaps.push(gap);
      losses.push(gap - (k.readyAt - k.killAt));
    }
  }

  // Every segment, read through the vault and decoded in full; two decoders at a time.
  const all = [...segments.values()].flat();
  let undecodable = 0;
  let withErrors = 0;
  const examples: string[] = [];
  const queue = [...all];
  const worker = async () => {
    for (let s = queue.shift(); s !== undefined; s = queue.shift()) {
      const parts: Buffer[] = [];
      for await (const chunk of store.stream(s.objectKey)) parts.push(chunk);
      try {
        const errors = await decodeErrors(Buffer.concat(parts));
        if (errors !== '') {
          withErrors++;
          if (examples.length < 3) examples.push(`${s.state} ${s.objectKey}: ${errors.split('\n')[0] ?? ''}`);
        }
      } catch (e) {
        undecodable++;
        if (examples.length < 3) examples.push(`${s.state} ${s.objectKey}: ${e instanceof Error ? e.message.split('\n')[0] : String(e)}`);
      }
    }
  };
  await Promise.all([worker(), worker()]);
  await provider.close();
  await db.destroy();

  const restarts = killLog.map((k) => k.readyAt - k.killAt);
  const stats = (xs: number[]) => {
    const s = [...xs].sort((a, b) => a - b);
    const at = (q: number) => s[Math.min(s.length - 1, Math.floor(q * s.length))] ?? Number.NaN;
    return `median ${(at(0.5) / 1000).toFixed(2)} s, p90 ${(at(0.9) / 1000).toFixed(2)} s, max ${((s.at(-1) ?? Number.NaN) / 1000).toFixed(2)} s`;
  };
  const recovery = killLog.reduce((a, k) => ({ recovered: a.recovered + k.ready.recovery.recovered, removedEmpty: a.removedEmpty + k.ready.recovery.removedEmpty, truncatedBytes: a.truncatedBytes + k.ready.recovery.truncatedBytes }), { recovered: 0, removedEmpty: 0, truncatedBytes: 0 });
  console.log(`kills ${killLog.length}; restart R (kill → ready): ${stats(restarts)}`);
  console.log(`gap G (last fragment before the kill → first after), ${gaps.length} camera-kills: ${stats(gaps)}`);
  console.log(`loss L = G − R: ${stats(losses)}; mean ${(losses.reduce((a, b) => a + b, 0) / losses.length / 1000).toFixed(2)} s`);
  console.log(`cameras that did not record between a restart and the next kill: ${notResumed}; torn segments not marked recovered: ${notRecovered}`);
  console.log(`recovery at the restarts: ${recovery.recovered} segments recovered, ${recovery.removedEmpty} removed as empty, ${recovery.truncatedBytes} bytes of torn fragments cut`);
  console.log(`segments decoded through the vault: ${all.length} (${all.filter((s) => s.state === 'recovered').length} recovered, ${all.filter((s) => s.state === 'closed').length} closed, ${all.filter((s) => s.state === 'open').length} open); undecodable ${undecodable}, decoded with errors ${withErrors}`);
  for (const e of examples) console.log(`  ${e}`);
} finally {
  await rm(work, { recursive: true, force: true });
}
