import type { Severity } from '../notifications/notice.ts';

/**
 * Severity of each alarm rule, for the inbox and notification routing. The rules are LOG-6's
 * (audit/alarm-rules.ts), the health monitor's `storage-fault`, the ledger's
 * `checkpoint-refused`, the witness client's `witness-refused` (a LOG-6 rule since issue 16) and SIEM
 * delivery's `siem-destination-failing`, the cluster's `recorder-failover` and `jobs-failover`, storage's
 * `storage-under-replicated`; an unknown rule is `medium`.
 */
const bySeverity: Readonly<Record<string, Severity>> = {
  'lockouts-burst': 'high',
  'privilege-assigned': 'low',
  'privilege-elevations': 'high',
  'camera-auth-failure': 'medium',
  'camera-tamper': 'high',
  'recording-gap': 'medium',
  'account-reset': 'high',
  'clock-step': 'high',
  'footage-loss': 'high',
  'storage-fault': 'critical',
  'checkpoint-refused': 'critical',
  'witness-refused': 'critical',
  'siem-destination-failing': 'high',
  'camera-advisory': 'high',
  // A recorder of the cluster stopped renewing its leases; its cameras moved (issue 15).
  'recorder-failover': 'high',
  'jobs-failover': 'high',
  // Footage held by fewer zones than its placement acknowledges after (ADR 0040).
  'storage-under-replicated': 'high',
};

/** The severity of an alarm rule. */
export function severityOfRule(rule: string): Severity {
  return Object.hasOwn(bySeverity, rule) ? (bySeverity[rule] ?? 'medium') : 'medium';
}
