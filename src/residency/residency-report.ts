import { jurisdictionAllowedBy } from '../config/jurisdiction.ts';
import type { Location } from './locations.ts';
import { residencyViolations, violationText } from './residency-check.ts';

/**
 * The "where is every byte" report (issue 14 item 7): for each camera, the storage holding its
 * footage and in which jurisdiction, where its keys live; where the database and the audit log
 * live; every outbound destination. Pure: built from the locations (locations.ts) and what the
 * index says each camera has where (footage-summary.store.ts).
 */

/** A location as the report shows it, with whether `residency.allowed` admits it (null: not enforced). */
export interface LocationView {
  readonly kind: string;
  readonly id: string;
  readonly jurisdiction: string | null;
  readonly declaredBy: string;
  readonly detail: string;
  readonly outbound: boolean;
  readonly allowed: boolean | null;
}

/** What one storage (zone) holds of one camera, from the index. */
export interface FootageHolding {
  readonly cameraId: string;
  /** Which recorded stream (ADR 0043): the camera's main stream, or its recorded sub-stream. */
  readonly stream: 'main' | 'sub';
  /** Id of the storage location holding it: `local` (the data directory) until storage zones are merged. */
  readonly zone: string;
  readonly segments: number;
  readonly bytes: number;
  readonly firstMs: number | null;
  readonly lastMs: number | null;
}

export interface CameraResidency {
  readonly id: string;
  readonly name: string;
  readonly footage: readonly {
    readonly zone: string;
    readonly stream: 'main' | 'sub';
    readonly kind: string;
    readonly jurisdiction: string | null;
    readonly segments: number;
    readonly bytes: number;
    readonly from: string | null;
    readonly to: string | null;
  }[];
  /** The master key wrapping its data keys (key provider) and where the wrapped data keys are stored (the database). */
  readonly keys: { readonly masterKey: LocationView; readonly dataKeys: LocationView };
}

export interface ResidencyReport {
  readonly generatedAt: string;
  readonly allowed: readonly string[];
  /** True when residency.allowed is set. */
  readonly enforced: boolean;
  /** One line per violation (empty when compliant or not enforced). */
  readonly violations: readonly string[];
  readonly database: LocationView;
  /** The tamper-evident ledger: its events live in the database. */
  readonly auditLog: LocationView;
  readonly keyProvider: LocationView;
  readonly cameras: readonly CameraResidency[];
  /** Every place data is sent to: identity providers, SIEM destinations, webhooks. */
  readonly outbound: readonly LocationView[];
  /** Every location, kept and outbound. */
  readonly locations: readonly LocationView[];
}

const iso = (ms: number | null): string | null => (ms === null ? null : new Date(ms).toISOString());

/** Builds the report; `nowMs` stamps it. Footage held by a zone not among `locations` shows jurisdiction null. */
export function buildResidencyReport(input: {
  allowed: readonly string[];
  locations: readonly Location[];
  cameras: readonly { readonly id: string; readonly name: string }[];
  footage: readonly FootageHolding[];
  nowMs: number;
}): ResidencyReport {
  const { allowed } = input;
  const view = (l: Location): LocationView => ({
    kind: l.kind,
    id: l.id,
    jurisdiction: l.jurisdiction,
    declaredBy: l.declaredBy,
    detail: l.detail,
    outbound: l.outbound,
    allowed: allowed.length === 0 ? null : l.jurisdiction !== null && jurisdictionAllowedBy(l.jurisdiction, allowed),
  });
  const views = input.locations.map(view);
  const find = (kind: string): LocationView => {
    const found = views.find((v) => v.kind === kind);
    if (!found) throw new Error(`residency report: no ${kind} location`);
    return found;
  };
  const database = find('database');
  const keyProvider = find('key-provider');
  const storage = new Map(views.filter((v) => v.kind === 'storage-zone' || v.kind === 'data-dir').map((v) => [v.id, v]));
  const byCamera = Map.groupBy(input.footage, (h) => h.cameraId);
  const named = new Map(input.cameras.map((c) => [c.id, c.name]));
  // Cameras removed since keep their footage until retention: listed too, under their id.
  const ids = [...new Set([...input.cameras.map((c) => c.id), ...byCamera.keys()])];
  const cameras = ids.map((id) => ({
    id,
    name: named.get(id) ?? '(removed camera)',
    footage: (byCamera.get(id) ?? []).map((h) => ({
      zone: h.zone,
      stream: h.stream,
      kind: storage.get(h.zone)?.kind ?? 'unknown',
      jurisdiction: storage.get(h.zone)?.jurisdiction ?? null,
      segments: h.segments,
      bytes: h.bytes,
      from: iso(h.firstMs),
      to: iso(h.lastMs),
    })),
    keys: { masterKey: keyProvider, dataKeys: database },
  }));
  return {
    generatedAt: new Date(input.nowMs).toISOString(),
    allowed: [...allowed],
    enforced: allowed.length > 0,
    violations: residencyViolations(allowed, input.locations).map((v) => violationText(v, allowed)),
    database,
    auditLog: { ...database, kind: 'audit-log', id: 'ledger', declaredBy: database.declaredBy, detail: `audit_events in the ${database.id} database (${database.detail})` },
    keyProvider,
    cameras,
    outbound: views.filter((v) => v.outbound),
    locations: views,
  };
}
