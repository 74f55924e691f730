import * as api from '../api/schemas.ts';
import { AppError, isAppError } from '../lib/errors.ts';
import { defineRoute, type RouteSpec } from '../access/request-context.ts';
import type { CamerasService } from '../cameras/cameras.service.ts';
import type { LiveHub, LiveViewer } from './live-hub.ts';
import type { AuditSink } from '../audit/ledger.ts';
import type { Camera } from '../cameras/camera.ts';

/** Where a viewer of a camera's main or sub-stream is attached (SubStreamFeeds in recording/). */
export interface LiveFeeds {
  /** Which stream a viewer asking for `stream` gets (`sub` falls back to `main`). */
  served(camera: Camera, stream: 'main' | 'sub'): 'main' | 'sub';
  /** Adds a viewer; returns the function that removes it. */
  subscribe(camera: Camera, stream: 'main' | 'sub', viewer: LiveViewer): () => void;
  /** Viewers of a camera now, of either stream. */
  viewerCount(cameraId: string): number;
}

/** Dependencies of the live route. Route builders MUST NOT use them before a handler runs. */
export interface LiveRouteDeps {
  readonly cameras: CamerasService;
  readonly live: LiveHub;
  /** Main and sub-stream viewers; without it every viewer gets the main stream from `live`. */
  readonly liveFeeds?: LiveFeeds;
  readonly audit: AuditSink;
  /**
   * Cluster mode: the node recording the camera when it is not this one (its live view is served
   * there: the socket closes with 4421 `CAMERA_ON_OTHER_NODE <url>`), else null.
   */
  readonly recordedElsewhere?: (cameraId: string) => Promise<{ readonly node: string; readonly url: string | null } | null>;
}

/**
 * Live view over WebSocket. `?stream=sub` asks for the camera's sub-stream (ADR 0037), served when
 * the camera has one, else the main stream. Messages: a JSON hello `{type:"init", codec, mime,
 * width, height, stream}`,
 * then binary fMP4 (init segment, then from the last key frame on one chunk per frame — native
 * ingest, ADR 0038 — or the recording's fragments), for an MSE
 * SourceBuffer. A new hello may follow when the stream restarts. Unknown camera: close 1008;
 * the server closes it (1008) too once the credentials no longer admit it (`keepWhileAdmitted`).
 */
export function liveRoutes(deps: LiveRouteDeps): RouteSpec[] {
  return [
    defineRoute({
      method: 'GET',
      url: '/api/v1/cameras/:id/live',
      access: 'live.view',
      scope: { camera: 'id' },
      summary: 'Live fMP4 over WebSocket for Media Source Extensions',
      tag: 'live',
      params: api.idParams,
      query: api.liveQuery,
      audit: 'footage.live.viewed',
      response: { status: 101 },
      websocket: true,
      wsHandler: (socket, { params, query, request, audit }) => {
        let unsubscribe: (() => void) | null = null;
        let closed = false;
        socket.on('close', () => {
          closed = true;
          unsubscribe?.();
        });
        socket.on('message', () => socket.close(1003, 'viewers do not send'));
        // The view is committed to the ledger before the first byte is sent; a ledger that
        // cannot write refuses the view (close 1011 AUDIT_UNAVAILABLE).
        const audited = async (): Promise<Camera> => {
          const camera = await deps.cameras.get(params.id);
          const elsewhere = (await deps.recordedElsewhere?.(camera.id)) ?? null;
          if (elsewhere !== null) throw new AppError('CAMERA_ON_OTHER_NODE', `camera recorded by node ${elsewhere.node}`, { node: elsewhere.node, url: elsewhere.url });
          const stream = deps.liveFeeds?.served(camera, query.stream) ?? 'main';
          await deps.audit.record({ type: 'footage.live.viewed', ...audit, target: { kind: 'camera', id: camera.id, name: camera.name }, cameraId: camera.id, outcome: 'success', details: { stream } });
          return camera;
        };
        audited().then(
          (camera) => {
            if (closed) return;
            const viewer: LiveViewer = {
              send: (data) => socket.send(data),
              bufferedAmount: () => socket.bufferedAmount,
              close: (reason) => socket.close(1013, reason),
            };
            unsubscribe = deps.liveFeeds?.subscribe(camera, query.stream, viewer) ?? deps.live.subscribe(params.id, viewer);
            request.log.info({ cameraId: params.id, stream: query.stream }, 'live viewer connected');
          },
          (e: unknown) => {
            if (isAppError(e, 'CAMERA_ON_OTHER_NODE')) {
              // A WebSocket cannot be redirected: the close reason names where to connect (≤ 123 bytes).
              const { url, node } = (e.detail ?? {}) as { url?: string | null; node?: string };
              const where = url ?? node ?? '';
              socket.close(4421, `CAMERA_ON_OTHER_NODE ${where}`.slice(0, 123));
              return;
            }
            return isAppError(e, 'AUDIT_UNAVAILABLE') ? socket.close(1011, 'AUDIT_UNAVAILABLE') : socket.close(1008, 'NOT_FOUND');
          },
        );
      },
    }),
  ];
}
