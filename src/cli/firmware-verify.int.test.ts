/**
 * `custos firmware verify` as an operator runs it before pushing an image (bin/custos.js, fresh
 * SQLite data directory): an image is accepted only when its SHA-256 is a vetted release's and
 * that release's signature verifies again under a trusted key. Refused: an unknown image, a
 * manifest by an unknown key, a valid signature over a different hash, a release row changed in
 * the database. Each verification is in the ledger, refusals with outcome failure.
 */
import assert from 'node:assert/strict';
import { createHash, generateKeyPairSync, sign } from 'node:crypto';
import { writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { test } from 'node:test';
import Database from 'better-sqlite3';
import { signedBytes } from '../onvif/firmware-manifest.ts';
import type { FirmwareManifest } from '../onvif/firmware-manifest.ts';
import { custos } from '../../test/helpers/custos-cli.ts';
import { tempDir } from '../../test/helpers/harness.ts';
import { teardown } from '../../test/helpers/teardown.ts';

test('firmware images are verified against signed vetted releases before use', async (t) => {
  const defer = teardown(t);
  const dir = await tempDir('cli-firmware-verify');
  defer(() => dir.remove());
  const d = (...a: string[]): string[] => [...a, '--data-dir', dir.path];
  const file = async (name: string, body: string | Buffer): Promise<string> => {
    const p = join(dir.path, name);
    await writeFile(p, body);
    return p;
  };
  const vendorKey = generateKeyPairSync('ed25519');
  const stranger = generateKeyPairSync('ed25519');
  const imageA = Buffer.from('ACME AO-200 firmware 2.4.1 '.repeat(1000));
  const imageB = Buffer.from('ACME AO-200 firmware 2.4.1 (patched by someone) '.repeat(1000));
  const hash = (b: Buffer) => createHash('sha256').update(b).digest('hex');
  const manifest: FirmwareManifest = { vendor: 'Acme Optics', modelPattern: 'AO-*', version: '2.4.1', sha256: hash(imageA) };
  const signedBy = (m: FirmwareManifest, key: typeof vendorKey, keyId: string, over: FirmwareManifest = m) =>
    JSON.stringify({ manifest: m, keyId, algorithm: 'ed25519', signature: sign(null, signedBytes(over), key.privateKey).toString('base64') });

  const a = await file('a.bin', imageA);
  const b = await file('b.bin', imageB);
  const good = await file('good.json', signedBy(manifest, vendorKey, 'acme-1'));
  const unknownKey = await file('unknown.json', signedBy({ ...manifest, sha256: hash(imageB) }, stranger, 'acme-9'));
  const overOtherHash = await file('rehashed.json', signedBy({ ...manifest, sha256: hash(imageB) }, vendorKey, 'acme-1', manifest));
  await file('acme.pem', vendorKey.publicKey.export({ type: 'spki', format: 'pem' }).toString());

  // Nothing is vetted yet: even the genuine image is refused.
  const none = await custos(d('firmware', 'verify', a));
  assert.equal(none.code, 1);
  assert.match(none.stderr, /^custos firmware: firmware refused: no vetted release has the image's SHA-256 [0-9a-f]{64}\n$/);

  assert.equal((await custos(d('firmware', 'trust-key', '--key-id', 'acme-1', '--vendor', 'Acme Optics', '--public-key-file', join(dir.path, 'acme.pem')))).code, 0);
  assert.equal((await custos(d('firmware', 'import', good))).code, 0);

  const ok = await custos(d('firmware', 'verify', a));
  assert.equal(ok.code, 0, ok.stderr);
  assert.equal(ok.stdout, `verified: Acme Optics AO-* 2.4.1 sha256 ${hash(imageA)} signed by acme-1\n`);
  assert.equal((await custos(d('firmware', 'verify', a, '--manifest', good))).code, 0);

  const other = await custos(d('firmware', 'verify', b));
  assert.equal(other.code, 1);
  assert.match(other.stderr, /no vetted release has the image's SHA-256/);
  const byUnknown = await custos(d('firmware', 'verify', b, '--manifest', unknownKey));
  assert.equal(byUnknown.code, 1);
  assert.match(byUnknown.stderr, /^custos firmware: firmware refused: signing key "acme-9" is not in the trust store\n$/);
  const rehashed = await custos(d('firmware', 'verify', b, '--manifest', overOtherHash));
  assert.equal(rehashed.code, 1);
  assert.match(rehashed.stderr, /^custos firmware: firmware refused: the signature does not verify\n$/);
  const mismatched = await custos(d('firmware', 'verify', b, '--manifest', good));
  assert.equal(mismatched.code, 1);
  assert.match(mismatched.stderr, /the image SHA-256 [0-9a-f]{64} is not the manifest's/);

  // Somebody with the database rewrites the stored release to vet image B: the signature no longer holds.
  const db = new Database(join(dir.path, 'custos.db'));
  try {
    const row = db.prepare('SELECT id, signed FROM firmware_releases').get() as { id: string; signed: string };
    const forged = JSON.parse(row.signed) as { manifest: FirmwareManifest };
    forged.manifest = { ...forged.manifest, sha256: hash(imageB) };
    db.prepare('UPDATE firmware_releases SET sha256 = ?, signed = ? WHERE id = ?').run(hash(imageB), JSON.stringify(forged), row.id);
  } finally {
    db.close();
  }
  const forgedRow = await custos(d('firmware', 'verify', b));
  assert.equal(forgedRow.code, 1);
  assert.match(forgedRow.stderr, /the signature does not verify/);

  // Every verification is in the ledger: two passed, the rest refused with the reason.
  const ledger = new Database(join(dir.path, 'custos.db'), { readonly: true });
  try {
    const rows = ledger.prepare("SELECT record FROM audit_events WHERE type = 'firmware.image.verified' ORDER BY seq").all() as { record: string }[];
    const outcomes = rows.map((r) => (JSON.parse(r.record) as { outcome: string }).outcome);
    assert.deepEqual(outcomes, ['failure', 'success', 'success', 'failure', 'failure', 'failure', 'failure', 'failure']);
  } finally {
    ledger.close();
  }
});
