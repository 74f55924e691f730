/**
 * Live evidence (GOV-2): measures computed from the running system at the moment they are asked
 * for, each with the source it was read from, so an auditor can check how it was obtained.
 *
 * Contracts:
 * - A metric never claims more than the system knows: what has no record says `no-record`, what
 *   is not built says `not-built`; neither is ever `ok`.
 * - No secret is read or returned: camera credentials appear as counts of sealed values.
 * - Pure rules over the {@link SystemFacts} port and injected clocks; no I/O of its own.
 */
import type { JsonValue } from '../lib/canonical-json.ts';
import type { Clock } from '../lib/clock.ts';
import type { LedgerFact, SystemFacts } from './system-facts.ts';

/** How a metric stands. */
export type MetricState = 'ok' | 'attention' | 'no-record' | 'not-built';

/** One measure of live evidence. */
export interface EvidenceMetric {
  /** Stable id; the catalogue links it as `live:<id>`. */
  readonly id: string;
  readonly title: string;
  readonly state: MetricState;
  /** One sentence for people. */
  readonly summary: string;
  /** The measured values, for machines. */
  readonly value: JsonValue;
  /** Where the value was read from (tables, ledger events, running components). */
  readonly source: string;
}

/** Every metric at one moment. */
export interface LiveEvidence {
  readonly measuredAt: string;
  readonly metrics: readonly EvidenceMetric[];
}

/** The ids of every metric, in report order. */
export const metricIds = [
  'mfa-coverage',
  'encryption-coverage',
  'plaintext-cameras',
  'key-rotation-age',
  'audit-verify',
  'vault-fsck',
  'backup-restore-tests',
  'siem-lag',
  'clock-health',
  'retention-compliance',
  'firmware-vetting',
  'camera-advisories',
] as const;

/** A master key older than this (days since its last rotation) needs attention. */
export const KEY_ROTATION_MAX_DAYS = 365;
/** Footage kept longer than this (hours) needs a documented justification. */
export const RETENTION_JUSTIFY_ABOVE_HOURS = 72;
/** A verification (audit verify, vault fsck) older than this (days) needs attention. */
export const VERIFICATION_MAX_DAYS = 31;

/** What live evidence is computed from. */
export interface LiveEvidenceDeps {
  readonly facts: SystemFacts;
  /** True when holders of `role` MUST use a second factor: the privileged roles. */
  readonly privileged: (role: string) => boolean;
  /** The master key provider: its kind and versions. */
  readonly kek: { readonly kind: string; currentVersion(): number; versions(): number[] };
  /** Cameras' retention justifications (camera id → text). */
  readonly justifications: () => Promise<ReadonlyMap<string, string>>;
  readonly clock: Clock;
  /** The server's wall-clock watch; absent outside the server (the CLI). */
  readonly clockTrust?: () => { readonly steady: boolean; readonly waitMs: number };
  /**
   * Delivery lag of the SIEM forwarder, once it is wired here (issue 14); absent: `not-built`.
   * MUST resolve to the age in ms of the oldest committed event not yet delivered (0 when none).
   */
  readonly siemLagMs?: () => Promise<number>;
  /** Advisories and the cameras they affect (AST-4), where the onboarding module is wired; absent: `not-built`. */
  readonly cameraAdvisories?: () => Promise<CameraAdvisoryFacts>;
}

/** Imported advisories and the cameras of the inventory they affect now (AST-4). */
export interface CameraAdvisoryFacts {
  readonly imported: number;
  /** Advisories affecting at least one camera, with those cameras. */
  readonly open: readonly { readonly advisoryId: string; readonly documentId: string; readonly title: string; readonly cves: readonly string[]; readonly severity: string; readonly cameraIds: readonly string[] }[];
  /** Risk acceptances in force (four-eyes, with expiry), by camera. */
  readonly acceptances: readonly { readonly cameraId: string; readonly vetting: string; readonly until: string; readonly approvedBy: string }[];
}

const DAY_MS = 86_400_000;
const iso = (ms: number): string => new Date(ms).toISOString();
const days = (ms: number): number => Math.floor(ms / DAY_MS);

/** Computes every metric now. */
export async function measureLiveEvidence(deps: LiveEvidenceDeps): Promise<LiveEvidence> {
  const now = deps.clock.now();
  const metrics = await Promise.all([
    mfaCoverage(deps, now),
    encryptionCoverage(deps),
    plaintextCameras(deps),
    keyRotationAge(deps, now),
    lastRun(deps, now, 'audit-verify', 'Last successful audit ledger verification', 'audit.verified', 'custos audit verify'),
    lastRun(deps, now, 'vault-fsck', 'Last successful vault verification (fsck)', 'vault.fsck.completed', 'custos vault fsck'),
    Promise.resolve<EvidenceMetric>({
      id: 'backup-restore-tests',
      title: 'Backup and restore tests',
      state: 'no-record',
      summary: 'no record: Custos has no backup or restore test yet, so none is on record',
      value: null,
      source: 'none (backup and restore tests are not built)',
    }),
    siemLag(deps),
    clockHealth(deps),
    retentionCompliance(deps),
    Promise.resolve<EvidenceMetric>({
      id: 'firmware-vetting',
      title: 'Camera firmware vetting share',
      state: 'not-built',
      summary: 'not built: camera onboarding with firmware vetting does not exist yet, so no share can be measured',
      value: null,
      source: 'none (camera onboarding is not built)',
    }),
    cameraAdvisories(deps),
  ]);
  return { measuredAt: iso(now), metrics };
}

async function cameraAdvisories(deps: LiveEvidenceDeps): Promise<EvidenceMetric> {
  const title = 'Cameras affected by imported security advisories';
  if (deps.cameraAdvisories === undefined) return { id: 'camera-advisories', title, state: 'not-built', summary: 'not built in this process: advisories are matched by the server and the onboarding CLI', value: null, source: 'none' };
  const f = await deps.cameraAdvisories();
  const cameras = new Set(f.open.flatMap((a) => a.cameraIds));
  const summary =
    f.imported === 0
      ? 'no advisory imported: nothing to match the cameras against (custos advisories import)'
      : `${cameras.size} camera${cameras.size === 1 ? '' : 's'} affected by ${f.open.length} of ${f.imported} imported advisories${f.open.length === 0 ? '' : `: ${f.open.map((a) => `${a.documentId} (${a.severity})`).join(', ')}`}`;
  return {
    id: 'camera-advisories',
    title,
    state: f.imported === 0 ? 'no-record' : cameras.size === 0 ? 'ok' : 'attention',
    summary: summary.slice(0, 500),
    value: { imported: f.imported, affectedCameras: cameras.size, open: f.open.map((a) => ({ ...a, cves: [...a.cves], cameraIds: [...a.cameraIds] })) },
    source: 'advisories; advisory_matches (matched against camera_assets vendor, model, firmware)',
  };
}

async function mfaCoverage(deps: LiveEvidenceDeps, now: number): Promise<EvidenceMetric> {
  const users = (await deps.facts.users(now)).filter((u) => u.roles.some(deps.privileged));
  const without = users.filter((u) => !u.totp && u.passkeys === 0);
  const covered = users.length - without.length;
  const summary =
    users.length === 0
      ? 'no privileged account holds a grant'
      : `${covered} of ${users.length} privileged accounts have a second factor enrolled${without.length === 0 ? '' : `; without: ${without.map((u) => u.username).join(', ')}`}`;
  return {
    id: 'mfa-coverage',
    title: 'MFA coverage of privileged accounts',
    state: users.length > 0 && without.length === 0 ? 'ok' : 'attention',
    summary,
    value: { privileged: users.length, covered, without: without.map((u) => u.username) },
    source: 'users (enabled, not expired) × grants in force of roles that require MFA × confirmed TOTP (user_totp) or passkeys (webauthn_credentials)',
  };
}

async function encryptionCoverage(deps: LiveEvidenceDeps): Promise<EvidenceMetric> {
  const [segments, keys, cameras] = await Promise.all([deps.facts.segmentCount(), deps.facts.liveDataKeysByKek(), deps.facts.cameras()]);
  const current = deps.kek.currentVersion();
  const liveKeys = [...keys.values()].reduce((a, b) => a + b, 0);
  const underCurrent = keys.get(current) ?? 0;
  const credentials = cameras.reduce((a, c) => a + c.credentials, 0);
  const sealed = cameras.reduce((a, c) => a + c.sealedCredentials, 0);
  return {
    id: 'encryption-coverage',
    title: 'Encryption coverage',
    state: sealed === credentials ? 'ok' : 'attention',
    summary: `${segments} segments stored through the vault (AES-256-GCM per chunk, the only segment store the server builds); ${liveKeys} live data keys, ${underCurrent} wrapped under the current master key version ${current} (${deps.kek.kind}); ${sealed} of ${credentials} stored camera credentials sealed`,
    value: { segments, dataKeys: liveKeys, dataKeysUnderCurrentKek: underCurrent, kekVersion: current, kekProvider: deps.kek.kind, cameraCredentials: credentials, sealedCameraCredentials: sealed },
    source: 'segments, data_keys (destroyed_ms null, by kek_version), cameras (username/password sealed as v1:), the key provider',
  };
}

async function plaintextCameras(deps: LiveEvidenceDeps): Promise<EvidenceMetric> {
  const cameras = await deps.facts.cameras();
  const plain = cameras.filter((c) => c.scheme !== 'rtsps');
  return {
    id: 'plaintext-cameras',
    title: 'Cameras reached without TLS',
    state: plain.length === 0 ? 'ok' : 'attention',
    summary: `${plain.length} of ${cameras.length} cameras use plaintext rtsp://${plain.length === 0 ? '' : `: ${plain.map((c) => c.name).join(', ')}`}`,
    value: { cameras: cameras.length, plaintext: plain.map((c) => ({ id: c.id, name: c.name })) },
    source: 'cameras.url scheme (rtsp:// or rtsps://)',
  };
}

function details(fact: LedgerFact): Record<string, unknown> {
  try {
    const record = JSON.parse(fact.record) as { details?: Record<string, unknown> };
    return record.details ?? {};
  } catch {
    return {};
  }
}

async function keyRotationAge(deps: LiveEvidenceDeps, now: number): Promise<EvidenceMetric> {
  const rotated = await deps.facts.latestEvent('key.rotated', 'success');
  const version = deps.kek.currentVersion();
  const source = 'ledger: newest key.rotated event (success); the key provider';
  if (rotated !== undefined) {
    const age = days(now - rotated.timeMs);
    return {
      id: 'key-rotation-age',
      title: 'Master key rotation age',
      state: age > KEY_ROTATION_MAX_DAYS ? 'attention' : 'ok',
      summary: `master key version ${version} (${deps.kek.kind}); last rotation ${iso(rotated.timeMs)}, ${age} days ago (ledger seq ${rotated.seq}); attention above ${KEY_ROTATION_MAX_DAYS} days`,
      value: { kekVersion: version, lastRotation: iso(rotated.timeMs), ageDays: age, ledgerSeq: rotated.seq },
      source,
    };
  }
  const first = await deps.facts.firstEvent();
  const since = first === undefined ? null : days(now - first.timeMs);
  return {
    id: 'key-rotation-age',
    title: 'Master key rotation age',
    state: since !== null && since > KEY_ROTATION_MAX_DAYS ? 'attention' : 'no-record',
    summary: `no key rotation on record; master key version ${version} (${deps.kek.kind})${first === undefined ? '' : `, in use at least since the ledger began ${iso(first.timeMs)} (${since} days)`}`,
    value: { kekVersion: version, lastRotation: null, ledgerStarted: first === undefined ? null : iso(first.timeMs) },
    source,
  };
}

async function lastRun(deps: LiveEvidenceDeps, now: number, id: string, title: string, type: string, command: string): Promise<EvidenceMetric> {
  const [ok, failed] = await Promise.all([deps.facts.latestEvent(type, 'success'), deps.facts.latestEvent(type, 'failure')]);
  const source = `ledger: newest ${type} events (recorded by ${command})`;
  if (ok === undefined) {
    return {
      id,
      title,
      state: failed === undefined ? 'no-record' : 'attention',
      summary: failed === undefined ? `no record: ${command} has never run against this database` : `no successful run; the last run ${iso(failed.timeMs)} failed (ledger seq ${failed.seq})`,
      value: { lastSuccess: null, lastFailure: failed === undefined ? null : { at: iso(failed.timeMs), ledgerSeq: failed.seq } },
      source,
    };
  }
  const age = days(now - ok.timeMs);
  const failedSince = failed !== undefined && failed.seq > ok.seq;
  return {
    id,
    title,
    state: failedSince || age > VERIFICATION_MAX_DAYS ? 'attention' : 'ok',
    summary: `last success ${iso(ok.timeMs)} (${age} days ago, ledger seq ${ok.seq})${failedSince ? `; a later run FAILED at ${iso(failed.timeMs)} (seq ${failed.seq})` : ''}; attention above ${VERIFICATION_MAX_DAYS} days`,
    value: { lastSuccess: { at: iso(ok.timeMs), ledgerSeq: ok.seq, details: details(ok) as JsonValue }, lastFailure: failed === undefined ? null : { at: iso(failed.timeMs), ledgerSeq: failed.seq } },
    source,
  };
}

async function siemLag(deps: LiveEvidenceDeps): Promise<EvidenceMetric> {
  if (deps.siemLagMs === undefined) {
    return {
      id: 'siem-lag',
      title: 'SIEM delivery lag',
      state: 'not-built',
      summary: 'not built here: the SIEM forwarder (issue 14) is not wired into live evidence yet',
      value: null,
      source: 'none (LiveEvidenceDeps.siemLagMs not provided)',
    };
  }
  const lag = await deps.siemLagMs();
  return {
    id: 'siem-lag',
    title: 'SIEM delivery lag',
    state: lag <= 60_000 ? 'ok' : 'attention',
    summary: `the oldest committed event not yet delivered to the SIEM is ${Math.round(lag / 1000)} s old; attention above 60 s`,
    value: { lagMs: lag },
    source: 'the SIEM forwarder',
  };
}

async function clockHealth(deps: LiveEvidenceDeps): Promise<EvidenceMetric> {
  const stepped = await deps.facts.latestEvent('clock.stepped');
  const last = stepped === undefined ? 'no clock step on record' : `last clock step ${iso(stepped.timeMs)} (ledger seq ${stepped.seq})`;
  const value = { lastStep: stepped === undefined ? null : { at: iso(stepped.timeMs), ledgerSeq: stepped.seq, details: details(stepped) as JsonValue } };
  if (deps.clockTrust === undefined) {
    return { id: 'clock-health', title: 'Clock health', state: 'no-record', summary: `measured by the running server only; ${last}`, value: { ...value, steady: null }, source: 'ledger: newest clock.stepped event' };
  }
  const trust = deps.clockTrust();
  return {
    id: 'clock-health',
    title: 'Clock health',
    state: trust.steady ? 'ok' : 'attention',
    summary: `${trust.steady ? 'the wall clock runs in step with the monotonic clock' : `the wall clock stepped recently; steady again in ${Math.ceil(trust.waitMs / 1000)} s`}; ${last}`,
    value: { ...value, steady: trust.steady, waitMs: trust.waitMs },
    source: 'the server clock watch (wall vs monotonic, sampled every second); ledger: newest clock.stepped event',
  };
}

async function retentionCompliance(deps: LiveEvidenceDeps): Promise<EvidenceMetric> {
  const [cameras, justified] = await Promise.all([deps.facts.cameras(), deps.justifications()]);
  const long = cameras.filter((c) => c.retentionHours > RETENTION_JUSTIFY_ABOVE_HOURS);
  const unjustified = long.filter((c) => !justified.has(c.id));
  return {
    id: 'retention-compliance',
    title: `Retention above ${RETENTION_JUSTIFY_ABOVE_HOURS} h and its justification`,
    state: unjustified.length === 0 ? 'ok' : 'attention',
    summary: `${long.length} of ${cameras.length} cameras keep footage longer than ${RETENTION_JUSTIFY_ABOVE_HOURS} h; ${unjustified.length} without a justification${unjustified.length === 0 ? '' : `: ${unjustified.map((c) => c.name).join(', ')}`}`,
    value: {
      cameras: cameras.length,
      above: long.map((c) => ({ id: c.id, name: c.name, retentionHours: c.retentionHours, justification: justified.get(c.id) ?? null })),
    },
    source: 'cameras.retention_hours; governance_retention_justifications',
  };
}
