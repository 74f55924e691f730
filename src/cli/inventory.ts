import { addressCheck } from '../ingest/camera-networks.ts';
import { CamerasService } from '../cameras/cameras.service.ts';
import { createCameraStore } from '../cameras/cameras.store.ts';
import { openCore } from '../core.ts';
import { systemClock } from '../lib/clock.ts';
import { AppError } from '../lib/errors.ts';
import { inventoryCsv } from '../onvif/inventory-csv.ts';
import type { OnboardingService } from '../onvif/onboarding.service.ts';
import { buildOnboarding } from '../onvif/build-onboarding.ts';
import { createOnvifClient } from '../onvif/onvif-client.ts';
import { probe } from '../onvif/ws-discovery.ts';
import type { AdvisoriesService } from '../onvif/advisories.service.ts';
import { configOptions, parse, type CliIo, type Command, subcommand } from './args.ts';
import { cliAuditContext } from './cli-actor.ts';
import { loadCliConfig } from './load-cli-config.ts';
import { terminalJson, terminalText } from './terminal-text.ts';
import { attachSbomFromCli } from './inventory-sbom.ts';

const usage = `Usage: custos inventory list [--csv | --json]
       custos inventory attach-sbom CAMERA_ID FILE

Lists the asset inventory (AST-1): every camera identified over ONVIF (custos camera identify),
with vendor, model, serial, MAC, firmware, location, owner, dates, its vetting against the
prohibited-vendor data (AST-2) and whether it is in quarantine. --csv writes RFC 4180 CSV with
formula-like cells neutralised, for a spreadsheet or an auditor. attach-sbom attaches the
vendor's SBOM (CycloneDX or SPDX JSON, at most 1 MiB) to an identified camera's entry (audited).
Common options: --config FILE, --data-dir DIR, --help.`;

/** The onboarding service over the CLI's core (also used by `custos camera identify`). */
export async function withOnboarding<T>(values: Parameters<typeof loadCliConfig>[0], io: CliIo, fn: (o: OnboardingService, cameras: CamerasService, advisories: AdvisoriesService) => Promise<T>): Promise<T> {
  const config = await loadCliConfig(values, io);
  const core = await openCore(config);
  try {
    const audit = await core.ledger();
    const cameras = new CamerasService(createCameraStore(core.database.db, core.dataKeys), systemClock, audit);
    const cameraAddresses = addressCheck(config.recording.cameraNetworks);
    // The CLI runs no recorder: the vet step's score says last seen is unknown.
    const { onboarding, advisories } = buildOnboarding({
      db: core.database.db, clock: systemClock, audit, cameras,
      connect: (target) => createOnvifClient({ ...target, clock: systemClock, addressCheck: cameraAddresses }),
      probe: (opts) => probe({ ...opts, addressCheck: cameraAddresses }),
      status: async () => ({ state: 'unknown', sinceMs: systemClock.now(), clockOffsetMs: null }),
    });
    return await fn(onboarding, cameras, advisories);
  } finally {
    await core.close();
  }
}

/** `custos inventory …`. */
export const inventoryCommand: Command = {
  name: 'inventory',
  summary: 'List the camera asset inventory (CSV for auditors)',
  usage,
  async run(argv, io) {
    const parsed = subcommand(argv, usage, io);
    if (typeof parsed === 'number') return parsed;
    const { values, positionals } = parse(parsed.rest, { ...configOptions, csv: { type: 'boolean' }, json: { type: 'boolean' } }, true);
    if (parsed.sub === 'attach-sbom') return attachSbomFromCli(positionals, values, io);
    if (positionals.length > 0) throw new AppError('VALIDATION_FAILED', `unexpected argument "${positionals[0] ?? ''}"`);
    if (parsed.sub !== 'list') throw new AppError('VALIDATION_FAILED', `unknown inventory command "${parsed.sub}"; try custos inventory --help`);
    return withOnboarding(values, io, async (onboarding, cameras) => {
      const entries = await onboarding.list();
      const names = new Map((await cameras.list()).map((c) => [c.id, c.name]));
      if (values.csv === true) {
        io.stdout.write(inventoryCsv(entries, names));
      } else if (values.json === true) {
        io.stdout.write(`${terminalJson(entries.map((e) => ({ ...e.asset, quarantined: e.quarantined, acceptedUntilMs: e.acceptance?.untilMs ?? null })))}\n`);
      } else {
        for (const e of entries) {
          const a = e.asset;
          io.stdout.write(`${terminalText(`${names.get(a.cameraId) ?? a.cameraId}  ${a.vendor} ${a.model}  fw ${a.firmware}  mac ${a.mac ?? '-'}  ${a.vetting}${a.verdict.likelyRelabel ? ' (likely relabel)' : ''}${e.quarantined ? '  QUARANTINED' : ''}`)}\n`);
        }
      }
      return 0;
    });
  },
};

/** `custos camera identify ID --xaddr URL`: identify and vet one camera, printing its entry. */
export async function identifyFromCli(id: string, xaddr: string | undefined, username: string | undefined, password: string | undefined, values: Parameters<typeof loadCliConfig>[0], io: CliIo): Promise<number> {
  if (xaddr === undefined) throw new AppError('VALIDATION_FAILED', 'camera identify needs --xaddr http(s)://HOST/onvif/device_service');
  return withOnboarding(values, io, async (onboarding, _cameras, advisories) => {
    const e = await onboarding.identify(id, { xaddr, username, password }, cliAuditContext());
    // The changed inventory is matched against the advisories before the command ends.
    await advisories.rematch(cliAuditContext());
    const a = e.asset;
    io.stdout.write(`${terminalJson({ vendor: a.vendor, model: a.model, firmware: a.firmware, serial: a.serial, mac: a.mac, vetting: a.vetting, likelyRelabel: a.verdict.likelyRelabel, matches: a.verdict.matches.map((m) => `${m.by} ${m.value} is ${m.entryId} (${m.relation})`), quarantined: e.quarantined, clockOffsetMs: a.evidence.clock.offsetMs })}\n`);
    return e.quarantined ? 3 : 0;
  });
}
