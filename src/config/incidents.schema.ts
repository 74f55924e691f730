import { z } from 'zod';

/**
 * The `incidents` part of the one configuration schema: who the entity is for the significance
 * criteria (INC-2) and the time zone deadlines are shown in. Reference: docs/reference/incidents.md.
 */
/** The entity types whose significance criteria differ (incidents/significance.ts). */
export const entityTypes = ['default', 'cloud-provider', 'data-centre', 'managed-service-provider', 'managed-security-service-provider', 'trust-service-provider'] as const;

export const incidents = z
  .strictObject({
    entityType: z.enum(entityTypes).default('default').describe('Entity type for the significance criteria (Reg. 2024/2690): default, cloud-provider, data-centre, managed-service-provider, managed-security-service-provider, trust-service-provider.'),
    annualTurnoverEur: z.number().min(0).nullable().default(null).describe('Annual turnover in euros: the financial-loss threshold is the lower of €500,000 and 5 % of it.'),
    euUsers: z.number().int().min(0).nullable().default(null).describe('Users of the service in the EU (limited-availability criterion: the lower of 5 % of them and 1 million).'),
    timeZone: z
      .string()
      .refine((zone) => {
        try {
          new Intl.DateTimeFormat('en', { timeZone: zone });
          return true;
        } catch {
          return false;
        }
      }, 'an IANA time zone, e.g. Europe/Berlin')
      .default('Europe/Berlin')
      .describe('IANA time zone deadlines are shown in and calendar months are counted in (all times are stored in UTC).'),
    chromiumPath: z.string().min(1).default('/usr/bin/chromium').describe('Chromium executable that renders report PDFs (playwright-core drives it headless).'),
    reminderCheckSeconds: z.number().min(1).max(3600).default(60).describe('How often the clocks of open incidents are checked for reminders.'),
  })
  .prefault({})
  .describe('NIS2 incident register and reporting clocks (docs/reference/incidents.md).');

export type IncidentsConfig = z.output<typeof incidents>;
