/**
 * SIEM shipping (issue 16): one {@link DestinationLoop} per enabled destination, the record of a
 * changed destinations configuration, and the status shown by the API and /metrics.
 *
 * Contract: `start` after the ledger opened, `stop` before it closes (app.ts). `committed` is
 * called by the ledger for every commit of this process, so delivery follows without polling;
 * events committed by other processes (the CLI) are found by each loop's idle poll.
 */
import { createHash } from 'node:crypto';
import type { AuditInput } from '../../audit/audit-event.ts';
import type { LedgerStore, StoredCheckpoint } from '../../audit/ledger.store.ts';
import type { SiemConfig, SiemDestinationConfig } from '../../config/siem.schema.ts';
import { canonicalJson, type JsonValue } from '../../lib/canonical-json.ts';
import type { Clock } from '../../lib/clock.ts';
import type { Logger } from '../../lib/logger.ts';
import type { MonotonicClock } from '../../lib/monotonic-clock.ts';
import type { SiemDestination } from '../destination.ts';
import { DestinationLoop } from './destination-loop.ts';
import type { SiemDeadLetter, SiemDeliveryStore } from './siem-delivery.store.ts';

/** A configured destination and its adapter (undefined when disabled: nothing is opened). */
export interface ConfiguredDestination {
  readonly config: SiemDestinationConfig;
  readonly destination?: SiemDestination;
}

export interface ShipperDeps {
  readonly destinations: readonly ConfiguredDestination[];
  readonly settings: Pick<SiemConfig, 'alarmAfterSeconds' | 'heartbeatSeconds' | 'retryMaxSeconds' | 'batchSize'>;
  readonly ledger: Pick<LedgerStore, 'events' | 'latestCheckpoint' | 'checkpoints' | 'size'>;
  readonly store: SiemDeliveryStore;
  readonly record: (input: AuditInput) => Promise<unknown>;
  readonly clock: Clock;
  readonly monotonic: MonotonicClock;
  readonly log: Logger;
  readonly idlePollMs?: number;
  readonly random?: () => number;
}

/** One destination as the API and /metrics show it: never a secret. */
export interface DestinationStatus {
  readonly id: string;
  readonly kind: string;
  readonly jurisdiction: string;
  readonly enabled: boolean;
  /** The destination's configuration with every secret shown as `[redacted]`. */
  readonly config: Readonly<Record<string, JsonValue>>;
  readonly nextSeq: number;
  /** Committed events not yet past the cursor. */
  readonly lag: number;
  readonly sent: number;
  readonly failed: number;
  readonly deadLetters: number;
  readonly lastSuccessMs: number | null;
  readonly lastError: string | null;
  /** Wall-clock ms since the destination has been failing, or null. */
  readonly failingSinceMs: number | null;
  readonly alarmed: boolean;
  readonly heartbeats: boolean;
  readonly lastHeartbeatMs: number | null;
}

const systemActor = { kind: 'system', id: 'system:siem' } as const;

/** The configuration without secrets (a Secret serialises as `[redacted]`), as plain JSON. */
export function publicConfig(config: SiemDestinationConfig): Record<string, JsonValue> {
  return JSON.parse(JSON.stringify(config)) as Record<string, JsonValue>;
}

/** SHA-256 of the secret-free destinations configuration, in canonical JSON. */
export function destinationsHash(configs: readonly SiemDestinationConfig[]): string {
  return createHash('sha256').update(canonicalJson(configs.map(publicConfig))).digest('hex');
}

/** Checkpoints with `afterSize` < size ≤ `uptoSize`, ascending, paged from the newest down. */
async function checkpointsBetween(ledger: ShipperDeps['ledger'], afterSize: number, uptoSize: number): Promise<StoredCheckpoint[]> {
  const page = 256;
  const found: StoredCheckpoint[] = [];
  let below = uptoSize + 1;
  for (;;) {
    const rows = await ledger.checkpoints(page, below);
    const wanted = rows.filter((c) => c.size > afterSize);
    found.push(...wanted);
    if (rows.length < page || wanted.length < rows.length) return found.reverse();
    below = rows[rows.length - 1]!.size;
  }
}

export class SiemShipper {
  readonly #deps: ShipperDeps;
  readonly #loops: Map<string, DestinationLoop>;
  #destinations: readonly ConfiguredDestination[];

  private constructor(deps: ShipperDeps, loops: Map<string, DestinationLoop>) {
    this.#deps = deps;
    this.#loops = loops;
    this.#destinations = deps.destinations;
  }

  /**
   * Records a changed configuration, then starts a loop per enabled destination that has its
   * adapter. Built with configurations only (no adapters), it ships nothing until `resume`: a
   * cluster node that does not hold the jobs lease (ADR 0039).
   */
  static async start(deps: ShipperDeps): Promise<SiemShipper> {
    await recordConfigChange(deps);
    const shipper = new SiemShipper(deps, new Map());
    await shipper.resume(deps.destinations);
    return shipper;
  }

  /**
   * Ships to these destinations (the same configurations, with their adapters) from each one's
   * saved cursor; loops still running are stopped first.
   */
  async resume(destinations: readonly ConfiguredDestination[]): Promise<void> {
    await this.suspend();
    this.#destinations = destinations;
    const deps = this.#deps;
    const s = deps.settings;
    for (const { config, destination } of destinations) {
      if (!config.enabled || destination === undefined) continue;
      const loop = new DestinationLoop({
        destination,
        // A replica has no filter: it takes every leaf.
        filter: 'filter' in config ? config.filter : { types: [], minSeverity: 1 },
        events: (afterSeq, limit) => deps.ledger.events({ afterSeq, limit }),
        latestCheckpoint: () => deps.ledger.latestCheckpoint(),
        checkpoints: (afterSize, uptoSize) => checkpointsBetween(deps.ledger, afterSize, uptoSize),
        store: deps.store,
        record: deps.record,
        clock: deps.clock,
        monotonic: deps.monotonic,
        log: deps.log,
        alarmAfterMs: s.alarmAfterSeconds * 1000,
        heartbeatMs: s.heartbeatSeconds * 1000,
        retryMaxMs: s.retryMaxSeconds * 1000,
        batchSize: s.batchSize,
        ...(deps.idlePollMs === undefined ? {} : { idlePollMs: deps.idlePollMs }),
        ...(deps.random === undefined ? {} : { random: deps.random }),
      });
      this.#loops.set(config.id, loop);
    }
    try {
      for (const loop of this.#loops.values()) await loop.start();
    } catch (e) {
      await this.suspend();
      throw e;
    }
  }

  /** Stops every loop (in-flight sends are resent from the saved cursor) and closes the destinations; status still answers. */
  async suspend(): Promise<void> {
    const loops = [...this.#loops.values()];
    this.#loops.clear();
    await Promise.all(loops.map((loop) => loop.stop()));
  }

  /** Events were committed by this process. */
  committed(): void {
    for (const loop of this.#loops.values()) loop.wake();
  }

  /** Every configured destination with its progress. */
  async status(): Promise<DestinationStatus[]> {
    const size = await this.#deps.ledger.size();
    const wallNow = this.#deps.clock.now();
    const monoNow = this.#deps.monotonic.now();
    return Promise.all(
      this.#destinations.map(async ({ config, destination }) => {
        const live = this.#loops.get(config.id)?.status() ?? null;
        const cursor = live?.cursor ?? (await this.#deps.store.cursor(config.id));
        const since = live?.failure.failingSinceMs ?? null;
        return {
          id: config.id,
          kind: config.kind,
          jurisdiction: config.jurisdiction,
          enabled: config.enabled,
          config: publicConfig(config),
          nextSeq: cursor.nextSeq,
          lag: Math.max(0, size - cursor.nextSeq),
          sent: cursor.sent,
          failed: cursor.failed,
          deadLetters: cursor.dead,
          lastSuccessMs: cursor.lastSuccessMs,
          lastError: cursor.lastError,
          failingSinceMs: since === null ? null : Math.round(wallNow - (monoNow - since)),
          alarmed: live?.failure.alarmed ?? false,
          heartbeats: destination?.sendHeartbeat !== undefined,
          lastHeartbeatMs: live?.lastHeartbeatMs ?? null,
        };
      }),
    );
  }

  /** Dead letters of one destination, oldest first; undefined for an unknown id. */
  async deadLetters(id: string, limit: number): Promise<SiemDeadLetter[] | undefined> {
    if (!this.#destinations.some((d) => d.config.id === id)) return undefined;
    return this.#deps.store.deadLetters(id, limit);
  }

  /** Stops every loop (in-flight sends are resent at the next start) and closes the destinations. */
  async stop(): Promise<void> {
    await this.suspend();
  }
}

/** At start-up: an audit event when the secret-free configuration differs from the last one seen. */
async function recordConfigChange(deps: ShipperDeps): Promise<void> {
  const configs = deps.destinations.map((d) => d.config);
  const hash = destinationsHash(configs);
  const previous = await deps.store.configHash();
  if (previous === hash) return;
  if (previous !== undefined || configs.length > 0) {
    await deps.record({
      type: 'siem.destinations.changed',
      actor: systemActor,
      outcome: 'success',
      details: { sha256: hash, previousSha256: previous ?? null, destinations: configs.map(publicConfig) },
    });
  }
  await deps.store.saveConfigHash(hash, deps.clock.now());
}
