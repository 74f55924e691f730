/**
 * A real rsyslog (Debian `rsyslog` + `rsyslog-gnutls`) as a SIEM collector that can be killed
 * and started again on the same port, for the delivery tests: a TLS listener (mutual TLS with
 * the test PKI of rsyslog.ts) writing every raw message, JSON-escaped, one per line, to one file
 * that survives restarts. `kill` is SIGKILL: rsyslog loses what it had not written, as a
 * crashed collector would.
 */
import { spawn, type ChildProcess } from 'node:child_process';
import { connect } from 'node:net';
import { mkdir, readFile, rm, writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { freePort, waitFor } from './harness.ts';

export interface RsyslogReceiver {
  readonly port: number;
  /** Every raw message received so far, in file order (all runs). */
  messages(): Promise<Buffer[]>;
  /** SIGKILL, no flush. */
  kill(): Promise<void>;
  /** Starts again on the same port, appending to the same file. */
  restart(): Promise<void>;
  /** SIGTERM (rsyslog flushes), for teardown. */
  stop(): Promise<void>;
}

/** Starts rsyslogd in `dir`, which must hold ca.pem, server.pem and server.key (makeTestPki). */
export async function startRsyslogReceiver(dir: string, name = 'receiver'): Promise<RsyslogReceiver> {
  const port = await freePort();
  const out = join(dir, `${name}.log`);
  const work = join(dir, `${name}-work`);
  await rm(work, { recursive: true, force: true });
  await mkdir(work, { recursive: true });
  await writeFile(out, '');
  const conf = join(dir, `${name}.conf`);
  await writeFile(
    conf,
    `
global(
  workDirectory="${work}"
  maxMessageSize="64k"
  parser.escapeControlCharactersOnReceive="off"
  defaultNetstreamDriver="gtls"
  defaultNetstreamDriverCAFile="${dir}/ca.pem"
  defaultNetstreamDriverCertFile="${dir}/server.pem"
  defaultNetstreamDriverKeyFile="${dir}/server.key"
)
module(load="imtcp" streamDriver.name="gtls" streamDriver.mode="1" streamDriver.authMode="x509/certvalid")
input(type="imtcp" address="127.0.0.1" port="${port}" supportOctetCountedFraming="on")
template(name="raw" type="string" string="%rawmsg:::json%\\n")
action(type="omfile" file="${out}" template="raw")
`,
  );
  const pidFile = join(dir, `${name}.pid`);
  let child: ChildProcess | null = null;
  let exited: Promise<void> = Promise.resolve();

  const start = async () => {
    await rm(pidFile, { force: true });
    const c = spawn('rsyslogd', ['-n', '-f', conf, '-i', pidFile], { stdio: ['ignore', 'ignore', 'pipe'] });
    let stderr = '';
    c.stderr?.on('data', (d: Buffer) => (stderr += d.toString()));
    child = c;
    exited = new Promise<void>((resolve) => c.once('exit', () => resolve()));
    await waitFor(`rsyslogd listening on ${port}`, 30_000, () => {
      if (c.exitCode !== null) throw new Error(`rsyslogd exited ${c.exitCode}: ${stderr}`);
      return new Promise<boolean>((resolve) => {
        const s = connect(port, '127.0.0.1', () => {
          s.destroy();
          resolve(true);
        });
        s.on('error', () => resolve(false));
      });
    });
  };
  const signal = async (sig: NodeJS.Signals) => {
    if (child !== null && child.exitCode === null && child.signalCode === null) child.kill(sig);
    await exited;
    child = null;
  };
  await start();
  return {
    port,
    async messages() {
      const text = (await readFile(out)).toString('latin1');
      return text
        .split('\n')
        .filter((l) => l !== '')
        .map((l) => Buffer.from(JSON.parse(`"${Buffer.from(l, 'latin1').toString('utf8')}"`) as string, 'utf8'));
    },
    kill: () => signal('SIGKILL'),
    restart: start,
    stop: () => signal('SIGTERM'),
  };
}
