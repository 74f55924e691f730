/**
 * Vets a camera's identity against the prohibited-vendor data (AST-2). A camera is flagged when
 * its ONVIF manufacturer, its MAC's OUI or its model matches an entry; when the OUI or model
 * points at a §889 company the manufacturer does not (an "Acme" camera with a Hikvision OUI), the
 * flag says it is a likely relabel. Pure: the data are modules, the caller passes the identity.
 */
import { prohibitedOuis } from './prohibited-oui.ts';
import { prohibitedVendors } from './prohibited-vendors.ts';
import type { ProhibitedVendor } from './prohibited-vendors.ts';

/** What is vetted. Strings come from the camera and are untrusted. */
export interface VettedIdentity {
  readonly manufacturer: string;
  readonly model: string;
  /** `aa:bb:cc:dd:ee:ff` or null when the camera gave none. */
  readonly mac: string | null;
}

/** One reason for a flag. */
export interface VendorMatch {
  readonly by: 'manufacturer' | 'oui' | 'model';
  readonly entryId: string;
  readonly group: ProhibitedVendor['group'];
  readonly relation: ProhibitedVendor['relation'];
  readonly source: string;
  /** The value that matched (the OUI, the model, the manufacturer). */
  readonly value: string;
}

/** The verdict. */
export interface VendorVerdict {
  readonly flagged: boolean;
  /** The OUI or model names a §889 company that the manufacturer does not. */
  readonly likelyRelabel: boolean;
  readonly matches: readonly VendorMatch[];
}

const byId = new Map(prohibitedVendors.map((v) => [v.id, v]));

function wordMatch(haystack: string, needle: string): boolean {
  const esc = needle.replace(/[.*+?^${}()|[\]\\]/g, '\\$&');
  return new RegExp(`(^|[^\\p{L}\\p{N}])${esc}($|[^\\p{L}\\p{N}])`, 'iu').test(haystack);
}

function matchOf(by: VendorMatch['by'], v: ProhibitedVendor, value: string): VendorMatch {
  return { by, entryId: v.id, group: v.group, relation: v.relation, source: v.source, value };
}

/** Vets one identity. */
export function vetVendor(id: VettedIdentity): VendorVerdict {
  const matches: VendorMatch[] = [];
  const manufacturer = id.manufacturer.normalize('NFKC').trim();
  const model = id.model.normalize('NFKC').trim();
  for (const v of prohibitedVendors) {
    if (v.names.some((n) => wordMatch(manufacturer, n))) matches.push(matchOf('manufacturer', v, manufacturer));
    if (v.models.some((re) => re.test(model))) matches.push(matchOf('model', v, model));
  }
  const oui = id.mac?.toLowerCase().slice(0, 8);
  const ouiEntry = oui === undefined ? undefined : byId.get(prohibitedOuis.get(oui) ?? '');
  if (ouiEntry !== undefined && oui !== undefined) matches.push(matchOf('oui', ouiEntry, oui));
  const claimed = new Set(matches.filter((m) => m.by === 'manufacturer').map((m) => m.group));
  const likelyRelabel = matches.some((m) => m.by !== 'manufacturer' && !claimed.has(m.group));
  return { flagged: matches.length > 0, likelyRelabel, matches };
}
