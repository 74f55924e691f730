/**
 * The record shape of a SIEM heartbeat (LOG-5), so CEF, LEEF, syslog and OCSF encode it like an
 * event: type `siem.heartbeat`, leaf index -1 (a heartbeat is never a leaf), and the checkpoint
 * in `details` (`checkpointSize`, `checkpointRoot` in hex, `checkpointNote`, the signed note).
 * A SIEM alerts when heartbeats stop, or when `checkpointSize` shrinks or the root changes at
 * the same size (docs/reference/siem.md, "Heartbeats").
 */
import { typeUid } from '../audit/catalogue.ts';
import type { LeafRecord } from '../audit/audit-event.ts';
import type { ShippedHeartbeat } from './destination.ts';

export function heartbeatRecord(heartbeat: ShippedHeartbeat): LeafRecord {
  const cp = heartbeat.checkpoint;
  return {
    v: 1,
    seq: -1,
    id: heartbeat.id,
    time: heartbeat.time,
    type: 'siem.heartbeat',
    class_uid: 1008,
    activity_id: 99,
    type_uid: typeUid('siem.heartbeat'),
    severity_id: 1,
    actor: { kind: 'system', id: 'system:siem' },
    target: { kind: 'siem-destination', id: heartbeat.destinationId },
    outcome: 'success',
    details: {
      nextSeq: heartbeat.nextSeq,
      checkpointSize: cp === null ? 0 : cp.size,
      checkpointRoot: cp === null ? '' : cp.rootHex,
      checkpointNote: cp === null ? '' : cp.note,
    },
  };
}
