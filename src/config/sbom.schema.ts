import { z } from 'zod';

/** Custos's own SBOM (AST-5, docs/reference/onboarding.md "SBOM"). */
export const sbom = z
  .strictObject({
    file: z
      .string()
      .default('')
      .describe(
        'The CycloneDX SBOM GET /api/v1/sbom serves, as written by custos sbom generate (scripts/prereqs.sh runs it after npm ci). Empty: build/custos.cdx.json in the installation directory.',
      ),
  })
  .prefault({})
  .describe("Custos's own software bill of materials.");
