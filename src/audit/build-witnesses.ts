import type { WitnessConfig } from '../config/witness.schema.ts';
import type { Db } from '../db/database.ts';
import type { Clock } from '../lib/clock.ts';
import type { Logger } from '../lib/logger.ts';
import { parseCosignerKey } from '../tlog/cosignature.ts';
import { createCosignatureStore } from './cosignature.store.ts';
import type { AuditLedger } from './ledger.ts';
import { witnessTransport } from './witness-client.ts';
import { WitnessCosigner, type WitnessTarget } from './witness-cosigner.ts';

/**
 * Builds the witness client of the configured `witnesses` over the metadata database and the
 * ledger (the assembly used by app.ts and the tests). A witness key that is not a valid
 * cosignature/v1 vkey fails here, at start (CONFIG_INVALID's cousin VALIDATION_FAILED names it).
 */
export async function buildWitnesses(deps: { witnesses: readonly WitnessConfig[]; db: Db; ledger: AuditLedger; clock: Clock; log: Logger }): Promise<WitnessCosigner> {
  const targets: WitnessTarget[] = [];
  try {
    for (const w of deps.witnesses) {
      const cosigner = parseCosignerKey(w.key);
      const transport = await witnessTransport({ url: w.url, caFile: w.caFile, timeoutMs: w.timeoutSeconds * 1000 });
      targets.push({ cosigner, transport, host: new URL(w.url).host });
    }
  } catch (e) {
    for (const t of targets) t.transport.close();
    throw e;
  }
  return new WitnessCosigner({ witnesses: targets, proofs: deps.ledger, store: createCosignatureStore(deps.db), audit: deps.ledger, clock: deps.clock, log: deps.log });
}
