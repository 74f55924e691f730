import { test, describe } from 'node:test';
import assert from 'node:assert/strict';
import { mkdtemp, rm, stat } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { configSchema } from '../config/schema.ts';
import { isAppError } from '../lib/errors.ts';
import { openKeyProvider } from './open-key-provider.ts';

describe('opening the configured key provider', () => {
  test('the default configuration opens a file provider at <dataDir>/keys/master.key', async () => {
    const dataDir = await mkdtemp(join(tmpdir(), 'custos-okp-'));
    try {
      const provider = await openKeyProvider(configSchema.parse({}).keys, dataDir);
      assert.equal(provider.kind, 'file');
      await provider.close();
      assert.equal((await stat(join(dataDir, 'keys', 'master.key'))).mode & 0o777, 0o600);
    } finally {
      await rm(dataDir, { recursive: true, force: true });
    }
  });

  test('the pkcs11 provider without a PIN is refused with KEY_UNAVAILABLE naming the key', async () => {
    const keys = configSchema.parse({ keys: { provider: 'pkcs11' } }).keys;
    await assert.rejects(openKeyProvider(keys, tmpdir()), (e) => isAppError(e, 'KEY_UNAVAILABLE') && e.message === 'keys.pkcs11.pin is required');
  });
});
