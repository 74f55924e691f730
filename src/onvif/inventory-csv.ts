/**
 * The asset inventory as CSV (RFC 4180), for `custos inventory list --csv`. Every field a camera
 * supplied is untrusted: a cell starting with `=`, `+`, `-`, `@`, a tab or a carriage return is
 * prefixed with `'` so a spreadsheet shows it as text instead of running it as a formula
 * (OWASP "CSV injection").
 */
import type { InventoryEntry } from './onboarding.service.ts';

/** The columns, in order. */
export const inventoryColumns = [
  'camera_id', 'camera_name', 'vendor', 'model', 'serial', 'mac', 'oui', 'firmware', 'hardware_id', 'location', 'owner', 'install_date',
  'end_of_support', 'vetting', 'likely_relabel', 'flag_matches', 'quarantined', 'accepted_until', 'clock_offset_ms', 'identified_at',
] as const;

function cell(value: string): string {
  const safe = /^[=+\-@\t\r]/.test(value) ? `'${value}` : value;
  return /[",\r\n]/.test(safe) ? `"${safe.replace(/"/g, '""')}"` : safe;
}

/** The CSV text (header line included, CRLF line ends). `names` maps camera ids to names. */
export function inventoryCsv(entries: readonly InventoryEntry[], names: ReadonlyMap<string, string>): string {
  const rows = entries.map((e) => {
    const a = e.asset;
    return [
      a.cameraId, names.get(a.cameraId) ?? '', a.vendor, a.model, a.serial, a.mac ?? '', a.mac?.slice(0, 8) ?? '', a.firmware, a.hardwareId, a.location, a.owner,
      a.installDate ?? '', a.endOfSupport ?? '', a.vetting, String(a.verdict.likelyRelabel), a.verdict.matches.map((m) => `${m.by}:${m.entryId}`).join(' '),
      String(e.quarantined), e.acceptance === null ? '' : new Date(e.acceptance.untilMs).toISOString(), String(a.evidence.clock.offsetMs), new Date(a.identifiedMs).toISOString(),
    ];
  });
  return [[...inventoryColumns], ...rows].map((r) => r.map(cell).join(',')).join('\r\n') + '\r\n';
}
