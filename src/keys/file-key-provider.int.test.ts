import { test, describe, beforeEach, afterEach } from 'node:test';
import assert from 'node:assert/strict';
import { randomBytes } from 'node:crypto';
import { chmod, mkdtemp, readFile, rm, stat, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { Secret } from '../config/secret.ts';
import { isAppError } from '../lib/errors.ts';
import { openFileKeyProvider } from './file-key-provider.ts';

describe('file key provider', () => {
  let dir: string;
  let path: string;
  beforeEach(async () => {
    dir = await mkdtemp(join(tmpdir(), 'custos-keys-'));
    path = join(dir, 'keys', 'master.key');
  });
  afterEach(async () => rm(dir, { recursive: true, force: true }));

  test('the key file is created at first start with mode 0600 in a 0700 directory', async () => {
    const provider = await openFileKeyProvider({ path, passphrase: null });
    await provider.close();
    assert.equal((await stat(path)).mode & 0o777, 0o600);
    assert.equal((await stat(join(dir, 'keys'))).mode & 0o777, 0o700);
    const doc = JSON.parse(await readFile(path, 'utf8'));
    assert.equal(doc.format, 'custos-master-key/1');
    assert.equal(doc.current, 1);
    assert.equal(Buffer.from(doc.keys['1'], 'base64').length, 32);
  });

  test('a wrapped data key unwraps to the same bytes, also after the provider is reopened', async () => {
    const dek = randomBytes(32);
    const first = await openFileKeyProvider({ path, passphrase: null });
    const { version, wrapped } = await first.wrap(dek);
    assert.equal(first.kind, 'file');
    assert.equal(wrapped.includes(dek), false);
    assert.deepEqual(await first.unwrap(version, wrapped), dek);
    await first.close();
    const second = await openFileKeyProvider({ path, passphrase: null });
    assert.deepEqual(await second.unwrap(version, wrapped), dek);
    const tampered = Buffer.from(wrapped);
    tampered[tampered.length - 1]! ^= 1;
    await assert.rejects(second.unwrap(version, tampered), (e) => isAppError(e, 'KEY_UNAVAILABLE'));
    await second.close();
  });

  test('a passphrase seals the key material: the right one opens it, a wrong or missing one is KEY_UNAVAILABLE', async () => {
    const dek = randomBytes(32);
    const sealed = await openFileKeyProvider({ path, passphrase: new Secret('correct horse') });
    const { version, wrapped } = await sealed.wrap(dek);
    await sealed.close();
    const text = await readFile(path, 'utf8');
    const doc = JSON.parse(text);
    assert.equal(doc.keys, undefined);
    assert.equal(doc.sealed.kdf, 'scrypt');
    const reopened = await openFileKeyProvider({ path, passphrase: new Secret('correct horse') });
    assert.deepEqual(await reopened.unwrap(version, wrapped), dek);
    await reopened.close();
    await assert.rejects(
      openFileKeyProvider({ path, passphrase: new Secret('wrong horse') }),
      (e) => isAppError(e, 'KEY_UNAVAILABLE') && e.message === `master key file ${path}: passphrase incorrect (or the file was altered)`,
    );
    await assert.rejects(openFileKeyProvider({ path, passphrase: null }), (e) => isAppError(e, 'KEY_UNAVAILABLE') && /no passphrase/.test(e.message));
  });

  test('a clear key file opened with a passphrase is sealed in place, and its key bytes no longer appear in it', async () => {
    const clear = await openFileKeyProvider({ path, passphrase: null });
    const dek = randomBytes(32);
    const { version, wrapped } = await clear.wrap(dek);
    await clear.close();
    const kek = Buffer.from(JSON.parse(await readFile(path, 'utf8')).keys['1'], 'base64');
    const sealed = await openFileKeyProvider({ path, passphrase: new Secret('s3cret phrase') });
    assert.deepEqual(await sealed.unwrap(version, wrapped), dek);
    await sealed.close();
    const raw = await readFile(path);
    assert.equal(raw.includes(kek), false);
    assert.equal(raw.includes(kek.toString('base64')), false);
    assert.equal(raw.includes(kek.toString('hex')), false);
  });

  test('after a rotation keys wrapped under the old version still unwrap until it is retired, then they fail', async () => {
    const provider = await openFileKeyProvider({ path, passphrase: new Secret('pw') });
    const dek = randomBytes(32);
    const old = await provider.wrap(dek);
    assert.equal(await provider.rotate(), 2);
    assert.deepEqual(provider.versions(), [1, 2]);
    const fresh = await provider.wrap(dek);
    assert.equal(fresh.version, 2);
    assert.deepEqual(await provider.unwrap(1, old.wrapped), dek);
    await assert.rejects(provider.unwrap(2, old.wrapped), (e) => isAppError(e, 'KEY_UNAVAILABLE'));
    await assert.rejects(provider.retire(2), (e) => isAppError(e, 'CONFLICT'));
    await provider.retire(1);
    await assert.rejects(provider.unwrap(1, old.wrapped), (e) => isAppError(e, 'KEY_UNAVAILABLE'));
    await provider.close();
    const reopened = await openFileKeyProvider({ path, passphrase: new Secret('pw') });
    assert.deepEqual(reopened.versions(), [2]);
    assert.equal(reopened.currentVersion(), 2);
    assert.deepEqual(await reopened.unwrap(2, fresh.wrapped), dek);
    await assert.rejects(reopened.unwrap(1, old.wrapped), (e) => isAppError(e, 'KEY_UNAVAILABLE'));
    await reopened.close();
  });

  test('a key file readable by others and a malformed key file are refused with KEY_UNAVAILABLE', async () => {
    await (await openFileKeyProvider({ path, passphrase: null })).close();
    await chmod(path, 0o644);
    await assert.rejects(openFileKeyProvider({ path, passphrase: null }), (e) => isAppError(e, 'KEY_UNAVAILABLE') && /chmod 600/.test(e.message));
    await rm(path);
    await writeFile(path, '{"format":"custos-master-key/1","current":3,"keys":{"1":"AAAA"}}', { mode: 0o600 });
    await assert.rejects(openFileKeyProvider({ path, passphrase: null }), (e) => isAppError(e, 'KEY_UNAVAILABLE'));
  });

  test('two providers opened at once on a missing file agree on one master key', async () => {
    const [a, b] = await Promise.all([openFileKeyProvider({ path, passphrase: null }), openFileKeyProvider({ path, passphrase: null })]);
    const dek = randomBytes(32);
    const { version, wrapped } = await a.wrap(dek);
    assert.deepEqual(await b.unwrap(version, wrapped), dek);
    await a.close();
    await b.close();
  });
});
