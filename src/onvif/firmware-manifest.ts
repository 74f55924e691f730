/**
 * Firmware vetting, first part (AST-3): signed release manifests checked against a trust store
 * of vendor signing keys, and firmware images checked against a verified manifest. Pure
 * `node:crypto`; no storage, no CLI yet (docs/reference/onboarding.md, "Not built yet").
 *
 * A manifest names a vendor, a model pattern (`*` matches any run of characters), a version and
 * the SHA-256 of the image. The signed bytes are the manifest's canonical JSON (RFC 8785 style,
 * src/lib/canonical-json.ts), so key order and spacing do not matter. Accepted signatures:
 * Ed25519; ECDSA P-256 with SHA-256 (DER); RSA-PSS with SHA-256, MGF1-SHA-256 and a 32-byte salt.
 * Contract: a manifest MUST be refused when its key is unknown, the key's vendor is not the
 * manifest's vendor, the algorithm does not fit the key, or the signature does not verify; an
 * image MUST be refused unless its SHA-256 equals a verified manifest's.
 */
import { constants, createHash, createPublicKey, timingSafeEqual, verify } from 'node:crypto';
import type { KeyObject } from 'node:crypto';
import { canonicalJson } from '../lib/canonical-json.ts';
import { AppError } from '../lib/errors.ts';

/** One vetted firmware release. */
export interface FirmwareManifest {
  readonly vendor: string;
  readonly modelPattern: string;
  readonly version: string;
  /** Lower-case hex SHA-256 of the image. */
  readonly sha256: string;
}

/** A manifest with its signature. */
export interface SignedManifest {
  readonly manifest: FirmwareManifest;
  readonly keyId: string;
  readonly algorithm: 'ed25519' | 'ecdsa-p256-sha256' | 'rsa-pss-sha256';
  /** Base64 signature over canonicalJson(manifest). */
  readonly signature: string;
}

/** A vendor signing key in the trust store. */
export interface TrustedKey {
  readonly keyId: string;
  readonly vendor: string;
  readonly publicKeyPem: string;
}

function refuse(reason: string): never {
  throw new AppError('FIRMWARE_REFUSED', `firmware refused: ${reason}`);
}

/** The bytes a manifest's signature covers. */
export function signedBytes(m: FirmwareManifest): Buffer {
  return Buffer.from(canonicalJson({ vendor: m.vendor, modelPattern: m.modelPattern, version: m.version, sha256: m.sha256 }), 'utf8');
}

function checkShape(m: FirmwareManifest): void {
  if (typeof m.vendor !== 'string' || m.vendor.trim() === '' || typeof m.modelPattern !== 'string' || m.modelPattern === '' || typeof m.version !== 'string' || m.version === '') refuse('the manifest lacks vendor, modelPattern or version');
  if (typeof m.sha256 !== 'string' || !/^[0-9a-f]{64}$/.test(m.sha256)) refuse('the manifest sha256 is not 64 lower-case hex digits');
}

function keyFits(key: KeyObject, algorithm: SignedManifest['algorithm']): boolean {
  switch (algorithm) {
    case 'ed25519':
      return key.asymmetricKeyType === 'ed25519';
    case 'ecdsa-p256-sha256':
      return key.asymmetricKeyType === 'ec' && key.asymmetricKeyDetails?.namedCurve === 'prime256v1';
    case 'rsa-pss-sha256':
      return (key.asymmetricKeyType === 'rsa' || key.asymmetricKeyType === 'rsa-pss') && (key.asymmetricKeyDetails?.modulusLength ?? 0) >= 2048;
  }
}

/** Verifies a signed manifest against the trust store; returns the manifest or throws FIRMWARE_REFUSED. */
export function verifyManifest(signed: SignedManifest, trust: readonly TrustedKey[]): FirmwareManifest {
  checkShape(signed.manifest);
  const trusted = trust.find((k) => k.keyId === signed.keyId);
  if (trusted === undefined) refuse(`signing key ${JSON.stringify(signed.keyId).slice(0, 80)} is not in the trust store`);
  if (trusted.vendor.toLowerCase() !== signed.manifest.vendor.toLowerCase()) refuse(`key ${trusted.keyId} signs for ${trusted.vendor}, not ${signed.manifest.vendor}`);
  const key = createPublicKey(trusted.publicKeyPem);
  if (!keyFits(key, signed.algorithm)) refuse(`key ${trusted.keyId} does not fit algorithm ${signed.algorithm}`);
  const sig = Buffer.from(signed.signature, 'base64');
  const data = signedBytes(signed.manifest);
  const ok =
    signed.algorithm === 'ed25519'
      ? verify(null, data, key, sig)
      : signed.algorithm === 'ecdsa-p256-sha256'
        ? verify('sha256', data, key, sig)
        : verify('sha256', data, { key, padding: constants.RSA_PKCS1_PSS_PADDING, saltLength: 32 }, sig);
  if (!ok) refuse('the signature does not verify');
  return signed.manifest;
}

/** Checks image bytes against a verified manifest; throws FIRMWARE_REFUSED on a mismatch. */
export function verifyFirmwareImage(image: Uint8Array, manifest: FirmwareManifest): void {
  const actual = createHash('sha256').update(image).digest();
  const expected = Buffer.from(manifest.sha256, 'hex');
  if (!timingSafeEqual(actual, expected)) refuse(`the image SHA-256 ${actual.toString('hex')} is not the manifest's ${manifest.sha256}`);
}

/** Whether `value` fits a model pattern (`*` matches any run of characters, case-insensitive). */
export function globMatch(pattern: string, value: string): boolean {
  const re = new RegExp(`^${pattern.split('*').map((p) => p.replace(/[.*+?^${}()|[\]\\]/g, '\\$&')).join('.*')}$`, 'i');
  return re.test(value);
}

/** The verified release a camera's reported identity runs, or undefined (unvetted firmware). */
export function vettedRelease(releases: readonly FirmwareManifest[], camera: { readonly vendor: string; readonly model: string; readonly firmware: string }): FirmwareManifest | undefined {
  return releases.find((r) => r.vendor.toLowerCase() === camera.vendor.toLowerCase() && globMatch(r.modelPattern, camera.model) && r.version === camera.firmware);
}
