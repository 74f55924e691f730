import { join, resolve } from 'node:path';
import { AppError } from '../lib/errors.ts';
import { systemClock } from '../lib/clock.ts';
import { createLogger } from '../lib/logger.ts';
import { openCore } from '../core.ts';
import { buildZoneSet } from '../storage/zone-set.ts';
import { createSegmentCopies } from '../storage/segment-copies.store.ts';
import { readStorageStatus, type StorageStatus, type ZoneHealth } from '../storage/replicator.ts';
import { scrub } from '../storage/scrub.ts';
import { configOptions, parse, type Command, subcommand } from './args.ts';
import { cliAuditContext } from './cli-actor.ts';
import { loadCliConfig } from './load-cli-config.ts';
import { terminalText } from './terminal-text.ts';

const usage = `Usage: custos storage status [--config FILE] [--data-dir DIR] [--json]
       custos storage scrub  [--config FILE] [--data-dir DIR] [--json] [--dry-run]

status: each storage zone's health (probed now), fill, lag behind the recording zone, copies
waiting in the edge spool, jurisdiction; segments not yet acknowledged by their placement.
scrub: reads every copy in every zone back and compares its ciphertext SHA-256 with the
segment's audit-ledger leaf; repairs a missing or damaged copy from a good one (each repair an
audit event) unless --dry-run. Exit code 0 when every copy is good (or was repaired), 1 otherwise.`;

function mib(n: number | null): string {
  return n === null ? '?' : `${(n / 2 ** 20).toFixed(1)} MiB`;
}

function printStatus(s: StorageStatus, out: NodeJS.WritableStream): void {
  for (const z of s.zones) {
    const fill = z.totalBytes === null ? 'fill n/a' : `fill ${mib(z.usedBytes)} of ${mib(z.totalBytes)}`;
    out.write(
      `${z.id}${z.recording ? ' (recording)' : ''}: ${z.kind}, jurisdiction ${z.jurisdiction || 'undeclared'}, ${z.health}${z.lastError ? ` (${terminalText(z.lastError)})` : ''}; ${fill}; ` +
        `${z.backlog.stored} copies stored, ${z.backlog.pending} pending (${mib(z.backlog.pendingBytes)}), lag ${Math.round(z.lagSeconds)} s; ${z.backlog.missing} missing, ${z.backlog.damaged} damaged\n`,
    );
  }
  out.write(`spool: ${mib(s.spoolBytes)} of ${mib(s.spoolMaxBytes)}; ${s.unacknowledged} segments below their acknowledgement count\n`);
  for (const c of s.underReplicated) {
    out.write(`under-replicated: camera ${c.cameraId}: ${c.segments} segments, oldest ${Math.round(c.lagSeconds)} s ago, waiting for ${c.waitingFor.join(', ') || '-'}\n`);
  }
}

/** `custos storage status|scrub`. */
export const storageCommand: Command = {
  name: 'storage',
  summary: 'Storage zones: status, scrub and repair',
  usage,
  async run(argv, io) {
    const parsed = subcommand(argv, usage, io);
    if (typeof parsed === 'number') return parsed;
    const { sub, rest } = parsed;
    if (sub !== 'status' && sub !== 'scrub') throw new AppError('VALIDATION_FAILED', `unknown storage command "${sub}"; try custos storage --help`);
    const { values } = parse(rest, { ...configOptions, json: { type: 'boolean' }, 'dry-run': { type: 'boolean' } });
    const config = await loadCliConfig(values, io);
    const dataDir = resolve(config.dataDir);
    const core = await openCore(config);
    try {
      const zoneSet = await buildZoneSet(config.storage, dataDir);
      try {
        const copies = createSegmentCopies(core.database.db);
        if (sub === 'status') {
          const health = new Map<string, ZoneHealth>();
          for (const zone of zoneSet.zones.values()) {
            const probe = await zone.probe().then(
              () => null,
              (e: unknown) => (e instanceof Error ? e.message : String(e)),
            );
            health.set(zone.id, { health: probe === null ? 'ok' : 'down', lastError: probe, copiedObjects: 0, copiedBytes: 0 });
          }
          const status = await readStorageStatus({ zoneSet, copies, clock: systemClock, maxPendingBytes: config.storage.spool.maxPendingBytes, health });
          if (values.json) io.stdout.write(`${JSON.stringify(status, null, 2)}\n`);
          else printStatus(status, io.stdout);
          return 0;
        }
        const ledger = await core.ledger();
        const report = await scrub({
          zoneSet,
          copies,
          audit: ledger,
          actor: cliAuditContext().actor,
          clock: systemClock,
          log: createLogger({ level: 'warn', destination: process.stderr }),
          scratchDir: join(dataDir, 'storage-scratch'),
          dryRun: values['dry-run'] === true,
        });
        if (values.json) io.stdout.write(`${JSON.stringify(report, null, 2)}\n`);
        else {
          io.stdout.write(`${report.segments} segments, ${report.copies} copies: ${report.ok} good, ${report.pending} pending, ${report.noLeaf} segments without a ledger leaf, ${report.unreachable} unreachable\n`);
          for (const f of report.findings) {
            io.stdout.write(`${f.problem.toUpperCase()}: segment ${f.segmentId} in zone ${f.zone}: ${f.repairedFrom === null ? (values['dry-run'] === true ? 'not repaired (dry run)' : 'NOT REPAIRED: no good copy') : `repaired from ${f.repairedFrom}`}\n`);
          }
        }
        return report.findings.every((f) => f.repairedFrom !== null) ? 0 : 1;
      } finally {
        await zoneSet.close();
      }
    } finally {
      await core.close();
    }
  },
};
