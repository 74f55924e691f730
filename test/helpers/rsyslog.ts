/**
 * A real rsyslog (Debian `rsyslog` + `rsyslog-gnutls`) for the syslog-over-TLS tests: a test CA
 * made with openssl, a server certificate for 127.0.0.1, a client certificate, and rsyslogd in
 * the foreground on a loopback port requiring a client certificate from that CA (RFC 5425 mutual
 * authentication). It receives octet-counted frames and writes every message twice: the raw
 * message (`%rawmsg%`, JSON-escaped, one per line: an SD-PARAM value may hold a raw newline) and rsyslog's own RFC 5424 parse as JSON.
 */
import { execFile, spawn, type ChildProcess } from 'node:child_process';
import { connect } from 'node:net';
import { readFile, writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { promisify } from 'node:util';
import { freePort, waitFor } from './harness.ts';

const run = promisify(execFile);

/** PEM texts of the test PKI. */
export interface TestPki {
  readonly ca: string;
  readonly serverCert: string;
  readonly serverKey: string;
  readonly clientCert: string;
  readonly clientKey: string;
  /** A CA that signed nothing here (for refusal tests). */
  readonly otherCa: string;
}

async function openssl(dir: string, ...args: string[]): Promise<void> {
  await run('openssl', args, { cwd: dir });
}

/** Makes a CA, a server certificate for 127.0.0.1 and a client certificate, in `dir`. */
export async function makeTestPki(dir: string): Promise<TestPki> {
  const ec = ['-newkey', 'ec', '-pkeyopt', 'ec_paramgen_curve:P-256', '-nodes'];
  await openssl(dir, 'req', '-x509', ...ec, '-keyout', 'ca.key', '-out', 'ca.pem', '-days', '2', '-subj', '/CN=Custos test CA');
  await openssl(dir, 'req', '-x509', ...ec, '-keyout', 'other-ca.key', '-out', 'other-ca.pem', '-days', '2', '-subj', '/CN=Other CA');
  for (const [name, ext] of [
    ['server', 'subjectAltName=IP:127.0.0.1\nextendedKeyUsage=serverAuth\n'],
    ['client', 'subjectAltName=DNS:custos-client\nextendedKeyUsage=clientAuth\n'],
  ] as const) {
    await writeFile(join(dir, `${name}.ext`), ext);
    await openssl(dir, 'req', ...ec, '-keyout', `${name}.key`, '-out', `${name}.csr`, '-subj', `/CN=${name}`);
    await openssl(dir, 'x509', '-req', '-in', `${name}.csr`, '-CA', 'ca.pem', '-CAkey', 'ca.key', '-CAcreateserial',
      '-out', `${name}.pem`, '-days', '2', '-extfile', `${name}.ext`);
  }
  const read = (f: string) => readFile(join(dir, f), 'utf8');
  return {
    ca: await read('ca.pem'), serverCert: await read('server.pem'), serverKey: await read('server.key'),
    clientCert: await read('client.pem'), clientKey: await read('client.key'), otherCa: await read('other-ca.pem'),
  };
}

/** A running rsyslogd. */
export interface Rsyslog {
  readonly port: number;
  /** Raw messages received, in order (rsyslog's `%rawmsg%`). */
  rawMessages(): Promise<Buffer[]>;
  /** rsyslog's own parse of each message. */
  parsedMessages(): Promise<Array<Record<string, string>>>;
  stop(): Promise<void>;
}

/** Starts rsyslogd on a free loopback port with the PKI in `dir` (from {@link makeTestPki}). */
export async function startRsyslog(dir: string): Promise<Rsyslog> {
  const port = await freePort();
  const raw = join(dir, 'raw.log');
  const parsed = join(dir, 'parsed.log');
  await writeFile(raw, '');
  await writeFile(parsed, '');
  const conf = `
global(
  workDirectory="${dir}"
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
template(name="parsed" type="list" option.jsonf="on") {
  property(outname="pri" name="pri" format="jsonf")
  property(outname="hostname" name="hostname" format="jsonf")
  property(outname="appname" name="app-name" format="jsonf")
  property(outname="procid" name="procid" format="jsonf")
  property(outname="msgid" name="msgid" format="jsonf")
  property(outname="sd" name="structured-data" format="jsonf")
  property(outname="msg" name="msg" format="jsonf")
}
action(type="omfile" file="${raw}" template="raw")
action(type="omfile" file="${parsed}" template="parsed")
`;
  const confPath = join(dir, 'rsyslog.conf');
  await writeFile(confPath, conf);
  const child: ChildProcess = spawn('rsyslogd', ['-n', '-f', confPath, '-i', join(dir, 'rsyslogd.pid')], { stdio: ['ignore', 'ignore', 'pipe'] });
  let stderr = '';
  child.stderr?.on('data', (d: Buffer) => { stderr += d.toString(); });
  const exited = new Promise<void>((resolve) => child.once('exit', () => resolve()));
  await waitFor(`rsyslogd listening on ${port} (${stderr})`, 30_000, () => {
    if (child.exitCode !== null) throw new Error(`rsyslogd exited ${child.exitCode}: ${stderr}`);
    return new Promise<boolean>((resolve) => {
      const s = connect(port, '127.0.0.1', () => { s.destroy(); resolve(true); });
      s.on('error', () => resolve(false));
    });
  });
  const lines = async (file: string) => (await readFile(file)).toString('latin1').split('\n').filter((l) => l !== '');
  return {
    port,
    rawMessages: async () => (await lines(raw)).map((l) => Buffer.from(JSON.parse(`"${Buffer.from(l, 'latin1').toString('utf8')}"`) as string, 'utf8')),
    parsedMessages: async () => (await readFile(parsed, 'utf8')).split('\n').filter((l) => l !== '').map((l) => JSON.parse(l) as Record<string, string>),
    stop: async () => {
      if (child.exitCode === null) child.kill('SIGTERM');
      await exited;
    },
  };
}
