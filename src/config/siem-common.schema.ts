import { z } from 'zod';
import { jurisdiction } from './jurisdiction.ts';

/**
 * The fields every SIEM destination shares (issue 16), spread into each kind's schema: the
 * `siem.destinations` union in siem.schema.ts, the HTTP kinds in siem-http.schema.ts and the
 * replica in siem-replica.schema.ts.
 */

/** Event types are catalogue words: lower-case, dot-separated. */
export const eventTypePattern = /^[a-z][a-z0-9-]*(\.[a-z0-9-]+)*\.?$/;

/** The fields every destination has, whatever its kind. */
export const destinationCommon = {
  id: z
    .string()
    .regex(/^[a-z0-9][a-z0-9_-]{0,62}$/, 'an id is 1–63 lower-case letters, digits, _ or -, e.g. soc-syslog')
    .describe('Stable name of the destination: its delivery cursor, counters and alarms are kept under it. Renaming it starts shipping from the first event again.'),
  jurisdiction: jurisdiction.describe('ISO 3166-1 alpha-2 country code of where this destination keeps the events it receives (data residency).'),
  enabled: z.boolean().default(true).describe('False keeps the destination (and its cursor) but ships nothing to it.'),
  filter: z
    .strictObject({
      types: z
        .array(z.string().regex(eventTypePattern, 'expected an event type such as auth.login.failed, or a prefix such as auth.'))
        .default([])
        .describe('Event types to ship; an entry ending in a dot is a prefix (auth. matches every auth.* type). Empty = every type.'),
      minSeverity: z
        .number()
        .int()
        .min(1)
        .max(5)
        .default(1)
        .describe('Lowest OCSF severity_id shipped: 1 informational, 2 low, 3 medium, 4 high, 5 critical.'),
    })
    .prefault({})
    .describe('Which events this destination receives (heartbeats always go). Events left out still advance its cursor.'),
};

