import { z } from 'zod';

/**
 * Wire schemas of advisories (AST-4) and camera security scores (issue 17 items 7-8). Times are
 * RFC 3339 UTC.
 */

const severity = z.enum(['critical', 'high', 'medium', 'low', 'none', 'unknown']);

/** An advisory document as the request body: a CSAF 2.0 document or an OSV record, as JSON. */
export const advisoryDocument = z.record(z.string(), z.unknown()).describe('A CSAF 2.0 csaf_security_advisory document or an OSV record, as JSON (at most 1 MiB).');

export const advisoryMatch = z.object({
  cameraId: z.string(),
  firmware: z.string().describe('The camera firmware the match is for.'),
  range: z.string().describe('The affected range of the product entry that matched.'),
  fixedIn: z.array(z.string()).describe('Versions the advisory names as fixed, if any.'),
  matchedAt: z.iso.datetime({ offset: true }),
});

export const advisory = z.object({
  id: z.string().describe('csaf:<publisher namespace>:<tracking id> or osv:<id>.'),
  format: z.enum(['csaf', 'osv']),
  documentId: z.string(),
  title: z.string(),
  publisher: z.string(),
  revision: z.string(),
  published: z.string().nullable(),
  withdrawn: z.string().nullable(),
  cves: z.array(z.string()),
  severity,
  cvssScore: z.number().nullable(),
  sha256: z.string().describe('SHA-256 of the compact JSON of the document.'),
  products: z.array(z.object({ vendor: z.string(), model: z.string(), range: z.string(), fixedIn: z.array(z.string()) })),
  skipped: z.array(z.string()).describe('Product entries the import could not use, with why.'),
  importedAt: z.iso.datetime({ offset: true }),
  cameras: z.array(advisoryMatch).describe('Cameras it affects now, among those the caller may read.'),
});

export const importResult = z.object({
  advisory,
  change: z.enum(['new', 'updated', 'unchanged']),
  matched: z.number().int().describe('Cameras newly affected by this import (all cameras, not only those the caller may read).'),
});

export const securityScore = z
  .object({
    cameraId: z.string(),
    total: z.number().int(),
    max: z.literal(100),
    grade: z.enum(['A', 'B', 'C', 'D', 'F']),
    cappedBy: z.string().nullable().describe('Why the grade is capped at D below what the total gives (default password, prohibited vendor, open critical advisory).'),
    factors: z.array(
      z.object({
        id: z.enum(['transport', 'credentials', 'firmware', 'vendor', 'advisories', 'clock', 'last-seen']),
        state: z.enum(['pass', 'partial', 'fail', 'unknown']),
        points: z.number().int(),
        max: z.number().int(),
        evidence: z.string().describe('What the factor was judged on; never a password or username.'),
      }),
    ),
  })
  .describe("A camera's evidence-based security score (docs/reference/onboarding.md).");
