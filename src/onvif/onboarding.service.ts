/**
 * Camera onboarding (issue 17): discover → identify → vet → accept or quarantine. Rules only: the
 * ONVIF client, discovery and storage come in as interfaces. Every step is a catalogued audit
 * event carrying the evidence it used, recorded before the state it describes is stored (a
 * ledger that cannot write stops the step). A camera whose vetting is not `clear` is quarantined
 * — the recorder skips it, so it is neither recorded nor shown live — until a second person
 * approves a risk acceptance (four-eyes, approval action `camera.manage`), which covers the
 * identity it was given for and expires.
 */
import { randomUUID } from 'node:crypto';
import type { AuditContext } from '../audit/audit-event.ts';
import type { AuditSink } from '../audit/ledger.ts';
import type { Clock } from '../lib/clock.ts';
import { AppError, isAppError } from '../lib/errors.ts';
import { activeAcceptance, identityKey, isQuarantined, vettingOf } from './camera-asset.ts';
import type { AssetFields, CameraAsset, RiskAcceptance } from './camera-asset.ts';
import { identifyCamera } from './identify.ts';
import type { OnvifClient } from './onvif-client.ts';
import { vetVendor } from './vendor-flags.ts';
import type { DiscoveredDevice, ProbeOptions } from './ws-discovery.ts';
import type { FirmwareVerdict } from './firmware.service.ts';

/** What the onboarding service needs from storage. */
export interface InventoryStore {
  get(cameraId: string): Promise<CameraAsset | undefined>;
  list(): Promise<CameraAsset[]>;
  /** Inserts or replaces the entry of `asset.cameraId`. */
  put(asset: CameraAsset): Promise<void>;
  remove(cameraId: string): Promise<void>;
  addAcceptance(a: RiskAcceptance): Promise<void>;
  acceptances(cameraId?: string): Promise<RiskAcceptance[]>;
  /** Marks an acceptance's expiry as recorded; false when another process did first. */
  markExpiryRecorded(id: string, atMs: number): Promise<boolean>;
}

/** The details of a risk-acceptance request (an approval of action `camera.manage`). */
export interface RiskAcceptanceRequest {
  readonly change: 'camera.riskAccept';
  readonly cameraId: string;
  readonly reason: string;
  readonly untilMs: number;
  readonly identityKey: string;
}

/** An inventory entry as shown: the asset, whether it is quarantined now, and its acceptance. */
export interface InventoryEntry {
  readonly asset: CameraAsset;
  readonly quarantined: boolean;
  readonly acceptance: RiskAcceptance | null;
}

/** Dependencies, by interface. */
export interface OnboardingDeps {
  readonly store: InventoryStore;
  readonly clock: Clock;
  readonly audit: AuditSink;
  /** The camera's name and its RTSP credentials (ONVIF usually shares them). */
  readonly cameras: { get(id: string): Promise<{ readonly id: string; readonly name: string; readonly url: string; readonly username: string | null; readonly password: string | null }> };
  readonly connect: (target: { readonly xaddr: string; readonly username: string | undefined; readonly password: string | undefined }) => OnvifClient;
  readonly probe: (opts: ProbeOptions) => Promise<DiscoveredDevice[]>;
  /**
   * The advisories (AST-4) and security score of an identity about to be stored, for the vet
   * step's evidence (issue 17 item 11); without it the event carries neither.
   */
  readonly assess?: (asset: CameraAsset) => Promise<VetAssessment>;
  /** The firmware trust store (AST-3); without it firmware is not judged. */
  readonly firmware?: { verdict(camera: { readonly vendor: string; readonly model: string; readonly firmware: string }): Promise<FirmwareVerdict> };
}

/** What the vet step adds to `camera.identified`: open advisories and the security score. */
export interface VetAssessment {
  readonly advisories: readonly { readonly advisoryId: string; readonly documentId: string; readonly cves: readonly string[]; readonly severity: string; readonly range: string }[];
  readonly score: { readonly total: number; readonly grade: string; readonly cappedBy: string | null; readonly factors: readonly { readonly id: string; readonly state: string; readonly points: number; readonly max: number; readonly evidence: string }[] };
}

/** Longest risk acceptance: a year; re-vetting at least yearly is the point of expiry. */
export const maxAcceptanceMs = 366 * 24 * 3_600_000;
const isoDate = /^\d{4}-(0[1-9]|1[0-2])-(0[1-9]|[12]\d|3[01])$/;

/** The onboarding rules. */
export class OnboardingService {
  readonly #d: OnboardingDeps;
  readonly #listeners: (() => void)[] = [];

  constructor(deps: OnboardingDeps) {
    this.#d = deps;
  }

  /** Registers a listener told after a quarantine may have changed (identify, accept), so the recorder re-checks at once. */
  onChange(listener: () => void): void {
    this.#listeners.push(listener);
  }

  /** Step 1: a WS-Discovery probe; audited with every answer. */
  async discover(opts: ProbeOptions, by: AuditContext): Promise<DiscoveredDevice[]> {
    const found = await this.#d.probe(opts);
    await this.#d.audit.record({
      type: 'camera.discovered', ...by, outcome: 'success',
      details: { interfaceAddress: opts.interfaceAddress ?? null, unicast: [...(opts.unicast ?? [])], found: found.map((f) => ({ endpoint: f.endpoint, xaddrs: [...f.xaddrs], from: f.from })) },
    });
    return found;
  }

  /**
   * Steps 2-3: identifies the camera over ONVIF at `xaddr` (with the camera's own credentials
   * when `xaddr` is on the camera's host, unless others are given; those are used once and not
   * kept), vets it, stores the inventory
   * entry (keeping the operator's fields) and, when it is not clear and no acceptance covers it,
   * records its quarantine.
   */
  async identify(cameraId: string, target: { readonly xaddr: string; readonly username?: string | undefined; readonly password?: string | undefined }, by: AuditContext): Promise<InventoryEntry> {
    const camera = await this.#d.cameras.get(cameraId);
    const subject = { ...by, target: { kind: 'camera', id: camera.id, name: camera.name }, cameraId: camera.id };
    // The camera's stored credentials go only to the camera's own host: an `xaddr` elsewhere
    // (chosen by whoever holds camera.manage) would otherwise receive a digest of them to attack.
    const ownHost = hostOf(target.xaddr) === hostOf(camera.url);
    const username = target.username ?? (ownHost ? camera.username : null) ?? undefined;
    const password = target.password ?? (ownHost ? camera.password : null) ?? undefined;
    let evidence;
    try {
      evidence = await identifyCamera(this.#d.connect({ xaddr: target.xaddr, username, password }), () => this.#d.clock.now());
    } catch (err) {
      if (!isAppError(err)) throw err;
      await this.#d.audit.record({ type: 'camera.identified', ...subject, outcome: 'failure', reason: `${err.code}: ${err.message}`.slice(0, 300) });
      throw err;
    }
    const vendorVerdict = vetVendor({ manufacturer: evidence.device.manufacturer, model: evidence.device.model, mac: evidence.mac });
    const firmware = await this.#d.firmware?.verdict({ vendor: evidence.device.manufacturer, model: evidence.device.model, firmware: evidence.device.firmwareVersion });
    const verdict = firmware === undefined ? vendorVerdict : { ...vendorVerdict, firmware };
    const vetting = vettingOf(evidence, vendorVerdict, firmware);
    const before = await this.#d.store.get(cameraId);
    const now = this.#d.clock.now();
    const asset: CameraAsset = {
      cameraId, onvifXaddr: target.xaddr, vendor: evidence.device.manufacturer, model: evidence.device.model, serial: evidence.device.serialNumber,
      mac: evidence.mac, firmware: evidence.device.firmwareVersion, hardwareId: evidence.device.hardwareId,
      location: before?.location ?? '', owner: before?.owner ?? '', installDate: before?.installDate ?? null, endOfSupport: before?.endOfSupport ?? null,
      vetting, evidence, verdict, identifiedMs: now, updatedMs: now,
    };
    const acceptances = await this.#d.store.acceptances(cameraId);
    const quarantined = isQuarantined(asset, acceptances, now);
    const assessed = await this.#d.assess?.(asset);
    await this.#d.audit.record({
      type: 'camera.identified', ...subject, outcome: 'success',
      details: {
        vendor: asset.vendor, model: asset.model, firmware: asset.firmware, serial: asset.serial, hardwareId: asset.hardwareId, mac: asset.mac,
        oui: asset.mac?.slice(0, 8) ?? null, clockOffsetMs: evidence.clock.offsetMs, profiles: evidence.profiles.map((p) => p.token),
        vetting, firmwareVetting: firmware ?? null, likelyRelabel: verdict.likelyRelabel, matches: verdict.matches.map((m) => ({ by: m.by, entryId: m.entryId, relation: m.relation, value: m.value, source: m.source })),
        ...(assessed === undefined ? {} : {
          advisories: assessed.advisories.map((a) => ({ advisoryId: a.advisoryId, documentId: a.documentId, cves: [...a.cves], severity: a.severity, range: a.range })),
          securityScore: { total: assessed.score.total, grade: assessed.score.grade, cappedBy: assessed.score.cappedBy, factors: assessed.score.factors.map((f) => ({ id: f.id, state: f.state, points: f.points, max: f.max, evidence: f.evidence })) },
        }),
      },
    });
    if (quarantined) {
      await this.#d.audit.record({ type: 'camera.quarantined', ...subject, outcome: 'success', reason: quarantineReason(asset), details: { vetting, likelyRelabel: verdict.likelyRelabel } });
    }
    await this.#d.store.put(asset);
    for (const l of this.#listeners) l();
    return { asset, quarantined, acceptance: quarantined ? null : (activeAcceptance(asset, acceptances, now) ?? null) };
  }

  /** Changes the operator's fields of an entry; audited with the fields and values. */
  async updateAsset(cameraId: string, patch: Partial<AssetFields>, by: AuditContext): Promise<InventoryEntry> {
    const before = await this.#d.store.get(cameraId);
    if (before === undefined) throw new AppError('NOT_FOUND', 'the camera has no inventory entry; identify it first', { cameraId });
    for (const k of ['installDate', 'endOfSupport'] as const) {
      const v = patch[k];
      if (v !== undefined && v !== null && (!isoDate.test(v) || Number.isNaN(Date.parse(v)))) throw new AppError('VALIDATION_FAILED', `${k} must be a date YYYY-MM-DD`, { field: k });
    }
    for (const k of ['location', 'owner'] as const) {
      const v = patch[k];
      if (v !== undefined && (v.length > 200 || /\p{Cc}/u.test(v))) throw new AppError('VALIDATION_FAILED', `${k} must be at most 200 characters without control characters`, { field: k });
    }
    const changed = (['location', 'owner', 'installDate', 'endOfSupport'] as const).filter((k) => patch[k] !== undefined && patch[k] !== before[k]);
    const after: CameraAsset = { ...before, ...Object.fromEntries(changed.map((k) => [k, patch[k]])), updatedMs: this.#d.clock.now() };
    if (changed.length > 0) {
      await this.#d.audit.record({
        type: 'camera.asset.updated', ...by, target: { kind: 'camera', id: cameraId }, cameraId, outcome: 'success',
        details: { changed: [...changed], values: Object.fromEntries(changed.map((k) => [k, after[k]])) },
      });
      await this.#d.store.put(after);
    }
    return this.#entry(after, await this.#d.store.acceptances(cameraId));
  }

  /** The inventory, with quarantine state now. */
  async list(): Promise<InventoryEntry[]> {
    const acceptances = await this.#d.store.acceptances();
    return (await this.#d.store.list()).map((a) => this.#entry(a, acceptances));
  }

  /** One entry, or NOT_FOUND. */
  async get(cameraId: string): Promise<InventoryEntry> {
    const a = await this.#d.store.get(cameraId);
    if (a === undefined) throw new AppError('NOT_FOUND', 'the camera has no inventory entry', { cameraId });
    return this.#entry(a, await this.#d.store.acceptances(cameraId));
  }

  /** Ids of the cameras in quarantine now (the recorder skips them). */
  async quarantinedIds(): Promise<Set<string>> {
    return new Set((await this.list()).filter((e) => e.quarantined).map((e) => e.asset.cameraId));
  }

  /** Validates a risk-acceptance request and returns its details for the four-eyes request. */
  async acceptanceRequest(cameraId: string, reason: string, untilMs: number): Promise<RiskAcceptanceRequest> {
    const entry = await this.get(cameraId);
    const now = this.#d.clock.now();
    if (entry.asset.vetting === 'clear') throw new AppError('VALIDATION_FAILED', 'the camera is vetted clear; there is no risk to accept', { cameraId });
    const why = reason.trim();
    if (why === '' || why.length > 500 || /\p{Cc}/u.test(why)) throw new AppError('VALIDATION_FAILED', 'give a reason of 1 to 500 characters on one line', { field: 'reason' });
    if (!Number.isFinite(untilMs) || untilMs <= now || untilMs > now + maxAcceptanceMs) throw new AppError('VALIDATION_FAILED', 'until must be in the future and at most a year ahead', { field: 'until' });
    return { change: 'camera.riskAccept', cameraId, reason: why, untilMs, identityKey: identityKey(entry.asset) };
  }

  /**
   * Records an approved acceptance (the four-eyes executor calls it; `by` is the approver). The
   * identity MUST still be the one the request was made for.
   */
  async accept(req: RiskAcceptanceRequest, approval: { readonly id: string; readonly requestedBy: string; readonly decidedBy: string | null }, by: AuditContext): Promise<RiskAcceptance> {
    const { id: approvalId, requestedBy } = approval;
    // The approver as the four-eyes service recorded them (`user:<id>`), whatever credential they used.
    const approvedBy = approval.decidedBy ?? by.actor.id;
    const entry = await this.get(req.cameraId);
    if (identityKey(entry.asset) !== req.identityKey) throw new AppError('CONFLICT', 'the camera was identified again with another identity since the request; ask again', { cameraId: req.cameraId });
    const now = this.#d.clock.now();
    if (req.untilMs <= now) throw new AppError('VALIDATION_FAILED', 'the acceptance would already have expired', { field: 'until' });
    const acceptance: RiskAcceptance = { id: randomUUID(), cameraId: req.cameraId, reason: req.reason, requestedBy, approvedBy, approvalId, untilMs: req.untilMs, createdMs: now, identityKey: req.identityKey, expiryRecordedMs: null };
    await this.#d.audit.record({
      type: 'camera.risk.accepted', ...by, target: { kind: 'camera', id: req.cameraId }, cameraId: req.cameraId, outcome: 'success', reason: req.reason,
      details: { approvalId, requestedBy, approvedBy, untilMs: req.untilMs, vetting: entry.asset.vetting },
    });
    await this.#d.store.addAcceptance(acceptance);
    for (const l of this.#listeners) l();
    return acceptance;
  }

  /**
   * Records, once per acceptance, the quarantine of a camera whose acceptance expired and that
   * no other acceptance covers (raising the alarm). Called on every recorder reconcile.
   */
  async recordExpiries(by: AuditContext): Promise<number> {
    const now = this.#d.clock.now();
    const acceptances = await this.#d.store.acceptances();
    let n = 0;
    for (const a of acceptances) {
      if (a.untilMs > now || a.expiryRecordedMs !== null) continue;
      const asset = await this.#d.store.get(a.cameraId);
      if (asset === undefined || !isQuarantined(asset, acceptances, now)) continue;
      await this.#d.audit.record({ type: 'camera.quarantined', ...by, target: { kind: 'camera', id: a.cameraId }, cameraId: a.cameraId, outcome: 'success', reason: 'risk acceptance expired', details: { acceptanceId: a.id, untilMs: a.untilMs, vetting: asset.vetting } });
      if (await this.#d.store.markExpiryRecorded(a.id, now)) n += 1;
    }
    return n;
  }

  #entry(asset: CameraAsset, acceptances: readonly RiskAcceptance[]): InventoryEntry {
    const now = this.#d.clock.now();
    return { asset, quarantined: isQuarantined(asset, acceptances, now), acceptance: asset.vetting === 'clear' ? null : (activeAcceptance(asset, acceptances, now) ?? null) };
  }
}

function hostOf(url: string): string | null {
  try {
    return new URL(url).hostname.toLowerCase();
  } catch {
    return null;
  }
}

function quarantineReason(a: CameraAsset): string {
  if (a.verdict.likelyRelabel) return `likely relabel: ${a.verdict.matches.filter((m) => m.by !== 'manufacturer').map((m) => `${m.by} ${m.value} is ${m.entryId}`).join(', ')}`;
  if (a.vetting === 'flagged') return `prohibited vendor: ${a.verdict.matches.map((m) => `${m.by} ${m.value} is ${m.entryId}`).join(', ')}`;
  if (a.verdict.firmware === 'not vetted') return `firmware ${a.firmware} is not a vetted release of ${a.vendor} ${a.model}`;
  return 'identity could not be vetted (no MAC address or manufacturer)';
}
