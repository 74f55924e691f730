/**
 * One committed ledger record as an OCSF 1.8.0 event (issue 16, "OCSF everywhere"). Pure: the
 * same record and host always give the same event, so a destination may resend it and a SIEM
 * dedupes on `metadata.uid` (the event id). The leaf index goes in `metadata.sequence` (OCSF:
 * "to make the exact ordering of events unambiguous"), so gaps and order are visible downstream.
 *
 * Personal data: the record holds pseudonymous ids only; names, addresses and user agents are
 * sealed beside it (audit-event.ts) and this mapping never opens them. A caller that is allowed
 * to ship the source address (none is, yet) passes it as `sourceAddress`.
 * docs/reference/siem.md lists the mapping field by field.
 */
import type { LeafRecord } from '../audit/audit-event.ts';
import { auditCatalogue, type EventKind } from '../audit/catalogue.ts';
import { ocsfActor, type OcsfActor } from './ocsf-actor.ts';
import { classAttributes, type OcsfClassAttributes } from './ocsf-class-attributes.ts';

/** The OCSF schema version the mapping follows. */
export const OCSF_VERSION = '1.8.0';

/** The product and host that wrote the ledger. */
export interface OcsfProduct {
  /** Custos version, e.g. from package.json. */
  readonly version: string;
  readonly vendorName: string;
  /** The Custos host (OCSF `device`). */
  readonly hostname: string;
  /** A stable id of the host or installation, when known. */
  readonly hostUid?: string;
}

/** What a caller may add that the record itself does not hold. */
export interface OcsfOptions {
  /** The opened source address, only where shipping it is allowed (sealed in the ledger). */
  readonly sourceAddress?: string;
}

/** An OCSF event: the base attributes Custos fills, plus class-specific ones. */
export interface OcsfEvent {
  readonly class_uid: number;
  readonly class_name: string;
  readonly category_uid: number;
  readonly category_name: string;
  readonly activity_id: number;
  readonly activity_name: string;
  readonly type_uid: number;
  readonly type_name: string;
  readonly severity_id: number;
  readonly severity: string;
  readonly time: number;
  readonly status_id: 1 | 2;
  readonly status: 'Success' | 'Failure';
  readonly status_detail?: string;
  readonly message: string;
  readonly actor: OcsfActor;
  readonly device: { readonly hostname: string; readonly type_id: 1; readonly type: 'Server'; readonly uid?: string };
  readonly src_endpoint?: Readonly<Record<string, unknown>>;
  readonly metadata: {
    readonly uid: string;
    readonly version: typeof OCSF_VERSION;
    readonly product: { readonly name: 'Custos'; readonly vendor_name: string; readonly version: string };
    readonly log_provider: string;
    readonly log_name: string;
    /** The host profile: `actor` and `device` outside System Activity classes. */
    readonly profiles: readonly ['host'];
    readonly sequence: number;
    readonly correlation_uid?: string;
  };
  /** Custos facts with no OCSF attribute: the event type, camera, details, personal commitment. */
  readonly unmapped: Readonly<Record<string, unknown>>;
  readonly [classAttribute: string]: unknown;
}

const CATEGORY_NAMES: Readonly<Record<number, string>> = {
  1: 'System Activity',
  2: 'Findings',
  3: 'Identity & Access Management',
  4: 'Network Activity',
  5: 'Discovery',
  6: 'Application Activity',
};
const SEVERITY_NAMES = ['Unknown', 'Informational', 'Low', 'Medium', 'High', 'Critical'] as const;

/** Where the event came from: the given address, the host itself for local actors, else withheld. */
function srcEndpointOf(record: LeafRecord, product: OcsfProduct, options: OcsfOptions): OcsfClassAttributes {
  if (options.sourceAddress !== undefined) return { ip: options.sourceAddress };
  if (record.actor.kind === 'system' || record.actor.kind === 'cli') return { hostname: product.hostname };
  // A remote caller's address is personal and sealed in the ledger: say so rather than invent one.
  return { name: 'sealed' };
}

/** The OCSF 1.8.0 event of one committed ledger record (its `seq` is the leaf index). */
export function toOcsf(record: LeafRecord, product: OcsfProduct, options: OcsfOptions = {}): OcsfEvent {
  const kind: EventKind = auditCatalogue[record.type];
  const src = srcEndpointOf(record, product, options);
  const failed = record.outcome === 'failure';
  const target = record.target !== undefined ? ` ${record.target.kind} ${record.target.id}` : '';
  const reason = record.reason !== undefined ? `: ${record.reason}` : '';
  const unmapped: Record<string, unknown> = { custos_type: record.type };
  if (record.camera_id !== undefined) unmapped.camera_id = record.camera_id;
  if (record.details !== undefined) unmapped.details = record.details;
  if (record.personal !== undefined) unmapped.personal = record.personal;
  return {
    ...classAttributes(record, src),
    ...(options.sourceAddress !== undefined ? { src_endpoint: src } : {}),
    class_uid: kind.classUid,
    class_name: kind.className,
    category_uid: Math.floor(kind.classUid / 1000),
    category_name: CATEGORY_NAMES[Math.floor(kind.classUid / 1000)] ?? 'Uncategorized',
    activity_id: kind.activityId,
    activity_name: kind.activityName,
    type_uid: kind.classUid * 100 + kind.activityId,
    type_name: `${kind.className}: ${kind.activityName}`,
    severity_id: kind.severityId,
    severity: SEVERITY_NAMES[kind.severityId],
    time: Date.parse(record.time),
    status_id: failed ? 2 : 1,
    status: failed ? 'Failure' : 'Success',
    ...(record.reason !== undefined ? { status_detail: record.reason } : {}),
    message: `${record.type}${target}${failed ? ' failed' : ''}${reason}`,
    actor: ocsfActor(record.actor, 'Custos'),
    device: { hostname: product.hostname, type_id: 1, type: 'Server', ...(product.hostUid !== undefined ? { uid: product.hostUid } : {}) },
    metadata: {
      uid: record.id,
      version: OCSF_VERSION,
      product: { name: 'Custos', vendor_name: product.vendorName, version: product.version },
      log_provider: 'Custos audit ledger',
      log_name: 'audit',
      profiles: ['host'],
      sequence: record.seq,
      ...(record.correlation_id !== undefined ? { correlation_uid: record.correlation_id } : {}),
    },
    unmapped,
  };
}
