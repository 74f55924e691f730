import { userInfo } from 'node:os';
import type { AuditContext } from '../audit/audit-event.ts';

/** Who a CLI command acts as in the audit ledger: the operating-system user running it. */
export function cliAuditContext(): AuditContext {
  let user = 'unknown';
  try {
    user = userInfo().username;
  } catch {
    // No passwd entry (containers): keep 'unknown'.
  }
  return { actor: { kind: 'cli', id: `cli:${user}` } };
}
