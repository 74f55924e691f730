import { spawn, execFile, type ChildProcess } from 'node:child_process';
import { mkdir, writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { promisify } from 'node:util';

const run = promisify(execFile);
/** The children's environment: the test runner's, without CUSTOS_* (the node's file is its whole configuration). */
const childEnv = () => Object.fromEntries(Object.entries(process.env).filter(([k]) => !k.startsWith('CUSTOS_')));
/** The `custos` CLI, run as a real child process. */
export const custosCli = join(import.meta.dirname, '../../bin/custos.js');

/** One `custos serve` process of a test cluster. */
export interface ClusterNode {
  readonly id: string;
  readonly config: string;
  readonly child: ChildProcess;
  /** Resolves with the node's URL once it listens. */
  readonly up: Promise<string>;
  /** Everything it wrote on stdout (the JSON log) and stderr. */
  output(): string;
  /** Resolves when the process has exited. */
  readonly exited: Promise<void>;
  alive(): boolean;
}

/** Settings shared by the nodes of a test cluster. */
export interface ClusterSetup {
  /** Directory holding every node's data directory and the shared zone and key. */
  readonly root: string;
  /** PostgreSQL URL of the test's own database. */
  readonly databaseUrl: string;
  readonly leaseSeconds?: number;
  readonly renewSeconds?: number;
  readonly segmentSeconds?: number;
  /** cluster.roles; default all three for `n1` (the one jobs node) and recorder + api for the others. */
  readonly roles?: readonly string[];
  /** cluster.enabled (true): false gives the one-process install on the same database, for comparisons. */
  readonly enabled?: boolean;
}

/** Where the cluster keeps its shared footage zone (one directory for every node, as an NFS mount would be). */
export const sharedZone = (root: string) => join(root, 'shared', 'segments');

/**
 * Writes node `id`'s configuration (JSON is YAML): its own data directory, the shared zone and
 * master key file, the test's database, short leases and segments. The database URL is in the
 * file, never in argv.
 */
export async function writeNodeConfig(setup: ClusterSetup, id: string): Promise<string> {
  const dataDir = join(setup.root, id);
  await mkdir(dataDir, { recursive: true, mode: 0o700 });
  await mkdir(sharedZone(setup.root), { recursive: true, mode: 0o700 });
  const config = {
    dataDir,
    log: { level: process.env.CLUSTER_TEST_LOG_LEVEL ?? 'warn' },
    server: { port: 0 },
    database: { url: setup.databaseUrl },
    keys: { file: { path: join(setup.root, 'shared', 'master.key') } },
    storage: { zones: [{ id: 'shared', kind: 'local', path: sharedZone(setup.root) }] },
    recording: { segmentSeconds: setup.segmentSeconds ?? 3, retryInitialSeconds: 0.5, retryMaxSeconds: 2, stallSeconds: 5, ingestWorkers: 1 },
    cluster: { enabled: setup.enabled ?? true, nodeId: id, leaseSeconds: setup.leaseSeconds ?? 3, renewSeconds: setup.renewSeconds ?? 1, roles: setup.roles ?? (id === 'n1' || setup.enabled === false ? ['recorder', 'api', 'jobs'] : ['recorder', 'api']) },
  };
  const path = join(dataDir, 'custos.yaml');
  await writeFile(path, JSON.stringify(config, null, 2), { mode: 0o600 });
  return path;
}

/** Adds cameras through the CLI (the first alone: it creates the shared master key). */
export async function addCameras(config: string, urls: readonly string[]): Promise<void> {
  const add = (url: string, i: number) => run(process.execPath, [custosCli, 'camera', 'add', '--config', config, '--name', `Cam ${i + 1}`, '--url', url], { env: childEnv() });
  if (urls.length === 0) return;
  await add(urls[0] as string, 0);
  await Promise.all(urls.slice(1).map((u, i) => add(u, i + 1)));
}

/** Starts `custos serve --config <node's file>`. */
export function startNode(id: string, config: string): ClusterNode {
  const child = spawn(process.execPath, [custosCli, 'serve', '--config', config], { stdio: ['ignore', 'pipe', 'pipe'], env: childEnv() });
  let out = '';
  const tail = (d: Buffer) => {
    out += d.toString();
    if (out.length > 400_000) out = out.slice(-200_000);
  };
  child.stdout?.on('data', tail);
  const exited = new Promise<void>((resolve) => child.once('exit', () => resolve()));
  const up = new Promise<string>((resolve, reject) => {
    child.stderr?.on('data', (d: Buffer) => {
      tail(d);
      const m = /Custos is up at (https:\/\/[^\s/]+)/.exec(out);
      if (m) resolve(m[1] as string);
    });
    void exited.then(() => reject(new Error(`node ${id} exited before it listened: ${out.slice(-2000)}`)));
  });
  up.catch(() => undefined);
  return { id, config, child, up, exited, output: () => out, alive: () => child.exitCode === null && child.signalCode === null };
}

/** Stops a node: SIGTERM (a clean stop releases its leases), SIGKILL after `graceMs`; a stopped (SIGSTOP) node is continued first. */
export async function stopNode(node: ClusterNode, graceMs = 15_000): Promise<void> {
  if (!node.alive()) return;
  node.child.kill('SIGCONT');
  node.child.kill('SIGTERM');
  const timer = setTimeout(() => node.child.kill('SIGKILL'), graceMs);
  await node.exited;
  clearTimeout(timer);
}
