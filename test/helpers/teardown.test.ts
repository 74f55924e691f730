import { test } from 'node:test';
import assert from 'node:assert/strict';
import { teardown } from './teardown.ts';

/** A host that keeps its after hook, so the test can run it like node:test would. */
function hostWithHook(): { after(fn: () => unknown): void; run(): Promise<unknown> } {
  let hook: (() => unknown) | undefined;
  return {
    after: (fn) => {
      assert.equal(hook, undefined, 'teardown registers exactly one after hook');
      hook = fn;
    },
    run: async () => hook?.(),
  };
}

test('deferred cleanups run last registered first, awaiting each', async () => {
  const host = hostWithHook();
  const defer = teardown(host);
  const ran: string[] = [];
  defer(() => ran.push('directory removed'));
  defer(async () => {
    await new Promise((r) => setTimeout(r, 5));
    ran.push('app closed');
  });
  await host.run();
  assert.deepEqual(ran, ['app closed', 'directory removed']);
});

test('a failing cleanup does not skip the others and fails the hook with its error', async () => {
  const host = hostWithHook();
  const defer = teardown(host);
  const ran: string[] = [];
  defer(() => ran.push('first'));
  defer(() => {
    throw new Error('ENOTEMPTY');
  });
  defer(() => ran.push('last'));
  await assert.rejects(host.run(), /ENOTEMPTY/);
  assert.deepEqual(ran, ['last', 'first']);
});

test('several failing cleanups are reported together', async () => {
  const host = hostWithHook();
  const defer = teardown(host);
  defer(() => Promise.reject(new Error('one')));
  defer(() => Promise.reject(new Error('two')));
  await assert.rejects(host.run(), (e: unknown) => e instanceof AggregateError && e.errors.map((x: Error) => x.message).join() === 'two,one');
});
