import { test } from 'node:test';
import assert from 'node:assert/strict';
import { execFile } from 'node:child_process';
import { promisify } from 'node:util';

const run = promisify(execFile);
const guard = new URL('./process-guard.ts', import.meta.url).href;
const logger = new URL('../lib/logger.ts', import.meta.url).href;

/** A child process that rejects a promise nobody handles, then says whether it lived on. */
function script(guarded: boolean): string {
  return `
    import { guardProcess } from ${JSON.stringify(guard)};
    import { createLogger } from ${JSON.stringify(logger)};
    if (${guarded}) guardProcess(createLogger({ level: 'error' }));
    void Promise.reject(new Error('a job failed with no handler'));
    setTimeout(() => console.log('still running'), 300);
  `;
}

test('with the process guard, an unhandled rejection is logged and the process keeps running', async () => {
  const { stdout } = await run(process.execPath, ['--input-type=module', '-e', script(true)]);
  assert.match(stdout, /unhandled promise rejection \(a bug\)/);
  assert.match(stdout, /a job failed with no handler/);
  assert.match(stdout, /still running/);
  // Without it, Node stops the process: what the guard is for.
  await assert.rejects(run(process.execPath, ['--input-type=module', '-e', script(false)]), (e: { code?: number; stdout?: string }) => e.code === 1 && !String(e.stdout).includes('still running'));
});
