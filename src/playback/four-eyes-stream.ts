import type { Principal } from '../access/principal.ts';
import { AppError } from '../lib/errors.ts';
import type { Segment } from '../media/segment.ts';

/**
 * The byte rule of a four-eyes site (ADR 0012): recorded footage leaves the server as a file only
 * through an approved export. Playback there MUST come from a logged-in session (an API token is
 * a machine client, so its "playback" is a download) and each request MUST be exactly the init
 * section or exactly one fragment of the segment, the byte ranges the HLS playlist names
 * (`EXT-X-MAP` / `EXT-X-BYTERANGE`): a whole segment, a span of fragments or any other range is
 * refused with EXPORT_REQUIRED. Pure; `range` is the parsed Range header (undefined: none).
 */
export function assertStreamable(principal: Principal | null, segment: Segment | null, range: { start: number; end: number } | undefined): void {
  if (!principal || principal.via !== 'session') throw exportRequired('an API token cannot play back footage at a four-eyes site');
  if (segment === null) return;
  if (!range) throw exportRequired('a whole segment is a file');
  const length = range.end - range.start + 1;
  if (range.start === 0 && length === segment.initSize) return;
  if (segment.fragments.some((f) => range.start === f.offset && length === f.size)) return;
  throw exportRequired('only the init section or one fragment is streamed');
}

function exportRequired(why: string): AppError {
  return new AppError('EXPORT_REQUIRED', `${why}: this site applies the four-eyes rule, so a file of its footage is an export (POST /api/v1/exports)`);
}
