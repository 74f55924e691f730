import { z } from 'zod';
import { jurisdiction } from './jurisdiction.ts';

/**
 * A `replica` SIEM destination (LOG-3): a second copy of the audit ledger, every leaf and every
 * checkpoint verbatim, in a directory (docs/reference/witnesses.md, "Replica"). The common
 * fields (id, jurisdiction, enabled) are defined here until the `siem.destinations` list
 * composes them.
 */
export const replicaDestination = z.strictObject({
  kind: z.literal('replica').describe('A second copy of the ledger (verified with custos audit verify --replica PATH).'),
  id: z
    .string()
    .regex(/^[a-z0-9][a-z0-9-]{0,31}$/, 'a destination id is lower-case letters, digits and dashes')
    .describe('Stable id of the destination (its delivery cursor is kept under it).'),
  jurisdiction: jurisdiction.describe('ISO 3166-1 alpha-2 country code where the replica\'s storage is (it holds the whole ledger, personal fields sealed).'),
  enabled: z.boolean().default(true).describe('False keeps the configuration but ships nothing.'),
  path: z
    .string()
    .min(1)
    .describe('Directory of the replica (made 0700 when missing): leaves.log and checkpoints.log, appended and fsynced. Put it on another disk or mount than the database.'),
  maxBatch: z.number().int().min(1).max(10_000).default(1000).describe('Most leaves appended per write (one fsync each).'),
});

/** A replica destination's configuration with defaults applied. */
export type ReplicaDestinationConfig = z.output<typeof replicaDestination>;
