import type { AuditContext } from '../audit/audit-event.ts';
import type { AuditSink } from '../audit/ledger.ts';
import type { Clock } from '../lib/clock.ts';

/** How long one actor's repeated views of the same thing count as one playback. */
const windowMs = 10 * 60_000;
/** At most this many remembered views; the oldest are forgotten first. */
const maxEntries = 10_000;

/**
 * Audits playback as sessions, not requests (issue 12 item 13): a player polls its playlist and
 * fetches a segment in many byte ranges, so the ledger gets one `footage.played` per actor and
 * camera range (playlist), or per actor and segment (segment bytes), per ten minutes. The first
 * view MUST be committed before anything is served; concurrent first requests share that one
 * commit (a failed commit fails them all and is not remembered). Memory is bounded: at most
 * `maxEntries` views are remembered, the oldest forgotten first (a forgotten view is audited
 * again, never lost).
 */
export class PlaybackAudit {
  readonly #audit: AuditSink;
  readonly #clock: Clock;
  /** Key → end of its window, or the commit in flight. */
  readonly #seen = new Map<string, number | Promise<void>>();

  constructor(audit: AuditSink, clock: Clock) {
    this.#audit = audit;
    this.#clock = clock;
  }

  /** A playlist of `[fromMs, toMs)` of a camera's `stream` (main unless said) is about to be served to `by`. */
  playlist(by: AuditContext, camera: { id: string; name: string }, fromMs: number, toMs: number, stream: 'main' | 'sub' = 'main'): Promise<void> {
    const from = new Date(fromMs).toISOString();
    const to = new Date(toMs).toISOString();
    return this.#once(`${by.actor.id}\nrange\n${camera.id}\n${stream}\n${from}\n${to}`, () =>
      this.#audit.record({ type: 'footage.played', ...by, target: { kind: 'camera', id: camera.id, name: camera.name }, cameraId: camera.id, outcome: 'success', details: { from, to, ...(stream === 'sub' ? { stream } : {}) } }),
    );
  }

  /** Bytes of a segment are about to be served to `by`. */
  segment(by: AuditContext, cameraId: string, segmentId: string): Promise<void> {
    return this.#once(`${by.actor.id}\nsegment\n${segmentId}`, () =>
      this.#audit.record({ type: 'footage.played', ...by, target: { kind: 'segment', id: segmentId }, cameraId, outcome: 'success', details: { segmentId } }),
    );
  }

  /**
   * A four-eyes site refused to stream to `by` (EXPORT_REQUIRED): one `access.denied` per actor
   * and camera per window, so the attempt is on record without a leaf per request.
   */
  refused(by: AuditContext, cameraId: string, route: string, reason: string): Promise<void> {
    return this.#once(`${by.actor.id}\nrefused\n${cameraId}`, () =>
      this.#audit.record({ type: 'access.denied', ...by, target: { kind: 'camera', id: cameraId }, cameraId, outcome: 'failure', reason, details: { method: 'GET', route, permission: 'recording.export' } }),
    );
  }

  async #once(key: string, record: () => Promise<unknown>): Promise<void> {
    const entry = this.#seen.get(key);
    if (entry instanceof Promise) return entry;
    if (entry !== undefined && entry > this.#clock.now()) return;
    const pending = record().then(
      () => {
        this.#seen.delete(key);
        this.#seen.set(key, this.#clock.now() + windowMs);
      },
      (e: unknown) => {
        this.#seen.delete(key);
        throw e;
      },
    );
    this.#seen.delete(key);
    this.#seen.set(key, pending);
    while (this.#seen.size > maxEntries) this.#seen.delete(this.#seen.keys().next().value as string);
    return pending;
  }
}
