import { z } from 'zod';

/**
 * Jurisdictions for data residency: an ISO 3166-1 alpha-2 country code where a zone, a key
 * provider, the database or an outbound destination keeps data; `EU` in an allow-list stands for
 * every EU member state.
 */

/** The 27 EU member states (ISO 3166-1 alpha-2; Greece is GR, not the EU's own "EL"). */
export const euMemberStates: readonly string[] = [
  'AT', 'BE', 'BG', 'CY', 'CZ', 'DE', 'DK', 'EE', 'ES', 'FI', 'FR', 'GR', 'HR', 'HU',
  'IE', 'IT', 'LT', 'LU', 'LV', 'MT', 'NL', 'PL', 'PT', 'RO', 'SE', 'SI', 'SK',
];

/** A declared jurisdiction: two upper-case letters (a country code). */
export const jurisdiction = z
  .string()
  .regex(/^[A-Z]{2}$/, 'expected an ISO 3166-1 alpha-2 country code in upper case, e.g. DE')
  .describe('ISO 3166-1 alpha-2 country code of where this keeps data (e.g. DE, FR, US).');

/** An allow-list entry: a country code, or EU for every member state. */
export const jurisdictionAllowed = z
  .string()
  .regex(/^([A-Z]{2}|EU)$/, 'expected a country code (e.g. DE) or EU');

/** True when `code` is allowed by `allowed` (EU expands to the member states). */
export function jurisdictionAllowedBy(code: string, allowed: readonly string[]): boolean {
  return allowed.some((a) => a === code || (a === 'EU' && euMemberStates.includes(code)));
}
