import { z } from 'zod';
import { inCameraSet } from '../access/access.ts';
import * as api from '../api/bookmarks.schemas.ts';
import { idParams } from '../api/schemas.ts';
import { defineRoute, type RouteSpec } from '../access/request-context.ts';
import type { CamerasService } from '../cameras/cameras.service.ts';
import { AppError } from '../lib/errors.ts';
import type { Bookmark } from './bookmark.ts';
import type { BookmarksService } from './bookmarks.service.ts';
import { parseRange } from './time-range.ts';

/** Dependencies of the bookmark routes. Route builders MUST NOT use them before a handler runs. */
export interface BookmarkRouteDeps {
  readonly cameras: CamerasService;
  readonly bookmarks: BookmarksService;
}

/** Longest range one bookmark listing may cover (a timeline of a month). */
const maxListMs = 31 * 24 * 3_600_000;

/**
 * Bookmarks (read with recording.play, written with recording.bookmark) and legal holds
 * (recording.hold), each on the camera in the path: a camera out of scope is NOT_FOUND.
 */
export function bookmarkRoutes(deps: BookmarkRouteDeps): RouteSpec[] {
  return [
    defineRoute({
      method: 'GET',
      url: '/api/v1/cameras/:id/bookmarks',
      access: 'recording.play',
      scope: { camera: 'id' },
      summary: 'Bookmarks of a camera overlapping a time range (at most 500, oldest first), with their holds',
      tag: 'bookmarks',
      params: idParams,
      query: api.bookmarkListQuery,
      response: { status: 200, schema: z.array(api.bookmark) },
      handler: async ({ params, query }) => {
        await deps.cameras.get(params.id);
        const fromMs = Date.parse(query.from);
        const toMs = Date.parse(query.to);
        if (toMs <= fromMs || toMs - fromMs > maxListMs) throw new AppError('RANGE_INVALID', 'to must be after from, by at most 31 days');
        return (await deps.bookmarks.list(params.id, fromMs, toMs)).map(toDto);
      },
    }),
    defineRoute({
      method: 'POST',
      url: '/api/v1/cameras/:id/bookmarks',
      access: 'recording.bookmark',
      scope: { camera: 'id' },
      audit: 'footage.bookmark.created',
      summary: 'Bookmark a time range of a camera with a note (at most 24 hours)',
      tag: 'bookmarks',
      params: idParams,
      body: api.bookmarkCreate,
      response: { status: 201, schema: api.bookmark },
      handler: async ({ params, body, audit }) => {
        const camera = await deps.cameras.get(params.id);
        const { fromMs, toMs } = parseRange(body.from, body.to);
        return toDto(await deps.bookmarks.create(camera, fromMs, toMs, body.note, audit));
      },
    }),
    defineRoute({
      method: 'DELETE',
      url: '/api/v1/cameras/:id/bookmarks/:bookmarkId',
      access: 'recording.bookmark',
      scope: { camera: 'id' },
      audit: 'footage.bookmark.deleted',
      summary: 'Delete a bookmark (HOLD_ACTIVE while it is on hold: release the hold first)',
      tag: 'bookmarks',
      params: api.bookmarkParams,
      response: { status: 204 },
      handler: async ({ params, audit }) => {
        await deps.bookmarks.remove(params.id, params.bookmarkId, audit);
      },
    }),
    defineRoute({
      method: 'POST',
      url: '/api/v1/cameras/:id/bookmarks/:bookmarkId/hold',
      access: 'recording.hold',
      scope: { camera: 'id' },
      audit: 'footage.hold.placed',
      summary: 'Put a bookmarked range on legal hold: its footage is kept beyond retention until the hold is released',
      tag: 'bookmarks',
      params: api.bookmarkParams,
      body: api.holdBody,
      response: { status: 200, schema: api.bookmark },
      handler: async ({ params, body, audit }) => toDto(await deps.bookmarks.hold(params.id, params.bookmarkId, body.reason, audit)),
    }),
    defineRoute({
      method: 'POST',
      url: '/api/v1/cameras/:id/bookmarks/:bookmarkId/release',
      access: 'recording.hold',
      scope: { camera: 'id' },
      audit: 'footage.hold.released',
      summary: 'Release a legal hold: retention applies to the range again',
      tag: 'bookmarks',
      params: api.bookmarkParams,
      body: api.holdBody,
      response: { status: 200, schema: api.bookmark },
      handler: async ({ params, body, audit }) => toDto(await deps.bookmarks.release(params.id, params.bookmarkId, body.reason, audit)),
    }),
    defineRoute({
      method: 'GET',
      url: '/api/v1/holds',
      access: 'recording.hold',
      summary: 'The legal holds in force on cameras where you hold recording.hold, oldest first',
      tag: 'bookmarks',
      response: { status: 200, schema: z.array(api.bookmark) },
      handler: async ({ access }) => {
        const visible = await access.cameras('recording.hold');
        return (await deps.bookmarks.held()).filter((b) => inCameraSet(visible, b.cameraId)).map(toDto);
      },
    }),
  ];
}

function toDto(b: Bookmark): api.BookmarkDto {
  const iso = (ms: number) => new Date(ms).toISOString();
  return {
    id: b.id,
    cameraId: b.cameraId,
    from: iso(b.fromMs),
    to: iso(b.toMs),
    note: b.note,
    createdBy: b.createdBy,
    createdAt: iso(b.createdMs),
    hold: b.hold === null ? null : { since: iso(b.hold.sinceMs), by: b.hold.by, reason: b.hold.reason },
  };
}
