/**
 * Test cleanups that run like `defer`: last registered first, and every one of them even when
 * an earlier one throws.
 *
 * Why not `t.after` / `after` directly: node:test runs a test's after hooks in the order they
 * were registered and stops at the first that throws. A test that registered "remove the data
 * directory" before "close the app" removed the directory under a recording app; the removal
 * failed (ENOTEMPTY), the app was never closed, and its file kept the CI run waiting until the
 * run's time limit. With `teardown`, the app started last is closed first, the directory it
 * wrote into is removed after, and a failing cleanup still fails the test without skipping
 * the others.
 */

/** What `teardown` needs of a test or suite context: its after hook. */
export interface AfterHookHost {
  after(fn: () => unknown): void;
}

/** Registers a cleanup; cleanups run in reverse order of registration. */
export type Defer = (cleanup: () => unknown) => void;

/**
 * Returns `defer` for `host` (a test context `t`, or `{ after }` from node:test for a file or
 * suite). All deferred cleanups run in one after hook; their errors are thrown together.
 */
export function teardown(host: AfterHookHost): Defer {
  const stack: (() => unknown)[] = [];
  host.after(async () => {
    const errors: unknown[] = [];
    for (let cleanup = stack.pop(); cleanup !== undefined; cleanup = stack.pop()) {
      try {
        await cleanup();
      } catch (e) {
        errors.push(e);
      }
    }
    if (errors.length === 1) throw errors[0];
    if (errors.length > 1) throw new AggregateError(errors, `${errors.length} cleanups failed`);
  });
  return (cleanup) => {
    stack.push(cleanup);
  };
}
