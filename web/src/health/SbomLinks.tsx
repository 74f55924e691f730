// Custos's own SBOM (AST-5, ADR 0033) on the health screen: the signed CycloneDX file and its
// signature for `system.configure` holders (the routes' permission), the verifier key for anyone;
// `custos sbom verify` checks the three offline.
import { useSession } from '../app/session.ts';
import { useI18n } from '../i18n/index.ts';

/** Download links of the SBOM, its signature and its public key; nothing without `system.configure`. */
export function SbomLinks() {
  const { can } = useSession();
  const { m } = useI18n();
  if (!can('system.configure')) return null;
  return (
    <section class="panel sbom" aria-labelledby="sbom-heading">
      <h3 id="sbom-heading">{m.health.sbom}</h3>
      <p class="muted">{m.health.sbomHint}</p>
      <ul>
        <li>
          <a href="/api/v1/sbom" download="custos-sbom.cdx.json">{m.health.sbomFile}</a>
        </li>
        <li>
          <a href="/api/v1/sbom/signature" download="custos-sbom.sig">{m.health.sbomSignature}</a>
        </li>
        <li>
          <a href="/api/v1/sbom/key" download="custos-sbom.vkey">{m.health.sbomKey}</a>
        </li>
      </ul>
    </section>
  );
}
