import { AppError } from '../lib/errors.ts';
import { systemClock } from '../lib/clock.ts';
import { openCore } from '../core.ts';
import { collectLocations } from '../residency/locations.ts';
import { assertResidency } from '../residency/residency-check.ts';
import { buildResidencyReport, type LocationView, type ResidencyReport } from '../residency/residency-report.ts';
import { createResidencyStore } from '../residency/residency.store.ts';
import { configOptions, parse, subcommand, type Command } from './args.ts';
import { loadCliConfig } from './load-cli-config.ts';
import { terminalJson, terminalText } from './terminal-text.ts';

const usage = `Usage: custos residency <report|check> [--config FILE] [--data-dir DIR]

  custos residency report [--json]
        where is every byte: for each camera the storage and jurisdiction holding its
        footage and where its keys live; where the database and the audit log live; every
        outbound destination (identity providers; SIEM and webhooks once configured).
  custos residency check
        checks every location against residency.allowed as a start would: exit 0 and "ok",
        or exit 1 and one line (RESIDENCY_REFUSED) naming each location outside the list
        or without a declared jurisdiction. Reads the configuration only.`;

/** `custos residency …`: the residency report and check (docs/reference/residency.md). */
export const residencyCommand: Command = {
  name: 'residency',
  summary: 'Where every byte is (report) and the residency check of the configuration',
  usage,
  async run(argv, io) {
    const parsed = subcommand(argv, usage, io);
    if (typeof parsed === 'number') return parsed;
    const { sub, rest } = parsed;
    const { values } = parse(rest, { ...configOptions, json: { type: 'boolean' } });
    if (sub !== 'report' && sub !== 'check') throw new AppError('VALIDATION_FAILED', `unknown residency command "${sub}"; try custos residency --help`);
    const config = await loadCliConfig(values, io);
    // Storage zones and SIEM destinations add their locations here (as in app.ts) when merged.
    const locations = collectLocations(config, []);
    if (sub === 'check') {
      assertResidency(config.residency.allowed, locations);
      io.stdout.write(config.residency.allowed.length === 0 ? 'ok (residency.allowed is empty: not enforced)\n' : `ok: every location is within ${config.residency.allowed.join(', ')}\n`);
      return 0;
    }
    const core = await openCore(config);
    try {
      const store = createResidencyStore(core.database.db);
      const report = buildResidencyReport({ allowed: config.residency.allowed, locations, cameras: await store.cameras(), footage: await store.footage(), nowMs: systemClock.now() });
      io.stdout.write(values.json ? `${terminalJson(report)}\n` : renderReport(report));
      return 0;
    } finally {
      await core.close();
    }
  },
};

const where = (v: LocationView): string => `${v.jurisdiction ?? 'undeclared'}${v.allowed === false ? ' (NOT ALLOWED)' : ''}`;

/** The report as text for a terminal; every stored value escaped. */
function renderReport(r: ResidencyReport): string {
  const lines = [
    `Residency report ${r.generatedAt}`,
    `Allowed: ${r.enforced ? r.allowed.join(', ') : '(not enforced: residency.allowed is empty)'}`,
    `Database:     ${r.database.id} in ${where(r.database)} — ${r.database.detail}`,
    `Audit log:    ${r.auditLog.detail} in ${where(r.auditLog)}`,
    `Master key:   ${r.keyProvider.id} in ${where(r.keyProvider)} — ${r.keyProvider.detail}`,
    'Cameras:',
  ];
  if (r.cameras.length === 0) lines.push('  (none)');
  for (const c of r.cameras) {
    lines.push(`  ${c.name} (${c.id})`);
    if (c.footage.length === 0) lines.push('    footage: none recorded');
    for (const f of c.footage) lines.push(`    footage: zone ${f.zone} (${f.kind}) in ${f.jurisdiction ?? 'undeclared'}: ${f.segments} segments, ${f.bytes} bytes, ${f.from ?? '?'} to ${f.to ?? '?'}`);
    lines.push(`    keys: master key ${c.keys.masterKey.id} in ${where(c.keys.masterKey)}; data keys wrapped in the ${c.keys.dataKeys.id} database in ${where(c.keys.dataKeys)}`);
  }
  lines.push('Outbound destinations:');
  if (r.outbound.length === 0) lines.push('  (none)');
  for (const o of r.outbound) lines.push(`  ${o.kind} ${o.id} in ${where(o)} — ${o.detail}`);
  for (const v of r.violations) lines.push(`VIOLATION: ${v}`);
  return `${lines.map(terminalText).join('\n')}\n`;
}
