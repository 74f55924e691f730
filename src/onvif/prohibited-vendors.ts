/**
 * Prohibited-vendor data (AST-2): the five companies named in US NDAA FY2019 §889, their
 * subsidiaries and brands, and OEM relabels reported for them. Data, not code: each entry carries
 * its source and dates, and docs/reference/onboarding.md says how to refresh it. A match flags a
 * camera for an explicit, four-eyes risk acceptance; it is not a legal determination.
 *
 * `names` are matched case-insensitively as whole words against the ONVIF manufacturer;
 * `models` are regular expressions on the ONVIF model, kept to series names no other vendor uses
 * (a generic `IPC-` prefix would flag half the market); `ieeeOrganisations` are prefixes of the
 * IEEE registry's organisation names whose MA-L blocks tools/vendor-oui/refresh-oui.ts copies into
 * prohibited-oui.ts.
 */

/** Why an entry is on the list. */
export type VendorRelation = 'named in §889' | 'subsidiary or brand' | 'reported OEM relabel';

/** One entry. */
export interface ProhibitedVendor {
  /** Stable id of the entry. */
  readonly id: string;
  /** The §889 company the entry belongs to (`hikvision`, `dahua`, `huawei`, `zte`, `hytera`). */
  readonly group: 'hikvision' | 'dahua' | 'huawei' | 'zte' | 'hytera';
  readonly relation: VendorRelation;
  readonly names: readonly string[];
  readonly models: readonly RegExp[];
  readonly ieeeOrganisations: readonly string[];
  readonly source: string;
  /** Date of the source (ISO). */
  readonly sourceDate: string;
  /** Date the entry was written or last reviewed here (ISO). */
  readonly reviewed: string;
  readonly note?: string;
}

const ndaa = 'John S. McCain NDAA for FY2019, Pub. L. 115-232, §889(f)(3)(A)-(B) (covered telecommunications equipment)';
const ndaaDate = '2018-08-13';
const reviewed = '2026-12-07';
const ieee = 'IEEE MA-L registry, Debian ieee-data 20220827.1 (/usr/share/ieee-data/oui.csv)';

/** The list. Order does not matter; ids are unique (a test checks). */
export const prohibitedVendors: readonly ProhibitedVendor[] = [
  { id: 'hikvision', group: 'hikvision', relation: 'named in §889', names: ['Hikvision', 'Hangzhou Hikvision'], models: [/^DS-2(CD|DE|DF|XS|TD)\d/i, /^iDS-2/i], ieeeOrganisations: ['Hangzhou Hikvision Digital Technology'], source: ndaa, sourceDate: ndaaDate, reviewed },
  { id: 'dahua', group: 'dahua', relation: 'named in §889', names: ['Dahua', 'Zhejiang Dahua'], models: [/^(DH-)?(IPC|SD|PTZ)-?(HFW|HDBW|HDW|HFS|EBW|PFW|PDBW|HUM)\d/i], ieeeOrganisations: ['Zhejiang Dahua Technology'], source: ndaa, sourceDate: ndaaDate, reviewed },
  { id: 'huawei', group: 'huawei', relation: 'named in §889', names: ['Huawei'], models: [], ieeeOrganisations: ['HUAWEI TECHNOLOGIES', 'Huawei Device Co'], source: ndaa, sourceDate: ndaaDate, reviewed, note: 'No model pattern: HoloSens model names (M2xxx, X2xxx) collide with other vendors\' series.' },
  { id: 'zte', group: 'zte', relation: 'named in §889', names: ['ZTE'], models: [], ieeeOrganisations: ['zte corporation'], source: ndaa, sourceDate: ndaaDate, reviewed },
  { id: 'hytera', group: 'hytera', relation: 'named in §889', names: ['Hytera'], models: [], ieeeOrganisations: ['Hytera Communications'], source: ndaa, sourceDate: ndaaDate, reviewed },
  { id: 'ezviz', group: 'hikvision', relation: 'subsidiary or brand', names: ['EZVIZ', 'Hangzhou Ezviz'], models: [], ieeeOrganisations: ['Hangzhou Ezviz Software'], source: `${ndaa} ("subsidiary or affiliate"); ${ieee} names Hangzhou Ezviz Software Co.`, sourceDate: ndaaDate, reviewed, note: "Hikvision's consumer camera subsidiary." },
  { id: 'prama-hikvision', group: 'hikvision', relation: 'subsidiary or brand', names: ['Prama Hikvision'], models: [], ieeeOrganisations: ['Prama Hikvision India'], source: `${ndaa} ("subsidiary or affiliate"); ${ieee}`, sourceDate: ndaaDate, reviewed, note: "Hikvision's Indian joint venture." },
  { id: 'hilook', group: 'hikvision', relation: 'subsidiary or brand', names: ['HiLook', 'HiWatch'], models: [], ieeeOrganisations: [], source: `${ndaa} ("subsidiary or affiliate"); Hikvision brand names`, sourceDate: ndaaDate, reviewed },
  { id: 'imou', group: 'dahua', relation: 'subsidiary or brand', names: ['Imou'], models: [], ieeeOrganisations: [], source: `${ndaa} ("subsidiary or affiliate"); Dahua consumer brand`, sourceDate: ndaaDate, reviewed },
  { id: 'lorex', group: 'dahua', relation: 'subsidiary or brand', names: ['Lorex'], models: [], ieeeOrganisations: ['Lorex Technology'], source: `${ndaa}; Dahua owned Lorex from 2018 to its sale in 2023; ${ieee}`, sourceDate: '2023-10-01', reviewed, note: 'Flagged for devices made while Dahua owned Lorex; a risk acceptance can record a newer model.' },
  { id: 'sepura', group: 'hytera', relation: 'subsidiary or brand', names: ['Sepura'], models: [], ieeeOrganisations: ['Sepura'], source: `${ndaa} ("subsidiary or affiliate"); Hytera acquired Sepura in 2017; ${ieee}`, sourceDate: '2017-06-01', reviewed },
  { id: 'hisilicon', group: 'huawei', relation: 'subsidiary or brand', names: ['HiSilicon'], models: [], ieeeOrganisations: [], source: `${ndaa} ("subsidiary or affiliate"); Huawei's chip subsidiary`, sourceDate: ndaaDate, reviewed },
  { id: 'lts', group: 'hikvision', relation: 'reported OEM relabel', names: ['LTS', 'LT Security'], models: [], ieeeOrganisations: [], source: 'IPVM, "Hikvision OEM Directory" (industry report of relabelled products)', sourceDate: '2023-01-01', reviewed, note: 'Reported, not verified by the project; the flag asks for a review, not a ban.' },
  { id: 'annke', group: 'hikvision', relation: 'reported OEM relabel', names: ['Annke'], models: [], ieeeOrganisations: [], source: 'IPVM, "Hikvision OEM Directory" (industry report of relabelled products)', sourceDate: '2023-01-01', reviewed, note: 'Reported, not verified by the project.' },
  { id: 'amcrest', group: 'dahua', relation: 'reported OEM relabel', names: ['Amcrest'], models: [], ieeeOrganisations: [], source: 'IPVM, "Dahua OEM Directory" (industry report of relabelled products)', sourceDate: '2023-01-01', reviewed, note: 'Reported, not verified by the project.' },
];
