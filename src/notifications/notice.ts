/**
 * What a notification says, whatever carries it (e-mail, webhook). Built from an alarm of the
 * ledger or an incident clock; MUST hold no secret and no personal field of the ledger (names,
 * addresses): ids only, as the alarm record itself.
 */

export const severities = ['low', 'medium', 'high', 'critical'] as const;
export type Severity = (typeof severities)[number];

/** True when `a` is at least as severe as `b`. */
export function atLeast(a: Severity, b: Severity): boolean {
  return severities.indexOf(a) >= severities.indexOf(b);
}

export interface Notice {
  /** Unique per notice; receivers de-duplicate on it (it is the webhook's delivery id too). */
  readonly id: string;
  /** `alarm` (an `alarm.raised` of the ledger) or `incident.clock` (a reporting deadline). */
  readonly kind: 'alarm' | 'incident.clock';
  /** The alarm rule (`lockouts-burst`…) or `incident.clock`: what routes match on. */
  readonly type: string;
  readonly severity: Severity;
  /** Site of the camera concerned, when known. */
  readonly siteId: string | null;
  /** One line. */
  readonly subject: string;
  /** Plain text body. */
  readonly text: string;
  /** The machine-readable facts (the webhook body's `data`). */
  readonly data: Readonly<Record<string, unknown>>;
  /** RFC 3339 UTC. */
  readonly time: string;
}
