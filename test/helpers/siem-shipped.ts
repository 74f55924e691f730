/**
 * Shipped ledger events and a test PKI for the HTTP SIEM destination tests: records built the
 * way the ledger builds them (leafRecordOf), with distinct ids, leaf indices and times.
 */
import { randomUUID } from 'node:crypto';
import { leafRecordOf } from '../../src/audit/audit-event.ts';
import type { AuditEventType } from '../../src/audit/catalogue.ts';
import type { ShippedEvent } from '../../src/siem/destination.ts';
import type { OcsfProduct } from '../../src/siem/ocsf.ts';

export const product: OcsfProduct = { version: '0.9.0', vendorName: 'Custos', hostname: 'nvr-01' };

const types: readonly AuditEventType[] = ['camera.updated', 'auth.login.failed', 'footage.segment.sealed', 'access.denied'];

/** `count` events from leaf index `firstSeq`, one second apart; `reasonBytes` pads each (for size tests). */
export function shippedEvents(count: number, firstSeq = 0, reasonBytes = 0): ShippedEvent[] {
  const base = Date.UTC(2026, 11, 7, 5, 0, 0, 123);
  return Array.from({ length: count }, (_, n) => {
    const seq = firstSeq + n;
    const record = leafRecordOf({
      type: types[seq % types.length]!,
      actor: { kind: 'user', id: `user:${seq}` },
      target: { kind: 'camera', id: `cam-${seq}` },
      cameraId: `cam-${seq}`,
      outcome: seq % 3 === 0 ? 'failure' : 'success',
      reason: reasonBytes > 0 ? 'x'.repeat(reasonBytes) : `reason ${seq}`,
      correlationId: `req-${seq}`,
    }, { id: randomUUID(), timeMs: base + seq * 1000 + (seq % 1000) }, seq);
    return { record, text: JSON.stringify(record) };
  });
}
