/**
 * The default alarm rules (LOG-6), evaluated over the ledger as it grows.
 *
 * Contract: the caller (alarm-watch.ts, tailing the committed ledger) MUST call
 * {@link AlarmRules.evaluate} with every committed record, in leaf order, and record each returned
 * input itself. Evaluation is pure: no I/O, no timers, no clock; time is each record's `time`.
 * Records of type `alarm.raised` MUST be ignored, so an alarm can never trigger another. The
 * windows are plain data: {@link AlarmRules.snapshot} and {@link AlarmRules.restore} carry them
 * across a restart.
 *
 * Memory is bounded: every window keeps at most its threshold's worth of the latest entries and
 * drops entries older than the window on each record, so state grows with the number of
 * principals and cameras active within a window, never with the length of the ledger.
 */
import type { AuditEventType } from './catalogue.ts';
import type { AuditInput, LeafRecord } from './audit-event.ts';

const minuteMs = 60_000;

/** A camera clock further than this from ours at identification raises `camera-clock-offset` (LOG-4). */
export const cameraClockOffsetAlarmMs = 10_000;

/** The actor of retention's planned deletions, which are not alarmed. */
const retentionActorId = 'system:retention';

/** One default alarm rule, as listed in docs/reference/audit-events.md. */
export interface AlarmRule {
  readonly title: string;
  /** The event types the rule watches. */
  readonly on: readonly AuditEventType[];
  readonly description: string;
  /** Length of the rule's window, when it has one. */
  readonly windowMinutes?: number;
}

/** The default alarm rules by stable id (the id is `details.rule` of each `alarm.raised`). */
export const alarmRules = {
  'lockouts-burst': {
    title: 'Burst of account lockouts',
    on: ['auth.lockout'],
    windowMinutes: 15,
    description: '3 or more lockouts, of any accounts, within 15 minutes (inclusive). Raised once per burst; it re-arms once fewer than 3 lockouts remain in the window.',
  },
  'privilege-assigned': {
    title: 'Privilege assigned',
    on: ['access.grant.created'],
    description: 'Every successful grant of a role, immediately.',
  },
  'privilege-elevations': {
    title: 'Repeated privilege elevation',
    on: ['access.grant.created'],
    windowMinutes: 24 * 60,
    description: '2 or more successful grants with `details.privileged: true` to the same principal (`target.id`) within 24 hours (inclusive). Raised once per principal and burst; it re-arms once fewer than 2 remain in the window.',
  },
  'camera-auth-failure': {
    title: 'Camera refused our credentials',
    on: ['camera.auth.failed'],
    windowMinutes: 15,
    description: 'A camera refused our credentials. At most one alarm per camera per 15 minutes (inclusive); failures in between are not alarmed.',
  },
  'camera-tamper': {
    title: 'Camera tampering',
    on: ['camera.tamper'],
    description: 'Every tamper report of a camera.',
  },
  'recording-gap': {
    title: 'Recording gap',
    on: ['recording.interrupted'],
    description: 'Recording of a camera stopped (stream error or camera offline). At most one alarm per camera and stream (a recorded sub-stream, `details.stream: sub`, has its own) until a `recording.resumed` for it.',
  },
  'account-reset': {
    title: 'Account reset by an administrator',
    on: ['account.reset'],
    description: "Every reset of a user's password or second factors by an administrator (the host CLI's break-glass included), immediately, naming the account.",
  },
  'clock-step': {
    title: 'Wall clock stepped',
    on: ['clock.stepped'],
    description: 'Every step of the wall clock against the monotonic clock, immediately: footage times around it are suspect and retention is held.',
  },
  'footage-loss': {
    title: 'Footage lost, damaged or set aside',
    on: ['footage.damaged', 'footage.quarantined', 'footage.reindexed', 'footage.deleted'],
    description: 'Every `footage.damaged`, `footage.quarantined` and `footage.reindexed` event, and every `footage.deleted` not made by retention (actor other than `system:retention`), immediately.',
  },
  'witness-refused': {
    title: 'A witness refused the audit checkpoint',
    on: ['audit.witness.refused'],
    description: 'A witness refused a checkpoint of the ledger (it does not extend what the witness saw, or the witness does not trust the key): the ledger may have been rolled back or forked. Every such event (the witness client records one when a witness turns to refusing).',
  },
  'camera-quarantined': {
    title: 'Camera in quarantine',
    on: ['camera.quarantined'],
    description: 'Every camera put in quarantine at onboarding (prohibited vendor, likely relabel, unvetted identity) or whose risk acceptance expired, immediately.',
  },
  'camera-clock-offset': {
    title: 'Camera clock off at onboarding',
    on: ['camera.identified'],
    description: 'A camera identified over ONVIF whose clock is more than 10 s from ours (`details.clockOffsetMs`), immediately (LOG-4): its footage times and WS-Security tokens are suspect; set up NTP on the camera.',
  },
  'camera-advisory': {
    title: 'Camera affected by a security advisory',
    on: ['camera.advisory.matched'],
    description: 'Every camera an imported advisory (CSAF or OSV, AST-4) newly affects at its current firmware, immediately, naming the advisory and its CVEs in the triggering event.',
  },
} as const satisfies Record<string, AlarmRule>;

/** A default alarm rule id. */
export type AlarmRuleId = keyof typeof alarmRules;

/** Target as it appears in an alarm: kind and id only, never a display name. */
interface AlarmTarget {
  readonly kind: string;
  readonly id: string;
}

/** One triggering record. */
interface Hit {
  readonly seq: number;
  readonly timeMs: number;
  readonly target: AlarmTarget | undefined;
}

/**
 * A sliding window of the latest `threshold` hits of one key. It raises when the window holds
 * `threshold` hits and re-arms only after it has held fewer; keeping the latest `threshold` hits
 * suffices for both.
 */
class BurstWindow {
  private readonly threshold: number;
  private readonly windowMs: number;
  private hits: Hit[] = [];
  private armed = true;

  constructor(threshold: number, windowMs: number) {
    this.threshold = threshold;
    this.windowMs = windowMs;
  }

  /** Drops hits older than the window (a hit exactly `windowMs` old is still inside). */
  prune(nowMs: number): void {
    this.hits = this.hits.filter((h) => nowMs - h.timeMs <= this.windowMs);
    if (this.hits.length < this.threshold) this.armed = true;
  }

  /** Adds a hit at `hit.timeMs` (not earlier than any hit so far); returns the burst when it raises. */
  add(hit: Hit): readonly Hit[] | undefined {
    this.prune(hit.timeMs);
    this.hits.push(hit);
    if (this.hits.length > this.threshold) this.hits.shift();
    if (!this.armed || this.hits.length < this.threshold) return undefined;
    this.armed = false;
    return [...this.hits];
  }

  get size(): number {
    return this.hits.length;
  }

  /** The window's hits and whether it is armed, as plain data. */
  save(): SavedWindow {
    return { hits: this.hits.map((h) => ({ ...h })), armed: this.armed };
  }

  /** Puts back what {@link save} gave. */
  load(saved: SavedWindow): this {
    this.hits = saved.hits.map((h) => ({ seq: h.seq, timeMs: h.timeMs, target: h.target === undefined ? undefined : { kind: h.target.kind, id: h.target.id } }));
    this.armed = saved.armed;
    return this;
  }
}

/** A window as saved. */
interface SavedWindow {
  readonly hits: readonly Hit[];
  readonly armed: boolean;
}

/** Every window of the rules, as saved (version 1). */
interface SavedRules {
  readonly v: 1;
  /** The latest record time seen (null before the first). */
  readonly lastMs: number | null;
  readonly lockouts: SavedWindow;
  readonly elevations: readonly (readonly [string, SavedWindow])[];
  readonly cameraAuthAlarmed: readonly (readonly [string, number])[];
  readonly gaps: readonly string[];
}

/** The default alarm rules over a stream of ledger records. See the module contract. */
export class AlarmRules {
  private lastMs = Number.NEGATIVE_INFINITY;
  private readonly lockouts = new BurstWindow(3, alarmRules['lockouts-burst'].windowMinutes * minuteMs);
  private readonly elevations = new Map<string, BurstWindow>();
  /** Camera id → time of its last camera-auth-failure alarm. */
  private readonly cameraAuthAlarmed = new Map<string, number>();
  /** Cameras with an interrupted recording already alarmed and not yet resumed. */
  private readonly gaps = new Set<string>();

  /** Entries held across every window and de-duplication set (bounded; see the module contract). */
  get heldEntries(): number {
    let held = this.lockouts.size + this.cameraAuthAlarmed.size + this.gaps.size;
    for (const window of this.elevations.values()) held += window.size;
    return held;
  }

  /** The windows as JSON text, for {@link AlarmRules.restore} after a restart. */
  snapshot(): string {
    const saved: SavedRules = {
      v: 1,
      lastMs: Number.isFinite(this.lastMs) ? this.lastMs : null,
      lockouts: this.lockouts.save(),
      elevations: [...this.elevations].map(([principal, window]) => [principal, window.save()] as const),
      cameraAuthAlarmed: [...this.cameraAuthAlarmed],
      gaps: [...this.gaps],
    };
    return JSON.stringify(saved);
  }

  /** Rules holding the windows of a {@link AlarmRules.snapshot}; throws on text it did not write. */
  static restore(text: string): AlarmRules {
    const saved = JSON.parse(text) as SavedRules;
    if (saved?.v !== 1) throw new Error('not a version 1 alarm rules snapshot');
    const rules = new AlarmRules();
    rules.lastMs = saved.lastMs ?? Number.NEGATIVE_INFINITY;
    rules.lockouts.load(saved.lockouts);
    for (const [principal, window] of saved.elevations) {
      rules.elevations.set(principal, new BurstWindow(2, alarmRules['privilege-elevations'].windowMinutes * minuteMs).load(window));
    }
    for (const [camera, ms] of saved.cameraAuthAlarmed) rules.cameraAuthAlarmed.set(camera, ms);
    for (const camera of saved.gaps) rules.gaps.add(camera);
    return rules;
  }

  /** The alarms to record for `record`; empty for most records and always for `alarm.raised`. */
  evaluate(record: LeafRecord): AuditInput[] {
    if (record.type === 'alarm.raised') return [];
    const nowMs = this.advance(record.time);
    this.prune(nowMs);
    switch (record.type) {
      case 'auth.lockout': {
        // Any accounts: the alarm names a principal only when the whole burst is of one.
        const burst = this.lockouts.add(hitOf(record, nowMs, targetOf(record)));
        if (!burst) return [];
        const [first] = burst;
        const single = first?.target && burst.every((h) => sameTarget(h.target, first.target));
        return [alarm('lockouts-burst', burst, single ? first.target : undefined)];
      }
      case 'access.grant.created': {
        // A refused grant assigned nothing.
        if (record.outcome !== 'success') return [];
        const principal = targetOf(record);
        const hit = hitOf(record, nowMs, principal);
        const alarms = [alarm('privilege-assigned', [hit], principal)];
        if (record.details?.privileged !== true || !principal) return alarms;
        let window = this.elevations.get(principal.id);
        if (!window) {
          window = new BurstWindow(2, alarmRules['privilege-elevations'].windowMinutes * minuteMs);
          this.elevations.set(principal.id, window);
        }
        const burst = window.add(hit);
        if (burst) alarms.push(alarm('privilege-elevations', burst, principal));
        return alarms;
      }
      case 'account.reset': {
        const account = targetOf(record);
        return [alarm('account-reset', [hitOf(record, nowMs, account)], account)];
      }
      case 'camera.auth.failed': {
        const camera = cameraOf(record);
        const key = camera?.id ?? '';
        // Pruning above removed every entry older than the window: a remaining one suppresses.
        if (this.cameraAuthAlarmed.has(key)) return [];
        this.cameraAuthAlarmed.set(key, nowMs);
        return [alarm('camera-auth-failure', [hitOf(record, nowMs, camera)], camera)];
      }
      case 'audit.witness.refused': {
        const witness = targetOf(record);
        return [alarm('witness-refused', [hitOf(record, nowMs, witness)], witness)];
      }
      case 'camera.tamper': {
        const camera = cameraOf(record);
        return [alarm('camera-tamper', [hitOf(record, nowMs, camera)], camera)];
      }
      case 'camera.identified': {
        const offset = record.details?.clockOffsetMs;
        if (record.outcome !== 'success' || typeof offset !== 'number' || Math.abs(offset) <= cameraClockOffsetAlarmMs) return [];
        const camera = cameraOf(record);
        return [alarm('camera-clock-offset', [hitOf(record, nowMs, camera)], camera)];
      }
      case 'camera.advisory.matched': {
        const camera = cameraOf(record);
        return [alarm('camera-advisory', [hitOf(record, nowMs, camera)], camera)];
      }
      case 'camera.quarantined': {
        const camera = cameraOf(record);
        return [alarm('camera-quarantined', [hitOf(record, nowMs, camera)], camera)];
      }
      case 'recording.interrupted': {
        const camera = cameraOf(record);
        const key = gapKey(record);
        if (this.gaps.has(key)) return [];
        this.gaps.add(key);
        return [alarm('recording-gap', [hitOf(record, nowMs, camera)], camera)];
      }
      case 'footage.damaged':
      case 'footage.quarantined':
      case 'footage.reindexed': {
        const camera = cameraOf(record);
        return [alarm('footage-loss', [hitOf(record, nowMs, camera)], camera)];
      }
      case 'footage.deleted': {
        if (record.actor.id === retentionActorId) return [];
        const camera = cameraOf(record);
        return [alarm('footage-loss', [hitOf(record, nowMs, camera)], camera)];
      }
      case 'recording.resumed':
        this.gaps.delete(gapKey(record));
        return [];
      case 'clock.stepped':
        return [alarm('clock-step', [hitOf(record, nowMs, undefined)], undefined)];
      // Listed rather than defaulted, so a new catalogue type is a conscious decision here.
      case 'footage.bookmark.created':
      case 'footage.bookmark.deleted':
      case 'footage.hold.placed':
      case 'footage.hold.released':
      case 'audit.ledger.started':
      case 'audit.ledger.stopped':
      case 'audit.ledger.heartbeat':
      case 'siem.destinations.changed':
      case 'siem.destination.recovered':
      case 'siem.events.dead-lettered':
      case 'siem.heartbeat':
      case 'audit.events.read':
      case 'audit.verified':
      case 'vault.fsck.completed':
      case 'governance.requirement.updated':
      case 'governance.document.registered':
      case 'governance.approval.recorded':
      case 'governance.training.attested':
      case 'governance.retention.justified':
      case 'governance.bundle.exported':
      case 'audit.subject.erased':
      case 'audit.witness.cosigned':
      case 'recording.space.stopped': // alarmed as storage-fault by the health monitor (the space guard is one of its sources)
      case 'recording.space.resumed':
      case 'residency.configured':
      case 'camera.created':
      case 'camera.updated':
      case 'camera.deleted':
      case 'footage.segment.sealed':
      case 'footage.live.viewed':
      case 'footage.played':
      case 'footage.export.requested':
      case 'footage.export.completed':
      case 'footage.export.downloaded':
      case 'key.rotated':
      case 'key.retired':
      case 'auth.login.succeeded':
      case 'auth.login.failed':
      case 'access.grant.revoked':
      case 'auth.logout':
      case 'auth.mfa.enrolled':
      case 'auth.token.created':
      case 'auth.token.revoked':
      case 'account.created':
      case 'account.password.changed':
      case 'account.disabled':
      case 'account.enabled':
      case 'access.denied':
      case 'access.approval.requested':
      case 'access.approval.decided':
      case 'site.saved':
      case 'group.saved':
      case 'alarm.updated':
      case 'incident.candidate.raised':
      case 'incident.candidate.decided':
      case 'incident.created':
      case 'incident.updated':
      case 'incident.report.generated':
      case 'incident.report.submitted':
      case 'system.backup.created':
      case 'system.restore.completed':
      case 'storage.zones.changed':
      case 'storage.zone.caught-up':
      case 'storage.camera.caught-up':
      case 'storage.copy.repaired':
      case 'storage.copy.unrepairable':
      case 'storage.scrub.completed':
      case 'camera.discovered':
      case 'firmware.key.trusted':
      case 'advisory.imported':
      case 'camera.advisory.cleared':
      case 'firmware.release.imported':
      case 'firmware.image.verified':
      case 'firmware.image.pushed':
      case 'camera.ptz.session.started':
      case 'camera.ptz.session.ended':
      case 'camera.ptz.preset.set':
      case 'camera.ptz.preset.goto':
      case 'camera.sbom.attached':
      case 'camera.risk.accepted':
      case 'camera.asset.updated':
        return [];
    }
  }

  /**
   * Evaluation time of a record: its `time`, never earlier than a record already seen, so a clock
   * stepped backwards cannot reopen windows. An unparsable time counts as the latest time seen.
   */
  private advance(time: string): number {
    const ms = Date.parse(time);
    if (Number.isFinite(ms) && ms > this.lastMs) this.lastMs = ms;
    return Number.isFinite(this.lastMs) ? this.lastMs : 0;
  }

  /** Drops every window entry older than its window, so memory stays bounded. */
  private prune(nowMs: number): void {
    this.lockouts.prune(nowMs);
    for (const [principal, window] of this.elevations) {
      window.prune(nowMs);
      if (window.size === 0) this.elevations.delete(principal);
    }
    const authWindowMs = alarmRules['camera-auth-failure'].windowMinutes * minuteMs;
    for (const [camera, last] of this.cameraAuthAlarmed) if (nowMs - last > authWindowMs) this.cameraAuthAlarmed.delete(camera);
  }
}

function hitOf(record: LeafRecord, timeMs: number, target: AlarmTarget | undefined): Hit {
  return { seq: record.seq, timeMs, target };
}

/** The record's target, without its display name. */
function targetOf(record: LeafRecord): AlarmTarget | undefined {
  return record.target ? { kind: record.target.kind, id: record.target.id } : undefined;
}

/** The camera a record concerns: `camera_id`, else a target of kind `camera`. */
/** One open recording gap per camera and stream: a recorded sub-stream's (ADR 0043) is its own. */
function gapKey(record: LeafRecord): string {
  return `${cameraOf(record)?.id ?? ''}${record.details?.stream === 'sub' ? '\nsub' : ''}`;
}

function cameraOf(record: LeafRecord): AlarmTarget | undefined {
  if (record.camera_id !== undefined) return { kind: 'camera', id: record.camera_id };
  return record.target?.kind === 'camera' ? targetOf(record) : undefined;
}

function sameTarget(a: AlarmTarget | undefined, b: AlarmTarget | undefined): boolean {
  return a?.kind === b?.kind && a?.id === b?.id;
}

/** The `alarm.raised` input of a rule; `cameraId` is set when the target is a camera. */
function alarm(rule: AlarmRuleId, hits: readonly Hit[], target: AlarmTarget | undefined): AuditInput {
  const spec: AlarmRule = alarmRules[rule];
  return {
    type: 'alarm.raised',
    actor: { kind: 'system', id: 'system:alarm-rules' },
    outcome: 'success',
    ...(target ? { target } : {}),
    ...(target?.kind === 'camera' ? { cameraId: target.id } : {}),
    details: {
      rule,
      title: spec.title,
      triggeredBy: hits.map((h) => h.seq),
      ...(spec.windowMinutes !== undefined ? { windowMinutes: spec.windowMinutes } : {}),
    },
  };
}
