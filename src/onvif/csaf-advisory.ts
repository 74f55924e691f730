/**
 * Reads a CSAF 2.0 document of the `csaf_security_advisory` profile into an {@link Advisory}
 * (OASIS CSAF v2.0, https://docs.oasis-open.org/csaf/csaf/v2.0/os/csaf-v2.0-os.html: §3.2.1
 * document, §3.2.2 product_tree, §3.2.3 vulnerabilities, §4.5 the profile).
 *
 * What is used: `document` (category, csaf_version, publisher, title, tracking), the
 * `product_tree.branches` paths (vendor → product_family → product_name → product_version or
 * product_version_range; the leaf's `product.product_id`), and per vulnerability its `cve`,
 * `product_status` (known_affected, first_affected, last_affected are affected; fixed and
 * first_fixed give the fixing versions) and `scores` (CVSS v3 base score and severity).
 * Products named only in `full_product_names` or `relationships` carry no vendor/model path and
 * are skipped with a reason. Anything malformed refuses the whole document.
 */
import { refuse, list, object, optionalText, severityOf, severityOfScore, text, worse, type Advisory, type AdvisorySeverity, type AffectedProduct } from './advisory.ts';
import { parseRangeText, type VersionRange } from './version-range.ts';

const R = 'invalid-csaf' as const;
const MAX_DEPTH = 30;
const MAX_BRANCHES = 20_000;
const cvePattern = /^CVE-\d{4}-\d{4,}$/;
const affectedStatuses = ['known_affected', 'first_affected', 'last_affected'] as const;
const fixedStatuses = ['fixed', 'first_fixed'] as const;

/** A leaf of the product tree: the product id and its path. */
interface Leaf {
  readonly vendor: string | null;
  readonly model: string | null;
  readonly version: string | null;
  readonly range: string | null;
}

/** True when `doc` says it is a CSAF document. */
export function looksLikeCsaf(doc: Record<string, unknown>): boolean {
  return typeof doc.document === 'object' && doc.document !== null && 'csaf_version' in doc.document;
}

/** Parses a CSAF document; throws ADVISORY_REFUSED (`invalid-csaf`, `no-products`). */
export function parseCsaf(doc: Record<string, unknown>, sha256: string): Advisory {
  const d = object(doc.document, 'document', R);
  if (d.csaf_version !== '2.0') refuse(R, 'document.csaf_version must be "2.0"', 'document.csaf_version');
  if (d.category !== 'csaf_security_advisory') refuse(R, 'document.category must be "csaf_security_advisory" (the profile this import reads)', 'document.category');
  const publisher = object(d.publisher, 'document.publisher', R);
  const tracking = object(d.tracking, 'document.tracking', R);
  const trackingId = text(tracking.id, 'document.tracking.id', R, 200);
  const current = text(tracking.current_release_date, 'document.tracking.current_release_date', R, 40);
  if (Number.isNaN(Date.parse(current))) refuse(R, 'document.tracking.current_release_date is not a date', 'document.tracking.current_release_date');
  const initial = optionalText(tracking.initial_release_date, 'document.tracking.initial_release_date', R, 40);
  const version = text(tracking.version, 'document.tracking.version', R, 40);
  const namespace = text(publisher.namespace, 'document.publisher.namespace', R, 300);
  const leaves = new Map<string, Leaf>();
  walk(list(object(doc.product_tree, 'product_tree', R).branches, 'product_tree.branches', R), 'product_tree.branches', { vendor: null, model: null, version: null, range: null }, leaves, 0, { n: 0 });
  const vulns = list(doc.vulnerabilities, 'vulnerabilities', R, 1000);
  if (vulns.length === 0) refuse(R, 'a security advisory needs at least one vulnerability', 'vulnerabilities');
  const cves = new Set<string>();
  const affectedIds = new Set<string>();
  const fixedIds = new Set<string>();
  let severity: AdvisorySeverity = 'unknown';
  let best: { score: number; vector: string | null } | null = null;
  vulns.forEach((raw, i) => {
    const v = object(raw, `vulnerabilities[${i}]`, R);
    if (v.cve !== undefined) {
      const cve = text(v.cve, `vulnerabilities[${i}].cve`, R, 40);
      if (!cvePattern.test(cve)) refuse(R, `vulnerabilities[${i}].cve is not a CVE id`, `vulnerabilities[${i}].cve`);
      cves.add(cve);
    }
    const status = v.product_status === undefined ? {} : object(v.product_status, `vulnerabilities[${i}].product_status`, R);
    for (const s of affectedStatuses) for (const id of ids(status[s], `vulnerabilities[${i}].product_status.${s}`)) affectedIds.add(id);
    for (const s of fixedStatuses) for (const id of ids(status[s], `vulnerabilities[${i}].product_status.${s}`)) fixedIds.add(id);
    list(v.scores, `vulnerabilities[${i}].scores`, R, 1000).forEach((sRaw, j) => {
      const s = object(sRaw, `vulnerabilities[${i}].scores[${j}]`, R);
      const cvss = s.cvss_v3 ?? s.cvss_v2;
      if (cvss === undefined) return;
      const c = object(cvss, `vulnerabilities[${i}].scores[${j}].cvss`, R);
      const score = c.baseScore;
      if (typeof score !== 'number' || !(score >= 0 && score <= 10)) refuse(R, `vulnerabilities[${i}].scores[${j}] baseScore must be a number 0-10`, `vulnerabilities[${i}].scores[${j}]`);
      severity = worse(severity, c.baseSeverity === undefined ? severityOfScore(score) : severityOf(c.baseSeverity));
      if (best === null || score > best.score) best = { score, vector: typeof c.vectorString === 'string' ? c.vectorString.slice(0, 200) : null };
    });
  });
  const products: AffectedProduct[] = [];
  const skipped: string[] = [];
  const fixedBy = (vendor: string, model: string) => [...fixedIds].map((id) => leaves.get(id)).filter((l) => l?.vendor === vendor && l.model === model && l.version !== null).map((l) => l!.version!);
  for (const id of affectedIds) {
    const leaf = leaves.get(id);
    if (leaf === undefined) {
      skipped.push(`${id}: not in product_tree.branches (full_product_names and relationships are not read)`);
      continue;
    }
    if (leaf.vendor === null || leaf.model === null) {
      skipped.push(`${id}: its branch names no vendor and product_name`);
      continue;
    }
    let range: VersionRange | null;
    if (leaf.range !== null) range = parseRangeText(leaf.range);
    else if (leaf.version !== null) range = { kind: 'versions', versions: [leaf.version] };
    else range = { kind: 'all' };
    if (range === null) {
      skipped.push(`${id}: version range "${leaf.range ?? ''}" not understood`);
      continue;
    }
    products.push({ vendor: leaf.vendor, model: leaf.model, range, fixedIn: fixedBy(leaf.vendor, leaf.model) });
  }
  if (products.length === 0) refuse('no-products', `no affected product has a vendor, a product name and a version range Custos understands${skipped.length > 0 ? ` (${skipped.slice(0, 3).join('; ')})` : ''}`);
  const b = best as { score: number; vector: string | null } | null;
  return {
    id: `csaf:${namespace}:${trackingId}`,
    format: 'csaf',
    documentId: trackingId,
    title: text(d.title, 'document.title', R),
    publisher: text(publisher.name, 'document.publisher.name', R, 200),
    revision: `${version} (${current})`,
    published: initial,
    cves: [...cves].sort(),
    severity,
    cvssScore: b?.score ?? null,
    cvssVector: b?.vector ?? null,
    products,
    withdrawn: null,
    skipped,
    sha256,
  };
}

function ids(v: unknown, at: string): string[] {
  return list(v, at, R).map((x, i) => text(x, `${at}[${i}]`, R, 200));
}

function walk(branches: readonly unknown[], at: string, path: Leaf, leaves: Map<string, Leaf>, depth: number, count: { n: number }): void {
  if (depth > MAX_DEPTH) refuse(R, `product_tree is nested deeper than ${MAX_DEPTH}`, at);
  branches.forEach((raw, i) => {
    count.n += 1;
    if (count.n > MAX_BRANCHES) refuse(R, `product_tree has more than ${MAX_BRANCHES} branches`, at);
    const here = `${at}[${i}]`;
    const b = object(raw, here, R);
    const category = text(b.category, `${here}.category`, R, 60);
    const name = text(b.name, `${here}.name`, R, 300);
    const next: Leaf =
      category === 'vendor' ? { ...path, vendor: name }
      : category === 'product_name' ? { ...path, model: name }
      : category === 'product_family' ? { ...path, model: path.model ?? `${name}*` }
      : category === 'product_version' ? { ...path, version: name }
      : category === 'product_version_range' ? { ...path, range: name }
      : path;
    if (b.product !== undefined) {
      const p = object(b.product, `${here}.product`, R);
      leaves.set(text(p.product_id, `${here}.product.product_id`, R, 200), next);
    }
    if (b.branches !== undefined) walk(list(b.branches, `${here}.branches`, R), `${here}.branches`, next, leaves, depth + 1, count);
    else if (b.product === undefined) refuse(R, `${here} has neither branches nor product`, here);
  });
}
