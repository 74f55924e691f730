/**
 * Reads an OSV record (OSV schema 1.x, https://ossf.github.io/osv-schema/) into an
 * {@link Advisory}.
 *
 * OSV names packages by ecosystem, and no ecosystem exists for camera firmware, so a camera
 * product is read from each `affected[]` entry as:
 * - vendor: `database_specific.vendor`, else the namespace of `package.purl`
 *   (`pkg:generic/acme/ax-200@…` → `acme`);
 * - model: `database_specific.model`, else `package.name`;
 * - versions: `ranges[]` of type `ECOSYSTEM` or `SEMVER` (events introduced, fixed,
 *   last_affected; `GIT` ranges name commits and are skipped) and the exact `versions[]` list.
 * `aliases` give the CVE ids; severity comes from `database_specific.severity` ("HIGH",
 * "MODERATE") of the entry or the record, else from the highest CVSS v3 base score computed from
 * `severity[]` vectors (cvss-v3.ts; other vector types are kept, not scored).
 * Anything malformed refuses the whole document.
 */
import { refuse, list, object, optionalText, severityOf, severityOfScore, text, worse, type Advisory, type AdvisorySeverity, type AffectedProduct } from './advisory.ts';
import { cvssV3BaseScore } from './cvss-v3.ts';
import type { OsvEvent } from './version-range.ts';

const R = 'invalid-osv' as const;
const cvePattern = /^CVE-\d{4}-\d{4,}$/;

/** True when `doc` has the shape of an OSV record (an id, `modified`, and `affected` or `withdrawn`). */
export function looksLikeOsv(doc: Record<string, unknown>): boolean {
  return typeof doc.id === 'string' && 'modified' in doc && ('affected' in doc || 'withdrawn' in doc);
}

/** Parses an OSV record; throws ADVISORY_REFUSED (`invalid-osv`, `no-products`). */
export function parseOsv(doc: Record<string, unknown>, sha256: string): Advisory {
  const id = text(doc.id, 'id', R, 200);
  if (!/^[A-Za-z0-9][\w.:-]*$/.test(id)) refuse(R, 'id must be letters, digits and ._:- (e.g. GHSA-…, OSV-2026-…)', 'id');
  const modified = text(doc.modified, 'modified', R, 40);
  if (Number.isNaN(Date.parse(modified))) refuse(R, 'modified is not an RFC 3339 time', 'modified');
  const published = optionalText(doc.published, 'published', R, 40);
  const withdrawn = optionalText(doc.withdrawn, 'withdrawn', R, 40);
  const cves = list(doc.aliases, 'aliases', R, 100).map((a, i) => text(a, `aliases[${i}]`, R, 100)).filter((a) => cvePattern.test(a));
  if (cvePattern.test(id)) cves.push(id);
  const topSpecific = doc.database_specific === undefined ? {} : object(doc.database_specific, 'database_specific', R);
  let severity: AdvisorySeverity = severityOf(topSpecific.severity);
  let vector: string | null = null;
  let cvssScore: number | null = null;
  list(doc.severity, 'severity', R, 20).forEach((raw, i) => {
    const s = object(raw, `severity[${i}]`, R);
    const type = text(s.type, `severity[${i}].type`, R, 40);
    const v = text(s.score, `severity[${i}].score`, R, 200);
    vector ??= v;
    const score = type === 'CVSS_V3' ? cvssV3BaseScore(v) : null;
    if (score !== null && (cvssScore === null || score > cvssScore)) {
      cvssScore = score;
      vector = v;
    }
  });
  const products: AffectedProduct[] = [];
  const skipped: string[] = [];
  list(doc.affected, 'affected', R, 1000).forEach((raw, i) => {
    const at = `affected[${i}]`;
    const a = object(raw, at, R);
    const pkg = a.package === undefined ? {} : object(a.package, `${at}.package`, R);
    const specific = a.database_specific === undefined ? {} : object(a.database_specific, `${at}.database_specific`, R);
    severity = worse(severity, severityOf(specific.severity));
    const purl = optionalText(pkg.purl, `${at}.package.purl`, R, 500);
    const vendor = optionalText(specific.vendor, `${at}.database_specific.vendor`, R, 200) ?? (purl === null ? null : purlNamespace(purl));
    const model = optionalText(specific.model, `${at}.database_specific.model`, R, 200) ?? optionalText(pkg.name, `${at}.package.name`, R, 200);
    const fixedIn: string[] = [];
    const ranges = list(a.ranges, `${at}.ranges`, R, 100).flatMap((rRaw, j) => {
      const r = object(rRaw, `${at}.ranges[${j}]`, R);
      const type = text(r.type, `${at}.ranges[${j}].type`, R, 20);
      const events = list(r.events, `${at}.ranges[${j}].events`, R, 200).map((eRaw, k) => event(eRaw, `${at}.ranges[${j}].events[${k}]`)).filter((e) => e !== null);
      if (events.length === 0 || !events.some((e) => 'introduced' in e)) refuse(R, `${at}.ranges[${j}] needs an introduced event`, `${at}.ranges[${j}]`);
      if (type === 'GIT') {
        skipped.push(`${at}.ranges[${j}]: GIT ranges name commits, not firmware versions`);
        return [];
      }
      if (type !== 'ECOSYSTEM' && type !== 'SEMVER') refuse(R, `${at}.ranges[${j}].type must be ECOSYSTEM, SEMVER or GIT`, `${at}.ranges[${j}].type`);
      for (const e of events) if ('fixed' in e) fixedIn.push(e.fixed);
      return [{ kind: 'osv' as const, events }];
    });
    const versions = list(a.versions, `${at}.versions`, R, 5000).map((v, j) => text(v, `${at}.versions[${j}]`, R, 100));
    if (vendor === null || model === null) {
      skipped.push(`${at}: no vendor (database_specific.vendor or a purl namespace) or no model (database_specific.model or package.name)`);
      return;
    }
    for (const range of ranges) products.push({ vendor, model, range, fixedIn });
    if (versions.length > 0) products.push({ vendor, model, range: { kind: 'versions', versions }, fixedIn });
    if (ranges.length === 0 && versions.length === 0) skipped.push(`${at}: no ECOSYSTEM/SEMVER range and no versions`);
  });
  // The publisher's rating wins; without one, the CVSS v3 base score gives the severity.
  if (severity === 'unknown' && cvssScore !== null) severity = severityOfScore(cvssScore);
  if (products.length === 0 && withdrawn === null) refuse('no-products', `no affected entry names a camera vendor, a model and versions Custos understands${skipped.length > 0 ? ` (${skipped.slice(0, 3).join('; ')})` : ''}`);
  return {
    id: `osv:${id}`,
    format: 'osv',
    documentId: id,
    title: optionalText(doc.summary, 'summary', R) ?? id,
    publisher: optionalText(topSpecific.source, 'database_specific.source', R, 200) ?? (id.includes('-') ? id.slice(0, id.indexOf('-')) : 'OSV'),
    revision: modified,
    published,
    cves: [...new Set(cves)].sort(),
    severity,
    cvssScore,
    cvssVector: vector,
    products,
    withdrawn,
    skipped,
    sha256,
  };
}

function event(raw: unknown, at: string): OsvEvent | null {
  const e = object(raw, at, R);
  const keys = Object.keys(e);
  if (keys.length !== 1) refuse(R, `${at} must hold exactly one of introduced, fixed, last_affected, limit`, at);
  const key = keys[0]!;
  const value = text(e[key], `${at}.${key}`, R, 100);
  if (key === 'introduced') return { introduced: value };
  if (key === 'fixed') return { fixed: value };
  if (key === 'last_affected') return { last_affected: value };
  // `limit`: versions at or past it are not affected (as `fixed`); "*" is no limit.
  if (key === 'limit') return value === '*' ? null : { fixed: value };
  return refuse(R, `${at} has unknown event ${key}`, at);
}

function purlNamespace(purl: string): string | null {
  const m = /^pkg:[a-z0-9.+-]+\/([^/@?#]+)\/[^/@?#]+/i.exec(purl);
  return m === null ? null : decodeURIComponent(m[1]!);
}
