import assert from 'node:assert/strict';
import { constants, createHash, generateKeyPairSync, sign } from 'node:crypto';
import type { KeyObject } from 'node:crypto';
import { test } from 'node:test';
import { isAppError } from '../lib/errors.ts';
import { signedBytes, verifyFirmwareImage, verifyManifest, vettedRelease } from './firmware-manifest.ts';
import type { FirmwareManifest, SignedManifest, TrustedKey } from './firmware-manifest.ts';

const refused = (re: RegExp) => (e: unknown): boolean => isAppError(e, 'FIRMWARE_REFUSED') && re.test(e.message);
const image = Buffer.from('firmware image bytes v2.4.1');
const manifest: FirmwareManifest = { vendor: 'Acme Optics', modelPattern: 'AO-2*', version: '2.4.1', sha256: createHash('sha256').update(image).digest('hex') };

const ed = generateKeyPairSync('ed25519');
const ec = generateKeyPairSync('ec', { namedCurve: 'P-256' });
const rsa = generateKeyPairSync('rsa', { modulusLength: 2048 });
const pem = (k: KeyObject): string => k.export({ type: 'spki', format: 'pem' }).toString();
const trust: TrustedKey[] = [
  { keyId: 'acme-ed', vendor: 'Acme Optics', publicKeyPem: pem(ed.publicKey) },
  { keyId: 'acme-ec', vendor: 'Acme Optics', publicKeyPem: pem(ec.publicKey) },
  { keyId: 'acme-rsa', vendor: 'Acme Optics', publicKeyPem: pem(rsa.publicKey) },
  { keyId: 'other-ed', vendor: 'Other Corp', publicKeyPem: pem(ed.publicKey) },
];

function signed(m: FirmwareManifest, algorithm: SignedManifest['algorithm'], keyId: string): SignedManifest {
  const data = signedBytes(m);
  const sig =
    algorithm === 'ed25519' ? sign(null, data, ed.privateKey)
      : algorithm === 'ecdsa-p256-sha256' ? sign('sha256', data, ec.privateKey)
        : sign('sha256', data, { key: rsa.privateKey, padding: constants.RSA_PKCS1_PSS_PADDING, saltLength: 32 });
  return { manifest: m, keyId, algorithm, signature: sig.toString('base64') };
}

test('a manifest signed with Ed25519, ECDSA P-256 or RSA-PSS by a trusted vendor key verifies, and its image passes', () => {
  for (const [alg, key] of [['ed25519', 'acme-ed'], ['ecdsa-p256-sha256', 'acme-ec'], ['rsa-pss-sha256', 'acme-rsa']] as const) {
    assert.deepEqual(verifyManifest(signed(manifest, alg, key), trust), manifest, alg);
  }
  verifyFirmwareImage(image, manifest);
});

test('a manifest signed by a key not in the trust store is refused', () => {
  const stranger = generateKeyPairSync('ed25519');
  const s = { ...signed(manifest, 'ed25519', 'acme-ed'), keyId: 'unknown', signature: sign(null, signedBytes(manifest), stranger.privateKey).toString('base64') };
  assert.throws(() => verifyManifest(s, trust), refused(/not in the trust store/));
  // The stranger's signature under a trusted key id does not verify either.
  assert.throws(() => verifyManifest({ ...s, keyId: 'acme-ed' }, trust), refused(/does not verify/));
});

test('a valid signature over a different hash is refused: the manifest cannot be re-pointed at another image', () => {
  const s = signed(manifest, 'ed25519', 'acme-ed');
  const other = createHash('sha256').update('evil image').digest('hex');
  assert.throws(() => verifyManifest({ ...s, manifest: { ...manifest, sha256: other } }, trust), refused(/does not verify/));
  assert.throws(() => verifyFirmwareImage(Buffer.from('evil image'), manifest), refused(/is not the manifest's/));
});

test("a key signing for another vendor, an algorithm that does not fit the key, PKCS#1 v1.5 RSA and a malformed hash are refused", () => {
  assert.throws(() => verifyManifest(signed(manifest, 'ed25519', 'other-ed'), trust), refused(/signs for Other Corp/));
  assert.throws(() => verifyManifest({ ...signed(manifest, 'ed25519', 'acme-ed'), algorithm: 'ecdsa-p256-sha256' }, trust), refused(/does not fit/));
  const pkcs1 = sign('sha256', signedBytes(manifest), rsa.privateKey).toString('base64');
  assert.throws(() => verifyManifest({ manifest, keyId: 'acme-rsa', algorithm: 'rsa-pss-sha256', signature: pkcs1 }, trust), refused(/does not verify/));
  assert.throws(() => verifyManifest(signed({ ...manifest, sha256: 'ABC' }, 'ed25519', 'acme-ed'), trust), refused(/64 lower-case hex/));
});

test('key order does not change the signed bytes; a camera is on a vetted release only for its vendor, model pattern and exact version', () => {
  const reordered = { sha256: manifest.sha256, version: manifest.version, modelPattern: manifest.modelPattern, vendor: manifest.vendor };
  assert.deepEqual(signedBytes(reordered), signedBytes(manifest));
  assert.equal(vettedRelease([manifest], { vendor: 'acme optics', model: 'AO-200', firmware: '2.4.1' }), manifest);
  assert.equal(vettedRelease([manifest], { vendor: 'Acme Optics', model: 'AO-300', firmware: '2.4.1' }), undefined);
  assert.equal(vettedRelease([manifest], { vendor: 'Acme Optics', model: 'AO-200', firmware: '2.4.10' }), undefined);
  assert.equal(vettedRelease([manifest], { vendor: 'Acme', model: 'AO-200', firmware: '2.4.1' }), undefined);
});
