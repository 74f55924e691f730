/** Camera SBOMs on both real engines (SQLite, PostgreSQL): attached, replaced, read back; the shape check. */
import assert from 'node:assert/strict';
import { randomUUID } from 'node:crypto';
import { describe, test } from 'node:test';
import { createTestDatabase, engines } from '../../test/helpers/databases.ts';
import { teardown } from '../../test/helpers/teardown.ts';
import { isAppError } from '../lib/errors.ts';
import { checkCameraSbom, maxCameraSbomBytes } from './camera-sbom.ts';
import { createCameraSbomStore } from './camera-sbom.store.ts';

const cdx = (n: number) => ({ bomFormat: 'CycloneDX', specVersion: '1.6', version: 1, components: Array.from({ length: n }, (_, i) => ({ type: 'firmware', name: `part-${i}` })) });

describe('camera SBOMs', { concurrency: true }, () => {
  for (const engine of engines) {
    test(`${engine}: an SBOM is stored, replaced and read back as attached`, async (t) => {
      const defer = teardown(t);
      const db = await createTestDatabase(engine);
      defer(() => db.close());
      const store = createCameraSbomStore(db.db);
      const cameraId = randomUUID();
      assert.equal(await store.get(cameraId), undefined);
      const first = checkCameraSbom(cdx(2));
      await store.put({ cameraId, summary: first.summary, document: first.text, attachedBy: 'user:a', attachedMs: 1_796_000_000_000 });
      const second = checkCameraSbom({ spdxVersion: 'SPDX-2.3', SPDXID: 'SPDXRef-DOCUMENT', packages: [{ name: 'busybox' }] });
      await store.put({ cameraId, summary: second.summary, document: second.text, attachedBy: 'user:b', attachedMs: 1_796_000_001_000 });
      const got = await store.get(cameraId);
      assert.deepEqual(got?.summary, second.summary);
      assert.equal(got?.document, second.text);
      assert.deepEqual([got?.attachedBy, got?.attachedMs], ['user:b', 1_796_000_001_000]);
    });
  }

  test('only CycloneDX and SPDX JSON within the size bound are accepted', () => {
    const ok = checkCameraSbom(cdx(3)).summary;
    assert.deepEqual([ok.format, ok.specVersion, ok.components], ['CycloneDX', '1.6', 3]);
    assert.match(ok.sha256, /^[0-9a-f]{64}$/);
    const refused = (doc: unknown): boolean => {
      try {
        checkCameraSbom(doc);
        return false;
      } catch (e) {
        return isAppError(e, 'VALIDATION_FAILED');
      }
    };
    assert.ok(refused([]));
    assert.ok(refused({ hello: 'world' }));
    assert.ok(refused({ bomFormat: 'CycloneDX', specVersion: '9.9' }));
    assert.ok(refused({ bomFormat: 'CycloneDX', specVersion: '1.6', components: 'many' }));
    assert.ok(refused({ spdxVersion: 'SPDX-3.0' }));
    assert.ok(refused({ bomFormat: 'CycloneDX', specVersion: '1.6', components: [{ name: 'x'.repeat(maxCameraSbomBytes) }] }));
  });
});
