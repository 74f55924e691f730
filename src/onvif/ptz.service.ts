/**
 * PTZ through ONVIF (issue 17 item 10): moves, stops and presets of an identified camera, with
 * the audit granularity of ptz-sessions.ts. A camera is moved only when it has an inventory
 * entry with an ONVIF address, is not quarantined, and its device lists a PTZ service on the
 * device's own host (credentials never go to another host a camera names). The camera's stored
 * credentials are used only when its ONVIF address is on its RTSP URL's host, as at identify.
 */
import { createHash } from 'node:crypto';
import type { AuditContext } from '../audit/audit-event.ts';
import type { AuditSink } from '../audit/ledger.ts';
import type { Clock } from '../lib/clock.ts';
import { AppError, isAppError } from '../lib/errors.ts';
import { ns } from './namespaces.ts';
import type { OnboardingDeps, InventoryEntry } from './onboarding.service.ts';
import { createPtzClient } from './ptz-client.ts';
import type { PtzClient } from './ptz-client.ts';
import type { PtzPreset, PtzStatus, PtzVector } from './ptz-responses.ts';
import type { PtzSessions } from './ptz-sessions.ts';

/** Dependencies, by interface. */
export interface PtzDeps {
  readonly inventory: { get(cameraId: string): Promise<InventoryEntry> };
  readonly cameras: OnboardingDeps['cameras'];
  readonly connect: OnboardingDeps['connect'];
  readonly sessions: PtzSessions;
  readonly audit: AuditSink;
  readonly clock: Clock;
}

/** How long a camera's PTZ address and clock offset are reused before asking again. */
const clientTtlMs = 60_000;

function hostOf(url: string): string | null {
  try {
    return new URL(url).hostname.toLowerCase();
  } catch {
    return null;
  }
}

const unavailable = (why: string, cameraId: string): AppError => new AppError('PTZ_UNAVAILABLE', `PTZ unavailable: ${why}`, { cameraId });

/** The PTZ rules. */
export class PtzService {
  readonly #d: PtzDeps;
  readonly #clients = new Map<string, { client: PtzClient; key: string; atMs: number }>();

  constructor(deps: PtzDeps) {
    this.#d = deps;
  }

  async #client(cameraId: string): Promise<PtzClient> {
    let entry: InventoryEntry;
    try {
      entry = await this.#d.inventory.get(cameraId);
    } catch (e) {
      if (isAppError(e, 'NOT_FOUND')) throw unavailable('the camera was not identified over ONVIF (POST /api/v1/cameras/{id}/identify)', cameraId);
      throw e;
    }
    if (entry.quarantined) throw unavailable('the camera is quarantined', cameraId);
    const xaddr = entry.asset.onvifXaddr;
    const profile = entry.asset.evidence.profiles[0]?.token;
    if (xaddr === null || profile === undefined) throw unavailable('the camera has no ONVIF address or media profile', cameraId);
    const camera = await this.#d.cameras.get(cameraId);
    // A changed address, identification or credential makes a new client (the password only as a digest).
    const secret = createHash('sha256').update(camera.password ?? '').digest('hex');
    const key = `${xaddr}\u0000${profile}\u0000${entry.asset.identifiedMs}\u0000${camera.url}\u0000${camera.username ?? ''}\u0000${secret}`;
    const cached = this.#clients.get(cameraId);
    const now = this.#d.clock.now();
    if (cached?.key === key && now - cached.atMs < clientTtlMs) return cached.client;
    const ownHost = hostOf(xaddr) === hostOf(camera.url);
    const onvif = this.#d.connect({ xaddr, username: ownHost ? (camera.username ?? undefined) : undefined, password: ownHost ? (camera.password ?? undefined) : undefined });
    await onvif.systemDateAndTime();
    let services;
    try {
      services = await onvif.services();
    } catch (e) {
      if (!isAppError(e, 'ONVIF_FAULT')) throw e;
      services = await onvif.capabilities();
    }
    const ptzXaddr = services.find((s) => s.namespace === ns.tptz)?.xaddr;
    if (ptzXaddr === undefined) throw unavailable('the camera lists no PTZ service', cameraId);
    if (hostOf(ptzXaddr) !== hostOf(xaddr)) throw unavailable('the camera names a PTZ service on another host', cameraId);
    const client = createPtzClient(onvif, ptzXaddr, profile);
    this.#clients.set(cameraId, { client, key, atMs: now });
    return client;
  }

  /** A continuous move; the first after idle starts the mover's session (audited first). */
  async move(cameraId: string, velocity: PtzVector, timeoutMs: number, by: AuditContext): Promise<'started' | 'continued'> {
    const client = await this.#client(cameraId);
    const continued = this.#d.sessions.isOpen(cameraId, by);
    // Velocities as text: the ledger's canonical JSON holds integers only.
    await this.#d.sessions.moved(cameraId, by, { pan: String(velocity.pan), tilt: String(velocity.tilt), zoom: String(velocity.zoom), timeoutMs });
    await client.continuousMove(velocity, timeoutMs);
    return continued ? 'continued' : 'started';
  }

  /** Stops the camera and ends the caller's session. */
  async stop(cameraId: string, by: AuditContext): Promise<void> {
    await (await this.#client(cameraId)).stop();
    await this.#d.sessions.stopped(cameraId, by);
  }

  async presets(cameraId: string): Promise<PtzPreset[]> {
    return (await this.#client(cameraId)).presets();
  }

  async status(cameraId: string): Promise<PtzStatus> {
    return (await this.#client(cameraId)).status();
  }

  /** Sends the camera to a preset; audited first. */
  async gotoPreset(cameraId: string, token: string, by: AuditContext): Promise<void> {
    const client = await this.#client(cameraId);
    await this.#d.audit.record({ type: 'camera.ptz.preset.goto', ...by, target: { kind: 'camera', id: cameraId }, cameraId, outcome: 'success', details: { token } });
    await client.gotoPreset(token);
  }

  /**
   * Stores the current position as a preset. The camera chooses a new preset's token, so the
   * event is recorded after its answer: with outcome failure and the reason when it refused.
   */
  async setPreset(cameraId: string, name: string, token: string | undefined, by: AuditContext): Promise<PtzPreset> {
    const client = await this.#client(cameraId);
    const subject = { ...by, target: { kind: 'camera', id: cameraId }, cameraId };
    let set: string;
    try {
      set = await client.setPreset(name, token);
    } catch (e) {
      if (isAppError(e)) await this.#d.audit.record({ type: 'camera.ptz.preset.set', ...subject, outcome: 'failure', reason: `${e.code}: ${e.message}`.slice(0, 300), details: { name, token: token ?? null } });
      throw e;
    }
    await this.#d.audit.record({ type: 'camera.ptz.preset.set', ...subject, outcome: 'success', details: { name, token: set, replaced: token !== undefined } });
    return { token: set, name };
  }
}
