/**
 * Builds the adapter of one configured SIEM destination: one case per `kind` of the
 * `siem.destinations` union (src/config/siem.schema.ts). Building opens no connection: adapters
 * connect on their first send, so a start-up never waits on a collector (the HTTP kinds read
 * their secret files here, the replica makes its directory).
 */
import type { SiemDestinationConfig } from '../config/siem.schema.ts';
import { leafText } from '../audit/audit-event.ts';
import type { DeviceIdentity } from './device-identity.ts';
import type { SiemDestination } from './destination.ts';
import { FileDestination } from './delivery/file-destination.ts';
import { SyslogDestination } from './delivery/syslog-destination.ts';
import { createHttpDestination } from './build-http-destination.ts';
import { createReplicaDestination } from './replica-destination.ts';
import { heartbeatRecord } from './heartbeat.ts';
import type { OcsfProduct } from './ocsf.ts';

/** What every adapter may need besides its own configuration. */
export interface DestinationContext {
  /** The product and host as OCSF, CEF and LEEF name them. */
  readonly product: OcsfProduct & DeviceIdentity;
}

export async function buildDestination(config: SiemDestinationConfig, context: DestinationContext): Promise<SiemDestination> {
  switch (config.kind) {
    case 'syslog':
      return new SyslogDestination(config, context.product);
    case 'file':
      return new FileDestination(config, context.product);
    case 'splunk-hec':
    case 'sentinel':
    case 'chronicle':
    case 'webhook':
      return withHeartbeats(await createHttpDestination(config, { product: context.product }));
    case 'replica':
      // A replica takes leaves and checkpoints only: a heartbeat is not a leaf.
      return createReplicaDestination(config);
  }
}

/**
 * An event destination that sends heartbeats as one more event: the heartbeat's record shape
 * (heartbeat.ts, type `siem.heartbeat`, leaf index -1), formatted like every event it sends.
 */
function withHeartbeats(destination: SiemDestination): SiemDestination {
  if (destination.sendHeartbeat !== undefined) return destination;
  return Object.assign(destination, {
    sendHeartbeat: (heartbeat: Parameters<NonNullable<SiemDestination['sendHeartbeat']>>[0], signal: AbortSignal) => {
      const record = heartbeatRecord(heartbeat);
      return destination.send([{ record, text: leafText(record) }], signal);
    },
  });
}
