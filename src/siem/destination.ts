import type { LeafRecord } from '../audit/audit-event.ts';

/**
 * What the delivery loop hands a SIEM destination, and what it answers. One adapter per
 * technology implements {@link SiemDestination} (syslog over TLS, Splunk HEC, Sentinel, Chronicle,
 * webhook, file, replica); the loop owns the cursor, ordering, retries and dead letters.
 */

/** One committed ledger event as shipped: its record and its canonical leaf text (verbatim). */
export interface ShippedEvent {
  readonly record: LeafRecord;
  /** The canonical JSON leaf text, byte for byte what the tree hashed. */
  readonly text: string;
}

/** A signed checkpoint as shipped (C2SP signed note text). */
export interface ShippedCheckpoint {
  readonly size: number;
  /** The signed note, verbatim. */
  readonly note: string;
}

/**
 * A heartbeat (LOG-5): sent to every destination every `siem.heartbeatSeconds`, whatever its
 * filter, so a SIEM can alert when they stop or when the checkpoint they carry does not extend
 * the previous one. Not a ledger leaf: src/siem/heartbeat.ts gives it a record shape (type
 * `siem.heartbeat`, leaf index -1) so every format can encode it.
 */
export interface ShippedHeartbeat {
  /** Unique id of this heartbeat (UUID). */
  readonly id: string;
  /** RFC 3339 UTC with milliseconds. */
  readonly time: string;
  readonly destinationId: string;
  /** The next leaf index this destination will be offered (its cursor). */
  readonly nextSeq: number;
  /** The latest signed checkpoint, or null before the first one is signed. */
  readonly checkpoint: { readonly size: number; readonly rootHex: string; readonly note: string } | null;
}

/** The result of one send. */
export type SendOutcome =
  | { readonly ok: true }
  | {
      readonly ok: false;
      /** False when sending the same batch again cannot succeed (a 400, a too-large event): the loop dead-letters it. */
      readonly retryable: boolean;
      /** One line, no secrets (no tokens, no URLs with credentials). */
      readonly reason: string;
      /** The receiver asked for this pause (HTTP Retry-After). */
      readonly retryAfterMs?: number;
    };

/**
 * A SIEM destination.
 *
 * Contracts:
 * - `send` MUST resolve only when the receiver accepted every event of the batch (or answer
 *   `ok: false`); it MUST NOT reject for a receiver's refusal or a network fault (it answers
 *   `ok: false, retryable: true` instead) and MUST honour `signal`.
 * - Events arrive in leaf order; the same event may be offered again after a failure or a
 *   restart (at-least-once). A receiver deduplicates by `record.id`, which every format carries.
 * - Nothing a destination logs or answers contains a secret.
 */
export interface SiemDestination {
  readonly id: string;
  /** Most events per `send`. */
  readonly maxBatch: number;
  send(batch: readonly ShippedEvent[], signal: AbortSignal): Promise<SendOutcome>;
  /** Receives each signed checkpoint in size order (witness-like and replica destinations). */
  sendCheckpoint?(checkpoint: ShippedCheckpoint, signal: AbortSignal): Promise<SendOutcome>;
  /**
   * Receives the periodic heartbeat (same contract as `send`). Optional so the interface stays
   * additive; a destination without it gets no heartbeat and its status says so.
   */
  sendHeartbeat?(heartbeat: ShippedHeartbeat, signal: AbortSignal): Promise<SendOutcome>;
  close(): Promise<void>;
}
