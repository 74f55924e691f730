import { systemClock } from '../lib/clock.ts';
import { AppError } from '../lib/errors.ts';
import { CamerasService } from '../cameras/cameras.service.ts';
import { ingestChoices, type IngestChoice } from '../cameras/camera.ts';
import { createCameraStore } from '../cameras/cameras.store.ts';
import { cameraTransport } from '../cameras/camera-url.ts';
import { configOptions, intOption, parse, readStdin, type CliIo, type Command, subcommand } from './args.ts';
import { loadCliConfig } from './load-cli-config.ts';
import { openCore } from '../core.ts';
import { cliAuditContext } from './cli-actor.ts';
import { readFile } from 'node:fs/promises';
import { terminalJson, terminalText } from './terminal-text.ts';
import { identifyFromCli } from './inventory.ts';
import { scoreFromCli } from './advisories.ts';

const usage = `Usage: custos camera <add|list|update|remove|identify|score> [options]

  custos camera add --name NAME --url rtsp[s]://HOST/PATH [--username U]
                    [--password-stdin | --password-file F] [--tls-ca-file PEM]
                    [--disabled] [--retention-hours H] [--min-retention-hours H] [--ingest auto|native|ffmpeg]
                    [--sub-stream-url rtsp[s]://HOST/PATH] [--record-audio]
                    [--record-sub-stream [--sub-stream-retention-hours H]]
  custos camera list [--json]
  custos camera update ID [--name N] [--url U] [--username U] [--password-stdin | --password-file F]
                    [--tls-ca-file PEM | --no-tls-ca] [--enable | --disable] [--retention-hours H] [--min-retention-hours H]
                    [--ingest auto|native|ffmpeg] [--sub-stream-url U | --no-sub-stream]
                    [--record-audio | --no-record-audio] [--record-sub-stream | --no-record-sub-stream]
                    [--sub-stream-retention-hours H | --sub-stream-retention-same]
  custos camera remove ID
  custos camera identify ID --xaddr http(s)://HOST/onvif/device_service [--username U]
                    [--password-stdin | --password-file F]
  custos camera score ID [--json]

Works on the configured database directly; a running server picks changes up within seconds.
Passwords are never taken as arguments (they would show in ps): use --password-stdin or
--password-file. Credentials typed into the URL are moved out of it.
For rtsps:// cameras, --tls-ca-file names the PEM of the CA that signed the camera's
certificate, or the camera's own certificate to pin it; without it, the system CA store is
used. Verification is never turned off.
--sub-stream-url names a second, lower-resolution stream of the same camera (same host, and
rtsps:// when the camera is) for live tiles; it is pulled with the camera's credentials.
--record-sub-stream records it too, as a second stream (dual recording), kept for
--sub-stream-retention-hours (at most --retention-hours; by default as long as the camera's
footage, --sub-stream-retention-same goes back to that). --record-audio records (and plays live) the camera's AAC audio; off by default, as
sound is more intrusive than images: turn it on where a legal basis covers it.
identify asks the camera over ONVIF who it is (the camera's own credentials unless --username and
a password are given; those are used once, not stored), vets it against the prohibited-vendor data
and records it in the inventory; exit code 3 when the camera is put in quarantine.
score prints the camera's security score: each factor with its points and evidence (the stored
credentials are compared with known vendor defaults, never tried on the camera, never printed);
last seen is known to the running server only (GET /api/v1/cameras/ID/security-score).
Common options: --config FILE, --data-dir DIR, --help.`;

/** `custos camera …`: manage cameras from the command line. */
export const cameraCommand: Command = {
  name: 'camera',
  summary: 'Add, list, update and remove cameras',
  usage,
  async run(argv, io) {
    const parsed = subcommand(argv, usage, io);
    if (typeof parsed === 'number') return parsed;
    const { sub, rest } = parsed;
    const options = {
      ...configOptions,
      name: { type: 'string' },
      url: { type: 'string' },
      username: { type: 'string' },
      'password-stdin': { type: 'boolean' },
      'password-file': { type: 'string' },
      'tls-ca-file': { type: 'string' },
      'no-tls-ca': { type: 'boolean' },
      disabled: { type: 'boolean' },
      enable: { type: 'boolean' },
      disable: { type: 'boolean' },
      'retention-hours': { type: 'string' },
      'min-retention-hours': { type: 'string' },
      ingest: { type: 'string' },
      'sub-stream-url': { type: 'string' },
      'no-sub-stream': { type: 'boolean' },
      'record-audio': { type: 'boolean' },
      'no-record-audio': { type: 'boolean' },
      'record-sub-stream': { type: 'boolean' },
      'no-record-sub-stream': { type: 'boolean' },
      'sub-stream-retention-hours': { type: 'string' },
      'sub-stream-retention-same': { type: 'boolean' },
      json: { type: 'boolean' },
      xaddr: { type: 'string' },
    } as const;
    const { values, positionals } = parse(rest, options, true);
    if (sub === 'score') return scoreFromCli(onePositional(positionals, sub), values.json === true, values, io);
    if (sub === 'identify') return identifyFromCli(onePositional(positionals, sub), values.xaddr, values.username, await readPassword(values, io), values, io);
    const config = await loadCliConfig(values, io);
    // Credentials are sealed under the master key, so the CLI opens the key provider too.
    const keys = await openCore(config);
    try {
      const cameras = new CamerasService(createCameraStore(keys.database.db, keys.dataKeys), systemClock, await keys.ledger());
      const by = cliAuditContext();
      const password = await readPassword(values, io);
      const tlsCaPem = await readCaFile(values['tls-ca-file']);
      switch (sub) {
        case 'add': {
          if (!values.name || !values.url) throw new AppError('VALIDATION_FAILED', 'camera add needs --name and --url');
          const camera = await cameras.add({
            name: values.name,
            url: values.url,
            ...(values.username !== undefined ? { username: values.username } : {}),
            ...(password !== undefined ? { password } : {}),
            ...(tlsCaPem !== undefined ? { tlsCaPem } : {}),
            enabled: !values.disabled,
            retentionHours: intOption(values['retention-hours'], 'retention-hours', 72, 1, 87600),
            ...(values['min-retention-hours'] !== undefined ? { minRetentionHours: intOption(values['min-retention-hours'], 'min-retention-hours', 0, 0, 87600) } : {}),
            ...(values.ingest !== undefined ? { ingest: ingestOption(values.ingest) } : {}),
            ...(values['sub-stream-url'] !== undefined ? { subStreamUrl: values['sub-stream-url'] } : {}),
            ...(values['record-audio'] ? { recordAudio: true } : {}),
            ...(values['record-sub-stream'] ? { recordSubStream: true } : {}),
            ...(values['sub-stream-retention-hours'] !== undefined ? { subStreamRetentionHours: intOption(values['sub-stream-retention-hours'], 'sub-stream-retention-hours', 72, 1, 87600) } : {}),
          }, by);
          io.stdout.write(`${camera.id}\n`);
          return 0;
        }
        case 'list': {
          const list = await cameras.list();
          if (values.json) {
            const safe = list.map(({ password: _p, username: _u, ...c }) => ({ ...c, hasCredentials: _u !== null || _p !== null }));
            io.stdout.write(`${terminalJson(safe)}\n`);
            return 0;
          }
          // Names written before control characters were refused are escaped, as is every stored value.
          const rows = list.map((c) => [c.id, c.name, c.enabled ? 'enabled' : 'disabled', `${c.retentionHours}h`, cameraTransport(c.url), c.url].map(terminalText));
          io.stdout.write(table([['ID', 'NAME', 'STATE', 'RETENTION', 'TRANSPORT', 'URL'], ...rows]));
          return 0;
        }
        case 'update': {
          const id = onePositional(positionals, 'update');
          if (values.enable && values.disable) throw new AppError('VALIDATION_FAILED', '--enable and --disable exclude each other');
          await cameras.update(id, {
            ...(values.name !== undefined ? { name: values.name } : {}),
            ...(values.url !== undefined ? { url: values.url } : {}),
            ...(values.username !== undefined ? { username: values.username } : {}),
            ...(password !== undefined ? { password } : {}),
            ...(tlsCaPem !== undefined ? { tlsCaPem } : values['no-tls-ca'] ? { tlsCaPem: null } : {}),
            ...(values.enable ? { enabled: true } : values.disable ? { enabled: false } : {}),
            ...(values['retention-hours'] !== undefined ? { retentionHours: intOption(values['retention-hours'], 'retention-hours', 72, 1, 87600) } : {}),
            ...(values['min-retention-hours'] !== undefined ? { minRetentionHours: intOption(values['min-retention-hours'], 'min-retention-hours', 0, 0, 87600) } : {}),
            ...(values.ingest !== undefined ? { ingest: ingestOption(values.ingest) } : {}),
            ...(values['sub-stream-url'] !== undefined ? { subStreamUrl: values['sub-stream-url'] } : values['no-sub-stream'] ? { subStreamUrl: null } : {}),
            ...(values['record-audio'] ? { recordAudio: true } : values['no-record-audio'] ? { recordAudio: false } : {}),
            ...(values['record-sub-stream'] ? { recordSubStream: true } : values['no-record-sub-stream'] ? { recordSubStream: false } : {}),
            ...(values['sub-stream-retention-hours'] !== undefined ? { subStreamRetentionHours: intOption(values['sub-stream-retention-hours'], 'sub-stream-retention-hours', 72, 1, 87600) } : values['sub-stream-retention-same'] ? { subStreamRetentionHours: null } : {}),
          }, by);
          return 0;
        }
        case 'remove': {
          await cameras.remove(onePositional(positionals, 'remove'), by);
          return 0;
        }
        default:
          throw new AppError('VALIDATION_FAILED', `unknown camera command "${sub}"; try custos camera --help`);
      }
    } finally {
      await keys.close();
    }
  },
};

async function readPassword(values: { 'password-stdin'?: boolean | undefined; 'password-file'?: string | undefined }, io: CliIo): Promise<string | undefined> {
  if (values['password-stdin'] && values['password-file']) throw new AppError('VALIDATION_FAILED', '--password-stdin and --password-file exclude each other');
  if (values['password-stdin']) return readStdin(io.stdin);
  if (values['password-file']) {
    try {
      return (await readFile(values['password-file'], 'utf8')).replace(/\r?\n$/, '');
    } catch (e) {
      throw new AppError('VALIDATION_FAILED', `cannot read --password-file: ${(e as NodeJS.ErrnoException).code ?? 'error'}`);
    }
  }
  return undefined;
}

async function readCaFile(path: string | undefined): Promise<string | undefined> {
  if (path === undefined) return undefined;
  try {
    return await readFile(path, 'utf8');
  } catch (e) {
    throw new AppError('VALIDATION_FAILED', `cannot read --tls-ca-file: ${(e as NodeJS.ErrnoException).code ?? 'error'}`);
  }
}

function onePositional(positionals: string[], sub: string): string {
  if (positionals.length !== 1) throw new AppError('VALIDATION_FAILED', `camera ${sub} needs exactly one camera id`);
  return positionals[0] as string;
}

function table(rows: string[][]): string {
  const widths = rows[0]?.map((_, i) => Math.max(...rows.map((r) => (r[i] ?? '').length))) ?? [];
  return rows.map((r) => r.map((cell, i) => cell.padEnd(widths[i] ?? 0)).join('  ').trimEnd()).join('\n') + '\n';
}

/** `--ingest` value, or VALIDATION_FAILED naming the choices. */
function ingestOption(value: string): IngestChoice {
  if (!(ingestChoices as readonly string[]).includes(value)) throw new AppError('VALIDATION_FAILED', `--ingest must be one of ${ingestChoices.join(', ')}`);
  return value as IngestChoice;
}
