import { resolve } from 'node:path';
import { AppError } from '../lib/errors.ts';
import { systemClock } from '../lib/clock.ts';
import { createLogger } from '../lib/logger.ts';
import { parseVerifierKey, type Verifier } from '../tlog/signed-note.ts';
import { startWitness, witnessKeyOf } from '../witness/start-witness.ts';
import { intOption, parse, subcommand, type Command } from './args.ts';
import { guardProcess } from './process-guard.ts';
import { readKeyArg } from './key-argument.ts';

const usage = `Usage: custos witness <serve|key> [options]

  custos witness serve --log VKEY|FILE [--log …] [--state DIR] [--name NAME]
                       [--host ADDR] [--port N] [--cert FILE --key FILE]
        acts as a C2SP tlog-witness for the logs given by their verifier keys (the key name is
        the log's origin, e.g. from "custos audit key" at the other site): POST /add-checkpoint
        over TLS cosigns (cosignature/v1) every checkpoint that extends the last one it saw and
        refuses any other. Its state (per log: latest size and root, SQLite) and its Ed25519 key
        (made at first start, mode 0600) are kept in --state (default ./witness). Without
        --cert/--key a self-signed certificate is made there. Prints its verifier key at start.
  custos witness key [--state DIR] [--name NAME]
        prints the witness's verifier key (vkey, cosignature/v1) to configure at the log.

  --name NAME   the witness's key name (default custos-witness); use a name you own,
                e.g. witness.site-b.example.eu
  --port N      default 8444; 0 picks a free port`;

/** `custos witness …`: run a witness for another Custos's audit ledger. */
export const witnessCommand: Command = {
  name: 'witness',
  summary: 'Act as a C2SP transparency-log witness for another Custos (cosign its checkpoints)',
  usage,
  async run(argv, io) {
    const parsed = subcommand(argv, usage, io);
    if (typeof parsed === 'number') return parsed;
    const { sub, rest } = parsed;
    if (sub !== 'serve' && sub !== 'key') throw new AppError('VALIDATION_FAILED', `unknown witness command "${sub}"; try custos witness --help`);
    const { values } = parse(rest, {
      state: { type: 'string' },
      name: { type: 'string' },
      log: { type: 'string', multiple: true },
      host: { type: 'string' },
      port: { type: 'string' },
      cert: { type: 'string' },
      key: { type: 'string' },
      help: { type: 'boolean', short: 'h' },
    });
    const stateDir = resolve(values.state ?? './witness');
    const name = values.name ?? 'custos-witness';
    if (sub === 'key') {
      io.stdout.write(`${await witnessKeyOf(stateDir, name)}\n`);
      return 0;
    }
    const logs: Verifier[] = [];
    for (const v of values.log ?? []) logs.push(await readVerifier(v));
    if (logs.length === 0) throw new AppError('VALIDATION_FAILED', 'witness serve needs at least one --log VKEY (the verifier key of a log to witness)');
    const log = createLogger({ level: 'info', destination: io.stderr });
    guardProcess(log);
    const host = values.host ?? '127.0.0.1';
    const witness = await startWitness({
      stateDir,
      name,
      logs,
      host,
      port: intOption(values.port, 'port', 8444, 0, 65535),
      certFile: values.cert ?? null,
      keyFile: values.key ?? null,
      clock: systemClock,
      log,
    });
    io.stderr.write(`${witness.created ? 'made a new witness key; ' : ''}witness ${witness.vkey} listening on https://${host}:${witness.port}/ for ${logs.map((l) => l.name).join(', ')}\n`);
    await new Promise<void>((done) => {
      const stop = () => {
        process.off('SIGINT', stop);
        process.off('SIGTERM', stop);
        done();
      };
      process.on('SIGINT', stop);
      process.on('SIGTERM', stop);
    });
    await witness.close();
    return 0;
  },
};

/** A verifier key given inline (`name+id+key`) or as a file holding one. */
function readVerifier(value: string): Promise<Verifier> {
  return readKeyArg(value, '--log', 'a verifier key', parseVerifierKey);
}
