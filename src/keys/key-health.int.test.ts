/**
 * The keys health source (issue 19 item 7) over real providers: a file provider and SoftHSM2
 * through PKCS#11 pass the wrap/unwrap probe; a provider that can no longer answer (closed: its
 * session is gone, as when the HSM goes away) is reported in one line, and a verdict is reused
 * for 5 s, then probed again.
 */
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { Secret } from '../config/secret.ts';
import { tempDir } from '../../test/helpers/harness.ts';
import { createSoftHsm } from '../../test/helpers/softhsm.ts';
import { teardown } from '../../test/helpers/teardown.ts';
import { openFileKeyProvider } from './file-key-provider.ts';
import { keyHealthSource } from './key-health.ts';
import type { KeyProvider } from './key-provider.ts';
import { openPkcs11KeyProvider } from './pkcs11-key-provider.ts';

async function healthyThenGone(provider: KeyProvider, onClosed: () => void): Promise<void> {
  const clock = { ms: 0, now: () => clock.ms };
  const source = keyHealthSource(provider, clock);
  assert.deepEqual(await source(), [], 'a working provider: no problem');
  await provider.close();
  onClosed();
  assert.deepEqual(await source(), [], 'within 5 s the last verdict is reused');
  clock.ms = 5_000;
  const problems = await source();
  assert.equal(problems.length, 1, `one line: ${JSON.stringify(problems)}`);
  assert.match(problems[0] ?? '', new RegExp(`^the ${provider.kind} master key provider cannot wrap and unwrap a probe key \\(`));
  assert.doesNotMatch(problems[0] ?? '', /\n/);
}

test('file provider: healthy, then (closed) one line, the verdict cached for 5 s', async (t) => {
  const defer = teardown(t);
  const dir = await tempDir('key-health');
  defer(() => dir.remove());
  const provider = await openFileKeyProvider({ path: `${dir.path}/master.key`, passphrase: null });
  let open = true;
  defer(() => (open ? provider.close() : undefined));
  await healthyThenGone(provider, () => (open = false));
});

test('PKCS#11 (SoftHSM2): healthy, then (session closed) one line', async (t) => {
  const defer = teardown(t);
  const hsm = await createSoftHsm();
  defer(() => hsm.cleanup());
  const provider = await openPkcs11KeyProvider({ module: hsm.module, tokenLabel: hsm.tokenLabel, pin: new Secret(hsm.pin), keyLabel: 'custos-kek' });
  let open = true;
  defer(() => (open ? provider.close() : undefined));
  await healthyThenGone(provider, () => (open = false));
});
