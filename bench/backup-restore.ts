/**
 * Backup and restore (issue 15 item 7): RPO and RTO measured with real processes.
 *
 * For each backup age N (seconds standing in for the minutes of a real schedule): `custos serve`
 * records camsim cameras; `custos backup` runs beside it (online); recording goes on for N s;
 * the server is killed with SIGKILL (the crash: the machine and its database are lost, the
 * storage zone keeps the segments). Then `custos restore` onto a new data directory, the
 * segments directory is copied in (as a zone provides it) and `custos serve` starts there.
 *
 *   RPO, what is lost — counted against the crashed database:
 *     ledger leaves: audit events after the backup (the restored ledger is a prefix of the
 *                    crashed one: checked by event id at the backup's last leaf);
 *     index rows:    segments indexed before the crash that the restored index lacks, before the
 *                    restored server's start and after it (recovery indexes the zone's objects
 *                    again from their vault headers: footage.reindexed);
 *   RTO, how long until recording resumes — from `custos restore` starting to the first fragment
 *     the restored server records (the start of the first segment newer than the restore start;
 *     the segments copy is included, the operator's reaction time is not).
 *
 *   node bench/backup-restore.ts [--cameras 2] [--ages 5,20]
 */
import { cp, readdir, readFile, writeFile } from 'node:fs/promises';
import { loadavg } from 'node:os';
import { join } from 'node:path';
import { parseArgs } from 'node:util';
import { setTimeout as delay } from 'node:timers/promises';
import { openDatabase } from '../src/db/database.ts';
import { parseManifest } from '../src/backup/backup-manifest.ts';
import { custos, spawnServe } from '../test/helpers/custos-cli.ts';
import { startTestCamsim, tempDir, waitFor } from '../test/helpers/harness.ts';

const { values } = parseArgs({ options: { cameras: { type: 'string', default: '2' }, ages: { type: 'string', default: '5,20' } } });
const cameras = Number(values.cameras);
const ages = values.ages.split(',').map(Number);
const passphrase = 'bench backup passphrase\n';

async function objects(dataDir: string): Promise<number> {
  try {
    return (await readdir(join(dataDir, 'segments'), { recursive: true, withFileTypes: true })).filter((e) => e.isFile()).length;
  } catch {
    return 0;
  }
}

async function facts(dataDir: string, beforeMs = Number.MAX_SAFE_INTEGER) {
  const { db } = await openDatabase({ url: null, dataDir });
  try {
    const head = await db.selectFrom('audit_head').select('size').executeTakeFirst();
    const segments = await db.selectFrom('segments').select(['id', 'start_ms']).where('start_ms', '<', beforeMs).execute();
    const ids = await db.selectFrom('audit_events').select(['seq', 'event_id']).execute();
    return { ledger: head?.size ?? 0, segments: new Set(segments.map((s) => s.id)), eventIds: new Map(ids.map((e) => [e.seq, e.event_id])) };
  } finally {
    await db.destroy();
  }
}

interface Row {
  age: number;
  backupMs: number;
  backupBytes: number;
  lostLeaves: number;
  prefixOk: boolean;
  rowsBefore: number;
  rowsLostAtRestore: number;
  rowsLostAfterStart: number;
  restoreMs: number;
  rtoMs: number;
}

const rows: Row[] = [];
const sim = await startTestCamsim({ cameras });
try {
  for (const age of ages) {
    const cleanups: (() => unknown)[] = [];
    const defer = (f: () => unknown) => cleanups.push(f);
    const work = await tempDir('bench-backup');
    try {
      const data = join(work.path, 'data');
      const config = join(work.path, 'custos.yaml');
      await writeFile(config, 'recording:\n  segmentSeconds: 4\n');
      for (const [i, url] of sim.urls.entries()) await custos(['camera', 'add', '--data-dir', data, '--name', `Cam ${i + 1}`, '--url', url]);
      const server = spawnServe(defer, ['--config', config, '--data-dir', data]);
      await waitFor('recording', 60_000, async () => (await objects(data)) >= cameras * 2);
      const backup = join(work.path, 'backup');
      const b0 = performance.now();
      const taken = await custos(['backup', backup, '--config', config, '--data-dir', data, '--include-key', '--key-passphrase-stdin'], { input: passphrase });
      const backupMs = performance.now() - b0;
      if (taken.code !== 0) throw new Error(taken.stderr);
      const manifest = parseManifest(await readFile(join(backup, 'manifest.json'), 'utf8'));
      await delay(age * 1000);
      await server.stop('SIGKILL');
      const crashMs = Date.now();
      const crashed = await facts(data);

      const restored = join(work.path, 'restored');
      const r0 = Date.now();
      const r = await custos(['restore', backup, '--data-dir', restored, '--key-passphrase-stdin', '--no-published-checkpoint'], { input: passphrase });
      if (r.code !== 0) throw new Error(r.stderr);
      await cp(join(data, 'segments'), join(restored, 'segments'), { recursive: true });
      const restoreMs = Date.now() - r0;
      const atRestore = await facts(restored);
      const again = spawnServe(defer, ['--config', join(restored, 'custos.yaml'), '--data-dir', restored]);
      const first = await waitFor('a fragment recorded by the restored server', 60_000, async () => {
        const { db } = await openDatabase({ url: null, dataDir: restored });
        try {
          const row = await db.selectFrom('segments').select('start_ms').where('start_ms', '>=', r0).orderBy('start_ms').executeTakeFirst();
          return row?.start_ms;
        } finally {
          await db.destroy();
        }
      });
      await again.stop();
      const after = await facts(restored, crashMs);
      const lastSeq = manifest.database.ledgerSize - 1;
      rows.push({
        age,
        backupMs,
        backupBytes: Object.values(manifest.files).reduce((n, f) => n + f.bytes, 0),
        lostLeaves: crashed.ledger - manifest.database.ledgerSize,
        prefixOk: crashed.eventIds.get(lastSeq) === atRestore.eventIds.get(lastSeq),
        rowsBefore: crashed.segments.size,
        rowsLostAtRestore: [...crashed.segments].filter((id) => !atRestore.segments.has(id)).length,
        rowsLostAfterStart: crashed.segments.size - [...after.segments].filter((id) => crashed.segments.has(id)).length,
        restoreMs,
        rtoMs: first - r0,
      });
      console.log(JSON.stringify(rows.at(-1)));
    } finally {
      for (const f of cleanups.reverse()) await f();
      await work.remove();
    }
  }
} finally {
  await sim.close();
}
console.log(`\n${cameras} cameras, load average ${loadavg()[0]?.toFixed(1)} on ${process.env.HOSTNAME ?? 'this host'}`);
console.log('| backup age | backup took | backup size | ledger leaves lost | index rows before crash | rows lost after restore | rows lost once the server started | restore + zone copy | RTO (restore start → first fragment) |');
console.log('|---|---|---|---|---|---|---|---|---|');
for (const r of rows) {
  console.log(
    `| ${r.age} s | ${(r.backupMs / 1000).toFixed(1)} s | ${(r.backupBytes / 1024).toFixed(0)} KiB | ${r.lostLeaves}${r.prefixOk ? '' : ' (NOT a prefix!)'} | ${r.rowsBefore} | ${r.rowsLostAtRestore} | ${r.rowsLostAfterStart} | ${(r.restoreMs / 1000).toFixed(1)} s | ${(r.rtoMs / 1000).toFixed(1)} s |`,
  );
}
