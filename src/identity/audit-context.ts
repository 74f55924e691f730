import { actorOf, type Principal } from '../access/principal.ts';
import type { AuditContext } from '../audit/audit-event.ts';
import type { RouteRequest } from '../http/route.ts';

/**
 * Who a request acts as, for the audit ledger: the authenticated principal (user, or token
 * acting for its owner), or `anonymous` on public routes; with its source address and user
 * agent (sealed as personal data) and the request id as correlation id.
 */
export function auditContextOf(request: RouteRequest, principal: Principal | null): AuditContext {
  const userAgent = request.headers['user-agent'];
  return {
    actor: principal ? actorOf(principal) : { kind: 'anonymous', id: 'anonymous' },
    source: { address: request.ip, ...(typeof userAgent === 'string' ? { userAgent: userAgent.slice(0, 200) } : {}) },
    correlationId: request.id,
  };
}
