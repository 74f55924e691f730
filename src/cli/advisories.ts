import { open } from 'node:fs/promises';
import { basename } from 'node:path';
import { openCore } from '../core.ts';
import { AppError, isAppError } from '../lib/errors.ts';
import { MAX_ADVISORY_BYTES } from '../onvif/advisory.ts';
import { readAdvisoryBytes } from '../onvif/advisory-document.ts';
import type { AdvisoriesService } from '../onvif/advisories.service.ts';
import { cliAdvisories } from './open-advisories.ts';
import { rangeText } from '../onvif/version-range.ts';
import { configOptions, parse, type CliIo, type Command, subcommand } from './args.ts';
import { cliAuditContext } from './cli-actor.ts';
import { loadCliConfig } from './load-cli-config.ts';
import { terminalJson, terminalText } from './terminal-text.ts';

const usage = `Usage: custos advisories <import|list> [options]

  custos advisories import FILE...     import CSAF 2.0 or OSV JSON files (offline)
  custos advisories list [--json]      advisories, worst first, with the cameras they affect

Security advisories (AST-4). import reads each file (at most 1 MiB), checks them all first and
stores none when one is refused (one line with the reason, exit 1); then matches every advisory
against the inventory's vendor, model and firmware: each camera newly affected is an audit event
and raises the camera-advisory alarm. Re-importing a document replaces it (same CSAF tracking id
or OSV id). Nothing is fetched from the network. See docs/reference/onboarding.md.
Common options: --config FILE, --data-dir DIR, --help.`;

/** Reads a file of at most the advisory limit (a larger one is refused unread). */
async function readBounded(path: string): Promise<Uint8Array> {
  let handle;
  try {
    handle = await open(path, 'r');
  } catch (e) {
    throw new AppError('VALIDATION_FAILED', `cannot read ${basename(path)}: ${(e as NodeJS.ErrnoException).code ?? 'error'}`);
  }
  try {
    const buf = Buffer.alloc(MAX_ADVISORY_BYTES + 1);
    let n = 0;
    for (;;) {
      const { bytesRead } = await handle.read(buf, n, buf.length - n, null);
      if (bytesRead === 0) break;
      n += bytesRead;
      if (n === buf.length) break;
    }
    return buf.subarray(0, n);
  } finally {
    await handle.close();
  }
}

/** `custos advisories …`. */
export const advisoriesCommand: Command = {
  name: 'advisories',
  summary: 'Import security advisories (CSAF 2.0, OSV) offline and list the cameras they affect',
  usage,
  async run(argv, io) {
    const parsed = subcommand(argv, usage, io);
    if (typeof parsed === 'number') return parsed;
    const { values, positionals } = parse(parsed.rest, { ...configOptions, json: { type: 'boolean' } }, true);
    if (parsed.sub !== 'import' && parsed.sub !== 'list') throw new AppError('VALIDATION_FAILED', `unknown advisories command "${parsed.sub}"; try custos advisories --help`);
    if (parsed.sub === 'import' && positionals.length === 0) throw new AppError('VALIDATION_FAILED', 'advisories import needs at least one file');
    const config = await loadCliConfig(values, io);
    const core = await openCore(config);
    try {
      const { advisories } = cliAdvisories(core.database.db, core.dataKeys, await core.ledger());
      const by = cliAuditContext();
      if (parsed.sub === 'list') return await list(advisories, values.json === true, io);
      const files = await Promise.all(positionals.map(async (p) => ({ name: basename(p), bytes: await readBounded(p) })));
      // All or nothing: every file is checked before any is stored; the first refused one is
      // imported for real so its refusal is audited, and the command stops there.
      for (const f of files) {
        try {
          readAdvisoryBytes(f.bytes);
        } catch (e) {
          if (!isAppError(e, 'ADVISORY_REFUSED')) throw e;
          await advisories.import({ bytes: f.bytes }, f.name, by);
        }
      }
      for (const f of files) {
        const r = await advisories.import({ bytes: f.bytes }, f.name, by);
        const a = r.advisory;
        io.stdout.write(`${terminalText(`${f.name}: ${r.change} ${a.format} ${a.documentId} ${a.severity}${a.cves.length > 0 ? ` ${a.cves.join(',')}` : ''}, ${a.products.length} product(s)${a.skipped.length > 0 ? `, ${a.skipped.length} skipped` : ''}; ${r.matched.length} camera(s) newly affected`)}\n`);
      }
      return 0;
    } finally {
      await core.close();
    }
  },
};

async function list(advisories: AdvisoriesService, json: boolean, io: CliIo): Promise<number> {
  const views = await advisories.list();
  if (json) {
    io.stdout.write(`${terminalJson(views.map((v) => ({ ...v.advisory, products: v.advisory.products.map((p) => ({ ...p, range: rangeText(p.range) })), importedMs: v.importedMs, cameras: v.cameras })))}\n`);
    return 0;
  }
  for (const v of views) {
    const a = v.advisory;
    const cams = v.cameras.map((m) => `${m.cameraId} (fw ${m.firmware})`).join(', ');
    io.stdout.write(`${terminalText(`${a.severity.padEnd(8)} ${a.documentId}  ${a.cves.join(',') || '-'}  ${a.title}${a.withdrawn !== null ? '  WITHDRAWN' : ''}  affects: ${cams || 'none'}`)}\n`);
  }
  return 0;
}

/** `custos camera score ID [--json]`: a camera's security score (last seen is the server's to know). */
export async function scoreFromCli(id: string, json: boolean, values: Parameters<typeof loadCliConfig>[0], io: CliIo): Promise<number> {
  const config = await loadCliConfig(values, io);
  const core = await openCore(config);
  try {
    const { scores } = cliAdvisories(core.database.db, core.dataKeys, await core.ledger());
    const s = await scores.score(id);
    if (json) {
      io.stdout.write(`${terminalJson(s)}\n`);
      return 0;
    }
    io.stdout.write(`${terminalText(`${s.cameraId}: ${s.total}/100 grade ${s.grade}${s.cappedBy === null ? '' : ` (capped by ${s.cappedBy})`}`)}\n`);
    for (const f of s.factors) io.stdout.write(`${terminalText(`  ${f.id.padEnd(11)} ${String(f.points).padStart(2)}/${String(f.max).padEnd(2)} ${f.state.padEnd(7)} ${f.evidence}`)}\n`);
    return 0;
  } finally {
    await core.close();
  }
}
