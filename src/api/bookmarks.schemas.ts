/** Wire schemas of bookmarks and legal holds (issue 19 item 4), used by the routes and the OpenAPI document. */
import { z } from 'zod';

const isoTime = z.iso.datetime({ offset: true }).describe('RFC 3339 time.');

export const bookmarkParams = z.strictObject({ id: z.uuid().describe('Camera id'), bookmarkId: z.uuid().describe('Bookmark id') });

export const bookmarkListQuery = z.strictObject({
  from: isoTime.describe('Start of the range (RFC 3339); bookmarks overlapping the range are listed.'),
  to: isoTime.describe('End of the range (RFC 3339); at most 31 days after from.'),
});

export const bookmarkCreate = z
  .strictObject({
    from: isoTime.describe('Start of the bookmarked range.'),
    to: isoTime.describe('End of the bookmarked range (at most 24 hours after from).'),
    note: z.string().trim().min(1).max(1000).describe('What is there and why it matters. Personal data: sealed in the audit event.'),
  })
  .describe('A new bookmark.');

export const holdBody = z
  .strictObject({ reason: z.string().trim().min(3).max(500).describe('Why the footage is held (placing) or no longer needs to be (releasing): a case or matter reference. Recorded in the audit event.') })
  .describe('The reason of a hold or of its release.');

export const bookmarkHold = z
  .object({ since: z.string(), by: z.string().describe('Audit actor id of who placed it.'), reason: z.string() })
  .describe('A legal hold: while it is set, retention and the disk-full policy delete no footage overlapping the range.');

export const bookmark = z
  .object({
    id: z.uuid(),
    cameraId: z.uuid(),
    from: z.string(),
    to: z.string(),
    note: z.string(),
    createdBy: z.string().describe('Audit actor id of who made it.'),
    createdAt: z.string(),
    hold: bookmarkHold.nullable(),
  })
  .describe('A bookmark: a note on a time range of a camera, possibly on legal hold.');

export type BookmarkDto = z.infer<typeof bookmark>;
