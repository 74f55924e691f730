import { inCameraSet, type Access } from '../access/access.ts';
import { z } from 'zod';
import { AppError } from '../lib/errors.ts';
import * as api from '../api/schemas.ts';
import { defineRoute, type RouteSpec } from '../access/request-context.ts';
import type { MonotonicClock } from '../lib/monotonic-clock.ts';
import type { Camera } from './camera.ts';
import { cameraTransport } from './camera-url.ts';
import type { CamerasService } from './cameras.service.ts';
import type { ApprovalsService } from '../approvals/approvals.service.ts';
import type { GrantsService } from '../access/grants.service.ts';
import { requestSensitiveChange, sensitiveCameraPatch } from '../approvals/sensitive-change.ts';
import { X509Certificate } from 'node:crypto';

/**
 * The recorder's state of one camera, as the recorder reports it (recording/camera-status.ts):
 * the status DTO with instants instead of the text and countdown the API shows.
 */
export type RecorderStatus = Omit<api.CameraStatusDto, 'since' | 'retryInSeconds' | 'viewers' | 'subStream'> & { readonly sinceMs: number; readonly retryAtMs: number | null };

/** Dependencies of the camera routes. Route builders MUST NOT use them before a handler runs. */
export interface CameraRouteDeps {
  readonly cameras: CamerasService;
  /** The recorder's state of a camera (recording/recorder.ts). */
  readonly recorder: {
    status(camera: Camera): RecorderStatus;
    /** The camera's sub-stream recording on this node (ADR 0043), or null when it is not recorded here. */
    subStatus?(camera: Camera): RecorderStatus | null;
  };
  /** Who watches a camera live (live/live-hub.ts). */
  readonly live: { viewerCount(cameraId: string): number };
  /** Viewers of the main and sub-streams together (recording/sub-stream-feeds.ts), when sub-streams are served. */
  readonly liveFeeds?: { viewerCount(cameraId: string): number };
  readonly approvals: ApprovalsService;
  /** Grants, to refuse a move that would widen an ordinary footage grant over a four-eyes site. */
  readonly grants: GrantsService;
  /** True when the site applies the four-eyes rule. */
  readonly fourEyes: (siteId: string) => Promise<boolean>;
  /** True when the camera has recorded footage (closed or in progress). */
  readonly hasFootage: (cameraId: string) => Promise<boolean>;
  /** The clock the recorder's retry countdown runs on. */
  readonly monotonic: MonotonicClock;
}

/** Camera CRUD. Credentials are accepted on write and never returned. */
export function cameraRoutes(deps: CameraRouteDeps): RouteSpec[] {
  const view = (camera: Camera): api.CameraDto => toDto(camera, deps);
  return [
    defineRoute({
      method: 'GET',
      url: '/api/v1/cameras',
      access: 'camera.read',
      summary: 'List cameras with their recording status',
      tag: 'cameras',
      response: { status: 200, schema: z.array(api.camera) },
      handler: async ({ access }) => {
        const visible = await access.cameras('camera.read');
        return (await deps.cameras.list()).filter((c) => inCameraSet(visible, c.id)).map(view);
      },
    }),
    defineRoute({
      method: 'POST',
      url: '/api/v1/cameras',
      access: 'camera.manage',
      summary: 'Add a camera',
      tag: 'cameras',
      body: api.cameraCreate,
      audit: 'camera.created',
      response: { status: 201, schema: api.camera },
      handler: async ({ body, audit, access }) => {
        access.requireSite('camera.manage', body.siteId ?? 'default');
        return view(await concealConflicts(access, () => deps.cameras.add(body, audit)));
      },
    }),
    defineRoute({
      method: 'GET',
      url: '/api/v1/cameras/:id',
      access: 'camera.read',
      summary: 'Get a camera',
      tag: 'cameras',
      scope: { camera: 'id' },
      params: api.idParams,
      response: { status: 200, schema: api.camera },
      handler: async ({ params }) => view(await deps.cameras.get(params.id)),
    }),
    defineRoute({
      method: 'PATCH',
      url: '/api/v1/cameras/:id',
      access: 'camera.manage',
      summary: 'Change a camera (at a four-eyes site, lowering retention or moving it to a site without four-eyes waits for a second person: APPROVAL_REQUIRED)',
      tag: 'cameras',
      scope: { camera: 'id' },
      params: api.idParams,
      body: api.cameraUpdate,
      audit: 'camera.updated',
      response: { status: 200, schema: api.camera },
      handler: async ({ params, body, audit, access, principal }) => {
        // Moving a camera needs the permission on the site it moves to as well.
        if (body.siteId !== undefined) access.requireSite('camera.manage', body.siteId);
        if (principal) {
          const current = await deps.cameras.get(params.id);
          const fourEyes = { current: await deps.fourEyes(current.siteId), target: body.siteId === undefined ? true : await deps.fourEyes(body.siteId) };
          const sensitive = sensitiveCameraPatch(current, body, fourEyes);
          if (sensitive) return requestSensitiveChange(deps.approvals, sensitive, principal, audit);
        }
        const update = () => concealConflicts(access, () => deps.cameras.update(params.id, body, audit));
        if (!principal || body.siteId === undefined) return view(await update());
        // A camera moved under a four-eyes site takes the footage grants on it and its groups along.
        const siteId = body.siteId;
        return view(
          await deps.grants.exclusive(async () => {
            await deps.grants.assertNoNewFourEyesReach((p) => (p.id === params.id ? { ...p, siteId } : p));
            return update();
          }),
        );
      },
    }),
    defineRoute({
      method: 'DELETE',
      url: '/api/v1/cameras/:id',
      access: 'camera.manage',
      summary: 'Remove a camera (its recordings age out under the default retention); at a four-eyes site, a camera with footage waits for a second person (APPROVAL_REQUIRED)',
      tag: 'cameras',
      scope: { camera: 'id' },
      params: api.idParams,
      audit: 'camera.deleted',
      response: { status: 204 },
      handler: async ({ params, audit, principal }) => {
        const camera = await deps.cameras.get(params.id);
        if (principal && (await deps.fourEyes(camera.siteId)) && (await deps.hasFootage(camera.id))) {
          return requestSensitiveChange(deps.approvals, { change: 'camera.delete', cameraId: camera.id }, principal, audit);
        }
        await deps.cameras.remove(params.id, audit);
        return undefined;
      },
    }),
  ];
}

/**
 * Names and URLs are unique across all cameras, so a conflict can name a camera the caller may
 * not see. Its id and name MUST then stay out of the answer: the 409 says only that the name or
 * URL is taken (which uniqueness cannot hide), as for a camera that does not exist.
 */
async function concealConflicts(access: Access, change: () => Promise<Camera>): Promise<Camera> {
  try {
    return await change();
  } catch (e) {
    if (!(e instanceof AppError) || (e.code !== 'CAMERA_NAME_TAKEN' && e.code !== 'CAMERA_URL_TAKEN')) throw e;
    const other = e.detail?.cameraId;
    if (typeof other === 'string' && (await access.canCamera('camera.read', other))) throw e;
    throw e.code === 'CAMERA_NAME_TAKEN'
      ? new AppError('CAMERA_NAME_TAKEN', 'another camera already has this name')
      : new AppError('CAMERA_URL_TAKEN', 'another camera already records this URL');
  }
}

/** Fingerprint and subject of a trust anchor's first certificate, for display (never the PEM). */
function trustOf(pem: string | null): { sha256: string; subject: string } | null {
  if (pem === null) return null;
  try {
    const cert = new X509Certificate(pem);
    return { sha256: cert.fingerprint256, subject: cert.subject.replace(/\n/g, ', ') };
  } catch {
    return { sha256: 'unparseable', subject: '' };
  }
}

/** The API view of a camera: no credentials, with transport and live status. */
export function toDto(camera: Camera, deps: Pick<CameraRouteDeps, 'recorder' | 'live' | 'liveFeeds' | 'monotonic'>): api.CameraDto {
  const status = deps.recorder.status(camera);
  const sub = camera.enabled ? (deps.recorder.subStatus?.(camera) ?? null) : null;
  const retryIn = (atMs: number | null) => (atMs === null ? null : Math.max(0, Math.round((atMs - deps.monotonic.now()) / 1000)));
  return {
    id: camera.id,
    name: camera.name,
    url: camera.url,
    hasCredentials: camera.username !== null || camera.password !== null,
    transport: cameraTransport(camera.url),
    tlsTrust: trustOf(camera.tlsCaPem),
    enabled: camera.enabled,
    retentionHours: camera.retentionHours,
    minRetentionHours: camera.minRetentionHours,
    ingest: camera.ingest,
    siteId: camera.siteId,
    subStreamUrl: camera.subStreamUrl ?? null,
    recordAudio: camera.recordAudio === true,
    recordSubStream: camera.recordSubStream === true,
    subStreamRetentionHours: camera.subStreamRetentionHours ?? null,
    createdAt: new Date(camera.createdMs).toISOString(),
    updatedAt: new Date(camera.updatedMs).toISOString(),
    status: {
      state: camera.enabled ? status.state : 'disabled',
      since: new Date(status.sinceMs).toISOString(),
      lastError: status.lastError,
      retryInSeconds: retryIn(status.retryAtMs),
      ingest: status.ingest,
      bytes: status.bytes,
      fragments: status.fragments,
      frames: status.frames,
      reconnects: status.reconnects,
      lostPackets: status.lostPackets,
      droppedFrames: status.droppedFrames,
      audio: status.audio,
      clockOffsetMs: status.clockOffsetMs,
      viewers: (deps.liveFeeds ?? deps.live).viewerCount(camera.id),
      subStream:
        sub === null || sub.state === 'disabled' || sub.state === 'quarantined'
          ? null
          : { state: sub.state, since: new Date(sub.sinceMs).toISOString(), lastError: sub.lastError, retryInSeconds: retryIn(sub.retryAtMs), ingest: sub.ingest, bytes: sub.bytes, fragments: sub.fragments, frames: sub.frames, reconnects: sub.reconnects },
    },
  };
}
