import type { FastifyRequest } from 'fastify';
import type { AuditContext } from '../audit/audit-event.ts';

/**
 * Who a request acts as, for the audit ledger. Until the identity issue adds authentication,
 * every request comes from the loopback interface (bind-guard.ts) and is recorded as the one
 * anonymous local operator, with its source address and user agent (sealed as personal data)
 * and the request id as correlation id.
 */
export function auditContextOf(request: FastifyRequest): AuditContext {
  const userAgent = request.headers['user-agent'];
  return {
    actor: { kind: 'anonymous', id: 'anonymous:loopback' },
    source: { address: request.ip, ...(typeof userAgent === 'string' ? { userAgent: userAgent.slice(0, 200) } : {}) },
    correlationId: request.id,
  };
}
