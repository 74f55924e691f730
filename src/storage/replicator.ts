/**
 * Placement and the edge spool (issue 14 items 2 and 4). The recorder writes every segment into
 * the recording zone (the vault); when a segment is sealed, the replicator records one copy row
 * per zone of the camera's placement: `stored` in the recording zone (with the ciphertext SHA-256
 * the vault computed as it wrote), `pending` in every other zone. One worker per other zone copies
 * its pending objects oldest first, verifying each source against its recorded hash first; a zone
 * that fails or does not answer in time is down, and its copies wait (the spool: the sealed
 * objects in the recording zone, referenced by their pending rows, never dropped) until it answers
 * again, retried with capped backoff.
 *
 * Contracts:
 * - Recording never waits for a zone: `sealed` records the rows through the index writer (retried
 *   until made) and returns.
 * - A copy is `stored` only after the zone acknowledged the whole object and its size checks.
 * - Zero acknowledged loss: a pending copy leaves the spool only when stored, or when its segment
 *   is no longer indexed (deleted by retention, quarantined), and then its zone copy is deleted.
 * - Lag (seconds behind = now − seal time of the oldest pending copy) past `lagAlarmSeconds`
 *   raises the `storage-zone-lag` alarm (LOG-6) once per episode; `storage.zone.caught-up` ends it.
 * - Acknowledgement (ADR 0040): a segment is acknowledged once `ack` (W) of its copies are
 *   `stored` with a known ciphertext SHA-256 (the vault's, computed as it wrote; a copy's, checked
 *   as it was read; else the ledger leaf's). A camera with a segment unacknowledged for longer
 *   than `lagAlarmSeconds` raises `storage-under-replicated` once per episode;
 *   `storage.camera.caught-up` ends it. Recording never waits for it.
 */
import { createHash } from 'node:crypto';
import type { AuditInput } from '../audit/audit-event.ts';
import type { JsonValue } from '../lib/canonical-json.ts';
import type { AuditSink } from '../audit/ledger.ts';
import type { Clock } from '../lib/clock.ts';
import type { Logger } from '../lib/logger.ts';
import { RetryBackoff } from '../lib/retry-backoff.ts';
import type { Segment } from '../media/segment.ts';
import type { SegmentCopies, SegmentCopy, UnderReplicated, ZoneBacklog } from './segment-copies.store.ts';
import type { PlacedCamera, ZoneSet } from './zone-set.ts';
import type { Zone } from './zone.ts';
import { ensureScratchDir, fetchToScratch } from './scratch-files.ts';
import { isSourceMismatch } from './zone.ts';


/** The actor of storage events. */
export const storageActor = { kind: 'system', id: 'system:storage' } as const;

/**
 * The key of a copy outside the recording zone: the segment's random id under a two-hex fan-out,
 * no camera id, name or time (object keys carry no personal data).
 */
export function zoneKey(segmentId: string): string {
  return `v1/${createHash('sha256').update(segmentId).digest('hex').slice(0, 2)}/${segmentId}`;
}

/** What one zone looks like now (status, /metrics). */
export interface ZoneStatus {
  readonly id: string;
  readonly kind: 'local' | 's3';
  readonly jurisdiction: string;
  readonly recording: boolean;
  /** ok: the last attempt succeeded; down: it failed (lastError says why); idle: nothing tried yet. */
  readonly health: 'ok' | 'down' | 'idle';
  readonly lastError: string | null;
  readonly lagSeconds: number;
  readonly backlog: ZoneBacklog;
  readonly usedBytes: number | null;
  readonly totalBytes: number | null;
  /** Objects and bytes copied into the zone since the server started. */
  readonly copiedObjects: number;
  readonly copiedBytes: number;
}

export interface StorageStatus {
  readonly zones: ZoneStatus[];
  /** Bytes waiting in the spool for any zone, and the bound beyond which it alarms. */
  readonly spoolBytes: number;
  readonly spoolMaxBytes: number;
  /** Segments with fewer verified copies than their placement acknowledges after (ADR 0040). */
  readonly unacknowledged: number;
  /** Per camera: its unacknowledged segments, the oldest one's age and the zones they wait for. */
  readonly underReplicated: readonly UnderReplicatedStatus[];
}

/** One camera short of its acknowledgement count. */
export interface UnderReplicatedStatus extends UnderReplicated {
  /** Now minus the seal time of its oldest unacknowledged segment. */
  readonly lagSeconds: number;
}

/** What one zone's worker knows of it (the replicator's, or a CLI probe's). */
export interface ZoneHealth {
  readonly health: ZoneStatus['health'];
  readonly lastError: string | null;
  readonly copiedObjects: number;
  readonly copiedBytes: number;
}

/** Zones, lag, spool and acknowledgement from the index, each zone's fill, and `health` where known. */
export async function readStorageStatus(d: { zoneSet: ZoneSet; copies: SegmentCopies; clock: Clock; maxPendingBytes: number; health: ReadonlyMap<string, ZoneHealth> }): Promise<StorageStatus> {
  const zones: ZoneStatus[] = [];
  for (const zone of d.zoneSet.zones.values()) {
    const h = d.health.get(zone.id);
    const backlog = await d.copies.backlog(zone.id);
    const fill = await zone.fill();
    zones.push({
      id: zone.id,
      kind: zone.kind,
      jurisdiction: zone.jurisdiction,
      recording: zone === d.zoneSet.recording,
      health: h?.health ?? (zone === d.zoneSet.recording ? 'ok' : 'idle'),
      lastError: h?.lastError ?? null,
      lagSeconds: backlog.oldestSealedMs === null ? 0 : Math.max(0, (d.clock.now() - backlog.oldestSealedMs) / 1000),
      backlog,
      ...fill,
      copiedObjects: h?.copiedObjects ?? 0,
      copiedBytes: h?.copiedBytes ?? 0,
    });
  }
  const spoolBytes = zones.reduce((n, z) => n + z.backlog.pendingBytes, 0);
  const underReplicated = (await d.copies.underReplicated()).map((c) => ({ ...c, lagSeconds: Math.max(0, (d.clock.now() - c.oldestSealedMs) / 1000) }));
  return { zones, spoolBytes, spoolMaxBytes: d.maxPendingBytes, unacknowledged: underReplicated.reduce((n, c) => n + c.segments, 0), underReplicated };
}

export interface ReplicatorDeps {
  readonly zoneSet: ZoneSet;
  readonly copies: SegmentCopies;
  readonly audit: AuditSink;
  readonly log: Logger;
  readonly clock: Clock;
  /** The camera of a segment (for its placement); undefined for a removed camera. */
  readonly cameraOf: (cameraId: string) => Promise<PlacedCamera | undefined>;
  /** Every configured camera (start-up backfill of copies missing from a placement). */
  readonly cameras: () => Promise<PlacedCamera[]>;
  /** Runs an idempotent index write, retried until made (the recorder's IndexWriter). */
  readonly write: (label: string, op: () => Promise<void>) => Promise<void>;
  /** Scratch directory for objects fetched from another zone. */
  readonly scratchDir: string;
  readonly lagAlarmSeconds: number;
  readonly maxPendingBytes: number;
  readonly retryMaxMs: number;
  /** How often lag is checked and orphans pruned. */
  readonly tickMs?: number;
  /** Copies in flight per zone (default 4). */
  readonly concurrency?: number;
}

interface Worker {
  readonly zone: Zone;
  health: ZoneStatus['health'];
  lastError: string | null;
  copiedObjects: number;
  copiedBytes: number;
  readonly backoff: RetryBackoff;
  wake: (() => void) | null;
  lagAlarmed: boolean;
  loop: Promise<void> | null;
}

export class Replicator {
  readonly #d: ReplicatorDeps;
  readonly #workers = new Map<string, Worker>();
  #stopped = false;
  #timer: NodeJS.Timeout | null = null;
  #spoolAlarmed = false;
  #ticking: Promise<void> | null = null;
  readonly #inflight = new Set<Promise<void>>();
  #ticks = 0;
  /** Cameras in a storage-under-replicated episode (alarm raised, not yet caught up). */
  readonly #underReplicated = new Set<string>();
  /** Where the filling of unknown hashes from ledger leaves goes on (a segment id). */
  #unhashedAfter = '';
  /** The start-up pass of {@link #hashFromLeaves}, while it runs. */
  #initialFill: Promise<void> | null = null;

  constructor(deps: ReplicatorDeps) {
    this.#d = deps;
    for (const zone of deps.zoneSet.zones.values()) {
      if (zone === deps.zoneSet.recording) continue;
      this.#workers.set(zone.id, { zone, health: 'idle', lastError: null, copiedObjects: 0, copiedBytes: 0, backoff: new RetryBackoff(deps.retryMaxMs), wake: null, lagAlarmed: false, loop: null });
    }
  }

  /**
   * Adopts footage recorded before zones existed into the recording zone, queues copies missing
   * from any camera's placement, audits a changed layout, then starts one worker per zone.
   */
  async start(): Promise<void> {
    const { copies, zoneSet, clock, log } = this.#d;
    const now = clock.now();
    const adopted = await copies.adopt(zoneSet.recording.id, now);
    if (adopted > 0) log.info({ zone: zoneSet.recording.id, segments: adopted }, 'storage: segments recorded before zones existed are in the recording zone');
    for (const camera of await this.#d.cameras()) {
      const placement = zoneSet.placementOf(camera);
      for (const z of placement.zones) {
        if (z === zoneSet.recording.id) continue;
        const queued = await copies.enqueueMissing(camera.id, z, placement.ack, zoneKey, now);
        if (queued > 0) log.info({ zone: z, cameraId: camera.id, segments: queued }, 'storage: copies queued for a zone of the placement');
      }
    }
    const layout = zoneSet.layout();
    const before = await copies.layout();
    if (before !== layout) {
      await this.#d.audit.record({
        type: 'storage.zones.changed',
        actor: storageActor,
        outcome: 'success',
        details: { before: before === null ? null : (JSON.parse(before) as JsonValue), after: JSON.parse(layout) as JsonValue },
      });
      await copies.saveLayout(layout, now);
    }
    // Copies adopted from before zones (or of a torn segment) take their hash from the ledger
    // leaf: one pass in the background (a large archive after an upgrade must not hold up the
    // start); acknowledgement is judged (and alarmed) only after it.
    this.#initialFill = (async () => {
      let filled = 0;
      for (let n = await this.#hashFromLeaves(500); n > 0 && !this.#stopped; n = await this.#hashFromLeaves(500)) filled += n;
      if (filled > 0) log.info({ copies: filled }, 'storage: copy hashes filled from the ledger leaves');
    })()
      .catch((e: unknown) => log.error({ err: e }, 'storage: could not fill copy hashes from the ledger; retried every minute'))
      .finally(() => (this.#initialFill = null));
    await ensureScratchDir(this.#d.scratchDir);
    for (const w of this.#workers.values()) {
      // A first probe (not awaited): status knows each zone's health from the start, and the
      // client's request path is loaded before the first copy, not in the middle of recording.
      void w.zone.probe().then(
        () => {
          if (w.health === 'idle') w.health = 'ok';
        },
        (e: unknown) => {
          if (w.health !== 'idle') return;
          w.health = 'down';
          w.lastError = (e instanceof Error ? e.message : 'error').split('\n')[0] ?? 'error';
        },
      );
      w.loop = this.#run(w);
    }
    const tickMs = this.#d.tickMs ?? 5000;
    this.#timer = setInterval(() => {
      this.#ticking ??= this.#tick()
        .catch((e: unknown) => log.error({ err: e }, 'storage: lag check failed'))
        .finally(() => (this.#ticking = null));
    }, tickMs);
    this.#timer.unref();
  }

  /**
   * Records the copies of a sealed segment (through the index writer) and wakes the zones. Never
   * rejects (a failure is logged; the start-up backfill queues what is missing).
   */
  sealed(segment: Segment, objectSha256: string | null): Promise<void> {
    const work = this.#sealed(segment, objectSha256).catch((e: unknown) => this.#d.log.error({ err: e, segmentId: segment.id }, 'storage: could not record the copies of a sealed segment'));
    this.#inflight.add(work);
    void work.finally(() => this.#inflight.delete(work));
    return work;
  }

  async #sealed(segment: Segment, objectSha256: string | null): Promise<void> {
    const { zoneSet, copies, clock, log } = this.#d;
    const camera = (await this.#d.cameraOf(segment.cameraId).catch(() => undefined)) ?? { id: segment.cameraId, siteId: 'default' };
    const placement = zoneSet.placementOf(camera);
    let size: number | null = null;
    try {
      size = await zoneSet.recording.head(segment.objectKey);
    } catch (e) {
      log.warn({ err: e, segmentId: segment.id }, 'storage: could not stat a sealed segment');
    }
    const sealedMs = clock.now();
    const rows: SegmentCopy[] = placement.zones.map((zoneId) =>
      zoneId === zoneSet.recording.id
        ? { segmentId: segment.id, zoneId, objectKey: segment.objectKey, sha256: objectSha256, size, state: 'stored', ack: placement.ack, sealedMs }
        : { segmentId: segment.id, zoneId, objectKey: zoneKey(segment.id), sha256: null, size, state: 'pending', ack: placement.ack, sealedMs },
    );
    await this.#d.write(`segment copies (segment ${segment.id})`, () => copies.put(rows, sealedMs));
    for (const zoneId of placement.zones) this.#workers.get(zoneId)?.wake?.();
  }

  /** Zones, lag, spool and acknowledgement, read from the index (and each zone's fill). */
  status(): Promise<StorageStatus> {
    const health = new Map([...this.#workers].map(([id, w]) => [id, { health: w.health, lastError: w.lastError, copiedObjects: w.copiedObjects, copiedBytes: w.copiedBytes }]));
    return readStorageStatus({ zoneSet: this.#d.zoneSet, copies: this.#d.copies, clock: this.#d.clock, maxPendingBytes: this.#d.maxPendingBytes, health });
  }

  /** Retries every zone now (a zone is known to be back). */
  wakeAll(): void {
    for (const w of this.#workers.values()) {
      w.backoff.wake();
      w.wake?.();
    }
  }

  /** Stops the workers after the copy in progress; pending copies stay in the spool for the next start. */
  async stop(): Promise<void> {
    while (this.#inflight.size > 0) await Promise.all([...this.#inflight]);
    this.#stopped = true;
    if (this.#timer) clearInterval(this.#timer);
    this.wakeAll();
    await Promise.all([...this.#workers.values()].flatMap((w) => (w.loop === null ? [] : [w.loop])));
    await this.#ticking;
    await this.#initialFill;
  }

  async #run(w: Worker): Promise<void> {
    const { copies, log } = this.#d;
    while (!this.#stopped) {
      let batch: SegmentCopy[];
      try {
        batch = await copies.pending(w.zone.id, 50);
      } catch (e) {
        log.warn({ err: e, zone: w.zone.id }, 'storage: cannot read the spool; retrying');
        await w.backoff.wait();
        continue;
      }
      if (batch.length === 0) {
        await new Promise<void>((resolve) => {
          const timer = setTimeout(resolve, 5000);
          w.wake = () => {
            clearTimeout(timer);
            resolve();
          };
        });
        w.wake = null;
        continue;
      }
      // Up to `concurrency` copies in flight, started oldest first; after a failure nothing new
      // starts, and the next round begins again from the oldest pending copy.
      const round: { failure: unknown } = { failure: null };
      let next = 0;
      const lane = async () => {
        while (round.failure === null && !this.#stopped && next < batch.length) {
          const copy = batch[next++] as SegmentCopy;
          try {
            const size = await this.#copyOne(w.zone, copy);
            w.copiedObjects += 1;
            w.copiedBytes += size;
          } catch (e) {
            round.failure ??= e;
          }
        }
      };
      await Promise.all(Array.from({ length: Math.min(this.#d.concurrency ?? 4, batch.length) }, lane));
      if (this.#stopped) return;
      const failure = round.failure;
      if (failure === null) {
        if (w.health !== 'ok') log.info({ zone: w.zone.id }, 'storage: zone reachable; backfilling');
        w.health = 'ok';
        w.lastError = null;
        w.backoff.reset();
        continue;
      }
      const reason = (failure instanceof Error ? failure.message : 'error').split('\n')[0] ?? 'error';
      if (w.health !== 'down') log.warn({ zone: w.zone.id, reason }, 'storage: zone down or slow; copies wait in the spool');
      w.health = 'down';
      w.lastError = reason;
      await w.backoff.wait();
    }
  }

  /**
   * Copies one pending object into `zone` from a source matching its recorded hash (the
   * recording zone's file, verified as it is read; else another zone's copy fetched into the
   * scratch directory); marks it stored; returns its size.
   */
  async #copyOne(zone: Zone, copy: SegmentCopy): Promise<number> {
    const { copies, clock, log, zoneSet } = this.#d;
    const all = await copies.ofSegment(copy.segmentId);
    const stored = all.filter((c) => c.state === 'stored');
    const expected = stored.find((c) => c.sha256 !== null)?.sha256 ?? (await copies.leafHashes([copy.segmentId])).get(copy.segmentId) ?? undefined;
    const local = stored.find((c) => c.zoneId === zoneSet.recording.id);
    const size = local === undefined ? null : await zoneSet.recording.head(local.objectKey);
    if (local !== undefined && size !== null) {
      try {
        const sha256 = await zone.put(copy.objectKey, zoneSet.recording.path(local.objectKey), size, expected);
        await copies.mark(copy.segmentId, zone.id, 'stored', clock.now(), sha256, size);
        // The recording zone's copy had no hash (adopted, torn): its bytes were just read and
        // hashed (and matched the leaf when there is one), so its hash is known now.
        if (local.sha256 === null) await copies.mark(copy.segmentId, local.zoneId, 'stored', clock.now(), sha256, size);
        return size;
      } catch (e) {
        if (!isSourceMismatch(e)) throw e;
        log.error({ zone: zone.id, segmentId: copy.segmentId }, 'storage: the recording zone\'s copy does not match its hash; copying from another zone');
      }
    }
    for (const c of stored) {
      const source = zoneSet.zones.get(c.zoneId);
      if (source === undefined || source === zoneSet.recording || source === zone) continue;
      const scratch = await fetchToScratch(source, c.objectKey, this.#d.scratchDir, `${copy.segmentId}.${source.id}`).catch(() => null);
      if (scratch === null) continue;
      try {
        if (expected !== undefined && scratch.sha256 !== expected) continue;
        await zone.put(copy.objectKey, scratch.path, scratch.size, scratch.sha256);
        await copies.mark(copy.segmentId, zone.id, 'stored', clock.now(), scratch.sha256, scratch.size);
        return scratch.size;
      } finally {
        await scratch.release();
      }
    }
    // No source: the segment is gone from the index (retention), or no copy matches its hash.
    if ((await copies.ofObjectKey(local?.objectKey ?? all.find((c) => c.zoneId === zoneSet.recording.id)?.objectKey ?? '')).length === 0) {
      await copies.remove(copy.segmentId, zone.id);
      return 0;
    }
    log.error({ zone: zone.id, segmentId: copy.segmentId }, 'storage: no verified copy to fill the zone from; left to the scrub');
    await copies.mark(copy.segmentId, zone.id, 'missing', clock.now());
    return 0;
  }

  async #tick(): Promise<void> {
    const { copies, zoneSet, clock, log } = this.#d;
    // Copies of segments no longer indexed (retention, quarantine) are deleted from their zones,
    // every twelfth tick (the query reads every copy row).
    this.#ticks += 1;
    for (const orphan of this.#ticks % 12 === 1 ? await copies.orphans(500) : []) {
      const zone = zoneSet.zones.get(orphan.zoneId);
      if (zone !== undefined && zone !== zoneSet.recording && orphan.state !== 'pending') {
        try {
          await zone.remove(orphan.objectKey);
        } catch (e) {
          log.warn({ err: e, zone: zone.id }, 'storage: could not delete the copy of a deleted segment; retrying later');
          continue;
        }
      }
      await copies.remove(orphan.segmentId, orphan.zoneId);
    }
    if (this.#initialFill === null) {
      if (this.#ticks % 12 === 1) await this.#hashFromLeaves(500);
      await this.#checkAcknowledgement();
    }
    let spool = 0;
    for (const w of this.#workers.values()) {
      const b = await copies.backlog(w.zone.id);
      spool += b.pendingBytes;
      const lagSeconds = b.oldestSealedMs === null ? 0 : (clock.now() - b.oldestSealedMs) / 1000;
      if (!w.lagAlarmed && lagSeconds > this.#d.lagAlarmSeconds) {
        w.lagAlarmed = true;
        log.error({ zone: w.zone.id, lagSeconds, pending: b.pending }, 'storage: zone is behind');
        await this.#record({
          type: 'alarm.raised',
          actor: storageActor,
          target: { kind: 'storage-zone', id: w.zone.id },
          outcome: 'success',
          details: { rule: 'storage-zone-lag', title: `Storage zone ${w.zone.id} is behind`, zone: w.zone.id, lagSeconds: Math.round(lagSeconds), pending: b.pending, pendingBytes: b.pendingBytes, lastError: w.lastError },
        });
      } else if (w.lagAlarmed && b.pending === 0) {
        w.lagAlarmed = false;
        log.info({ zone: w.zone.id }, 'storage: zone caught up');
        await this.#record({ type: 'storage.zone.caught-up', actor: storageActor, target: { kind: 'storage-zone', id: w.zone.id }, outcome: 'success', details: { zone: w.zone.id, copiedObjects: w.copiedObjects, copiedBytes: w.copiedBytes } });
      }
    }
    if (!this.#spoolAlarmed && spool > this.#d.maxPendingBytes) {
      this.#spoolAlarmed = true;
      await this.#record({ type: 'alarm.raised', actor: storageActor, outcome: 'success', details: { rule: 'storage-spool-full', title: 'The edge spool holds more than its bound', spoolBytes: spool, maxPendingBytes: this.#d.maxPendingBytes } });
    } else if (spool <= this.#d.maxPendingBytes) this.#spoolAlarmed = false;
  }

  /**
   * Fills the hash of stored recording-zone copies without one from their ledger leaves, one
   * page from where the last call stopped (a segment without a leaf yet is skipped until the next
   * pass); returns how many copies the page held.
   */
  async #hashFromLeaves(limit: number): Promise<number> {
    const { copies, zoneSet, clock } = this.#d;
    const page = await copies.unhashed(zoneSet.recording.id, this.#unhashedAfter, limit);
    this.#unhashedAfter = page.at(-1)?.segmentId ?? '';
    await copies.setHashes(zoneSet.recording.id, await copies.leafHashes(page.map((c) => c.segmentId)), clock.now());
    return page.length;
  }

  /**
   * The storage-under-replicated alarm (ADR 0040): a camera whose oldest unacknowledged segment
   * was sealed more than `lagAlarmSeconds` ago raises it once per episode; the episode ends
   * (`storage.camera.caught-up`) when every segment of the camera sealed before the previous lag
   * check is acknowledged (copies of the newest segments are normally in flight).
   */
  async #checkAcknowledgement(): Promise<void> {
    const { copies, clock, log } = this.#d;
    const now = clock.now();
    const short = new Map((await copies.underReplicated()).map((c) => [c.cameraId, c]));
    for (const c of short.values()) {
      const lagSeconds = (now - c.oldestSealedMs) / 1000;
      if (this.#underReplicated.has(c.cameraId) || lagSeconds <= this.#d.lagAlarmSeconds) continue;
      this.#underReplicated.add(c.cameraId);
      log.error({ cameraId: c.cameraId, lagSeconds, segments: c.segments, waitingFor: c.waitingFor }, 'storage: footage of a camera is held by fewer zones than its placement acknowledges after');
      await this.#record({
        type: 'alarm.raised',
        actor: storageActor,
        target: { kind: 'camera', id: c.cameraId },
        outcome: 'success',
        details: { rule: 'storage-under-replicated', title: 'Footage held by fewer zones than its placement requires', cameraId: c.cameraId, segments: c.segments, lagSeconds: Math.round(lagSeconds), waitingFor: c.waitingFor },
      });
    }
    const tickMs = this.#d.tickMs ?? 5000;
    for (const cameraId of [...this.#underReplicated]) {
      const c = short.get(cameraId);
      if (c !== undefined && c.oldestSealedMs < now - tickMs) continue;
      this.#underReplicated.delete(cameraId);
      log.info({ cameraId }, 'storage: every segment of the camera is acknowledged again');
      await this.#record({ type: 'storage.camera.caught-up', actor: storageActor, target: { kind: 'camera', id: cameraId }, outcome: 'success', details: { cameraId, unacknowledged: c?.segments ?? 0 } });
    }
  }

  async #record(input: AuditInput): Promise<void> {
    await this.#d.audit.record(input).catch((e: unknown) => this.#d.log.error({ err: e, type: input.type }, 'storage: could not record an audit event'));
  }
}

/** The replicator's spool settings from the configuration (`storage.spool`). */
export function spoolSettings(spool: { lagAlarmSeconds: number; maxPendingBytes: number; retryMaxSeconds: number; concurrency: number }) {
  return {
    lagAlarmSeconds: spool.lagAlarmSeconds,
    maxPendingBytes: spool.maxPendingBytes,
    retryMaxMs: spool.retryMaxSeconds * 1000,
    // Lag is checked at least twice per alarm period.
    tickMs: Math.min(5000, (spool.lagAlarmSeconds * 1000) / 2),
    concurrency: spool.concurrency,
  };
}
