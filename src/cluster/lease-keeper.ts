import type { Logger } from '../lib/logger.ts';
import type { MonotonicClock } from '../lib/monotonic-clock.ts';
import { planBalance } from './balance.ts';
import type { Claimed, LeaseStore, NodeRow } from './leases.store.ts';

/** The lease on checkpoint signing: one node signs the ledger's periodic checkpoints at a time. */
export const signerLease = 'checkpoint-signer';
/** The lease on the once-per-cluster jobs (alarm rules, alarm inbox and notifications, SIEM shipping): ADR 0039. */
export const jobsLease = 'jobs';
const cameraPrefix = 'camera:';
/**
 * How long the list of cameras to record is reused between rounds: a change made through this
 * node is seen at once (`camerasChanged`), one made by the CLI or another node within this.
 */
const wantedMaxAgeMs = 10_000;

/** A camera lease this node holds, as the recorder sees it. */
export interface HeldCameraLease {
  readonly token: number;
  valid(): boolean;
  readonly gapOpen: boolean;
  readonly notBeforeMs: number | null;
  /** The same for the camera's recorded sub-stream (ADR 0043), when the takeover said. */
  readonly sub?: { readonly gapOpen: boolean; readonly notBeforeMs: number | null };
}

/** What `takeOver` found: whether it opened a gap, and where the camera's footage ends (`sub`: of its recorded sub-stream). */
export interface TakenOver {
  readonly gapOpen: boolean;
  readonly notBeforeMs: number | null;
  readonly sub?: { readonly gapOpen: boolean; readonly notBeforeMs: number | null };
}

/** A claimed camera, handed to `takeOver` before it is recorded. */
export interface ClaimedCamera extends Claimed {
  readonly cameraId: string;
}

/** What the keeper needs; built in app.ts. */
export interface LeaseKeeperDeps {
  readonly store: LeaseStore;
  readonly nodeId: string;
  /** Random per process: a restarted node is told from its previous run. */
  readonly instance: string;
  readonly roles: readonly string[];
  readonly url: () => string | null;
  readonly leaseMs: number;
  readonly renewMs: number;
  readonly monotonic: MonotonicClock;
  readonly log: Logger;
  /** The cameras to record (enabled, recordable), in a stable order. */
  wanted(): Promise<string[]>;
  /** Runs once a camera is claimed, before it is recorded; resolves with whether it opened a gap. */
  takeOver(claim: ClaimedCamera): Promise<TakenOver>;
  /** Brings the recorder in line with `lease()`: it MUST stop a camera whose lease is gone before resolving. */
  reconcile(): Promise<void>;
  /**
   * Told when this node starts or stops holding the jobs lease (nodes with the `jobs` role only):
   * `held` with the lease's token and the claim (its `prevHolder` is set on a failover). Not
   * awaited by the round: the callee serialises its own start and stop.
   */
  onJobs?(change: { held: true; claim: Claimed } | { held: false }): void;
}

interface Held {
  readonly token: number;
  /** Monotonic time until which the lease is surely still ours (renewal sent + lease time). */
  validUntil: number;
  /** Set when a renewal found it taken, or it lapsed here: its recorder MUST stop writing. */
  lost?: boolean;
  readonly gapOpen: boolean;
  readonly notBeforeMs: number | null;
  readonly sub?: { readonly gapOpen: boolean; readonly notBeforeMs: number | null };
}

/**
 * Keeps this node's leases (cluster mode, issue 15): every `renewMs` it records its heartbeat,
 * renews what it holds, drops what it lost, and balances cameras over the live recorders
 * (balance.ts): it releases cameras above its share (after its recorder stopped them) and claims
 * free or lapsed ones (after `takeOver` recovered them). It also holds the checkpoint-signer lease
 * when free, and (a node with the `jobs` role) the jobs lease, telling `onJobs`. A lease counts
 * as held only until `renewal sent + leaseMs` on the monotonic clock, which keeps running while
 * the process is paused: a node resumed after SIGSTOP knows at once that its leases may be gone,
 * before any renewal answers. Ticks never overlap.
 */
export class LeaseKeeper {
  readonly #d: LeaseKeeperDeps;
  readonly #held = new Map<string, Held>();
  #signer: Held | null = null;
  #jobs: Held | null = null;
  #timer: NodeJS.Timeout | null = null;
  #tick: Promise<void> = Promise.resolve();
  #halted = false;
  #failing = false;
  #order = 0;
  #wanted: { at: number; ids: string[] } | null = null;

  constructor(deps: LeaseKeeperDeps) {
    this.#d = deps;
    this.#order = [...deps.nodeId].reduce((sum, c) => sum + c.charCodeAt(0), 0);
  }

  /** Runs the first round (so recording starts with this node's share), then one every `renewMs`. */
  async start(): Promise<void> {
    await this.tick();
    this.#timer = setInterval(() => void this.tick(), this.#d.renewMs);
    this.#timer.unref();
  }

  /** This node's lease on a camera, or null. */
  lease(cameraId: string): HeldCameraLease | null {
    const held = this.#held.get(cameraId);
    if (held === undefined) return null;
    const mono = this.#d.monotonic;
    // Still valid while a handover stops the recorder (no longer listed, not lost): it closes its segment.
    return { token: held.token, gapOpen: held.gapOpen, notBeforeMs: held.notBeforeMs, ...(held.sub === undefined ? {} : { sub: held.sub }), valid: () => held.lost !== true && held.validUntil > mono.now() };
  }

  /** True while this node holds the checkpoint-signer lease. */
  signing(): boolean {
    return this.#signer !== null && this.#signer.validUntil > this.#d.monotonic.now();
  }

  /** True while this node holds the jobs lease, judged on the monotonic clock (a resumed node knows at once). */
  jobsHeld(): boolean {
    return this.#jobs !== null && this.#jobs.validUntil > this.#d.monotonic.now();
  }

  /** The jobs lease's token while held, else null (the token the database fence checks). */
  jobsToken(): number | null {
    return this.jobsHeld() ? (this.#jobs?.token ?? null) : null;
  }

  /** Cameras this node holds. */
  cameras(): string[] {
    return [...this.#held.keys()].sort();
  }

  /** One round; rounds are serialised. */
  tick(): Promise<void> {
    this.#tick = this.#tick.then(() => this.#round()).catch((e: unknown) => this.#trouble(e));
    return this.#tick;
  }

  /** Stops the rounds (no more claims or renewals); call before stopping the recorder. */
  async halt(): Promise<void> {
    this.#halted = true;
    if (this.#timer) clearInterval(this.#timer);
    await this.#tick;
  }

  /** Releases every lease (a clean stop: the others take the cameras without a failover) and marks the node stopped. */
  async release(): Promise<void> {
    const all = new Map([...this.#held].map(([id, h]) => [cameraPrefix + id, h.token]));
    if (this.#signer !== null) all.set(signerLease, this.#signer.token);
    if (this.#jobs !== null) all.set(jobsLease, this.#jobs.token);
    this.#held.clear();
    this.#signer = null;
    this.#setJobs(null);
    await this.#d.store.release(all, this.#d.nodeId);
    await this.#d.store.stopped(this.#d.nodeId, this.#d.instance);
  }

  async #round(): Promise<void> {
    if (this.#halted) return;
    const d = this.#d;
    const sent = d.monotonic.now();
    let changed = this.#dropLapsed();
    // Heartbeat and renewals in one statement; what was not renewed is lost (another node took it after a pause).
    const asked = new Map([...this.#held].map(([id, h]) => [cameraPrefix + id, h.token]));
    if (this.#signer !== null) asked.set(signerLease, this.#signer.token);
    if (this.#jobs !== null) asked.set(jobsLease, this.#jobs.token);
    const { nowMs, renewed } = await d.store.beat({ nodeId: d.nodeId, instance: d.instance, roles: d.roles, url: d.url() }, asked, d.leaseMs);
    for (const [id, held] of this.#held) {
      if (renewed.has(cameraPrefix + id)) held.validUntil = sent + d.leaseMs;
      else {
        held.lost = true;
        this.#held.delete(id);
        changed = true;
        d.log.warn({ cameraId: id, token: held.token, code: 'LEASE_LOST' }, 'camera lease lost to another recorder');
      }
    }
    if (this.#signer !== null) {
      if (renewed.has(signerLease)) this.#signer.validUntil = sent + d.leaseMs;
      else this.#signer = null;
    }
    if (this.#jobs !== null) {
      if (renewed.has(jobsLease)) this.#jobs.validUntil = sent + d.leaseMs;
      else {
        d.log.warn({ token: this.#jobs.token, code: 'LEASE_LOST' }, 'the jobs lease was taken by another node: this node stops its jobs');
        this.#setJobs(null);
      }
    }
    if (this.#failing) {
      this.#failing = false;
      d.log.info('cluster leases: the database answers again');
    }
    if (changed) await d.reconcile();
    if (this.#signer === null) {
      const claimed = await d.store.claim(signerLease, d.nodeId, d.leaseMs);
      if (claimed !== null) {
        this.#signer = { token: claimed.token, validUntil: sent + d.leaseMs, gapOpen: false, notBeforeMs: null };
        d.log.info({ token: claimed.token }, 'this node signs the audit checkpoints now');
      }
    }
    if (this.#jobs === null && d.roles.includes('jobs') && !this.#halted) {
      const claimed = await d.store.claim(jobsLease, d.nodeId, d.leaseMs);
      if (claimed !== null) {
        d.log.info({ token: claimed.token, prevHolder: claimed.prevHolder }, 'this node runs the cluster jobs now (alarm rules, inbox, notifications, SIEM)');
        this.#setJobs({ token: claimed.token, validUntil: sent + d.leaseMs, gapOpen: false, notBeforeMs: null }, claimed);
      }
    }
    if (d.roles.includes('recorder')) await this.#balance(sent, nowMs);
  }

  /** Holds or drops the jobs lease and tells `onJobs` of a change. */
  #setJobs(held: Held | null, claim?: Claimed): void {
    const was = this.#jobs !== null;
    this.#jobs = held;
    if (held !== null && claim !== undefined) this.#d.onJobs?.({ held: true, claim });
    else if (held === null && was) this.#d.onJobs?.({ held: false });
  }

  async #balance(sent: number, nowMs: number): Promise<void> {
    const d = this.#d;
    const view = await d.store.view(cameraPrefix);
    const live = view.nodes.filter((n: NodeRow) => n.roles.includes('recorder') && n.stoppedMs === null && n.seenMs >= nowMs - d.leaseMs);
    const leases = view.leases.map((l) => ({ cameraId: l.name.slice(cameraPrefix.length), holder: l.holder, lapsed: l.expiresMs < nowMs }));
    const plan = planBalance({ self: d.nodeId, liveRecorders: Math.max(1, live.length), wanted: await this.#wantedNow(), leases, held: new Set(this.#held.keys()), order: this.#order });
    if (plan.release.length > 0) {
      // Handover: the recorder stops (closing the open segment) before the lease is released.
      const released = new Map(plan.release.map((id) => [cameraPrefix + id, this.#held.get(id)?.token ?? 0]));
      for (const id of plan.release) this.#held.delete(id);
      await d.reconcile();
      await d.store.release(released, d.nodeId);
      d.log.info({ cameras: plan.release }, 'released camera leases (handover or camera no longer recorded)');
    }
    let claimedAny = false;
    for (const cameraId of plan.claim) {
      if (this.#halted) break;
      const claimed = await d.store.claim(cameraPrefix + cameraId, d.nodeId, d.leaseMs);
      if (claimed === null) continue;
      let taken: TakenOver;
      try {
        taken = await d.takeOver({ ...claimed, cameraId });
      } catch (e) {
        d.log.error({ err: e, cameraId }, 'could not take over the camera; releasing its lease');
        await d.store.release(new Map([[cameraPrefix + cameraId, claimed.token]]), d.nodeId);
        continue;
      }
      this.#held.set(cameraId, { token: claimed.token, validUntil: sent + d.leaseMs, ...taken });
      claimedAny = true;
    }
    if (claimedAny) await d.reconcile();
  }

  /** Forgets the cached camera list (a camera was added, changed or removed). */
  camerasChanged(): void {
    this.#wanted = null;
  }

  async #wantedNow(): Promise<string[]> {
    const now = this.#d.monotonic.now();
    if (this.#wanted === null || now - this.#wanted.at > wantedMaxAgeMs) this.#wanted = { at: now, ids: await this.#d.wanted() };
    return this.#wanted.ids;
  }

  /** Drops leases whose time ran out on this side (no renewal got through in time). */
  #dropLapsed(): boolean {
    const now = this.#d.monotonic.now();
    let dropped = false;
    for (const [id, held] of this.#held) {
      if (held.validUntil > now) continue;
      held.lost = true;
      this.#held.delete(id);
      dropped = true;
      this.#d.log.warn({ cameraId: id, token: held.token, code: 'LEASE_LOST' }, 'camera lease lapsed before it could be renewed: stopped recording the camera');
    }
    if (this.#signer !== null && this.#signer.validUntil <= now) this.#signer = null;
    if (this.#jobs !== null && this.#jobs.validUntil <= now) {
      this.#d.log.warn({ token: this.#jobs.token, code: 'LEASE_LOST' }, 'the jobs lease lapsed before it could be renewed: this node stops its jobs');
      this.#setJobs(null);
    }
    return dropped;
  }

  async #trouble(e: unknown): Promise<void> {
    if (!this.#failing) {
      this.#failing = true;
      this.#d.log.error({ err: e }, 'cluster leases: a round failed; leases lapse unless the database answers within the lease time');
    }
    if (this.#dropLapsed()) await this.#d.reconcile().catch(() => undefined);
  }
}
