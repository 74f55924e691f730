/**
 * The advisory service over its store on both real engines (SQLite, PostgreSQL), with the real
 * audit ledger: imports round-trip, a match is claimed once even when two services re-match the
 * same database at once (a server and a CLI), and a cleared match is recorded once.
 */
import assert from 'node:assert/strict';
import { describe, test } from 'node:test';
import { csafAdvisory } from '../../test/helpers/advisory-documents.ts';
import { createTestDatabase, engines } from '../../test/helpers/databases.ts';
import { teardown } from '../../test/helpers/teardown.ts';
import { createTestLedger } from '../../test/helpers/audit.ts';
import { createTestDataKeys } from '../../test/helpers/keys.ts';
import type { MatchTarget } from './advisory-match.ts';
import { AdvisoriesService } from './advisories.service.ts';
import { createAdvisoryStore } from './advisories.store.ts';

const clock = { now: () => 1_796_000_000_000 };
const by = { actor: { kind: 'system', id: 'system:test' } } as const;


describe('advisory store', { concurrency: true }, () => {
  for (const engine of engines) {
    test(`${engine}: an advisory round-trips, is replaced by its next revision, and each match and clearance is recorded once across two services`, async (t) => {
      const defer = teardown(t);
      const db = await createTestDatabase(engine);
      defer(() => db.close());
      const keys = await createTestDataKeys(db.db);
      defer(() => keys.close());
      const built = await createTestLedger(db.db, keys.dataKeys);
      defer(() => built.close());
      const audit = built.ledger;
      const events = async (type: string) => {
        await audit.drain();
        return (await db.db.selectFrom('audit_events').select(['camera_id', 'record']).where('type', '=', type).orderBy('seq').execute()).map((r) => ({ cameraId: r.camera_id, reason: (JSON.parse(r.record) as { reason?: string }).reason }));
      };
      let targets: MatchTarget[] = [{ cameraId: 'cam-1', vendor: 'Acme Optics', model: 'AO-200', firmware: '2.4.1' }];
      const service = () => new AdvisoriesService({ store: createAdvisoryStore(db.db), targets: async () => targets, clock, audit });
      const [a, b] = [service(), service()];
      const doc = csafAdvisory({ trackingId: 'ACME-SA-1', cve: 'CVE-2026-41234', affected: [{ id: 'p1', vendor: 'Acme Optics', model: 'AO-200', range: '<2.4.2' }] });
      const first = await a.import({ value: doc }, 'acme.json', by);
      assert.deepEqual([first.change, first.matched.length], ['new', 1]);
      const stored = (await b.list())[0];
      assert.deepEqual(stored?.advisory, first.advisory, 'the parsed advisory round-trips');
      assert.deepEqual(stored?.cameras.map((m) => [m.cameraId, m.firmware, m.product.range]), [['cam-1', '2.4.1', '<2.4.2']]);

      // Two services re-matching at once record the new camera once.
      targets = [...targets, { cameraId: 'cam-2', vendor: 'ACME OPTICS GmbH', model: 'ao 200', firmware: 'V2.0 build 1' }];
      const [ra, rb] = await Promise.all([a.rematch(by), b.rematch(by)]);
      assert.equal(ra.added.length + rb.added.length, 1);
      assert.deepEqual((await events('camera.advisory.matched')).map((e) => e.cameraId), ['cam-1', 'cam-2']);

      // The next revision is an update; a camera upgraded past the range is cleared, once.
      const revised = { ...doc, document: { ...(doc.document as object), tracking: { ...((doc.document as { tracking: object }).tracking), version: '2', current_release_date: '2026-11-09T00:00:00Z' } } };
      assert.equal((await a.import({ value: revised }, 'acme-v2.json', by)).change, 'updated');
      assert.equal((await b.list()).length, 1);
      targets = [targets[0]!, { ...targets[1]!, firmware: '2.4.2' }];
      const [ca, cb] = await Promise.all([a.rematch(by), b.rematch(by)]);
      assert.equal(ca.cleared.length + cb.cleared.length, 1);
      assert.deepEqual((await events('camera.advisory.cleared')).map((e) => [e.cameraId, e.reason]), [['cam-2', 'firmware is now 2.4.2']]);
      assert.equal((await events('advisory.imported')).length, 2);
      assert.deepEqual((await a.forCamera('cam-1')).map((x) => x.advisory.documentId), ['ACME-SA-1']);
      assert.deepEqual(await a.forCamera('cam-2'), []);
    });
  }
});
