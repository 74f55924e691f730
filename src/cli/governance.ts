import { lstat, open, rename, rm } from 'node:fs/promises';
import { basename, dirname, join, resolve } from 'node:path';
import { randomBytes } from 'node:crypto';
import { AppError } from '../lib/errors.ts';
import { fsyncDir } from '../lib/durable-files.ts';
import { buildGovernance, type Governance } from '../governance/build-governance.ts';
import { advisoryFacts } from '../onvif/advisory-facts.ts';
import { createInventoryStore } from '../onvif/inventory.store.ts';
import { cliAdvisories } from './open-advisories.ts';
import { bundleZip } from '../governance/bundle-writer.ts';
import { requirementStatuses, type RequirementStatus } from '../governance/governance-model.ts';
import { verifyBundle } from '../governance/verify-bundle.ts';
import { systemClock } from '../lib/clock.ts';
import { configOptions, parse, subcommand, type CliIo, type Command } from './args.ts';
import { readVerifierKey } from './export.ts';
import { loadCliConfig } from './load-cli-config.ts';
import { openIdentity } from './open-identity.ts';
import { terminalText } from './terminal-text.ts';

const usage = `Usage: custos governance <command> [options]

NIS2 governance (docs/reference/governance.md): the requirement catalogue, live evidence and
the signed bundles.

  custos governance verify PATH --key VKEY_OR_FILE [--json]
      Verifies a governance bundle (live evidence or readiness pack; a zip or a directory)
      offline: manifest, signed checkpoint, the inclusion proof of its audit leaf, that the
      leaf commits to statement.json, and that every content file is the one it lists.
      Exit code 0 when every check passes, 1 when one fails.
  custos governance evidence [--json]
      Prints the live evidence measured now from the database and the ledger (clock health
      is measured by the running server only).
  custos governance export evidence|readiness --out FILE
      Writes the signed live-evidence bundle or readiness pack as a zip (recorded on the ledger).
  custos governance requirements [--json]
      Lists the requirement catalogue (Statement of Applicability).
  custos governance assess ID [--status S] [--owner NAME] [--reason TEXT] [--evidence LINK]...
      Assesses a requirement (recorded on the ledger). S: ${requirementStatuses.join(', ')}.

Common options: --config FILE, --data-dir DIR.`;

/** Opens governance over the core for one command and closes it after `work`. */
async function withGovernance<T>(values: { config?: string | undefined; 'data-dir'?: string | undefined }, io: CliIo, work: (g: Governance, by: Awaited<ReturnType<typeof openIdentity>>['by']) => Promise<T>): Promise<T> {
  const config = await loadCliConfig(values, io);
  const opened = await openIdentity(config);
  try {
    const governance = buildGovernance({
      db: opened.keys.database.db,
      engine: opened.keys.database.engine,
      ledger: await opened.keys.ledger(),
      provider: opened.keys.provider,
      clock: systemClock,
      privileged: (role) => opened.identity.roles.get(role)?.mfa ?? false,
      keys: config.keys,
      cameraAdvisories: async () => advisoryFacts({ advisories: cliAdvisories(opened.keys.database.db, opened.keys.dataKeys, await opened.keys.ledger()).advisories, inventory: createInventoryStore(opened.keys.database.db), clock: systemClock }),
    });
    return await work(governance, opened.by);
  } finally {
    await opened.close();
  }
}

/** True when something exists at `path`. */
async function exists(path: string): Promise<boolean> {
  return lstat(path).then(
    () => true,
    () => false,
  );
}

/** Writes `chunks` to the new file `path` (which MUST NOT exist), durably: temp file, fsync, rename. */
async function writeNewFile(path: string, chunks: AsyncIterable<Buffer>): Promise<void> {
  const work = join(dirname(path), `.${basename(path)}.partial-${randomBytes(6).toString('hex')}`);
  try {
    const fh = await open(work, 'wx', 0o600);
    try {
      for await (const chunk of chunks) await fh.write(chunk);
      await fh.sync();
    } finally {
      await fh.close();
    }
    // No clobber: refuse an existing target rather than replace it.
    if (await exists(path)) throw new AppError('CONFLICT', `${path} already exists`);
    await rename(work, path);
    await fsyncDir(dirname(path));
  } catch (e) {
    await rm(work, { force: true });
    throw e;
  }
}

/** `custos governance …`. */
export const governanceCommand: Command = {
  name: 'governance',
  summary: 'NIS2 governance: verify bundles, live evidence, export, requirement catalogue',
  usage,
  async run(argv, io) {
    const parsed = subcommand(argv, usage, io);
    if (typeof parsed === 'number') return parsed;
    const { sub, rest } = parsed;
    switch (sub) {
      case 'verify': {
        const { values, positionals } = parse(rest, { key: { type: 'string', short: 'k' }, json: { type: 'boolean' } }, true);
        if (positionals.length !== 1) throw new AppError('VALIDATION_FAILED', 'governance verify needs exactly one PATH (a bundle zip or directory)');
        if (values.key === undefined) throw new AppError('VALIDATION_FAILED', 'governance verify needs --key (the audit log verifier key, or a file holding it)');
        const verifier = await readVerifierKey(values.key);
        const path = resolve(positionals[0] as string);
        const report = await verifyBundle(path, verifier);
        if (values.json) io.stdout.write(`${JSON.stringify(report, null, 2)}\n`);
        else {
          io.stdout.write(`Governance bundle ${path}${report.container === undefined ? '' : ` (${report.container})`}\n`);
          const width = Math.max(...report.checks.map((c) => c.name.length));
          for (const c of report.checks) io.stdout.write(`  ${c.ok ? 'ok    ' : 'FAILED'}  ${c.name.padEnd(width)}  ${terminalText(c.detail)}\n`);
          io.stdout.write(`${report.verdict}\n`);
        }
        return report.ok ? 0 : 1;
      }
      case 'evidence': {
        const { values } = parse(rest, { ...configOptions, json: { type: 'boolean' } });
        const live = await withGovernance(values, io, (g) => g.liveEvidence());
        if (values.json) io.stdout.write(`${JSON.stringify(live, null, 2)}\n`);
        else {
          io.stdout.write(`Live evidence measured ${live.measuredAt}\n`);
          for (const m of live.metrics) io.stdout.write(`  ${m.state.padEnd(9)}  ${m.id.padEnd(20)}  ${terminalText(m.summary)}\n`);
        }
        return 0;
      }
      case 'export': {
        const { values, positionals } = parse(rest, { ...configOptions, out: { type: 'string', short: 'o' } }, true);
        const kind = positionals[0];
        if (positionals.length !== 1 || (kind !== 'evidence' && kind !== 'readiness')) throw new AppError('VALIDATION_FAILED', 'governance export needs evidence or readiness');
        if (values.out === undefined) throw new AppError('VALIDATION_FAILED', 'governance export needs --out FILE');
        const out = resolve(values.out);
        // Before the ledger records an export that could not be written.
        if (await exists(out)) throw new AppError('CONFLICT', `${out} already exists`);
        const bundle = await withGovernance(values, io, (g, by) => (kind === 'evidence' ? g.bundles.evidenceBundle(by) : g.bundles.readinessPack(by)));
        await writeNewFile(out, bundleZip(bundle));
        io.stdout.write(`${kind === 'evidence' ? 'evidence bundle' : 'readiness pack'} ${bundle.bundleId} written to ${out} (audit leaf ${bundle.leafSeq})\n`);
        return 0;
      }
      case 'requirements': {
        const { values } = parse(rest, { ...configOptions, json: { type: 'boolean' } });
        const list = await withGovernance(values, io, (g) => g.catalogue.list());
        if (values.json) io.stdout.write(`${JSON.stringify(list, null, 2)}\n`);
        else for (const r of list) io.stdout.write(`${r.id.padEnd(18)} ${r.status.padEnd(14)} ${terminalText(r.owner ?? '-').padEnd(16)} ${terminalText(r.title)}\n`);
        return 0;
      }
      case 'assess': {
        const { values, positionals } = parse(rest, { ...configOptions, status: { type: 'string' }, owner: { type: 'string' }, reason: { type: 'string' }, evidence: { type: 'string', multiple: true } }, true);
        if (positionals.length !== 1) throw new AppError('VALIDATION_FAILED', 'governance assess needs exactly one requirement ID');
        if (values.status !== undefined && !(requirementStatuses as readonly string[]).includes(values.status)) throw new AppError('VALIDATION_FAILED', `--status must be one of ${requirementStatuses.join(', ')}`);
        const change = {
          ...(values.status === undefined ? {} : { status: values.status as RequirementStatus }),
          ...(values.owner === undefined ? {} : { owner: values.owner }),
          ...(values.reason === undefined ? {} : { reason: values.reason }),
          ...(values.evidence === undefined ? {} : { evidence: values.evidence }),
        };
        const r = await withGovernance(values, io, (g, by) => g.catalogue.update(positionals[0] as string, change, by));
        io.stdout.write(`${r.id}: ${r.status}${r.owner === null ? '' : `, owner ${terminalText(r.owner)}`}\n`);
        return 0;
      }
      default:
        throw new AppError('VALIDATION_FAILED', `unknown governance command "${sub}"; try custos governance --help`);
    }
  },
};
