/**
 * The firmware trust store (AST-3): vendor signing keys the operator trusts, and releases whose
 * signed manifests verified against them. Opt-in per vendor: once a vendor has a vetted release,
 * a camera of that vendor whose reported firmware matches none is `unvetted` (quarantined);
 * vendors without releases are judged on identity alone. Every change is audited.
 */
import { createHash, createPublicKey } from 'node:crypto';
import type { AuditContext } from '../audit/audit-event.ts';
import type { AuditSink } from '../audit/ledger.ts';
import type { Clock } from '../lib/clock.ts';
import { AppError } from '../lib/errors.ts';
import { globMatch, verifyFirmwareImage, verifyManifest, vettedRelease } from './firmware-manifest.ts';
import type { FirmwareManifest, SignedManifest, TrustedKey } from './firmware-manifest.ts';

/** What the service needs from storage. */
export interface FirmwareStore {
  keys(): Promise<TrustedKey[]>;
  addKey(key: TrustedKey, atMs: number): Promise<void>;
  releases(): Promise<FirmwareManifest[]>;
  /** The signed manifests as imported (manifest, key id, algorithm, signature). */
  signedReleases(): Promise<SignedManifest[]>;
  addRelease(signed: SignedManifest, atMs: number): Promise<void>;
}

/** The firmware verdict of a camera. */
export type FirmwareVerdict = 'vetted' | 'not vetted' | 'no releases for this vendor';

/** Trust store rules. */
export class FirmwareService {
  readonly #store: FirmwareStore;
  readonly #clock: Clock;
  readonly #audit: AuditSink;

  constructor(store: FirmwareStore, clock: Clock, audit: AuditSink) {
    this.#store = store;
    this.#clock = clock;
    this.#audit = audit;
  }

  /** Trusts a vendor signing key (a public key PEM: Ed25519, EC P-256 or RSA ≥ 2048). */
  async trustKey(key: TrustedKey, by: AuditContext): Promise<void> {
    if (!/^[\w.:-]{1,100}$/.test(key.keyId) || key.vendor.trim() === '' || key.vendor.length > 200) throw new AppError('VALIDATION_FAILED', 'a key id of 1-100 letters, digits and ._:- and a vendor name are needed');
    let type: string | undefined;
    try {
      const k = createPublicKey(key.publicKeyPem);
      type = k.asymmetricKeyType === 'ec' ? `ec-${k.asymmetricKeyDetails?.namedCurve ?? ''}` : k.asymmetricKeyType;
    } catch {
      throw new AppError('VALIDATION_FAILED', 'the public key is not a PEM public key');
    }
    if (!['ed25519', 'ec-prime256v1', 'rsa', 'rsa-pss'].includes(type ?? '')) throw new AppError('VALIDATION_FAILED', `key type ${type ?? 'unknown'} is not Ed25519, EC P-256 or RSA`);
    if ((await this.#store.keys()).some((k) => k.keyId === key.keyId)) throw new AppError('CONFLICT', `key ${key.keyId} is already trusted`);
    await this.#audit.record({ type: 'firmware.key.trusted', ...by, target: { kind: 'firmware-key', id: key.keyId }, outcome: 'success', details: { vendor: key.vendor, keyType: type ?? '' } });
    await this.#store.addKey(key, this.#clock.now());
  }

  /** Verifies and stores a signed manifest; a refused one is audited and throws FIRMWARE_REFUSED. */
  async importManifest(signed: SignedManifest, by: AuditContext): Promise<FirmwareManifest> {
    let manifest: FirmwareManifest;
    try {
      manifest = verifyManifest(signed, await this.#store.keys());
    } catch (err) {
      await this.#audit.record({ type: 'firmware.release.imported', ...by, outcome: 'failure', reason: (err as Error).message.slice(0, 300), details: { keyId: String(signed.keyId).slice(0, 100) } });
      throw err;
    }
    await this.#audit.record({ type: 'firmware.release.imported', ...by, target: { kind: 'firmware-release', id: `${manifest.vendor}/${manifest.version}` }, outcome: 'success', details: { vendor: manifest.vendor, modelPattern: manifest.modelPattern, version: manifest.version, sha256: manifest.sha256, keyId: signed.keyId } });
    await this.#store.addRelease(signed, this.#clock.now());
    return manifest;
  }

  /**
   * Verifies a firmware image before it is used (pushed to a camera, AST-3): its SHA-256 MUST be
   * that of a signed manifest whose signature verifies now under a trusted key — the manifest
   * given, or else the stored release with that hash, verified again (a row changed in the
   * database does not pass). Audited either way; throws FIRMWARE_REFUSED.
   */
  async verifyImage(image: Uint8Array, by: AuditContext, given?: SignedManifest): Promise<{ manifest: FirmwareManifest; keyId: string }> {
    const sha256 = createHash('sha256').update(image).digest('hex');
    const target = { kind: 'firmware-image', id: sha256 };
    try {
      const keys = await this.#store.keys();
      let signed = given;
      if (signed === undefined) {
        signed = (await this.#store.signedReleases()).find((r) => r.manifest.sha256 === sha256);
        if (signed === undefined) throw new AppError('FIRMWARE_REFUSED', `firmware refused: no vetted release has the image's SHA-256 ${sha256}`);
      }
      const manifest = verifyManifest(signed, keys);
      verifyFirmwareImage(image, manifest);
      await this.#audit.record({ type: 'firmware.image.verified', ...by, target, outcome: 'success', details: { vendor: manifest.vendor, modelPattern: manifest.modelPattern, version: manifest.version, sha256, keyId: signed.keyId, bytes: image.length } });
      return { manifest, keyId: signed.keyId };
    } catch (err) {
      if (err instanceof AppError && err.code === 'FIRMWARE_REFUSED') {
        await this.#audit.record({ type: 'firmware.image.verified', ...by, target, outcome: 'failure', reason: err.message.slice(0, 300), details: { sha256, bytes: image.length, keyId: given === undefined ? null : String(given.keyId).slice(0, 100) } });
      }
      throw err;
    }
  }

  /**
   * Pushes an image to a camera, verification first: `verifyImage` (audited), then the release
   * MUST be for the camera's vendor and model, then `firmware.image.pushed` is recorded, and only
   * then is `push` (firmware-upgrade.ts over the camera's ONVIF client) called. Nothing reaches
   * the camera unless all of that held.
   */
  async pushVerified(image: Uint8Array, camera: { readonly id: string; readonly vendor: string; readonly model: string }, by: AuditContext, push: (image: Uint8Array) => Promise<void>): Promise<FirmwareManifest> {
    const { manifest, keyId } = await this.verifyImage(image, by);
    const subject = { ...by, target: { kind: 'camera', id: camera.id }, cameraId: camera.id };
    if (manifest.vendor.toLowerCase() !== camera.vendor.toLowerCase() || !globMatch(manifest.modelPattern, camera.model)) {
      const reason = `firmware refused: the release is for ${manifest.vendor} ${manifest.modelPattern}, the camera is ${camera.vendor} ${camera.model}`;
      await this.#audit.record({ type: 'firmware.image.pushed', ...subject, outcome: 'failure', reason, details: { sha256: manifest.sha256, version: manifest.version } });
      throw new AppError('FIRMWARE_REFUSED', reason);
    }
    await this.#audit.record({ type: 'firmware.image.pushed', ...subject, outcome: 'success', details: { vendor: manifest.vendor, model: camera.model, version: manifest.version, sha256: manifest.sha256, keyId } });
    await push(image);
    return manifest;
  }

  /** The firmware verdict of a camera's reported vendor, model and firmware. */
  async verdict(camera: { readonly vendor: string; readonly model: string; readonly firmware: string }): Promise<FirmwareVerdict> {
    const releases = await this.#store.releases();
    if (!releases.some((r) => r.vendor.toLowerCase() === camera.vendor.toLowerCase())) return 'no releases for this vendor';
    return vettedRelease(releases, camera) === undefined ? 'not vetted' : 'vetted';
  }
}
