import { mkdtemp, rm } from 'node:fs/promises';
import { createServer } from 'node:net';
import { Writable } from 'node:stream';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { setTimeout as delay } from 'node:timers/promises';
import { startApp, type App } from '../../src/app.ts';
import { loadConfig } from '../../src/config/load.ts';
import { createLogger } from '../../src/lib/logger.ts';
import type { Clock } from '../../src/lib/clock.ts';
import { startCamsim, type Camsim, type CamsimOptions } from '../../tools/camsim/camsim.ts';
import type { Defer } from './teardown.ts';

/** Where tests keep the generated camsim clip, so it is made once per machine. */
export const clipCacheDir = join(tmpdir(), 'custos-test-clips');

/** A temporary directory removed by the returned cleanup. */
export async function tempDir(prefix: string): Promise<{ path: string; remove(): Promise<void> }> {
  const path = await mkdtemp(join(tmpdir(), `custos-${prefix}-`));
  return { path, remove: () => rm(path, { recursive: true, force: true }) };
}

/** Starts simulated cameras with the small (360p) clip on an ephemeral port. */
export function startTestCamsim(opts: Partial<CamsimOptions> = {}): Promise<Camsim> {
  return startCamsim({ cameras: 2, port: 0, profile: 'small', cacheDir: clipCacheDir, ...opts });
}

/**
 * Starts the real app in-process (HTTPS on an ephemeral loopback port, SQLite unless
 * `overrides['database.url']`), with fast reconnects and short segments for tests.
 */
export async function startTestApp(dataDir: string, overrides: Record<string, unknown> = {}, clock?: Clock): Promise<App> {
  const config = await loadConfig({
    file: null,
    env: {},
    overrides: {
      dataDir,
      'server.port': 0,
      'recording.segmentSeconds': 6,
      'recording.retryInitialSeconds': 0.5,
      'recording.retryMaxSeconds': 2,
      'recording.stallSeconds': 5,
      ...overrides,
    },
  });
  return startApp(config, { logger: createLogger({ level: process.env.CUSTOS_TEST_LOG ?? 'silent' }), ...(clock ? { clock } : {}) });
}

/**
 * `startTestApp` on a fresh data directory named after `prefix`; `defer` closes the app and then
 * removes the directory.
 */
export async function startDeferredTestApp(defer: Defer, prefix: string, overrides: Record<string, unknown> = {}, clock?: Clock): Promise<{ app: App; dataDir: string }> {
  const dir = await tempDir(prefix);
  defer(() => dir.remove());
  const app = await startTestApp(dir.path, overrides, clock);
  defer(() => app.close());
  return { app, dataDir: dir.path };
}

/** Polls `check` until it returns a truthy value or `timeoutMs` passes (then throws `what`). */
export async function waitFor<T>(what: string, timeoutMs: number, check: () => Promise<T | undefined | null | false> | T | undefined | null | false): Promise<T> {
  const deadline = Date.now() + timeoutMs;
  for (;;) {
    const value = await check();
    if (value) return value;
    if (Date.now() > deadline) throw new Error(`timed out after ${timeoutMs} ms waiting for ${what}`);
    await delay(250);
  }
}

/** A log destination that keeps every line in memory, for tests that read what was logged. */
export function memoryLog(): { lines: string[]; destination: Writable } {
  const lines: string[] = [];
  const destination = new Writable({
    write(chunk: Buffer, _encoding, done) {
      lines.push(chunk.toString());
      done();
    },
  });
  return { lines, destination };
}

/** A TCP port free on 127.0.0.1 now (for servers whose URL must be known before they start). */
export async function freePort(): Promise<number> {
  const server = createServer();
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const port = (server.address() as { port: number }).port;
  await new Promise((resolve) => server.close(resolve));
  return port;
}
