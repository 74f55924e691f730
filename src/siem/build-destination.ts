/**
 * Builds the adapter of one configured SIEM destination: one case per `kind` of the
 * `siem.destinations` union (src/config/siem.schema.ts). Building opens nothing: adapters
 * connect or open files on their first send, so a start-up never waits on a collector.
 */
import type { SiemDestinationConfig } from '../config/siem.schema.ts';
import type { DeviceIdentity } from './device-identity.ts';
import type { SiemDestination } from './destination.ts';
import { FileDestination } from './delivery/file-destination.ts';
import { SyslogDestination } from './delivery/syslog-destination.ts';
import type { OcsfProduct } from './ocsf.ts';

/** What every adapter may need besides its own configuration. */
export interface DestinationContext {
  /** The product and host as OCSF, CEF and LEEF name them. */
  readonly product: OcsfProduct & DeviceIdentity;
}

export function buildDestination(config: SiemDestinationConfig, context: DestinationContext): SiemDestination {
  switch (config.kind) {
    case 'syslog':
      return new SyslogDestination(config, context.product);
    case 'file':
      return new FileDestination(config, context.product);
  }
}
