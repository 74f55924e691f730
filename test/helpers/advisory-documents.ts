/**
 * Advisory documents of our own for tests, in the real shapes: a CSAF 2.0 security advisory
 * (product_tree branches vendor → product_name → product_version_range / product_version,
 * vulnerabilities with product_status and CVSS v3 scores) and an OSV record (affected package,
 * ECOSYSTEM range events, database_specific vendor). Identities echo camsim's test cameras.
 */

/** One CSAF product leaf: vendor, model, and a version or range (or neither: every version). */
export interface CsafLeaf {
  readonly id: string;
  readonly vendor: string;
  readonly model: string;
  readonly version?: string;
  readonly range?: string;
}

/** A CSAF 2.0 csaf_security_advisory document. */
export function csafAdvisory(opts: { trackingId: string; cve: string; affected: readonly CsafLeaf[]; fixed?: readonly CsafLeaf[]; baseScore?: number; title?: string }): Record<string, unknown> {
  const leaves = [...opts.affected, ...(opts.fixed ?? [])];
  const vendors = [...new Set(leaves.map((l) => l.vendor))];
  return {
    document: {
      category: 'csaf_security_advisory',
      csaf_version: '2.0',
      publisher: { category: 'vendor', name: 'Acme Optics PSIRT', namespace: 'https://psirt.acme-optics.example' },
      title: opts.title ?? `Stack overflow in the RTSP server of ${opts.affected[0]?.model ?? 'cameras'}`,
      tracking: {
        id: opts.trackingId,
        status: 'final',
        version: '1',
        initial_release_date: '2026-11-02T09:00:00.000Z',
        current_release_date: '2026-11-02T09:00:00.000Z',
        revision_history: [{ date: '2026-11-02T09:00:00.000Z', number: '1', summary: 'Initial release.' }],
      },
    },
    product_tree: {
      branches: vendors.map((vendor) => ({
        category: 'vendor',
        name: vendor,
        branches: [...new Set(leaves.filter((l) => l.vendor === vendor).map((l) => l.model))].map((model) => ({
          category: 'product_name',
          name: model,
          branches: leaves
            .filter((l) => l.vendor === vendor && l.model === model)
            .map((l) => ({
              category: l.range !== undefined ? 'product_version_range' : 'product_version',
              name: l.range ?? l.version ?? '',
              product: { product_id: l.id, name: `${vendor} ${model} ${l.range ?? l.version ?? ''}` },
            })),
        })),
      })),
    },
    vulnerabilities: [
      {
        cve: opts.cve,
        notes: [{ category: 'description', text: 'A crafted DESCRIBE request overflows a stack buffer.' }],
        product_status: { known_affected: opts.affected.map((l) => l.id), ...(opts.fixed === undefined ? {} : { fixed: opts.fixed.map((l) => l.id) }) },
        scores: [{ products: opts.affected.map((l) => l.id), cvss_v3: { version: '3.1', vectorString: 'CVSS:3.1/AV:N/AC:L/PR:N/UI:N/S:U/C:H/I:H/A:H', baseScore: opts.baseScore ?? 9.8, baseSeverity: (opts.baseScore ?? 9.8) >= 9 ? 'CRITICAL' : 'HIGH' } }],
      },
    ],
  };
}

/** An OSV record for a camera product (vendor in database_specific, model as the package name). */
export function osvAdvisory(opts: { id: string; aliases: readonly string[]; vendor: string; model: string; events: readonly Record<string, string>[]; versions?: readonly string[]; severity?: string }): Record<string, unknown> {
  return {
    schema_version: '1.6.0',
    id: opts.id,
    modified: '2026-11-20T12:00:00Z',
    published: '2026-11-19T08:00:00Z',
    aliases: opts.aliases,
    summary: `Hard-coded maintenance account in ${opts.model} firmware`,
    details: 'The firmware ships a maintenance account reachable over HTTP.',
    severity: [{ type: 'CVSS_V3', score: 'CVSS:3.1/AV:N/AC:L/PR:N/UI:N/S:U/C:H/I:H/A:N' }],
    affected: [
      {
        package: { ecosystem: 'Camera-Firmware', name: opts.model },
        ranges: [{ type: 'ECOSYSTEM', events: opts.events }],
        ...(opts.versions === undefined ? {} : { versions: opts.versions }),
        database_specific: { vendor: opts.vendor, severity: opts.severity ?? 'HIGH' },
      },
    ],
    references: [{ type: 'ADVISORY', url: 'https://psirt.example/advisories/1' }],
  };
}
