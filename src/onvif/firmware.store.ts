/** Firmware trust store and vetted releases in the metadata database (SQLite or PostgreSQL). */
import { randomUUID } from 'node:crypto';
import type { Db } from '../db/database.ts';
import type { FirmwareManifest, SignedManifest, TrustedKey } from './firmware-manifest.ts';
import type { FirmwareStore } from './firmware.service.ts';

/** Makes the store over `db` (implements the service's FirmwareStore). */
export function createFirmwareStore(db: Db): FirmwareStore {
  return {
    async keys() {
      return (await db.selectFrom('firmware_keys').selectAll().orderBy('key_id').execute()).map((r): TrustedKey => ({ keyId: r.key_id, vendor: r.vendor, publicKeyPem: r.public_key_pem }));
    },
    async addKey(key, atMs) {
      await db.insertInto('firmware_keys').values({ key_id: key.keyId, vendor: key.vendor, public_key_pem: key.publicKeyPem, added_ms: atMs }).execute();
    },
    async releases() {
      return (await db.selectFrom('firmware_releases').selectAll().orderBy('imported_ms').execute()).map((r): FirmwareManifest => ({ vendor: r.vendor, modelPattern: r.model_pattern, version: r.version, sha256: r.sha256 }));
    },
    async signedReleases() {
      return (await db.selectFrom('firmware_releases').select('signed').orderBy('imported_ms').execute()).map((r) => JSON.parse(r.signed) as SignedManifest);
    },
    async addRelease(signed: SignedManifest, atMs) {
      const m = signed.manifest;
      await db.insertInto('firmware_releases').values({ id: randomUUID(), vendor: m.vendor, model_pattern: m.modelPattern, version: m.version, sha256: m.sha256, key_id: signed.keyId, signed: JSON.stringify(signed), imported_ms: atMs }).execute();
    },
  };
}
