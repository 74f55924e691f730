import { homedir } from 'node:os';
import { join } from 'node:path';
import { startApp } from '../app.ts';
import { createLogger, logFormatFor } from '../lib/logger.ts';
import { startCamsim, type Camsim } from '../../tools/camsim/camsim.ts';
import type { CamerasService } from '../cameras/cameras.service.ts';
import { configOptions, parse, type Command } from './args.ts';
import { loadCliConfig } from './load-cli-config.ts';
import { guardProcess } from './process-guard.ts';

/** `custos serve`: the API, the page and the recorder in one process; `--demo` adds cameras. */
export const serveCommand: Command = {
  name: 'serve',
  summary: 'Run Custos (HTTPS API, web page, recorder)',
  usage: `Usage: custos serve [--config FILE] [--data-dir DIR] [--demo] [--port N]

Runs the HTTPS server (TLS 1.3 only, on server.host) and records
every enabled camera. Logs go to stdout: one human line per event
on a terminal, JSON lines otherwise (log.format).

  --config, -c FILE   YAML configuration (see custos.example.yaml)
  --data-dir DIR      data directory (default ./data)
  --port N            HTTPS port (default 8443)
  --demo              also start simulated cameras (demo.cameras, default 2) and add them
  --help, -h          this text`,
  async run(argv, io) {
    const { values } = parse(argv, { ...configOptions, demo: { type: 'boolean' }, port: { type: 'string' } });
    if (values.help) {
      io.stdout.write(`${this.usage}\n`);
      return 0;
    }
    const config = await loadCliConfig(values, io, values.port === undefined ? {} : { 'server.port': Number(values.port) });
    const logger = createLogger({ level: config.log.level, format: logFormatFor(config.log.format, process.stdout) });
    guardProcess(logger);
    let camsim: Camsim | null = null;
    if (values.demo) {
      camsim = await startCamsim({
        cameras: config.demo.cameras,
        port: config.demo.camsimPort,
        profile: config.demo.profile,
        // The simulator's clip is its source material, not footage: kept out of the data directory.
        cacheDir: join(homedir(), '.cache', 'custos', 'camsim'),
        tls: 'self-signed',
        ffmpegPath: config.recording.ffmpegPath,
        log: (msg) => logger.info({ component: 'camsim' }, msg),
      });
    }
    const app = await startApp(config, { logger, showSetupToken: values.demo === true || process.stderr.isTTY });
    if (camsim) await addDemoCameras(app.cameras, camsim.urls, camsim.certificatePem);
    io.stderr.write(`Custos is up at ${app.publicUrl}/ (self-signed certificate unless configured). Ctrl-C stops it.\n`);
    if ((await app.identity.users.count()) > 0) {
      io.stderr.write('Sign in with your account. No account yet for someone? custos user add NAME --role ROLE (password on stdin).\n');
    }
    await new Promise<void>((done) => {
      const stop = () => {
        process.off('SIGINT', stop);
        process.off('SIGTERM', stop);
        done();
      };
      process.on('SIGINT', stop);
      process.on('SIGTERM', stop);
    });
    io.stderr.write('Stopping: closing open segments…\n');
    await app.close();
    await camsim?.close();
    return 0;
  },
};

const demoActor = { actor: { kind: 'system', id: 'system:demo' } } as const;

/**
 * Adds one camera per simulator URL (RTSPS, its certificate pinned), or points an existing demo
 * camera of the same name at it, so `serve --demo` can be run again on the same data directory.
 */
async function addDemoCameras(cameras: CamerasService, urls: readonly string[], certificatePem: string | null): Promise<void> {
  const existing = new Map((await cameras.list()).map((c) => [c.name, c]));
  for (const [i, url] of urls.entries()) {
    const name = `Demo camera ${i + 1}`;
    const camera = existing.get(name);
    if (!camera) await cameras.add({ name, url, tlsCaPem: certificatePem, retentionHours: 24 }, demoActor);
    else if (camera.url !== new URL(url).href || camera.tlsCaPem?.trim() !== certificatePem?.trim()) await cameras.update(camera.id, { url, tlsCaPem: certificatePem }, demoActor);
  }
}
