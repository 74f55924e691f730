import type { AuditSink } from '../audit/ledger.ts';
import type { Logger } from '../lib/logger.ts';
import type { Location } from './locations.ts';
import { residencyHash } from './residency-check.ts';

/**
 * Every residency change is an audit event (issue 14 items 7 and 8). The configuration is read
 * at start-up only (there is no live reload), so a change can take effect only at a start: each
 * start compares the SHA-256 of the residency configuration (allow-list and every location,
 * residency-check.ts) with the one the ledger last recorded and, when they differ (or none was
 * recorded), records `residency.configured` with the new list. Honest limit: it says what a
 * start ran with, not who edited the file (the file is outside Custos).
 */
export async function recordResidencyChange(deps: {
  audit: AuditSink;
  lastRecordedHash: () => Promise<string | null>;
  allowed: readonly string[];
  locations: readonly Location[];
  log: Logger;
}): Promise<boolean> {
  const hash = residencyHash(deps.allowed, deps.locations);
  const previous = await deps.lastRecordedHash();
  if (previous === hash) return false;
  await deps.audit.record({
    type: 'residency.configured',
    actor: { kind: 'system', id: 'system:residency' },
    outcome: 'success',
    details: {
      hash,
      previousHash: previous,
      allowed: [...deps.allowed],
      locations: deps.locations.map((l) => ({ kind: l.kind, id: l.id, jurisdiction: l.jurisdiction, outbound: l.outbound })),
    },
  });
  deps.log.info({ hash, previousHash: previous, allowed: deps.allowed }, 'residency configuration recorded in the audit ledger');
  return true;
}
