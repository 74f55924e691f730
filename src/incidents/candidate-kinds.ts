import type { LeafRecord } from '../audit/audit-event.ts';

/**
 * Which ledger records raise a candidate incident (INC-7), and how candidates are
 * de-duplicated: records with the same key join the open candidate of that key. Pure.
 */
export interface CandidateKind {
  readonly kind: string;
  readonly dedupKey: string;
  readonly title: string;
}

/** Distinct cameras with a recording gap within this window make a mass camera outage… */
export const massOutageWindowMs = 10 * 60_000;
/** …when there are at least this many. */
export const massOutageCameras = 3;

/**
 * The candidate kind of a record, or null. `recentGapCameras` is the number of distinct cameras
 * with a `recording-gap` alarm within {@link massOutageWindowMs} up to this record, itself included.
 */
export function candidateKindOf(record: LeafRecord, recentGapCameras: number): CandidateKind | null {
  if (record.type === 'audit.verified') {
    return record.outcome === 'failure' ? { kind: 'ledger-verification-failure', dedupKey: 'ledger-verification-failure', title: 'The audit ledger failed verification' } : null;
  }
  if (record.type !== 'alarm.raised') return null;
  const rule = typeof record.details?.rule === 'string' ? record.details.rule : '';
  const target = record.camera_id ?? record.target?.id ?? 'unknown';
  switch (rule) {
    case 'lockouts-burst':
      return { kind: 'brute-force', dedupKey: 'brute-force', title: 'Brute-force attempt: a burst of account lockouts' };
    case 'privilege-elevations':
      return { kind: 'privilege-escalation', dedupKey: `privilege-escalation:${target}`, title: `Repeated privilege elevation of ${target}` };
    case 'camera-tamper':
      return { kind: 'tamper', dedupKey: `tamper:${target}`, title: `Camera ${target} reported tampering` };
    case 'footage-loss':
      return { kind: 'footage-loss', dedupKey: 'footage-loss', title: 'Footage lost, damaged or set aside' };
    case 'siem-destination-failing':
      return { kind: 'siem-silence', dedupKey: `siem-silence:${record.target?.id ?? 'unknown'}`, title: `SIEM destination ${record.target?.id ?? 'unknown'} has stopped receiving the audit log` };
    case 'witness-refused':
    case 'checkpoint-refused':
      return { kind: 'ledger-integrity', dedupKey: 'ledger-integrity', title: 'The ledger refused to sign an inconsistent checkpoint (the stored tree changed)' };
    case 'storage-fault':
      return { kind: 'storage-fault', dedupKey: 'storage-fault', title: 'The database, the disk or the master key provider cannot take writes' };
    case 'clock-step':
      return { kind: 'clock-manipulation', dedupKey: 'clock-manipulation', title: 'The wall clock was stepped' };
    case 'recording-gap':
      return recentGapCameras >= massOutageCameras ? { kind: 'mass-camera-outage', dedupKey: 'mass-camera-outage', title: `Mass camera outage: ${recentGapCameras} cameras stopped recording within ${massOutageWindowMs / 60_000} minutes` } : null;
    default:
      return null;
  }
}
