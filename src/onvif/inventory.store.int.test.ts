/** The inventory store on both real engines (SQLite, PostgreSQL): entries and risk acceptances round-trip. */
import assert from 'node:assert/strict';
import { randomUUID } from 'node:crypto';
import { describe, test } from 'node:test';
import { createTestDatabase, engines } from '../../test/helpers/databases.ts';
import { teardown } from '../../test/helpers/teardown.ts';
import { identityKey, isQuarantined } from './camera-asset.ts';
import type { CameraAsset, RiskAcceptance } from './camera-asset.ts';
import { createInventoryStore } from './inventory.store.ts';
import { vetVendor } from './vendor-flags.ts';

const t0 = 1_796_000_000_000;

function asset(cameraId: string, mac: string | null): CameraAsset {
  const device = { manufacturer: 'Acme', model: 'A-1', firmwareVersion: '1.2', serialNumber: 'S1', hardwareId: 'H1' };
  return {
    cameraId, onvifXaddr: 'http://10.0.0.2/onvif/device_service', vendor: 'Acme', model: 'A-1', serial: 'S1', mac, firmware: '1.2', hardwareId: 'H1',
    location: 'Dock', owner: 'Ops', installDate: '2026-01-02', endOfSupport: null, vetting: mac === null ? 'unvetted' : 'flagged',
    evidence: { device, mac, clock: { deviceUtcMs: t0, offsetMs: -1500, ntp: false }, mediaXaddr: '', profiles: [], atMs: t0 },
    verdict: vetVendor({ manufacturer: 'Acme', model: 'A-1', mac }), identifiedMs: t0, updatedMs: t0,
  };
}

describe('inventory store', { concurrency: true }, () => {
  for (const engine of engines) {
    test(`${engine}: an entry is stored, replaced and listed; acceptances expire and their expiry is marked once`, async (t) => {
      const defer = teardown(t);
      const db = await createTestDatabase(engine);
      defer(() => db.close());
      const store = createInventoryStore(db.db);
      const id = randomUUID();
      await store.put(asset(id, '44:19:b6:00:00:01'));
      assert.deepEqual(await store.get(id), asset(id, '44:19:b6:00:00:01'));
      await store.put({ ...asset(id, null), location: 'Gate' });
      assert.equal((await store.list()).length, 1);
      const stored = await store.get(id);
      assert.equal(stored?.location, 'Gate');
      assert.equal(stored?.vetting, 'unvetted');
      assert.ok(stored !== undefined);

      const acceptance: RiskAcceptance = { id: randomUUID(), cameraId: id, reason: 'r', requestedBy: 'user:a', approvedBy: 'user:b', approvalId: 'ap', untilMs: t0 + 1000, createdMs: t0, identityKey: identityKey(stored), expiryRecordedMs: null };
      await store.addAcceptance(acceptance);
      assert.deepEqual(await store.acceptances(id), [acceptance]);
      assert.equal(isQuarantined(stored, [acceptance], t0 + 999), false);
      assert.equal(isQuarantined(stored, [acceptance], t0 + 1000), true);
      assert.equal(isQuarantined({ ...stored, serial: 'S2' }, [acceptance], t0), true, 'another device under the same camera is not covered');
      assert.equal(await store.markExpiryRecorded(acceptance.id, t0 + 2000), true);
      assert.equal(await store.markExpiryRecorded(acceptance.id, t0 + 3000), false);
      assert.equal((await store.acceptances())[0]?.expiryRecordedMs, t0 + 2000);
    });
  }
});
