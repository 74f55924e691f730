import type { Config } from '../config/schema.ts';
import { buildIdentity, type Identity } from '../identity/build-identity.ts';
import { systemClock } from '../lib/clock.ts';
import { cliAuditContext } from './cli-actor.ts';
import { openCore, type Core } from '../core.ts';
import type { AuditContext } from '../audit/audit-event.ts';

/** Identity and access opened for a CLI command: the database, keys, ledger and services. */
export interface OpenIdentity {
  readonly keys: Core;
  readonly identity: Identity;
  /** The operating-system user running the command, as audit actor. */
  readonly by: AuditContext;
  readonly close: () => Promise<void>;
}

/** Opens identity and access on the configured database (the server need not run). */
export async function openIdentity(config: Config): Promise<OpenIdentity> {
  const keys = await openCore(config);
  try {
    const audit = await keys.ledger();
    const identity = buildIdentity({
      db: keys.database.db,
      config: config.identity,
      sealer: keys.dataKeys,
      audit,
      clock: systemClock,
      publicUrl: () => config.identity.publicUrl ?? `https://localhost:${config.server.port}`,
    });
    return { keys, identity, by: cliAuditContext(), close: () => keys.close() };
  } catch (e) {
    await keys.close();
    throw e;
  }
}
