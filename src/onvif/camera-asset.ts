/**
 * A camera's inventory entry (AST-1) and its risk acceptances (AST-2). The vetting decides the
 * quarantine: `clear` records; `flagged` (a prohibited vendor, OUI or model) and `unvetted` (an
 * identity that could not be checked: no MAC, no manufacturer; or firmware that matches no vetted
 * release of a vendor the trust store has releases for) wait for an unexpired four-eyes
 * risk acceptance.
 */
import { createHash } from 'node:crypto';
import type { IdentityEvidence } from './identify.ts';
import type { FirmwareVerdict } from './firmware.service.ts';
import type { VendorVerdict } from './vendor-flags.ts';

/** The vetting outcome of an identity. */
export type Vetting = 'clear' | 'flagged' | 'unvetted';

/** The fields an operator keeps (the rest come from the camera). */
export interface AssetFields {
  readonly location: string;
  readonly owner: string;
  /** YYYY-MM-DD or null. */
  readonly installDate: string | null;
  readonly endOfSupport: string | null;
}

/** One inventory entry. */
export interface CameraAsset extends AssetFields {
  readonly cameraId: string;
  readonly onvifXaddr: string | null;
  readonly vendor: string;
  readonly model: string;
  readonly serial: string;
  readonly mac: string | null;
  readonly firmware: string;
  readonly hardwareId: string;
  readonly vetting: Vetting;
  readonly evidence: IdentityEvidence;
  /** The vendor verdict, with the firmware verdict when a trust store was consulted. */
  readonly verdict: VendorVerdict & { readonly firmware?: FirmwareVerdict };
  readonly identifiedMs: number;
  readonly updatedMs: number;
}

/** An approved acceptance of one camera's risk, valid until `untilMs`. */
export interface RiskAcceptance {
  readonly id: string;
  readonly cameraId: string;
  readonly reason: string;
  readonly requestedBy: string;
  readonly approvedBy: string;
  readonly approvalId: string;
  readonly untilMs: number;
  readonly createdMs: number;
  /** {@link identityKey} of the asset when accepted. */
  readonly identityKey: string;
  /** When the expiry was recorded as a quarantine event; null until then. */
  readonly expiryRecordedMs: number | null;
}

/** The identity an acceptance covers: a device swapped in under the same camera is not covered. */
export function identityKey(a: Pick<CameraAsset, 'vendor' | 'model' | 'serial' | 'mac'>): string {
  return createHash('sha256').update(JSON.stringify([a.vendor, a.model, a.serial, a.mac])).digest('base64url');
}

/** Decides the vetting of an identity and its vendor verdict. */
export function vettingOf(evidence: IdentityEvidence, verdict: VendorVerdict, firmware?: FirmwareVerdict): Vetting {
  if (verdict.flagged) return 'flagged';
  if (evidence.mac === null || evidence.device.manufacturer.trim() === '' || firmware === 'not vetted') return 'unvetted';
  return 'clear';
}

/** True when the camera may not record nor be shown live at `nowMs`. */
export function isQuarantined(asset: CameraAsset | undefined, acceptances: readonly RiskAcceptance[], nowMs: number): boolean {
  return asset !== undefined && asset.vetting !== 'clear' && activeAcceptance(asset, acceptances, nowMs) === undefined;
}

/** The acceptance that covers the asset's current identity at `nowMs`, if any. */
export function activeAcceptance(asset: CameraAsset, acceptances: readonly RiskAcceptance[], nowMs: number): RiskAcceptance | undefined {
  const key = identityKey(asset);
  return acceptances.find((a) => a.cameraId === asset.cameraId && a.identityKey === key && a.untilMs > nowMs);
}
