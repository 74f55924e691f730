/**
 * Version ranges of advisories (AST-4), decided with the firmware ordering of
 * firmware-version.ts.
 *
 * - `vers`: a CSAF `product_version_range` as a vers string ("vers:generic/>=5.0|<5.7.4",
 *   https://github.com/package-url/purl-spec/blob/main/VERSION-RANGE-SPEC.rst) or the free-text
 *   forms vendors write ("<= 5.7.3", ">=5.0, <5.7.4", "5.0 - 5.7.3", "before 5.7.4", "all
 *   versions"), decided by the vers algorithm (equalities first, then the sorted constraints
 *   taken as intervals).
 * - `osv`: OSV `ECOSYSTEM`/`SEMVER` range events (introduced, fixed, last_affected), decided as
 *   the OSV schema's evaluation: sorted events, affected from each `introduced` up to the next
 *   `fixed` (exclusive) or `last_affected` (inclusive). `limit` is for git ranges and ignored.
 * - `versions`: an exact list (CSAF `product_version`, OSV `versions`).
 * A version that cannot be ordered against a bound (no number in it) is never in a range.
 */
import { compareFirmware, parseFirmwareVersion, type FirmwareVersion } from './firmware-version.ts';

/** A comparator of a vers constraint. */
export type VersOp = '=' | '!=' | '<' | '<=' | '>' | '>=';

/** One OSV range event. */
export type OsvEvent = { readonly introduced: string } | { readonly fixed: string } | { readonly last_affected: string };

/** A range of affected versions. */
export type VersionRange =
  | { readonly kind: 'all' }
  | { readonly kind: 'versions'; readonly versions: readonly string[] }
  | { readonly kind: 'vers'; readonly constraints: readonly { readonly op: VersOp; readonly version: string }[] }
  | { readonly kind: 'osv'; readonly events: readonly OsvEvent[] };

const MAX_CONSTRAINTS = 64;

/** Parses a range text (vers or a vendor's free text); null when it is not understood. */
export function parseRangeText(input: string): VersionRange | null {
  const text = input.normalize('NFKC').trim();
  if (text.length === 0 || text.length > 500) return null;
  const vers = /^vers:[a-z0-9.+-]+\/(.*)$/i.exec(text);
  if (vers !== null) {
    const body = vers[1]!.trim();
    if (body === '*') return { kind: 'all' };
    // vers percent-encodes characters such as spaces in versions ("V5.7.3%20build%20220315").
    try {
      return constraintsOf(body.split('|').map((c) => decodeURIComponent(c)));
    } catch {
      return null;
    }
  }
  if (/^(\*|all|all versions|any|any version)$/i.test(text)) return { kind: 'all' };
  const dash = /^([^\s<>=!]+)\s+-\s+([^\s<>=!]+)$/.exec(text);
  if (dash !== null) return constraintsOf([`>=${dash[1]!}`, `<=${dash[2]!}`]);
  const earlier = /^(\S+)\s+(?:and|or)\s+(?:earlier|lower|below|older)$/i.exec(text);
  if (earlier !== null) return constraintsOf([`<=${earlier[1]!}`]);
  const words = text
    .replace(/\b(?:before|prior to|earlier than|below)\s+/gi, '<')
    .replace(/\b(?:up to and including|up to|through)\s+/gi, '<=')
    .replace(/\b(?:from|since|starting with)\s+/gi, '>=');
  return constraintsOf(words.split(/\s*(?:,|&&|\band\b)\s*|\s+(?=[<>=!])/i));
}

function constraintsOf(parts: readonly string[]): VersionRange | null {
  const constraints: { op: VersOp; version: string }[] = [];
  for (const raw of parts) {
    const part = raw.trim();
    if (part === '') continue;
    const m = /^(<=|>=|!=|<|>|=)?\s*(.+)$/.exec(part);
    if (m === null) return null;
    const version = m[2]!.trim();
    // A bound must carry a number to be ordered; "=" on text is still an exact match.
    const op = (m[1] ?? '=') as VersOp;
    if (/[<>=!|]/.test(version) || (op !== '=' && op !== '!=' && parseFirmwareVersion(version).release.length === 0)) return null;
    constraints.push({ op, version });
  }
  if (constraints.length === 0 || constraints.length > MAX_CONSTRAINTS) return null;
  return { kind: 'vers', constraints };
}

/** True when `firmware` is in `range` (see the module comment). */
export function inRange(range: VersionRange, firmware: string): boolean {
  const v = parseFirmwareVersion(firmware);
  switch (range.kind) {
    case 'all':
      return true;
    case 'versions':
      return range.versions.some((x) => compareFirmware(v, parseFirmwareVersion(x)) === 0);
    case 'vers':
      return inVers(range.constraints, v);
    case 'osv':
      return inOsv(range.events, v);
  }
}

function inVers(constraints: readonly { readonly op: VersOp; readonly version: string }[], v: FirmwareVersion): boolean {
  const parsed = constraints.map((c) => ({ op: c.op, at: parseFirmwareVersion(c.version) }));
  for (const c of parsed) {
    const cmp = compareFirmware(v, c.at);
    if (c.op === '=' && cmp === 0) return true;
    if (c.op === '!=' && cmp === 0) return false;
  }
  const bounds = parsed.filter((c) => c.op !== '=' && c.op !== '!=').sort((a, b) => compareFirmware(a.at, b.at) ?? 0);
  const holds = (c: { op: VersOp; at: FirmwareVersion }): boolean => {
    const cmp = compareFirmware(v, c.at);
    if (cmp === null) return false;
    return c.op === '<' ? cmp < 0 : c.op === '<=' ? cmp <= 0 : c.op === '>' ? cmp > 0 : cmp >= 0;
  };
  const upper = (op: VersOp) => op === '<' || op === '<=';
  for (let i = 0; i < bounds.length; i += 1) {
    const c = bounds[i]!;
    if (upper(c.op)) {
      // An upper bound opens its own interval only when no lower bound precedes it.
      if ((i === 0 || upper(bounds[i - 1]!.op)) && holds(c)) return true;
      continue;
    }
    const next = bounds[i + 1];
    if (next === undefined) return holds(c);
    if (upper(next.op) && holds(c) && holds(next)) return true;
  }
  return false;
}

function inOsv(events: readonly OsvEvent[], v: FirmwareVersion): boolean {
  const at = (e: OsvEvent): string => ('introduced' in e ? e.introduced : 'fixed' in e ? e.fixed : e.last_affected);
  const sorted = [...events].sort((a, b) => (at(a) === '0' ? -1 : at(b) === '0' ? 1 : (compareFirmware(parseFirmwareVersion(at(a)), parseFirmwareVersion(at(b))) ?? 0)));
  let affected = false;
  for (const e of sorted) {
    if ('introduced' in e) {
      const cmp = e.introduced === '0' ? 1 : compareFirmware(v, parseFirmwareVersion(e.introduced));
      if (cmp !== null && cmp >= 0) affected = true;
    } else if ('fixed' in e) {
      const cmp = compareFirmware(v, parseFirmwareVersion(e.fixed));
      if (cmp === null || cmp >= 0) affected = false;
    } else {
      const cmp = compareFirmware(v, parseFirmwareVersion(e.last_affected));
      if (cmp === null || cmp > 0) affected = false;
    }
  }
  return affected;
}

/** A short text of a range, for people (evidence, CLI). */
export function rangeText(range: VersionRange): string {
  switch (range.kind) {
    case 'all':
      return 'all versions';
    case 'versions':
      return range.versions.join(', ');
    case 'vers':
      return range.constraints.map((c) => `${c.op}${c.version}`).join(' ');
    case 'osv':
      return range.events.map((e) => Object.entries(e).map(([k, x]) => `${k} ${String(x)}`).join('')).join(', ');
  }
}
