import { join, resolve } from 'node:path';
import { startCamsim } from '../../tools/camsim/camsim.ts';
import { startOnvifFleet } from '../../tools/camsim/onvif-fleet.ts';
import { systemClock } from '../lib/clock.ts';
import { AppError } from '../lib/errors.ts';
import { intOption, parse, readStdin, type Command } from './args.ts';

/** `custos camsim`: simulated RTSP cameras serving a looped H.264 clip. */
export const camsimCommand: Command = {
  name: 'camsim',
  summary: 'Run simulated RTSP cameras (for demos, tests and benchmarks)',
  usage: `Usage: custos camsim [--cameras N] [--port P] [--host H] [--profile full|small]
                     [--user U (--password W | --password-stdin | --password-file F)] [--tls] [--stamp] [--cache-dir DIR]
                     [--onvif [--manufacturer M] [--model X] [--oui aa:bb:cc] [--ptz]]

Serves N cameras at rtsp://H:P/cam1 … /camN (RTSP over TCP, interleaved) from a looped H.264
clip made with ffmpeg on first use (full: 1080p 25 fps ~4 Mbit/s, key frame every second;
small: 360p ~0.5 Mbit/s). With --user, Digest authentication is required.

  --cameras N          number of cameras (default 2)
  --port P             RTSP port (default 8554)
  --host H             listen address (default 127.0.0.1)
  --profile NAME       full (default) or small
  --user U             require Digest auth with this user
  --password W         the password (simulator only: visible to local users in ps)
  --password-stdin     read the password from standard input
  --password-file F    read the password from a file
  --tls                serve RTSPS (TLS 1.3) with a self-signed certificate, printed on stderr
                       so a camera can pin it (custos camera add --tls-ca-file)
  --stamp              precede every frame with an H.264 SEI holding its wall-clock send time
                       (ms), for glass-to-glass latency measurement (bench/live-latency.ts)
  --cache-dir DIR      where the generated clip and certificate are kept (default ./data/camsim)
  --onvif              also serve an ONVIF device (device + media, WS-Security digest with the
                       same user) per camera on an ephemeral port; addresses printed on stderr
  --manufacturer M     ONVIF identity of every camera (default "Custos camsim")
  --model X            (default SIM-1080)
  --oui aa:bb:cc       MAC prefix of the cameras (default 02:00:5e, locally administered)
  --ptz                the ONVIF devices also serve a PTZ service (moves, presets, status)
  --help, -h           this text`,
  async run(argv, io) {
    const { values } = parse(argv, {
      cameras: { type: 'string' },
      port: { type: 'string' },
      host: { type: 'string' },
      profile: { type: 'string' },
      user: { type: 'string' },
      password: { type: 'string' },
      'password-stdin': { type: 'boolean' },
      'password-file': { type: 'string' },
      'cache-dir': { type: 'string' },
      tls: { type: 'boolean' },
      stamp: { type: 'boolean' },
      onvif: { type: 'boolean' },
      manufacturer: { type: 'string' },
      model: { type: 'string' },
      oui: { type: 'string' },
      ptz: { type: 'boolean' },
      help: { type: 'boolean', short: 'h' },
    });
    if (values.help) {
      io.stdout.write(`${this.usage}\n`);
      return 0;
    }
    const profile = values.profile ?? 'full';
    if (profile !== 'full' && profile !== 'small') throw new AppError('VALIDATION_FAILED', '--profile must be full or small');
    let password: string | undefined = values.password;
    if (values['password-stdin']) password = await readStdin(io.stdin);
    if (values['password-file']) password = (await import('node:fs/promises').then((fs) => fs.readFile(values['password-file'] as string, 'utf8'))).trim();
    if ((values.user === undefined) !== (password === undefined)) throw new AppError('VALIDATION_FAILED', '--user needs a password (--password-stdin or --password-file) and the other way round');
    const sim = await startCamsim({
      cameras: intOption(values.cameras, 'cameras', 2, 1, 10_000),
      port: intOption(values.port, 'port', 8554, 0, 65535),
      host: values.host ?? '127.0.0.1',
      profile,
      ...(values.user !== undefined && password !== undefined ? { username: values.user, password } : {}),
      cacheDir: resolve(values['cache-dir'] ?? join('data', 'camsim')),
      ...(values.tls ? { tls: 'self-signed' as const } : {}),
      ...(values.stamp ? { stamp: true } : {}),
      log: (msg) => io.stderr.write(`${msg}\n`),
    });
    io.stdout.write(`${sim.urls.join('\n')}\n`);
    if (sim.certificatePem) io.stderr.write(`camsim: RTSPS (TLS 1.3) with a self-signed certificate; pin it with --tls-ca-file:\n${sim.certificatePem}`);
    let fleet: Awaited<ReturnType<typeof startOnvifFleet>> | undefined;
    if (values.onvif) {
      try {
        fleet = await startOnvifFleet({ rtspUrls: sim.urls, host: values.host ?? '127.0.0.1', manufacturer: values.manufacturer, model: values.model, oui: values.oui, ptz: values.ptz === true, username: values.user, password, clock: systemClock });
      } catch (err) {
        await sim.close();
        throw new AppError('VALIDATION_FAILED', `ONVIF devices not started: ${(err as Error).message}`);
      }
      io.stderr.write(fleet.xaddrs.map((x, i) => `camsim: ONVIF cam${i + 1} ${x}\n`).join(''));
    }
    io.stderr.write(`camsim: ${sim.urls.length} camera(s) on port ${sim.port}; Ctrl-C stops.\n`);
    await new Promise<void>((done) => {
      process.once('SIGINT', done);
      process.once('SIGTERM', done);
    });
    await fleet?.close();
    await sim.close();
    return 0;
  },
};
