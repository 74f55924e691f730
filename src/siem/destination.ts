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
  close(): Promise<void>;
}
