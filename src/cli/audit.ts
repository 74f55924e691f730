import { AppError } from '../lib/errors.ts';
import { resolve } from 'node:path';
import { fileCheckpointPin } from '../audit/checkpoint-pin.ts';
import { createLedgerStore } from '../audit/ledger.store.ts';
import { parseVerifierKey, type Verifier } from '../tlog/signed-note.ts';
import { verifyLedger, type LedgerVerifyReport } from '../audit/verify-ledger.ts';
import { pageCheckerFor } from '../audit/verify-workers.ts';
import { verifyReplica, type ReplicaVerifyReport } from '../audit/verify-replica.ts';
import { readReplica } from '../siem/replica-reader.ts';
import { configOptions, parse, type Command, subcommand } from './args.ts';
import { cliAuditContext } from './cli-actor.ts';
import { loadCliConfig } from './load-cli-config.ts';
import { openCore } from '../core.ts';
import { progressBar } from './progress.ts';
import { readKeyArg } from './key-argument.ts';

const usage = `Usage: custos audit <verify|key|checkpoint|erase-subject> [--config FILE] [--data-dir DIR]

  custos audit verify [--key VKEY|FILE] [--json]
        recomputes the Merkle tree from every stored record, checks every signed checkpoint
        (signature, origin, root) and names the first bad index of a changed, deleted,
        inserted, reordered or truncated record. Without --key the checkpoints are checked
        against this installation's own key (from the key provider). Exit 0 when all is
        intact, 1 when anything is not. The run is itself recorded in the ledger.
  custos audit verify --replica PATH [--key VKEY|FILE] [--json]
        verifies a ledger replica (a replica destination's directory) instead: recomputes the
        tree from its leaves, checks its signed checkpoints and names the first bad index.
        With --key it runs on the replica alone (no database is opened: for when the database
        is lost); without, it also compares every leaf with the database's tree and uses this
        installation's key. Exit 0 when intact, 1 when not.
  custos audit key
        prints the verifier key (C2SP vkey) of the checkpoints: give it to whoever must verify
        exports and checkpoints offline.
  custos audit checkpoint
        signs a checkpoint of the ledger now (if it grew) and prints it.
  custos audit erase-subject SUBJECT
        crypto-shreds the personal fields (names, addresses) of one actor id (e.g. user:…)
        in every audit event: their key is destroyed, the records and the tree stay verifiable.`;

/** `custos audit …`: offline verification and custody of the audit ledger. */
export const auditCommand: Command = {
  name: 'audit',
  summary: 'Verify the audit ledger, print its key, sign a checkpoint, erase a subject',
  usage,
  async run(argv, io) {
    const parsed = subcommand(argv, usage, io);
    if (typeof parsed === 'number') return parsed;
    const { sub, rest } = parsed;
    const { values, positionals } = parse(rest, { ...configOptions, key: { type: 'string' }, json: { type: 'boolean' }, replica: { type: 'string' } }, true);
    if (!['verify', 'key', 'checkpoint', 'erase-subject'].includes(sub)) throw new AppError('VALIDATION_FAILED', `unknown audit command "${sub}"; try custos audit --help`);
    if (values.replica !== undefined && sub !== 'verify') throw new AppError('VALIDATION_FAILED', '--replica belongs to custos audit verify');
    if (values.replica !== undefined && values.key !== undefined) {
      // The replica alone: no configuration, database or key provider is touched.
      const verifier = await readVerifier(values.key);
      const report = await verifyReplica({ replica: await readReplica(resolve(values.replica)), verifiers: [verifier], origin: verifier.name });
      return printReplicaReport(report, values.json === true, io.stdout);
    }
    const config = await loadCliConfig(values, io);
    const keys = await openCore(config);
    try {
      const ledger = await keys.ledger();
      switch (sub) {
        case 'key':
          io.stdout.write(`${ledger.vkey}\n`);
          return 0;
        case 'checkpoint': {
          const checkpoint = await ledger.checkpoint();
          if (checkpoint === undefined) throw new AppError('NOT_FOUND', 'the ledger is empty: nothing to sign');
          io.stdout.write(checkpoint.note);
          return 0;
        }
        case 'erase-subject': {
          const [subject] = positionals;
          if (subject === undefined || positionals.length > 1) throw new AppError('VALIDATION_FAILED', 'erase-subject needs exactly one SUBJECT (an actor id such as user:…)');
          await ledger.record({ type: 'audit.subject.erased', ...cliAuditContext(), target: { kind: 'subject', id: subject }, outcome: 'success' });
          const destroyed = await keys.dataKeys.destroyBefore(`audit-subject:${subject}`, Number.MAX_SAFE_INTEGER);
          io.stdout.write(destroyed === 0 ? `no personal fields of ${subject} were held\n` : `personal fields of ${subject} erased (${destroyed} key destroyed); the ledger still verifies\n`);
          return 0;
        }
        default: {
          if (values.replica !== undefined) {
            const store = createLedgerStore(keys.database.db);
            const report = await verifyReplica({
              replica: await readReplica(resolve(values.replica)),
              verifiers: [parseVerifierKey(ledger.vkey)],
              origin: config.audit.origin,
              database: { size: await store.size(), leafPage: (from, limit) => store.leafPage(from, limit) },
            });
            await ledger.record({
              type: 'audit.verified',
              ...cliAuditContext(),
              outcome: report.ok ? 'success' : 'failure',
              details: { replica: true, events: report.leaves, checkpointsVerified: report.checkpointsVerified, firstBadIndex: report.firstBad?.index ?? -1 },
              ...(report.firstBad === null ? {} : { reason: report.firstBad.reason.slice(0, 300) }),
            });
            return printReplicaReport(report, values.json === true, io.stdout);
          }
          const verifiers: Verifier[] = [values.key === undefined ? parseVerifierKey(ledger.vkey) : await readVerifier(values.key)];
          const pinned = await fileCheckpointPin(resolve(config.dataDir)).read();
          const store = createLedgerStore(keys.database.db);
          const checker = pageCheckerFor(await store.size());
          let report: LedgerVerifyReport;
          try {
            report = await verifyLedger({
              store,
              verifiers,
              origin: config.audit.origin,
              ...(pinned === undefined ? {} : { pinned }),
              onProgress: progressBar(io.stderr, 'verify'),
              checker,
            });
          } finally {
            await checker.close();
          }
          await ledger.record({
            type: 'audit.verified',
            ...cliAuditContext(),
            outcome: report.ok ? 'success' : 'failure',
            details: { events: report.events, checkpointsVerified: report.checkpointsVerified, firstBadIndex: report.firstBad?.index ?? -1 },
            ...(report.firstBad === null ? {} : { reason: report.firstBad.reason.slice(0, 300) }),
          });
          if (values.json) io.stdout.write(`${JSON.stringify(report, null, 2)}\n`);
          else {
            io.stdout.write(`${report.events} events, head ${report.headSize}; ${report.checkpointsVerified} of ${report.checkpoints} checkpoints verified\n`);
            for (const p of report.problems) io.stdout.write(`BAD: ${p}\n`);
            io.stdout.write(report.ok ? 'ledger intact\n' : `LEDGER TAMPERED: first bad index ${report.firstBad?.index}\n`);
          }
          return report.ok ? 0 : 1;
        }
      }
    } finally {
      await keys.close();
    }
  },
};

/** Prints a replica report; the exit code (0 intact, 1 not). */
function printReplicaReport(report: ReplicaVerifyReport, json: boolean, out: NodeJS.WritableStream): number {
  if (json) out.write(`${JSON.stringify(report, null, 2)}\n`);
  else {
    const db = report.database === null ? 'not compared with a database' : `compared with the database (head ${report.database.size}${report.database.behind > 0 ? `, the replica is ${report.database.behind} behind` : ''})`;
    out.write(`replica: ${report.leaves} leaves; ${report.checkpointsVerified} of ${report.checkpoints} checkpoints verified; ${db}${report.tornTail ? '; a torn last line (never acknowledged) was ignored' : ''}\n`);
    for (const p of report.problems) out.write(`BAD: ${p}\n`);
    out.write(report.ok ? 'replica intact\n' : `REPLICA TAMPERED: first bad index ${report.firstBad?.index ?? 'unknown'}\n`);
  }
  return report.ok ? 0 : 1;
}

/** A verifier key given inline (`name+id+key`) or as a file holding one. */
function readVerifier(value: string): Promise<Verifier> {
  return readKeyArg(value, '--key', 'a verifier key', parseVerifierKey);
}
