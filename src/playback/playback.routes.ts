import { z } from 'zod';
import * as api from '../api/schemas.ts';
import { AppError } from '../lib/errors.ts';
import { defineRoute, type RouteSpec } from '../access/request-context.ts';
import type { CamerasService } from '../cameras/cameras.service.ts';
import type { SegmentStore } from '../recording/segment-store.ts';
import type { PlaybackService } from './playback.service.ts';
import { parseRange } from './time-range.ts';
import { parseByteRange } from './byte-range.ts';
import type { AuditContext } from '../audit/audit-event.ts';
import type { PlaybackAudit } from './playback-audit.ts';
import { assertStreamable } from './four-eyes-stream.ts';
import { recordingId } from '../recording/recorded-stream.ts';

/** Dependencies of the playback routes. Route builders MUST NOT use them before a handler runs. */
export interface PlaybackRouteDeps {
  readonly cameras: CamerasService;
  readonly playback: PlaybackService;
  readonly store: SegmentStore;
  readonly playbackAudit: PlaybackAudit;
  /** True when the site applies the four-eyes rule (its footage is streamed, never downloaded). */
  readonly fourEyes: (siteId: string) => Promise<boolean>;
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
      summary: 'Recorded spans and gaps of a camera in a time range (`stream=sub`: of its recorded sub-stream)',
      tag: 'playback',
      params: api.idParams,
      query: api.playbackQuery,
      response: { status: 200, schema: api.timeline },
      handler: async ({ params, query }) => {
        await deps.cameras.get(params.id);
        const { fromMs, toMs } = parseRange(query.from, query.to);
        const t = await deps.playback.timeline(recordingId(params.id, query.stream), fromMs, toMs);
        const iso = (ms: number) => new Date(ms).toISOString();
        return {
          cameraId: params.id,
          stream: query.stream,
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
      summary: 'HLS playlist (fMP4) of a time range, `stream=sub`: of the recorded sub-stream (at a four-eyes site: sessions only, EXPORT_REQUIRED for API tokens)',
      tag: 'playback',
      params: api.idParams,
      query: api.playbackQuery,
      audit: 'footage.played',
      response: { status: 200, mediaType: 'application/vnd.apple.mpegurl' },
      handler: async ({ params, query, reply, audit, principal }) => {
        const camera = await deps.cameras.get(params.id);
        if (await deps.fourEyes(camera.siteId)) await streamable(deps, audit, camera.id, '/api/v1/cameras/:id/playback.m3u8', () => assertStreamable(principal, null, undefined));
        const { fromMs, toMs } = parseRange(query.from, query.to);
        const text = await deps.playback.playlist(recordingId(params.id, query.stream), fromMs, toMs);
        // A playback session, not a poll: the first view of this range by this actor is the leaf.
        await deps.playbackAudit.playlist(audit, camera, fromMs, toMs, query.stream);
        await reply.type('application/vnd.apple.mpegurl').header('cache-control', 'no-store').send(text);
        return undefined;
      },
    }),
    defineRoute({
      method: 'GET',
      url: '/api/v1/cameras/:id/segments/:file',
      access: 'recording.play',
      scope: { camera: 'id' },
      summary: 'Bytes of a recorded segment (fMP4) of either stream; honours a single Range header (at a four-eyes site: sessions only, exactly the init or one fragment, else EXPORT_REQUIRED)',
      tag: 'playback',
      params: segmentParams,
      audit: 'footage.played',
      response: { status: 200, mediaType: 'video/mp4' },
      handler: async ({ params, request, reply, audit, principal }) => {
        const camera = await deps.cameras.get(params.id);
        const segment = await deps.playback.segment(params.id, params.file);
        const size = segment.bytes;
        const range = parseByteRange(request.headers.range, size);
        if (await deps.fourEyes(camera.siteId)) await streamable(deps, audit, camera.id, '/api/v1/cameras/:id/segments/:file', () => assertStreamable(principal, segment, range === 'unsatisfiable' ? undefined : range));
        await deps.playbackAudit.segment(audit, params.id, segment.id);
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

/** Runs the four-eyes byte rule; a refusal is audited (once per actor and camera per window) and thrown. */
async function streamable(deps: PlaybackRouteDeps, audit: AuditContext, cameraId: string, route: string, check: () => void): Promise<void> {
  try {
    check();
  } catch (e) {
    if (e instanceof AppError) await deps.playbackAudit.refused(audit, cameraId, route, e.message);
    throw e;
  }
}
