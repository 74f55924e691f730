import { randomUUID } from 'node:crypto';
import type { AuditContext } from '../audit/audit-event.ts';
import type { AuditSink } from '../audit/ledger.ts';
import type { Clock } from '../lib/clock.ts';
import { AppError } from '../lib/errors.ts';
import type { Bookmark, BookmarkStore } from './bookmark.ts';

/** Most bookmarks one listing returns. */
export const maxBookmarksListed = 500;

/**
 * Bookmarks and legal holds (issue 19 item 4, ADR 0036). Every change is committed to the
 * audit ledger before it is made (`footage.bookmark.created`/`deleted`, `footage.hold.placed`/
 * `released`); a ledger that cannot write refuses it (AUDIT_UNAVAILABLE). The note is personal
 * (it may name people) and goes into the event's sealed fields; the hold's reason is the event's
 * reason. A held bookmark MUST NOT be deleted (HOLD_ACTIVE): release the hold first, so ending a
 * hold is always its own audited act by someone holding `recording.hold`.
 * What the hold protects is enforced where footage is deleted (recording/retention.ts,
 * recording/space-reclaim.ts, through the segment index), not here.
 */
export class BookmarksService {
  readonly #store: BookmarkStore;
  readonly #audit: AuditSink;
  readonly #clock: Clock;

  constructor(deps: { store: BookmarkStore; audit: AuditSink; clock: Clock }) {
    this.#store = deps.store;
    this.#audit = deps.audit;
    this.#clock = deps.clock;
  }

  /** Bookmarks of a camera overlapping the range, oldest first. */
  list(cameraId: string, fromMs: number, toMs: number): Promise<Bookmark[]> {
    return this.#store.overlapping(cameraId, fromMs, toMs, maxBookmarksListed);
  }

  /** Every held bookmark (the legal holds in force), oldest hold first. */
  held(): Promise<Bookmark[]> {
    return this.#store.held();
  }

  /** A bookmark of the camera, or NOT_FOUND (also for one of another camera). */
  async get(cameraId: string, id: string): Promise<Bookmark> {
    const found = await this.#store.get(id);
    if (!found || found.cameraId !== cameraId) throw new AppError('NOT_FOUND', 'no such bookmark');
    return found;
  }

  /** Bookmarks a camera's range with a note. */
  async create(camera: { id: string; name: string }, fromMs: number, toMs: number, note: string, by: AuditContext): Promise<Bookmark> {
    const bookmark: Bookmark = { id: randomUUID(), cameraId: camera.id, fromMs, toMs, note, createdBy: by.actor.id, createdMs: this.#clock.now(), hold: null };
    await this.#audit.record({ type: 'footage.bookmark.created', ...by, target: { kind: 'bookmark', id: bookmark.id }, cameraId: camera.id, outcome: 'success', details: rangeDetails(bookmark), personal: { note } });
    await this.#store.insert(bookmark);
    return bookmark;
  }

  /** Deletes a bookmark; HOLD_ACTIVE while it is held. */
  async remove(cameraId: string, id: string, by: AuditContext): Promise<void> {
    const bookmark = await this.get(cameraId, id);
    if (bookmark.hold !== null) throw holdActive();
    await this.#audit.record({ type: 'footage.bookmark.deleted', ...by, target: { kind: 'bookmark', id }, cameraId, outcome: 'success', details: rangeDetails(bookmark) });
    // Held (or deleted) since it was read: the event is in the ledger, the deletion is refused.
    if (!(await this.#store.removeUnheld(id))) throw holdActive();
  }

  /** Puts the bookmarked range on legal hold; CONFLICT when it already is. */
  async hold(cameraId: string, id: string, reason: string, by: AuditContext): Promise<Bookmark> {
    const bookmark = await this.get(cameraId, id);
    if (bookmark.hold !== null) throw new AppError('CONFLICT', 'the bookmark is already on hold');
    const hold = { sinceMs: this.#clock.now(), by: by.actor.id, reason };
    await this.#audit.record({ type: 'footage.hold.placed', ...by, target: { kind: 'bookmark', id }, cameraId, outcome: 'success', reason, details: rangeDetails(bookmark) });
    if (!(await this.#store.setHold(id, hold, false))) throw new AppError('CONFLICT', 'the bookmark was put on hold or deleted meanwhile');
    return { ...bookmark, hold };
  }

  /** Releases a legal hold: retention applies to the range again; CONFLICT when it is not held. */
  async release(cameraId: string, id: string, reason: string, by: AuditContext): Promise<Bookmark> {
    const bookmark = await this.get(cameraId, id);
    if (bookmark.hold === null) throw new AppError('CONFLICT', 'the bookmark is not on hold');
    await this.#audit.record({
      type: 'footage.hold.released',
      ...by,
      target: { kind: 'bookmark', id },
      cameraId,
      outcome: 'success',
      reason,
      details: { ...rangeDetails(bookmark), heldSince: new Date(bookmark.hold.sinceMs).toISOString(), heldBy: bookmark.hold.by },
    });
    if (!(await this.#store.setHold(id, null, true))) throw new AppError('CONFLICT', 'the hold was released or the bookmark deleted meanwhile');
    return { ...bookmark, hold: null };
  }
}

function rangeDetails(b: Bookmark): { bookmarkId: string; from: string; to: string } {
  return { bookmarkId: b.id, from: new Date(b.fromMs).toISOString(), to: new Date(b.toMs).toISOString() };
}

function holdActive(): AppError {
  return new AppError('HOLD_ACTIVE', 'the bookmark holds footage beyond retention (legal hold): release the hold first');
}
