import { z } from 'zod';
import { destinationCommon } from './siem-common.schema.ts';

/**
 * A `replica` SIEM destination (LOG-3): a second copy of the audit ledger, every leaf and every
 * checkpoint verbatim, in a directory (docs/reference/witnesses.md, "Replica"). It takes the
 * common fields but no filter.
 */
export const replicaDestination = z.strictObject({
  kind: z.literal('replica').describe('A second copy of the ledger (verified with custos audit verify --replica PATH).'),
  // No filter: a replica holds every leaf, a dense prefix of the ledger.
  id: destinationCommon.id,
  jurisdiction: destinationCommon.jurisdiction,
  enabled: destinationCommon.enabled,
  path: z
    .string()
    .min(1)
    .describe('Directory of the replica (made 0700 when missing): leaves.log and checkpoints.log, appended and fsynced. Put it on another disk or mount than the database.'),
  maxBatch: z.number().int().min(1).max(10_000).default(1000).describe('Most leaves appended per write (one fsync each).'),
});

/** A replica destination's configuration with defaults applied. */
export type ReplicaDestinationConfig = z.output<typeof replicaDestination>;
