import { execFile, spawn, type ChildProcessWithoutNullStreams } from 'node:child_process';
import { join } from 'node:path';
import type { Defer } from './teardown.ts';

/** The real CLI entry (bin/custos.js), run as a child process by tests. */
export const custosBin = join(import.meta.dirname, '../../bin/custos.js');

/** Runs `custos …` as a child process: exit code, stdout and stderr; `input` goes to stdin. */
export function custos(args: string[], opts: { input?: string; env?: Record<string, string> } = {}): Promise<{ code: number; stdout: string; stderr: string }> {
  return new Promise((resolve) => {
    const child = execFile(process.execPath, [custosBin, ...args], { env: { PATH: process.env.PATH ?? '', ...opts.env }, maxBuffer: 16 << 20 }, (e, stdout, stderr) => {
      resolve({ code: e === null ? 0 : typeof e.code === 'number' ? e.code : 1, stdout, stderr });
    });
    child.stdin?.end(opts.input ?? '');
  });
}

/**
 * Starts `custos serve` as a real child process (ephemeral port, warn-level logs on stderr);
 * `defer` SIGKILLs it if the test did not stop it. `stderr()` returns what it wrote so far.
 */
export function spawnServe(defer: Defer, args: string[], env: Record<string, string> = {}): { child: ChildProcessWithoutNullStreams; stderr: () => string; stop: (signal?: NodeJS.Signals) => Promise<void> } {
  const child = spawn(process.execPath, [custosBin, 'serve', ...args], {
    env: { ...process.env, CUSTOS_SERVER_PORT: '0', CUSTOS_LOG_LEVEL: 'warn', ...env },
    stdio: ['pipe', 'pipe', 'pipe'],
  });
  let err = '';
  child.stderr.on('data', (d: Buffer) => (err += d.toString()));
  child.stdout.resume();
  const stop = async (signal: NodeJS.Signals = 'SIGTERM') => {
    if (child.exitCode !== null || child.signalCode !== null) return;
    const exited = new Promise((done) => child.once('exit', done));
    child.kill(signal);
    await exited;
  };
  defer(() => stop('SIGKILL'));
  return { child, stderr: () => err, stop };
}
