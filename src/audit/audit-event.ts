/**
 * The shape of audit events (LOG-1) and their canonical leaf encoding (LOG-2).
 *
 * A module hands `audit.record()` an {@link AuditInput}. The ledger splits it in two:
 * - the **record**: every non-personal field, serialised as canonical JSON; its UTF-8 bytes are
 *   the Merkle leaf, so the tree commits to exactly this text;
 * - the **personal fields** (actor display name, source address, user agent, and any
 *   `personal` extras such as the recipient of an export), sealed under a key of the person
 *   (`subject`) and stored beside the record. The record carries only the SHA-256 of the sealed
 *   bytes, so destroying the subject's key (crypto-shredding) leaves every leaf intact.
 *
 * Contract: the record of version 1 is the canonical JSON of {@link LeafRecord}; verifiers
 * (custos audit verify, custos export verify) recompute the leaf from this text alone.
 */
import { canonicalJson, type JsonValue } from '../lib/canonical-json.ts';
import { auditCatalogue, typeUid, type AuditEventType, type EventKind } from './catalogue.ts';

/** Who did it. `id` is a stable pseudonymous identifier (e.g. `user:<uuid>`, `system`, `cli:root`). */
export interface AuditActor {
  readonly kind: 'user' | 'token' | 'system' | 'cli' | 'anonymous';
  readonly id: string;
  /** Display name: personal, sealed. */
  readonly name?: string;
}

/** Who is acting, from where, in which request: what a service needs to audit an action. */
export interface AuditContext {
  readonly actor: AuditActor;
  readonly source?: AuditInput['source'];
  readonly correlationId?: string;
}

/** What a module asks the ledger to record. */
export interface AuditInput {
  readonly type: AuditEventType;
  readonly actor: AuditActor;
  /** Network origin of the request: personal, sealed. */
  readonly source?: { readonly address?: string; readonly userAgent?: string };
  /** The object acted upon, e.g. `{ kind: 'camera', id }`. */
  readonly target?: { readonly kind: string; readonly id: string; readonly name?: string };
  /** Camera concerned, when there is one (indexed for queries). */
  readonly cameraId?: string;
  readonly outcome: 'success' | 'failure';
  /** Why it failed, or why it was done (one line, no secrets). */
  readonly reason?: string;
  /** Ties the events of one request or job together (the HTTP request id). */
  readonly correlationId?: string;
  /** Type-specific, non-personal facts. */
  readonly details?: Readonly<Record<string, JsonValue>>;
  /** Type-specific personal facts (sealed), e.g. `{ requestedFor: 'Police officer X' }`. */
  readonly personal?: Readonly<Record<string, string>>;
}

/** The committed record of one event (canonical JSON of this object is the leaf). */
export interface LeafRecord {
  readonly v: 1;
  /** Leaf index, from 0. */
  readonly seq: number;
  /** Unique event id (UUID). */
  readonly id: string;
  /** RFC 3339 UTC with milliseconds. */
  readonly time: string;
  readonly type: AuditEventType;
  readonly class_uid: number;
  readonly activity_id: number;
  readonly type_uid: number;
  readonly severity_id: number;
  readonly actor: { readonly kind: AuditActor['kind']; readonly id: string };
  readonly target?: { readonly kind: string; readonly id: string; readonly name?: string };
  readonly camera_id?: string;
  readonly outcome: 'success' | 'failure';
  readonly reason?: string;
  readonly correlation_id?: string;
  readonly details?: Readonly<Record<string, JsonValue>>;
  /** Commitment to the sealed personal fields; absent when the event has none. */
  readonly personal?: { readonly subject: string; readonly sha256: string };
}

/** The personal fields of an input, or undefined when it has none. */
export function personalFieldsOf(input: AuditInput): Record<string, string> | undefined {
  // Most events carry none: no object is built for them (the ledger asks for every event).
  if (input.personal === undefined && input.actor.name === undefined && input.source === undefined) return undefined;
  const fields: Record<string, string> = { ...input.personal };
  if (input.actor.name !== undefined) fields.actorName = input.actor.name;
  if (input.source?.address !== undefined) fields.sourceAddress = input.source.address;
  if (input.source?.userAgent !== undefined) fields.userAgent = input.source.userAgent;
  return Object.keys(fields).length > 0 ? fields : undefined;
}

/** Builds the committed record of an input (everything but `seq` is fixed before the append). */
export function leafRecordOf(
  input: AuditInput,
  fixed: { readonly id: string; readonly timeMs: number; readonly personal?: LeafRecord['personal'] },
  seq: number,
): LeafRecord {
  const kind: EventKind = auditCatalogue[input.type];
  // Keys in canonical (sorted) order, so the encoder writes this object without copying it.
  return {
    activity_id: kind.activityId,
    actor: { id: input.actor.id, kind: input.actor.kind },
    camera_id: input.cameraId,
    class_uid: kind.classUid,
    correlation_id: input.correlationId,
    details: input.details,
    id: fixed.id,
    outcome: input.outcome,
    personal: fixed.personal,
    reason: input.reason,
    seq,
    severity_id: kind.severityId,
    target: input.target,
    time: new Date(fixed.timeMs).toISOString(),
    type: input.type,
    type_uid: typeUid(input.type),
    v: 1,
  };
}

/** The leaf text of a record: its canonical JSON (the leaf is its UTF-8). */
export function leafText(record: LeafRecord): string {
  return canonicalJson(record as unknown as JsonValue);
}

/** The leaf bytes of a record: its canonical JSON in UTF-8. */
export function encodeLeaf(record: LeafRecord): Buffer {
  return Buffer.from(leafText(record), 'utf8');
}
