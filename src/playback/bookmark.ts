/** A bookmark: a note on a time range of one camera; a held one is a legal hold (issue 19 item 4). */
export interface Bookmark {
  readonly id: string;
  readonly cameraId: string;
  readonly fromMs: number;
  readonly toMs: number;
  readonly note: string;
  /** Audit actor id of who made it (`user:<id>`, `token:<id>`, `cli:…`). */
  readonly createdBy: string;
  readonly createdMs: number;
  /** The legal hold on the range, or null. While it is set no footage overlapping the range is deleted. */
  readonly hold: BookmarkHold | null;
}

/** A legal hold: who placed it, when and why. */
export interface BookmarkHold {
  readonly sinceMs: number;
  /** Audit actor id of who placed it. */
  readonly by: string;
  readonly reason: string;
}

/** Bookmarks in the metadata database (bookmarks.store.ts). */
export interface BookmarkStore {
  insert(bookmark: Bookmark): Promise<void>;
  get(id: string): Promise<Bookmark | undefined>;
  /** Bookmarks of a camera overlapping [fromMs, toMs), oldest first, at most `limit`. */
  overlapping(cameraId: string, fromMs: number, toMs: number, limit: number): Promise<Bookmark[]>;
  /** Every held bookmark, oldest hold first. */
  held(): Promise<Bookmark[]>;
  /** Sets (or clears, with null) the hold; false when the bookmark is gone or its hold was not `expectHeld`. */
  setHold(id: string, hold: BookmarkHold | null, expectHeld: boolean): Promise<boolean>;
  /** Deletes a bookmark that is not held; false when it is gone or held. */
  removeUnheld(id: string): Promise<boolean>;
}
