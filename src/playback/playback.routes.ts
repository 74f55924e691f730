import { z } from 'zod';
import * as api from '../api/schemas.ts';
import { AppError } from '../lib/errors.ts';
import { defineRoute, type RouteSpec } from '../http/route.ts';
import type { CamerasService } from '../cameras/cameras.service.ts';
import type { SegmentStore } from '../recording/segment-store.ts';
import type { PlaybackService } from './playback.service.ts';
import { parseRange } from './time-range.ts';
import { parseByteRange } from './byte-range.ts';
import type { AuditSink } from '../audit/ledger.ts';
import type { SegmentReadAudit } from './segment-read-audit.ts';

/** Dependencies of the playback routes. Route builders MUST NOT use them before a handler runs. */
export interface PlaybackRouteDeps {
  readonly cameras: CamerasService;
  readonly playback: PlaybackService;
  readonly store: SegmentStore;
  readonly audit: AuditSink;
  readonly segmentReads: SegmentReadAudit;
}

/** `<segment id>.mp4`: ffmpeg's HLS reader only fetches segment URIs with a media extension. */
const segmentParams = z.strictObject({
  id: z.uuid(),
  file: z
    .string()
    .regex(/^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}\.mp4$/, 'expected <segment id>.mp4')
    .transform((f) => f.slice(0, -4)),
});

/** Timeline, HLS playlist and segment bytes. */
export function playbackRoutes(deps: PlaybackRouteDeps): RouteSpec[] {
  return [
    defineRoute({
      method: 'GET',
      url: '/api/v1/cameras/:id/timeline',
      access: 'recording.play',
      scope: { camera: 'id' },
      summary: 'Recorded spans and gaps of a camera in a time range',
      tag: 'playback',
      params: api.idParams,
      query: api.timeRangeQuery,
      response: { status: 200, schema: api.timeline },
      handler: async ({ params, query }) => {
        await deps.cameras.get(params.id);
        const { fromMs, toMs } = parseRange(query.from, query.to);
        const t = await deps.playback.timeline(params.id, fromMs, toMs);
        const iso = (ms: number) => new Date(ms).toISOString();
        return {
          cameraId: params.id,
          from: iso(fromMs),
          to: iso(toMs),
          spans: t.spans.map((s) => ({ start: iso(s.startMs), end: iso(s.endMs) })),
          gaps: t.gaps.map((g) => ({ start: iso(g.startMs), end: iso(g.endMs), reason: g.reason })),
        };
      },
    }),
    defineRoute({
      method: 'GET',
      url: '/api/v1/cameras/:id/playback.m3u8',
      access: 'recording.play',
      scope: { camera: 'id' },
      summary: 'HLS playlist (fMP4) of a time range',
      tag: 'playback',
      params: api.idParams,
      query: api.timeRangeQuery,
      audit: 'footage.played',
      response: { status: 200, mediaType: 'application/vnd.apple.mpegurl' },
      handler: async ({ params, query, reply, audit }) => {
        const camera = await deps.cameras.get(params.id);
        const { fromMs, toMs } = parseRange(query.from, query.to);
        const text = await deps.playback.playlist(params.id, fromMs, toMs);
        await deps.audit.record({
          type: 'footage.played',
          ...audit,
          target: { kind: 'camera', id: camera.id, name: camera.name },
          cameraId: camera.id,
          outcome: 'success',
          details: { from: new Date(fromMs).toISOString(), to: new Date(toMs).toISOString() },
        });
        await reply.type('application/vnd.apple.mpegurl').header('cache-control', 'no-store').send(text);
        return undefined;
      },
    }),
    defineRoute({
      method: 'GET',
      url: '/api/v1/cameras/:id/segments/:file',
      access: 'recording.play',
      scope: { camera: 'id' },
      summary: 'Bytes of a recorded segment (fMP4); honours a single Range header',
      tag: 'playback',
      params: segmentParams,
      audit: 'footage.played',
      response: { status: 200, mediaType: 'video/mp4' },
      handler: async ({ params, request, reply, audit }) => {
        await deps.cameras.get(params.id);
        const segment = await deps.playback.segment(params.id, params.file);
        await deps.segmentReads.read(audit, params.id, segment.id);
        const size = segment.bytes;
        const range = parseByteRange(request.headers.range, size);
        if (range === 'unsatisfiable') {
          await reply.code(416).header('content-range', `bytes */${size}`).send();
          return undefined;
        }
        const start = range?.start ?? 0;
        const length = range ? range.end - range.start + 1 : size;
        if (start + length > size) throw new AppError('STORAGE_FAILED', 'segment is shorter than indexed');
        const body = await deps.store.read(segment.objectKey, start, length);
        // Not awaited: an awaited reply resolves only once sent.
        if (range) void reply.code(206).header('content-range', `bytes ${range.start}-${range.end}/${size}`);
        await reply.type('video/mp4').header('accept-ranges', 'bytes').header('cache-control', 'no-store').send(body);
        return undefined;
      },
    }),
  ];
}
