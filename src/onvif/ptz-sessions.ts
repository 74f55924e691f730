/**
 * PTZ sessions: the audit granularity of moving a camera (issue 17 item 10). A person's first
 * move of a camera after idle starts a session (`camera.ptz.session.started`); later moves only
 * count; Stop, `idleMs` without a command, or shutdown end it (`camera.ptz.session.ended` with
 * the reason, the moves and the duration). A joystick sends a move every few hundred
 * milliseconds: recording each would drown the ledger, recording none would hide who pointed a
 * camera away. Sessions are per camera and per person; presets are audited by the service.
 */
import type { AuditContext } from '../audit/audit-event.ts';
import type { AuditSink } from '../audit/ledger.ts';
import type { Clock } from '../lib/clock.ts';

interface Session {
  readonly cameraId: string;
  readonly by: AuditContext;
  readonly startedMs: number;
  lastMs: number;
  moves: number;
}

/** Why a session ended. */
export type PtzSessionEnd = 'stop' | 'idle' | 'shutdown';

/** Open PTZ sessions and their audit records. */
export class PtzSessions {
  readonly #audit: AuditSink;
  readonly #clock: Clock;
  readonly #idleMs: number;
  readonly #open = new Map<string, Session>();
  #timer: NodeJS.Timeout | undefined;

  constructor(deps: { audit: AuditSink; clock: Clock; idleMs: number }) {
    this.#audit = deps.audit;
    this.#clock = deps.clock;
    this.#idleMs = deps.idleMs;
  }

  /** Ends idle sessions every `everyMs` until close(). */
  start(everyMs = Math.max(250, Math.floor(this.#idleMs / 4))): void {
    this.#timer ??= setInterval(() => void this.sweep().catch(() => undefined), everyMs);
    this.#timer.unref();
  }

  static #key(cameraId: string, by: AuditContext): string {
    return `${cameraId}\u0000${by.actor.kind}:${by.actor.id}`;
  }

  /** A move by `by`: records the session start when none is open (the ledger first: a ledger that cannot write stops the move). */
  async moved(cameraId: string, by: AuditContext, details: Readonly<Record<string, string | number>>): Promise<void> {
    await this.sweep();
    const key = PtzSessions.#key(cameraId, by);
    const now = this.#clock.now();
    const open = this.#open.get(key);
    if (open !== undefined) {
      open.lastMs = now;
      open.moves++;
      return;
    }
    await this.#audit.record({ type: 'camera.ptz.session.started', ...by, target: { kind: 'camera', id: cameraId }, cameraId, outcome: 'success', details });
    this.#open.set(key, { cameraId, by, startedMs: now, lastMs: now, moves: 1 });
  }

  /** A Stop by `by`: ends their session of the camera, if one is open. */
  async stopped(cameraId: string, by: AuditContext): Promise<void> {
    const key = PtzSessions.#key(cameraId, by);
    const s = this.#open.get(key);
    // Recorded as the Stop request (its correlation id), by the same person.
    if (s !== undefined) await this.#end(key, s, 'stop', by);
  }

  /** Whether `by` has a session of the camera open. */
  isOpen(cameraId: string, by: AuditContext): boolean {
    return this.#open.has(PtzSessions.#key(cameraId, by));
  }

  /** Ends the sessions idle for `idleMs` or more. */
  async sweep(): Promise<void> {
    const now = this.#clock.now();
    for (const [key, s] of [...this.#open]) if (now - s.lastMs >= this.#idleMs) await this.#end(key, s, 'idle');
  }

  /** Stops the sweep and ends every open session (reason `shutdown`). */
  async close(): Promise<void> {
    if (this.#timer !== undefined) clearInterval(this.#timer);
    this.#timer = undefined;
    for (const [key, s] of [...this.#open]) await this.#end(key, s, 'shutdown');
  }

  async #end(key: string, s: Session, reason: PtzSessionEnd, by: AuditContext = s.by): Promise<void> {
    if (this.#open.get(key) !== s) return;
    this.#open.delete(key);
    const endMs = reason === 'idle' ? s.lastMs + this.#idleMs : this.#clock.now();
    await this.#audit.record({
      type: 'camera.ptz.session.ended', ...by, target: { kind: 'camera', id: s.cameraId }, cameraId: s.cameraId, outcome: 'success',
      details: { reason, moves: s.moves, durationMs: Math.max(0, endMs - s.startedMs) },
    });
  }
}
