/**
 * What `vault fsck` expects to find, read from the database: every indexed segment (object key,
 * state, fragment count) and, from the audit ledger, every sealed segment and every recorded
 * deletion or quarantine. The SQL lives here; the comparison is `crossCheck` (vault-fsck-cross.ts).
 */
import type { Db } from '../db/database.ts';
import { segmentIdOfKey } from '../recording/orphan-objects.ts';
import type { FsckExpectations } from './vault-fsck-cross.ts';

/** Reads the index and the ledger leaves `crossCheck` compares the objects with. */
export async function loadFsckExpectations(db: Db): Promise<FsckExpectations> {
  const rows = await db.selectFrom('segments').select(['id', 'object_key', 'state', 'fragments']).execute();
  const indexed = new Map(rows.map((r) => [r.object_key, { segmentId: r.id, state: r.state, fragments: (JSON.parse(r.fragments) as unknown[]).length }]));
  const events = await db.selectFrom('audit_events').select(['type', 'target_id', 'record']).where('type', 'in', ['footage.segment.sealed', 'footage.deleted', 'footage.quarantined']).execute();
  const sealed = new Map<string, { start: string; end: string }>();
  const accounted = new Set<string>();
  for (const e of events) {
    const details = (JSON.parse(e.record) as { details?: Record<string, unknown> }).details ?? {};
    if (e.type === 'footage.segment.sealed') {
      if (e.target_id !== null) sealed.set(e.target_id, { start: String(details['start']), end: String(details['end']) });
      continue;
    }
    // A deletion or quarantine on record accounts for the segment's absence from the index.
    if (e.target_id !== null) accounted.add(e.target_id);
    for (const id of Array.isArray(details['segmentIds']) ? details['segmentIds'] : []) accounted.add(String(id));
    const keys = [...(Array.isArray(details['objectKeys']) ? details['objectKeys'] : []), ...(Array.isArray(details['objects']) ? details['objects'].map((o) => (o as { key?: unknown }).key) : [])];
    for (const key of keys) {
      const id = typeof key === 'string' ? segmentIdOfKey(key) : undefined;
      if (id !== undefined) accounted.add(id);
    }
  }
  return { indexed, sealed, accounted };
}
