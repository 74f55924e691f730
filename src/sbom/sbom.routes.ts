/**
 * Custos's own SBOM (AST-5): the CycloneDX 1.6 file, its detached signature and the verifier key.
 * The SBOM and its signature need `system.configure` (it lists every dependency version: a map
 * for an attacker, docs/decisions/0033-sbom-and-ptz.md); the verifier key is public, as the
 * ledger's is.
 */
import { defineRoute, type RouteSpec } from '../access/request-context.ts';
import type { SbomService } from './sbom.service.ts';

/** Dependencies of the SBOM routes. */
export interface SbomRouteDeps {
  readonly sbom: SbomService;
}

/** The routes. */
export function sbomRoutes(deps: SbomRouteDeps): RouteSpec[] {
  return [
    defineRoute({
      method: 'GET', url: '/api/v1/sbom', access: 'system.configure', scope: 'global',
      summary: "Custos's own SBOM (CycloneDX 1.6 JSON, runtime dependencies from package-lock.json); its SHA-256 in the ETag", tag: 'sbom',
      response: { status: 200, mediaType: 'application/vnd.cyclonedx+json' },
      handler: async ({ reply }) => {
        const s = await deps.sbom.current();
        await reply.type('application/vnd.cyclonedx+json; version=1.6').header('etag', `"${s.sha256}"`).header('cache-control', 'no-store').send(Buffer.from(s.bytes));
        return undefined;
      },
    }),
    defineRoute({
      method: 'GET', url: '/api/v1/sbom/signature', access: 'system.configure', scope: 'global',
      summary: 'The detached signature of the SBOM (a C2SP signed note naming its SHA-256 and size, by the SBOM key)', tag: 'sbom',
      response: { status: 200, mediaType: 'text/plain' },
      handler: async ({ reply }) => {
        const s = await deps.sbom.current();
        await reply.type('text/plain; charset=utf-8').header('etag', `"${s.sha256}"`).header('cache-control', 'no-store').send(s.signature);
        return undefined;
      },
    }),
    defineRoute({
      method: 'GET', url: '/api/v1/sbom/key', access: 'public',
      summary: 'The verifier key of SBOM signatures (C2SP vkey, a key of its own, not the audit ledger key)', tag: 'sbom',
      response: { status: 200, mediaType: 'text/plain' },
      handler: async ({ reply }) => {
        await reply.type('text/plain; charset=utf-8').send(`${await deps.sbom.vkey()}\n`);
        return undefined;
      },
    }),
  ];
}
