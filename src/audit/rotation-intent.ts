/**
 * The ledger's record of a master-key rotation: its start (intent) and the closing of one that
 * never recorded an outcome. It lives with the ledger, which keys/ stays below.
 */
import type { AuditSink } from './ledger.ts';
import type { LedgerStore } from './ledger.store.ts';

/** Reason of the `key.rotated` event that opens a rotation (its intent). */
export const rotationStartedReason = 'rotation started';

const page = 500;

/**
 * Closes a rotation that never recorded its outcome (the rotating process was killed): when the
 * last `key.rotated` event of the ledger is a start, records `key.rotated` with outcome failure,
 * reason "interrupted" and the start's sequence number. Returns true when it closed one.
 *
 * The caller MUST hold the data-directory lock (`custos serve`, `custos keys rotate`), so no
 * rotation can be running: rotations never overlap, so a start is closed by the next
 * `key.rotated` event whatever its outcome. A rotation left half done is safe (old versions are
 * retired only at the end) and `custos keys rotate` resumes it.
 */
export async function closeInterruptedRotation(store: Pick<LedgerStore, 'events'>, audit: AuditSink, providerKind: string): Promise<boolean> {
  let last: { seq: number; reason: string | undefined; fromVersion: unknown } | undefined;
  for (let afterSeq = -1; ; ) {
    const events = await store.events({ type: 'key.rotated', afterSeq, limit: page });
    for (const e of events) {
      const record = JSON.parse(e.record) as { reason?: string; details?: { fromVersion?: unknown } };
      last = { seq: e.seq, reason: record.reason, fromVersion: record.details?.fromVersion };
    }
    if (events.length < page) break;
    afterSeq = events.at(-1)!.seq;
  }
  if (last?.reason !== rotationStartedReason) return false;
  await audit.record({
    type: 'key.rotated',
    actor: { kind: 'system', id: 'system:start-up' },
    target: { kind: 'master-key', id: providerKind },
    outcome: 'failure',
    reason: 'interrupted: the rotating process ended before recording an outcome; run custos keys rotate again to finish it',
    details: { interrupted: true, startedSeq: last.seq, ...(typeof last.fromVersion === 'number' ? { fromVersion: last.fromVersion } : {}) },
  });
  return true;
}
