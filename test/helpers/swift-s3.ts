/**
 * A real S3 server for the storage-zone tests: OpenStack Swift (Debian packages swift-proxy,
 * swift-object, swift-container, swift-account, memcached) with its `s3api` middleware and
 * tempauth, one replica, every port chosen free on loopback, every file under `dir`. Not a
 * mock: Swift is a production object store and s3api speaks signature v4, multipart upload,
 * ranged GET and listing. Needs root (the servers drop to the `swift` user).
 *
 * `stopProxy` / `startProxy` take the S3 endpoint down and up again (a zone outage); the storage
 * servers keep running, like a real outage of the front end.
 */
import { execFile, spawn, type ChildProcess } from 'node:child_process';
import { chown, mkdir, writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { promisify } from 'node:util';
import { freePort, waitFor } from './harness.ts';

const run = promisify(execFile);

/** Credentials of the tempauth user (test only). */
export const swiftAccessKeyId = 'test:tester';
export const swiftSecret = 'testing';

/** A running Swift with s3api. */
export interface SwiftS3 {
  /** http://127.0.0.1:<port> */
  readonly endpoint: string;
  readonly region: string;
  /** Stops only the proxy: the S3 endpoint refuses connections (a zone outage). */
  stopProxy(): Promise<void>;
  /** Starts the proxy again on the same port and waits until it answers. */
  startProxy(): Promise<void>;
  /** Stops every process, last started first. */
  stop(): Promise<void>;
}

function server(kind: string, port: number, dir: string, extra: string): string {
  return `[DEFAULT]
bind_ip = 127.0.0.1
bind_port = ${port}
workers = 0
user = swift
swift_dir = ${dir}/etc
devices = ${dir}/node
mount_check = false
log_level = WARNING
${extra}`;
}

function backend(kind: 'account' | 'container' | 'object', port: number, dir: string): string {
  return server(kind, port, dir, `[pipeline:main]\npipeline = ${kind}-server\n[app:${kind}-server]\nuse = egg:swift#${kind}\n${kind === 'container' ? '[container-sync]\n' : ''}`);
}

function proxy(port: number, memcachedPort: number, dir: string): string {
  const filters = ['catch_errors', 'gatekeeper', 'healthcheck', 'proxy_logging', 'listing_formats', 'copy', 'slo', 'dlo', 'symlink']
    .map((f) => `[filter:${f.replace('proxy_logging', 'proxy-logging')}]\nuse = egg:swift#${f}\n`)
    .join('');
  return server('proxy', port, dir, `[pipeline:main]
pipeline = catch_errors gatekeeper healthcheck proxy-logging cache listing_formats s3api tempauth copy slo dlo symlink proxy-logging proxy-server
[app:proxy-server]
use = egg:swift#proxy
allow_account_management = true
account_autocreate = true
[filter:s3api]
use = egg:swift#s3api
location = us-east-1
[filter:tempauth]
use = egg:swift#tempauth
user_test_tester = ${swiftSecret} .admin
[filter:cache]
use = egg:swift#memcache
memcache_servers = 127.0.0.1:${memcachedPort}
${filters}`);
}

async function healthy(endpoint: string): Promise<boolean> {
  try {
    const res = await fetch(`${endpoint}/healthcheck`);
    return res.ok;
  } catch {
    return false;
  }
}

/**
 * True once the storage servers behind the proxy serve requests: the proxy's /healthcheck
 * answers before the account, container and object servers do, and an S3 call made then fails
 * with 503 ("Please reduce your request rate"; seen on a freshly installed, loaded machine). A
 * container and an object are written and deleted through the Swift API with tempauth.
 */
async function storageReady(endpoint: string): Promise<boolean> {
  try {
    const auth = await fetch(`${endpoint}/auth/v1.0`, { headers: { 'x-auth-user': swiftAccessKeyId, 'x-auth-key': swiftSecret } });
    const url = auth.headers.get('x-storage-url');
    const token = auth.headers.get('x-auth-token');
    if (!auth.ok || url === null || token === null) return false;
    const call = async (method: string, path: string, body?: string) => (await fetch(`${url}${path}`, { method, headers: { 'x-auth-token': token }, body })).status;
    if (![201, 202].includes(await call('PUT', '/custos-ready'))) return false;
    if ((await call('PUT', '/custos-ready/probe', 'ready')) !== 201) return false;
    await call('DELETE', '/custos-ready/probe');
    await call('DELETE', '/custos-ready');
    return true;
  } catch {
    return false;
  }
}

/** Starts Swift with s3api under `dir` (which the caller removes after `stop`). */
export async function startSwiftS3(dir: string): Promise<SwiftS3> {
  const [proxyPort, accountPort, containerPort, objectPort, memcachedPort] = [await freePort(), await freePort(), await freePort(), await freePort(), await freePort()] as [number, number, number, number, number];
  const etc = join(dir, 'etc');
  await mkdir(etc, { recursive: true });
  await mkdir(join(dir, 'node', 'd1'), { recursive: true });
  await mkdir(join(dir, 'run'), { recursive: true });
  await writeFile(join(etc, 'account-server.conf'), backend('account', accountPort, dir));
  await writeFile(join(etc, 'container-server.conf'), backend('container', containerPort, dir));
  await writeFile(join(etc, 'object-server.conf'), backend('object', objectPort, dir));
  await writeFile(join(etc, 'proxy-server.conf'), proxy(proxyPort, memcachedPort, dir));
  for (const [ring, port] of [['account', accountPort], ['container', containerPort], ['object', objectPort]] as const) {
    await run('swift-ring-builder', [`${ring}.builder`, 'create', '8', '1', '1'], { cwd: etc });
    await run('swift-ring-builder', [`${ring}.builder`, 'add', `r1z1-127.0.0.1:${port}/d1`, '100'], { cwd: etc });
    await run('swift-ring-builder', [`${ring}.builder`, 'rebalance'], { cwd: etc });
  }
  const { stdout } = await run('id', ['-u', 'swift']);
  const { stdout: gid } = await run('id', ['-g', 'swift']);
  for (const d of [dir, join(dir, 'node'), join(dir, 'node', 'd1'), join(dir, 'run')]) await chown(d, Number(stdout.trim()), Number(gid.trim()));

  const children: ChildProcess[] = [];
  const logs = new Map<string, string>();
  const launch = (name: string, cmd: string, args: string[]): ChildProcess => {
    const child = spawn(cmd, args, { stdio: ['ignore', 'ignore', 'pipe'] });
    logs.set(name, '');
    child.stderr?.on('data', (d: Buffer) => logs.set(name, `${logs.get(name) ?? ''}${d.toString()}`.slice(-4000)));
    children.push(child);
    return child;
  };
  const stopChild = async (child: ChildProcess) => {
    if (child.exitCode !== null || child.signalCode !== null) return;
    const exited = new Promise<void>((resolve) => child.once('exit', () => resolve()));
    child.kill('SIGTERM');
    await exited;
  };
  launch('memcached', 'memcached', ['-u', 'memcache', '-l', '127.0.0.1', '-p', String(memcachedPort), '-m', '16']);
  for (const kind of ['account', 'container', 'object']) launch(kind, `swift-${kind}-server`, [join(etc, `${kind}-server.conf`)]);
  const endpoint = `http://127.0.0.1:${proxyPort}`;
  let proxyChild: ChildProcess | null = null;
  const startProxy = async () => {
    proxyChild = launch('proxy', 'swift-proxy-server', [join(etc, 'proxy-server.conf')]);
    const child = proxyChild;
    await waitFor(`swift proxy on ${proxyPort}`, 60_000, async () => {
      if (child.exitCode !== null) throw new Error(`swift-proxy-server exited ${child.exitCode}: ${logs.get('proxy')}`);
      return healthy(endpoint);
    });
  };
  const stop = async () => {
    for (const child of [...children].reverse()) await stopChild(child);
  };
  try {
    await startProxy();
    await waitFor('swift account, container and object servers', 60_000, () => storageReady(endpoint));
  } catch (e) {
    await stop();
    throw e;
  }
  return {
    endpoint,
    region: 'us-east-1',
    stopProxy: async () => {
      if (proxyChild) await stopChild(proxyChild);
      proxyChild = null;
    },
    startProxy,
    stop,
  };
}
