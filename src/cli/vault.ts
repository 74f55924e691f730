import { join, resolve } from 'node:path';
import { AppError } from '../lib/errors.ts';
import { fsckPassed, fsckVault } from '../vault/vault-fsck.ts';
import { loadFsckExpectations } from '../vault/fsck-expectations.store.ts';
import { configOptions, parse, type Command, subcommand } from './args.ts';
import { loadCliConfig } from './load-cli-config.ts';
import { openCore } from '../core.ts';
import { progressBar } from './progress.ts';
import { cliAuditContext } from './cli-actor.ts';

const usage = `Usage: custos vault fsck [--config FILE] [--data-dir DIR] [--json]

Walks every stored object, authenticates every chunk with its data key, and reports torn
objects (left by a crash; recovered at the next start) and the exact object and chunk of any
corruption, and objects it could not check because their data key is destroyed or the key
provider is unreachable. Then compares the objects with the index and the audit ledger, both
ways: indexed objects that are gone (MISSING), objects no row names (UNINDEXED), segments with
fewer authentic chunks than indexed fragments (CORRUPT, even when the walk alone reads a tear),
indexed segments without a ledger leaf, and ledger segments neither indexed nor deleted on
record (VANISHED). Empty files left by a failed create are listed, not counted as corrupt.
The outcome is recorded on the audit ledger (vault.fsck.completed).
Exit code 0 when everything verifies, 1 otherwise.`;

/** `custos vault fsck`: offline verification of every stored object. */
export const vaultCommand: Command = {
  name: 'vault',
  summary: 'Verify every encrypted object (fsck)',
  usage,
  async run(argv, io) {
    const parsed = subcommand(argv, usage, io);
    if (typeof parsed === 'number') return parsed;
    const { sub, rest } = parsed;
    if (sub !== 'fsck') throw new AppError('VALIDATION_FAILED', `unknown vault command "${sub}"; try custos vault --help`);
    const { values } = parse(rest, { ...configOptions, json: { type: 'boolean' } });
    const config = await loadCliConfig(values, io);
    const keys = await openCore(config);
    try {
      const expected = await loadFsckExpectations(keys.database.db);
      const report = await fsckVault(join(resolve(config.dataDir), 'segments'), keys.dataKeys, progressBar(io.stderr, 'fsck'), expected);
      // On the ledger, so live evidence (governance) can show when the vault last verified.
      const ledger = await keys.ledger();
      await ledger.record({
        type: 'vault.fsck.completed',
        ...cliAuditContext(),
        outcome: fsckPassed(report) ? 'success' : 'failure',
        details: {
          objects: report.objects,
          chunks: report.chunks,
          torn: report.torn.length,
          corrupt: report.corrupt.length,
          unavailable: report.unavailable.length,
          missing: report.cross?.missing.length ?? 0,
          unindexed: report.cross?.unindexed.length ?? 0,
          vanished: report.cross?.vanished.length ?? 0,
        },
      });
      if (values.json) io.stdout.write(`${JSON.stringify(report, null, 2)}\n`);
      else {
        io.stdout.write(
          `${report.objects} objects, ${report.chunks} chunks verified; ${report.torn.length} torn, ${report.corrupt.length} corrupt, ${report.unavailable.length} not verifiable, ${report.empty.length} empty; ${report.cross?.missing.length ?? 0} missing, ${report.cross?.unindexed.length ?? 0} unindexed, ${report.cross?.vanished.length ?? 0} vanished\n`,
        );
        for (const t of report.torn) io.stdout.write(`torn: ${t.key} (${t.wholeChunks} whole chunks)\n`);
        for (const c of report.corrupt) io.stdout.write(`CORRUPT: ${c.key} ${c.chunk === null ? 'header' : `chunk ${c.chunk}`}: ${c.reason}\n`);
        for (const u of report.unavailable) io.stdout.write(`NOT VERIFIABLE: ${u.key} (data key ${u.keyId}): ${u.reason}\n`);
        for (const e of report.empty) io.stdout.write(`empty: ${e.key} (left by a failed create; no footage; removed at the next start)\n`);
        const c = report.cross;
        for (const m of c?.missing ?? []) io.stdout.write(`MISSING: ${m.key} (segment ${m.segmentId} is indexed, its object is gone)\n`);
        for (const u of c?.unindexed ?? []) io.stdout.write(`UNINDEXED: ${u.key} (no index row names it; the next start indexes it again or quarantines it)\n`);
        for (const u of c?.unsealed ?? []) io.stdout.write(`NO LEDGER LEAF: ${u.key} (segment ${u.segmentId})\n`);
        for (const v of c?.vanished ?? []) io.stdout.write(`VANISHED: segment ${v.segmentId} (${v.start} to ${v.end}) is on the ledger, but neither indexed nor deleted on record\n`);
      }
      // An object whose key is unavailable could not be checked: that is not a pass.
      return fsckPassed(report) ? 0 : 1;
    } finally {
      await keys.close();
    }
  },
};
