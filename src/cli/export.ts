import { resolve } from 'node:path';
import { parseVerifierKey, type Verifier } from '../tlog/signed-note.ts';
import { parseCosignerKey, type Cosigner } from '../tlog/cosignature.ts';
import { verifyEvidence } from '../evidence/verify-evidence.ts';
import { AppError } from '../lib/errors.ts';
import { parse, type Command, subcommand } from './args.ts';
import { progressBar } from './progress.ts';
import { readKeyArg } from './key-argument.ts';

const usage = `Usage: custos export verify PATH --key VKEY_OR_FILE [--witness VKEY_OR_FILE …] [--json]

Verifies an evidence package (custos-evidence/v1: a directory, or a zip of its files) offline,
with no server and no database: the manifest and the hash of every file, the signature of the
audit checkpoint with the given key, the inclusion proof of every audit event in the package,
that the export completion event commits to export.mp4 and custody.json, that the request
event matches custody.json, that the segments cover the exported range, and that custody.json
says who, when, why and for whom.

  --key, -k VKEY_OR_FILE  the audit log's verifier key (name+keyid+base64), or a file holding it
  --witness, -w VKEY_OR_FILE
                          a witness's verifier key (cosignature/v1, from "custos witness key"),
                          or a file holding it; repeatable. Each given witness MUST have
                          cosigned the package's checkpoint (check "witnesses")
  --json                  print the report as JSON

Exit code 0 when every check passes, 1 when one fails, 2 for bad usage.`;

/** A verifier key given inline, or else read from the file it names. */
export function readVerifierKey(arg: string): Promise<Verifier> {
  return readKeyArg(arg, '--key', 'a verifier key', parseVerifierKey);
}

/** A witness key given inline, or else read from the file it names. */
function readWitnessKey(arg: string): Promise<Cosigner> {
  return readKeyArg(arg, '--witness', 'a witness key', parseCosignerKey);
}

/** `custos export verify`: offline verification of an evidence package. */
export const exportCommand: Command = {
  name: 'export',
  summary: 'Verify an evidence package offline (export verify)',
  usage,
  async run(argv, io) {
    const parsed = subcommand(argv, usage, io);
    if (typeof parsed === 'number') return parsed;
    const { sub, rest } = parsed;
    if (sub !== 'verify') throw new AppError('VALIDATION_FAILED', `unknown export command "${sub}"; try custos export --help`);
    const { values, positionals } = parse(rest, { key: { type: 'string', short: 'k' }, witness: { type: 'string', short: 'w', multiple: true }, json: { type: 'boolean' } }, true);
    if (positionals.length !== 1) throw new AppError('VALIDATION_FAILED', 'export verify needs exactly one PATH (a package directory or zip)');
    if (values.key === undefined) throw new AppError('VALIDATION_FAILED', 'export verify needs --key (the audit log verifier key, or a file holding it)');
    const verifier = await readVerifierKey(values.key);
    const path = resolve(positionals[0] as string);
    const witnesses: Cosigner[] = [];
    for (const w of values.witness ?? []) witnesses.push(await readWitnessKey(w));
    const report = await verifyEvidence(path, verifier, progressBar(io.stderr, 'export.mp4'), { witnesses });
    if (values.json) io.stdout.write(`${JSON.stringify(report, null, 2)}\n`);
    else {
      io.stdout.write(`Evidence package ${path}${report.container === undefined ? '' : ` (${report.container})`}\n`);
      const width = Math.max(...report.checks.map((c) => c.name.length));
      for (const c of report.checks) io.stdout.write(`  ${c.ok ? 'ok    ' : 'FAILED'}  ${c.name.padEnd(width)}  ${c.detail}\n`);
      io.stdout.write(`${report.verdict}\n`);
    }
    return report.ok ? 0 : 1;
  },
};
