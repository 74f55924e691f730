import { openDatabase } from '../../src/db/database.ts';
import { createSegmentIndex } from '../../src/recording/segment-index.store.ts';
import type { Segment } from '../../src/recording/segment.ts';

/** Reopens a stopped app's SQLite database and lists every segment of the given cameras. */
export async function listSegments(dataDir: string, cameraIds: readonly string[]): Promise<Segment[]> {
  const { db } = await openDatabase({ url: null, dataDir });
  try {
    const index = createSegmentIndex(db);
    const all: Segment[] = [];
    for (const id of cameraIds) all.push(...(await index.overlapping(id, 0, Number.MAX_SAFE_INTEGER)));
    return all;
  } finally {
    await db.destroy();
  }
}
