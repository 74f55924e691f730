/**
 * Matches advisories against the camera inventory (AST-4). Pure: advisories and inventory
 * entries in, matches out. The rules (ADR 0032, docs/reference/onboarding.md "Matching"):
 * - **Vendor**: names are NFKC-folded, lower-cased, split into words on anything that is not a
 *   letter or digit, and stripped of company-form words (Co, Ltd, Inc, GmbH, Technology,
 *   Digital …). They match when the shorter word list appears whole and in order inside the
 *   longer: "Hikvision" matches "Hangzhou Hikvision Digital Technology Co., Ltd."; "Acme" matches
 *   "Acme Optics"; "Acme" does not match "Acmesoft".
 * - **Model**: compared without case, spaces, `-`, `_`, `.` and `/` ("AX-200" = "ax 200"); a `*`
 *   in the advisory's model matches any run of characters ("AX-2*" covers "AX-200" and "AX-210").
 * - **Firmware**: in the product's range (version-range.ts); a camera whose firmware cannot be
 *   ordered against the bounds is not matched.
 * A withdrawn advisory matches nothing.
 */
import type { Advisory, AffectedProduct } from './advisory.ts';
import { inRange, rangeText } from './version-range.ts';

/** The inventory fields matching reads. */
export interface MatchTarget {
  readonly cameraId: string;
  readonly vendor: string;
  readonly model: string;
  readonly firmware: string;
}

/** One camera affected by one advisory, with the product entry that matched. */
export interface AdvisoryMatch {
  readonly advisoryId: string;
  readonly cameraId: string;
  /** The camera's firmware when matched (a match is for this firmware). */
  readonly firmware: string;
  readonly vendor: string;
  readonly model: string;
  /** The advisory's product entry, as text: vendor, model, range and fixing versions. */
  readonly product: { readonly vendor: string; readonly model: string; readonly range: string; readonly fixedIn: readonly string[] };
}

const companyWords = new Set(['co', 'company', 'corp', 'corporation', 'inc', 'incorporated', 'ltd', 'limited', 'llc', 'plc', 'gmbh', 'ag', 'ab', 'as', 'sa', 'sas', 'srl', 'spa', 'bv', 'nv', 'oy', 'kk', 'pty', 'technology', 'technologies', 'tech', 'digital', 'group', 'holding', 'holdings', 'international', 'electronics', 'the']);

/** The words of a vendor name that identify it. */
export function vendorWords(name: string): string[] {
  return name.normalize('NFKC').toLowerCase().split(/[^\p{L}\p{N}]+/u).filter((w) => w !== '' && !companyWords.has(w));
}

/** True when two vendor names name the same vendor (see the module comment). */
export function sameVendor(a: string, b: string): boolean {
  const [x, y] = [vendorWords(a), vendorWords(b)];
  const [short, long] = x.length <= y.length ? [x, y] : [y, x];
  if (short.length === 0) return false;
  for (let i = 0; i + short.length <= long.length; i += 1) if (short.every((w, j) => long[i + j] === w)) return true;
  return false;
}

const modelKey = (s: string): string => s.normalize('NFKC').toLowerCase().replace(/[\s\-_./]+/g, '');

/** True when the camera's model is the advisory's model or fits its `*` pattern. */
export function modelFits(pattern: string, model: string): boolean {
  const p = modelKey(pattern);
  const m = modelKey(model);
  if (p === '' || m === '') return false;
  if (!p.includes('*')) return p === m;
  const re = new RegExp(`^${p.split('*').map((part) => part.replace(/[\\^$.+?()[\]{}|]/g, '\\$&')).join('.*')}$`, 'u');
  return re.test(m);
}

/** True when `product` covers the camera. */
export function productCovers(product: AffectedProduct, target: MatchTarget): boolean {
  return sameVendor(product.vendor, target.vendor) && modelFits(product.model, target.model) && inRange(product.range, target.firmware);
}

/** Every (advisory, camera) match; one per pair (the first product entry that covers it). */
export function matchAdvisories(advisories: readonly Advisory[], targets: readonly MatchTarget[]): AdvisoryMatch[] {
  const out: AdvisoryMatch[] = [];
  for (const a of advisories) {
    if (a.withdrawn !== null) continue;
    for (const t of targets) {
      const p = a.products.find((x) => productCovers(x, t));
      if (p === undefined) continue;
      out.push({ advisoryId: a.id, cameraId: t.cameraId, firmware: t.firmware, vendor: t.vendor, model: t.model, product: { vendor: p.vendor, model: p.model, range: rangeText(p.range), fixedIn: [...p.fixedIn] } });
    }
  }
  return out;
}
