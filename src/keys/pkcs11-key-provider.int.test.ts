import { test, describe, before, after } from 'node:test';
import assert from 'node:assert/strict';
import { randomBytes } from 'node:crypto';
import pkcs11js from 'pkcs11js';
import { createSoftHsm, type SoftHsm } from '../../test/helpers/softhsm.ts';
import { Secret } from '../config/secret.ts';
import { isAppError } from '../lib/errors.ts';
import { openPkcs11KeyProvider, type Pkcs11KeyProviderOptions } from './pkcs11-key-provider.ts';

describe('PKCS#11 key provider on a real SoftHSM2 token', () => {
  let hsm: SoftHsm;
  let options: Pkcs11KeyProviderOptions;
  before(async () => {
    hsm = await createSoftHsm();
    options = { module: hsm.module, tokenLabel: hsm.tokenLabel, pin: new Secret(hsm.pin), keyLabel: 'custos-kek' };
  });
  after(async () => hsm.cleanup());

  test('a data key wrapped in the token unwraps to the same bytes and the wrapped form differs from it', async () => {
    const provider = await openPkcs11KeyProvider(options);
    try {
      assert.equal(provider.kind, 'pkcs11');
      assert.equal(provider.currentVersion(), 1);
      const dek = randomBytes(32);
      const { version, wrapped } = await provider.wrap(dek);
      assert.equal(version, 1);
      assert.equal(wrapped.length, 12 + 32 + 16);
      assert.equal(wrapped.includes(dek), false);
      assert.deepEqual(await provider.unwrap(version, wrapped), dek);
      const tampered = Buffer.from(wrapped);
      tampered[20]! ^= 1;
      await assert.rejects(provider.unwrap(version, tampered), (e) => isAppError(e, 'KEY_UNAVAILABLE'));
    } finally {
      await provider.close();
    }
  });

  test('the master key object is sensitive and not extractable, so reading its value is refused', async () => {
    const provider = await openPkcs11KeyProvider(options);
    const lib = new pkcs11js.PKCS11();
    lib.load(hsm.module);
    try {
      lib.C_Initialize();
    } catch {
      // the provider already initialised the module in this process
    }
    const slot = lib.C_GetSlotList(true).find((s) => lib.C_GetTokenInfo(s).label.trim() === hsm.tokenLabel)!;
    const session = lib.C_OpenSession(slot, pkcs11js.CKF_SERIAL_SESSION);
    try {
      lib.C_FindObjectsInit(session, [{ type: pkcs11js.CKA_LABEL, value: 'custos-kek-v1' }]);
      const [kek] = lib.C_FindObjects(session, 10);
      lib.C_FindObjectsFinal(session);
      assert.ok(kek, 'the KEK object is found by its label');
      const [extractable, sensitive, token] = lib.C_GetAttributeValue(session, kek, [
        { type: pkcs11js.CKA_EXTRACTABLE },
        { type: pkcs11js.CKA_SENSITIVE },
        { type: pkcs11js.CKA_TOKEN },
      ]);
      assert.deepEqual([extractable?.value, sensitive?.value, token?.value], [Buffer.from([0]), Buffer.from([1]), Buffer.from([1])]);
      assert.throws(
        () => lib.C_GetAttributeValue(session, kek, [{ type: pkcs11js.CKA_VALUE }]),
        (e: unknown) => e instanceof pkcs11js.Pkcs11Error && e.code === pkcs11js.CKR_ATTRIBUTE_SENSITIVE,
      );
    } finally {
      lib.C_CloseSession(session);
      await provider.close();
    }
  });

  test('a reopened provider (new session) unwraps what an earlier one wrapped', async () => {
    const first = await openPkcs11KeyProvider(options);
    const dek = randomBytes(32);
    const { version, wrapped } = await first.wrap(dek);
    await first.close();
    const second = await openPkcs11KeyProvider(options);
    try {
      assert.deepEqual(second.versions(), [1]);
      assert.deepEqual(await second.unwrap(version, wrapped), dek);
    } finally {
      await second.close();
    }
  });

  test('a wrong PIN, a missing token and a missing module are KEY_UNAVAILABLE with one clear line', async () => {
    await assert.rejects(openPkcs11KeyProvider({ ...options, pin: new Secret('000000') }), (e) => isAppError(e, 'KEY_UNAVAILABLE') && e.message === 'PKCS#11: PIN incorrect');
    await assert.rejects(
      openPkcs11KeyProvider({ ...options, tokenLabel: 'no-such-token' }),
      (e) => isAppError(e, 'KEY_UNAVAILABLE') && e.message === "PKCS#11: token 'no-such-token' not found",
    );
    await assert.rejects(
      openPkcs11KeyProvider({ ...options, module: '/nonexistent/libpkcs11.so' }),
      (e) => isAppError(e, 'KEY_UNAVAILABLE') && e.message === 'PKCS#11: module /nonexistent/libpkcs11.so cannot be loaded',
    );
    const provider = await openPkcs11KeyProvider(options);
    await provider.close();
  });

  test('after a rotation old wrapped keys still unwrap until their version is retired, and the new version survives a reopen', async () => {
    const provider = await openPkcs11KeyProvider(options);
    const dek = randomBytes(32);
    const old = await provider.wrap(dek);
    const v2 = await provider.rotate();
    assert.equal(v2, old.version + 1);
    assert.equal(provider.currentVersion(), v2);
    const fresh = await provider.wrap(dek);
    assert.equal(fresh.version, v2);
    assert.deepEqual(await provider.unwrap(old.version, old.wrapped), dek);
    await assert.rejects(provider.retire(v2), (e) => isAppError(e, 'CONFLICT'));
    await provider.retire(old.version);
    assert.deepEqual(provider.versions(), [v2]);
    await assert.rejects(provider.unwrap(old.version, old.wrapped), (e) => isAppError(e, 'KEY_UNAVAILABLE'));
    await provider.close();
    const reopened = await openPkcs11KeyProvider(options);
    try {
      assert.deepEqual(reopened.versions(), [v2]);
      assert.equal(reopened.currentVersion(), v2);
      assert.deepEqual(await reopened.unwrap(fresh.version, fresh.wrapped), dek);
      await assert.rejects(reopened.unwrap(old.version, old.wrapped), (e) => isAppError(e, 'KEY_UNAVAILABLE'));
    } finally {
      await reopened.close();
    }
  });
});
