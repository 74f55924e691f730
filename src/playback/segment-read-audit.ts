import type { AuditContext } from '../audit/audit-event.ts';
import type { AuditSink } from '../audit/ledger.ts';
import type { Clock } from '../lib/clock.ts';

/** How long one actor's reads of one segment count as one playback. */
const windowMs = 10 * 60_000;
const maxEntries = 10_000;

/**
 * Audits direct segment reads: a player fetches a segment in many byte ranges (one per
 * fragment), so the ledger gets one `footage.played` per actor and segment per ten minutes,
 * committed before the first bytes are served. Bounded memory: the oldest entries go first.
 */
export class SegmentReadAudit {
  readonly #audit: AuditSink;
  readonly #clock: Clock;
  readonly #seen = new Map<string, number>();

  constructor(audit: AuditSink, clock: Clock) {
    this.#audit = audit;
    this.#clock = clock;
  }

  async read(by: AuditContext, cameraId: string, segmentId: string): Promise<void> {
    const now = this.#clock.now();
    const key = `${by.actor.id}\n${segmentId}`;
    const until = this.#seen.get(key);
    if (until !== undefined && until > now) return;
    await this.#audit.record({ type: 'footage.played', ...by, target: { kind: 'segment', id: segmentId }, cameraId, outcome: 'success', details: { segmentId } });
    this.#seen.delete(key);
    this.#seen.set(key, now + windowMs);
    while (this.#seen.size > maxEntries) this.#seen.delete(this.#seen.keys().next().value as string);
  }
}
