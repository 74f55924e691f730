/**
 * Wall-clock arithmetic in an IANA time zone with Intl only (no time-zone library): what the
 * incident clocks need to add calendar months in the entity's zone and to show UTC instants
 * there. Instants are always UTC milliseconds; local wall times exist only inside this module.
 *
 * Contract for a wall time that does not exist (spring forward) or exists twice (fall back):
 * a skipped wall time moves forward by the gap (02:30 on the spring day in Berlin is 03:30
 * CEST); a repeated wall time resolves to its first occurrence (the earlier instant), which
 * gives the earlier — stricter — deadline.
 */

/** Local calendar fields of an instant. */
export interface WallTime {
  readonly year: number;
  readonly month: number;
  readonly day: number;
  readonly hour: number;
  readonly minute: number;
  readonly second: number;
  readonly millisecond: number;
}

const formatters = new Map<string, Intl.DateTimeFormat>();

function formatter(zone: string): Intl.DateTimeFormat {
  let f = formatters.get(zone);
  if (f === undefined) {
    f = new Intl.DateTimeFormat('en-US', { timeZone: zone, hourCycle: 'h23', year: 'numeric', month: '2-digit', day: '2-digit', hour: '2-digit', minute: '2-digit', second: '2-digit' });
    formatters.set(zone, f);
  }
  return f;
}

/** True when `zone` is an IANA zone this runtime knows. */
export function isTimeZone(zone: string): boolean {
  try {
    formatter(zone);
    return true;
  } catch {
    return false;
  }
}

/** The wall time of `ms` in `zone`. */
export function wallTime(ms: number, zone: string): WallTime {
  const parts: Record<string, number> = {};
  for (const p of formatter(zone).formatToParts(new Date(ms))) if (p.type !== 'literal') parts[p.type] = Number(p.value);
  return { year: parts.year ?? 0, month: parts.month ?? 0, day: parts.day ?? 0, hour: parts.hour ?? 0, minute: parts.minute ?? 0, second: parts.second ?? 0, millisecond: ((ms % 1000) + 1000) % 1000 };
}

/** The zone's offset from UTC at the instant `ms`, in ms (Berlin in summer: +7,200,000). */
export function offsetAt(ms: number, zone: string): number {
  const w = wallTime(ms, zone);
  return Date.UTC(w.year, w.month - 1, w.day, w.hour, w.minute, w.second, w.millisecond) - ms;
}

/** The instant of a wall time in `zone` (see the module contract for skipped and repeated times). */
export function instantOf(w: WallTime, zone: string): number {
  const asUtc = Date.UTC(w.year, w.month - 1, w.day, w.hour, w.minute, w.second, w.millisecond);
  const dayMs = 86_400_000;
  const offsets = [...new Set([offsetAt(asUtc - dayMs, zone), offsetAt(asUtc, zone), offsetAt(asUtc + dayMs, zone)])];
  const valid = offsets.map((o) => asUtc - o).filter((t) => offsetAt(t, zone) === asUtc - t);
  if (valid.length > 0) return Math.min(...valid);
  // Skipped: read the wall time with the offset in force before the gap (the day before's).
  return asUtc - offsetAt(asUtc - dayMs, zone);
}

/**
 * `ms` plus `months` calendar months in `zone`, at the same wall time; the day is clamped to the
 * month's last (31 January + 1 month = 28 or 29 February).
 */
export function addMonths(ms: number, months: number, zone: string): number {
  const w = wallTime(ms, zone);
  const first = new Date(Date.UTC(w.year, w.month - 1 + months, 1));
  const lastDay = new Date(Date.UTC(first.getUTCFullYear(), first.getUTCMonth() + 1, 0)).getUTCDate();
  return instantOf({ ...w, year: first.getUTCFullYear(), month: first.getUTCMonth() + 1, day: Math.min(w.day, lastDay) }, zone);
}

const pad = (n: number, width = 2) => String(n).padStart(width, '0');

/** `ms` shown in `zone`: `2026-10-25 02:30 CET (UTC+01:00)`. */
export function formatInZone(ms: number, zone: string): string {
  const w = wallTime(ms, zone);
  const offsetMin = Math.round(offsetAt(ms, zone) / 60_000);
  const sign = offsetMin < 0 ? '-' : '+';
  const abs = Math.abs(offsetMin);
  const name = new Intl.DateTimeFormat('en-GB', { timeZone: zone, timeZoneName: 'short' }).formatToParts(new Date(ms)).find((p) => p.type === 'timeZoneName')?.value ?? zone;
  return `${w.year}-${pad(w.month)}-${pad(w.day)} ${pad(w.hour)}:${pad(w.minute)} ${name} (UTC${sign}${pad(Math.floor(abs / 60))}:${pad(abs % 60)})`;
}
