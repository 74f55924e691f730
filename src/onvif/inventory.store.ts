/** The asset inventory and risk acceptances in the metadata database (SQLite or PostgreSQL). */
import type { Db } from '../db/database.ts';
import type { CameraAssetTable, RiskAcceptanceTable } from '../db/tables.ts';
import type { CameraAsset, RiskAcceptance, Vetting } from './camera-asset.ts';
import type { InventoryStore } from './onboarding.service.ts';


const vettings: readonly Vetting[] = ['clear', 'flagged', 'unvetted'];

function toAsset(r: CameraAssetTable): CameraAsset {
  return {
    cameraId: r.camera_id, onvifXaddr: r.onvif_xaddr, vendor: r.vendor, model: r.model, serial: r.serial, mac: r.mac, firmware: r.firmware,
    hardwareId: r.hardware_id, location: r.location, owner: r.owner, installDate: r.install_date, endOfSupport: r.end_of_support,
    // An unknown stored value is read as the strictest state that still asks for review.
    vetting: vettings.includes(r.vetting as Vetting) ? (r.vetting as Vetting) : 'unvetted',
    evidence: JSON.parse(r.evidence) as CameraAsset['evidence'], verdict: JSON.parse(r.verdict) as CameraAsset['verdict'],
    identifiedMs: Number(r.identified_ms), updatedMs: Number(r.updated_ms),
  };
}

function toRow(a: CameraAsset): CameraAssetTable {
  return {
    camera_id: a.cameraId, onvif_xaddr: a.onvifXaddr, vendor: a.vendor, model: a.model, serial: a.serial, mac: a.mac, firmware: a.firmware,
    hardware_id: a.hardwareId, location: a.location, owner: a.owner, install_date: a.installDate, end_of_support: a.endOfSupport,
    vetting: a.vetting, evidence: JSON.stringify(a.evidence), verdict: JSON.stringify(a.verdict), identified_ms: a.identifiedMs, updated_ms: a.updatedMs,
  };
}

function toAcceptance(r: RiskAcceptanceTable): RiskAcceptance {
  return { id: r.id, cameraId: r.camera_id, reason: r.reason, requestedBy: r.requested_by, approvedBy: r.approved_by, approvalId: r.approval_id, untilMs: Number(r.until_ms), createdMs: Number(r.created_ms), identityKey: r.identity_key, expiryRecordedMs: r.expiry_recorded_ms === null ? null : Number(r.expiry_recorded_ms) };
}

/** Makes the store over `db` (implements the service's InventoryStore). */
export function createInventoryStore(db: Db): InventoryStore {
  return {
    async get(cameraId) {
      const r = await db.selectFrom('camera_assets').selectAll().where('camera_id', '=', cameraId).executeTakeFirst();
      return r && toAsset(r);
    },
    async list() {
      return (await db.selectFrom('camera_assets').selectAll().orderBy('camera_id').execute()).map(toAsset);
    },
    async put(asset) {
      const row = toRow(asset);
      await db.transaction().execute(async (tx) => {
        await tx.deleteFrom('camera_assets').where('camera_id', '=', asset.cameraId).execute();
        await tx.insertInto('camera_assets').values(row).execute();
      });
    },
    async remove(cameraId) {
      await db.deleteFrom('camera_assets').where('camera_id', '=', cameraId).execute();
    },
    async addAcceptance(a) {
      await db.insertInto('risk_acceptances').values({ id: a.id, camera_id: a.cameraId, reason: a.reason, requested_by: a.requestedBy, approved_by: a.approvedBy, approval_id: a.approvalId, until_ms: a.untilMs, created_ms: a.createdMs, identity_key: a.identityKey, expiry_recorded_ms: a.expiryRecordedMs }).execute();
    },
    async markExpiryRecorded(id, atMs) {
      const r = await db.updateTable('risk_acceptances').set({ expiry_recorded_ms: atMs }).where('id', '=', id).where('expiry_recorded_ms', 'is', null).executeTakeFirst();
      return Number(r.numUpdatedRows) === 1;
    },
    async acceptances(cameraId) {
      let q = db.selectFrom('risk_acceptances').selectAll().orderBy('created_ms');
      if (cameraId !== undefined) q = q.where('camera_id', '=', cameraId);
      return (await q.execute()).map(toAcceptance);
    },
  };
}
