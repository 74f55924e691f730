import { randomUUID } from 'node:crypto';
import { AppError } from '../lib/errors.ts';
import type { Clock } from '../lib/clock.ts';
import type { AuditContext } from '../audit/audit-event.ts';
import type { AuditSink } from '../audit/ledger.ts';
import { defaultMinRetentionHours, defaultRetentionHours, subStreamRetention, type Camera, type CameraInput, type CameraPatch } from './camera.ts';
import { parseCameraUrl, sameCameraHost } from './camera-url.ts';
import { resolveSubStreamUrl } from './sub-stream-url.ts';

/** What the service needs from storage (implemented by cameras.store.ts). */
export interface CameraStore {
  list(): Promise<Camera[]>;
  get(id: string): Promise<Camera | undefined>;
  findByName(name: string): Promise<Camera | undefined>;
  findByUrl(url: string): Promise<Camera | undefined>;
  insert(camera: Camera): Promise<void>;
  update(camera: Camera): Promise<void>;
  remove(id: string): Promise<boolean>;
  /** True when a site with this id exists. */
  siteExists(id: string): Promise<boolean>;
}

/** Told after every change so the recorder can start, restart or stop ingest. */
export type CameraChangeListener = (id: string, camera: Camera | undefined) => void;

/**
 * Rules for cameras: validation, duplicates, credentials held apart from the URL. Every change
 * is audited: the event is committed to the ledger after validation and before the change, so
 * a ledger that cannot write stops the change (AUDIT_UNAVAILABLE); a change that then fails in
 * the store is recorded again with outcome `failure`.
 */
export class CamerasService {
  readonly #store: CameraStore;
  readonly #clock: Clock;
  readonly #audit: AuditSink;
  readonly #listeners: CameraChangeListener[] = [];

  constructor(store: CameraStore, clock: Clock, audit: AuditSink) {
    this.#store = store;
    this.#clock = clock;
    this.#audit = audit;
  }

  /** Registers a listener for camera changes. */
  onChange(listener: CameraChangeListener): void {
    this.#listeners.push(listener);
  }

  list(): Promise<Camera[]> {
    return this.#store.list();
  }

  /** The camera, or NOT_FOUND. */
  async get(id: string): Promise<Camera> {
    const camera = await this.#store.get(id);
    if (!camera) throw new AppError('NOT_FOUND', 'camera not found', { cameraId: id });
    return camera;
  }

  /** Adds a camera after validating its URL and checking for duplicates. */
  async add(input: CameraInput, by: AuditContext): Promise<Camera> {
    const now = this.#clock.now();
    const fields = resolveUrlAndCredentials(input.url, input, { username: null, password: null });
    let camera: Camera = {
      id: randomUUID(),
      name: validName(input.name),
      ...fields,
      tlsCaPem: validCaPem(input.tlsCaPem ?? null),
      enabled: input.enabled ?? true,
      retentionHours: input.retentionHours ?? defaultRetentionHours,
      minRetentionHours: input.minRetentionHours ?? defaultMinRetentionHours,
      ingest: input.ingest ?? 'auto',
      siteId: input.siteId ?? 'default',
      subStreamUrl: null,
      recordAudio: input.recordAudio ?? false,
      recordSubStream: input.recordSubStream ?? false,
      subStreamRetentionHours: input.subStreamRetentionHours ?? null,
      createdMs: now,
      updatedMs: now,
    };
    if (input.subStreamUrl !== undefined && input.subStreamUrl !== null) camera = { ...camera, subStreamUrl: resolveSubStreamUrl(input.subStreamUrl, camera) };
    assertTrustFitsUrl(camera);
    assertMinRetention(camera);
    assertSubStreamRecording(camera, input);
    await this.#assertUnique(camera);
    await this.#assertSite(camera.siteId);
    const details = { siteId: camera.siteId, url: camera.url, enabled: camera.enabled, retentionHours: camera.retentionHours, minRetentionHours: camera.minRetentionHours, ingest: camera.ingest, hasCredentials: camera.username !== null || camera.password !== null, tlsTrustAnchor: camera.tlsCaPem !== null, subStream: (camera.subStreamUrl ?? null) !== null, recordAudio: camera.recordAudio === true, recordSubStream: camera.recordSubStream === true, subStreamRetentionHours: subStreamRetention(camera) };
    await this.#audited('camera.created', camera, by, details, () => this.#store.insert(camera));
    this.#emit(camera.id, camera);
    return camera;
  }

  /**
   * Changes a camera; credentials given as `null` are cleared, omitted ones are kept — but only
   * while the camera stays on its host: a URL naming another host MUST NOT inherit the stored
   * credentials (whoever may change the URL could otherwise point the camera at their own host
   * and receive them), so they are dropped unless given again in the same change.
   */
  async update(id: string, patch: CameraPatch, by: AuditContext): Promise<Camera> {
    const current = await this.get(id);
    const url = patch.url ?? current.url;
    const moved = patch.url !== undefined && !sameCameraHost(parseCameraUrl(url).url, current.url);
    const kept = moved ? { username: null, password: null } : current;
    const urlFields = resolveUrlAndCredentials(url, patch, kept);
    const dropped = moved && (current.username !== null || current.password !== null) && urlFields.username === null && urlFields.password === null;
    let camera: Camera = {
      ...current,
      ...urlFields,
      name: patch.name === undefined ? current.name : validName(patch.name),
      tlsCaPem: patch.tlsCaPem === undefined ? current.tlsCaPem : validCaPem(patch.tlsCaPem),
      enabled: patch.enabled ?? current.enabled,
      retentionHours: patch.retentionHours ?? current.retentionHours,
      minRetentionHours: patch.minRetentionHours ?? current.minRetentionHours,
      ingest: patch.ingest ?? current.ingest,
      siteId: patch.siteId ?? current.siteId,
      recordAudio: patch.recordAudio ?? current.recordAudio ?? false,
      recordSubStream: patch.recordSubStream ?? current.recordSubStream ?? false,
      subStreamRetentionHours: patch.subStreamRetentionHours === undefined ? (current.subStreamRetentionHours ?? null) : patch.subStreamRetentionHours,
      updatedMs: this.#clock.now(),
    };
    // The sub-stream follows the camera's host like its credentials: a moved camera drops it
    // unless it is given again in the same change; a kept one is checked again (scheme, host).
    const sub = patch.subStreamUrl !== undefined ? patch.subStreamUrl : moved ? null : (current.subStreamUrl ?? null);
    const subDropped = moved && patch.subStreamUrl === undefined && (current.subStreamUrl ?? null) !== null;
    camera = { ...camera, subStreamUrl: sub === null ? null : resolveSubStreamUrl(sub, camera) };
    // Its recording goes with it, unless asked for again in the same change (then refused below).
    if (subDropped && patch.recordSubStream === undefined) camera = { ...camera, recordSubStream: false };
    assertTrustFitsUrl(camera);
    assertMinRetention(camera);
    assertSubStreamRecording(camera, patch);
    await this.#assertUnique(camera);
    if (camera.siteId !== current.siteId) await this.#assertSite(camera.siteId);
    // Names of the fields changed, never credential values.
    const changed = (['name', 'url', 'username', 'password', 'tlsCaPem', 'enabled', 'retentionHours', 'minRetentionHours', 'ingest', 'siteId', 'subStreamUrl', 'recordAudio', 'recordSubStream', 'subStreamRetentionHours'] as const).filter((k) => (camera[k] ?? null) !== (current[k] ?? null));
    const details: Record<string, string[] | boolean | number> = { changed: [...changed] };
    // Dual recording settings are not secret: the event says what they became.
    if (changed.includes('recordSubStream')) details.recordSubStream = camera.recordSubStream === true;
    if (changed.includes('subStreamRetentionHours') || changed.includes('retentionHours')) details.subStreamRetentionHours = subStreamRetention(camera);
    if (dropped) details.credentialsDropped = true;
    if (subDropped) details.subStreamDropped = true;
    await this.#audited('camera.updated', camera, by, details, () => this.#store.update(camera));
    this.#emit(id, camera);
    return camera;
  }

  /** Removes a camera (its recordings age out under retention). */
  async remove(id: string, by: AuditContext): Promise<void> {
    const camera = await this.get(id);
    await this.#audited('camera.deleted', camera, by, {}, async () => {
      if (!(await this.#store.remove(id))) throw new AppError('NOT_FOUND', 'camera not found', { cameraId: id });
    });
    this.#emit(id, undefined);
  }

  async #audited(type: 'camera.created' | 'camera.updated' | 'camera.deleted', camera: Camera, by: AuditContext, details: Record<string, string | number | boolean | string[]>, change: () => Promise<void>): Promise<void> {
    const event = { type, ...by, target: { kind: 'camera', id: camera.id, name: camera.name }, cameraId: camera.id, details } as const;
    await this.#audit.record({ ...event, outcome: 'success' });
    try {
      await change();
    } catch (e) {
      await this.#audit.record({ ...event, outcome: 'failure', reason: e instanceof Error ? e.message.split('\n')[0] : String(e) }).catch(() => undefined);
      throw e;
    }
  }

  async #assertUnique(camera: Camera): Promise<void> {
    const sameName = await this.#store.findByName(camera.name);
    if (sameName && sameName.id !== camera.id) {
      throw new AppError('CAMERA_NAME_TAKEN', `a camera named "${camera.name}" already exists`, { cameraId: sameName.id });
    }
    const sameUrl = await this.#store.findByUrl(camera.url);
    if (sameUrl && sameUrl.id !== camera.id) {
      throw new AppError('CAMERA_URL_TAKEN', `camera "${sameUrl.name}" already records this URL`, { cameraId: sameUrl.id });
    }
  }

  async #assertSite(siteId: string): Promise<void> {
    if (!(await this.#store.siteExists(siteId))) throw new AppError('VALIDATION_FAILED', `no site ${siteId}`, { field: 'siteId' });
  }

  #emit(id: string, camera: Camera | undefined): void {
    for (const listener of this.#listeners) listener(id, camera);
  }
}

/** A TLS trust anchor only means something for an rtsps:// camera. */
function assertTrustFitsUrl(camera: Camera): void {
  if (camera.tlsCaPem !== null && !camera.url.startsWith('rtsps:')) {
    throw new AppError('VALIDATION_FAILED', 'tlsCaPem applies to rtsps:// cameras only', { field: 'tlsCaPem' });
  }
}

/**
 * A trust anchor must be PEM certificates (one or more); it is public data, checked for shape
 * here and parsed by the TLS stack when used.
 */
function validCaPem(pem: string | null): string | null {
  if (pem === null) return null;
  const trimmed = pem.trim();
  if (!/^-----BEGIN CERTIFICATE-----[\s\S]+-----END CERTIFICATE-----$/.test(trimmed) || trimmed.length > 64 * 1024) {
    throw new AppError('VALIDATION_FAILED', 'tlsCaPem must be PEM certificates (-----BEGIN CERTIFICATE-----), at most 64 KiB', { field: 'tlsCaPem' });
  }
  return `${trimmed}\n`;
}

/**
 * Control characters (C0, DEL, C1), line and paragraph separators and bidirectional overrides:
 * a name is printed on operators' terminals (`custos camera list`) and in pages, where these
 * would move the cursor, rewrite the screen or reorder the text around them.
 */
const UNPRINTABLE = /[\p{Cc}\u2028\u2029\u202a-\u202e\u2066-\u2069]/u;

function validName(name: string): string {
  const trimmed = name.trim();
  if (trimmed.length < 1 || trimmed.length > 100) throw new AppError('VALIDATION_FAILED', 'camera name must be 1 to 100 characters', { field: 'name' });
  if (UNPRINTABLE.test(trimmed)) throw new AppError('VALIDATION_FAILED', 'camera name must not hold control characters', { field: 'name' });
  return trimmed;
}

/**
 * Credentials may come in the URL's userinfo or as separate fields, not both: giving both is
 * ambiguous and refused rather than silently picking one. Fields left undefined keep `current`.
 */
function resolveUrlAndCredentials(
  rawUrl: string,
  given: { username?: string | null | undefined; password?: string | null | undefined },
  current: { username: string | null; password: string | null },
): { url: string; username: string | null; password: string | null } {
  const parsed = parseCameraUrl(rawUrl);
  const inUrl = parsed.username !== null || parsed.password !== null;
  const inFields = given.username !== undefined || given.password !== undefined;
  if (inUrl && inFields) throw new AppError('CAMERA_URL_INVALID', 'credentials given both in the URL and as fields; give them once');
  if (inUrl) return parsed;
  return {
    url: parsed.url,
    username: given.username === undefined ? current.username : given.username,
    password: given.password === undefined ? current.password : given.password,
  };
}

/** The minimum kept under disk pressure cannot exceed what retention keeps at all. */
function assertMinRetention(camera: Camera): void {
  if (!Number.isInteger(camera.minRetentionHours) || camera.minRetentionHours < 0 || camera.minRetentionHours > camera.retentionHours) {
    throw new AppError('VALIDATION_FAILED', `minRetentionHours must be a whole number from 0 to the camera's retentionHours (${camera.retentionHours})`, { field: 'minRetentionHours' });
  }
}

/**
 * Dual recording (ADR 0043): the sub-stream can be recorded only when the camera names one, and
 * its retention is a whole number of hours from 1 to the camera's retention: the camera's
 * retention is the longest any of its footage is kept (the figure the signage and the records
 * of processing state), so a lower-resolution copy MUST NOT outlive it. A change that lowers
 * `retentionHours` below an explicit sub-stream retention is refused too, naming the field the
 * caller changed.
 */
export function assertSubStreamRecording(camera: Camera, given: Pick<CameraPatch, 'subStreamRetentionHours'>): void {
  if (camera.recordSubStream === true && (camera.subStreamUrl ?? null) === null) {
    throw new AppError('VALIDATION_FAILED', 'recordSubStream needs a subStreamUrl: the camera has no sub-stream to record', { field: 'recordSubStream' });
  }
  const hours = camera.subStreamRetentionHours ?? null;
  if (hours === null) return;
  if (!Number.isInteger(hours) || hours < 1 || hours > camera.retentionHours) {
    const field = given.subStreamRetentionHours === undefined ? 'retentionHours' : 'subStreamRetentionHours';
    throw new AppError('VALIDATION_FAILED', `subStreamRetentionHours must be a whole number from 1 to the camera's retentionHours (${camera.retentionHours}): the sub-stream is never kept longer than the camera's footage`, { field });
  }
}
