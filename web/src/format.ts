// How the console writes times and sizes (the page's language).

const timeFormats = new Map<string, Intl.DateTimeFormat>();

/** An ISO timestamp (or Date) as a local wall-clock time (hh:mm:ss). */
export function formatTime(at: string | Date, lang = document.documentElement.lang || undefined): string {
  const key = lang ?? '';
  let f = timeFormats.get(key);
  if (!f) {
    f = new Intl.DateTimeFormat(lang, { hour: '2-digit', minute: '2-digit', second: '2-digit' });
    timeFormats.set(key, f);
  }
  return f.format(typeof at === 'string' ? new Date(at) : at);
}

/** An ISO timestamp as local date and time. */
export const formatDateTime = (iso: string): string => new Date(iso).toLocaleString(document.documentElement.lang || undefined);

/** A byte count in binary units (B, KiB, MiB, GiB, TiB). */
export function formatBytes(n: number): string {
  if (n < 1024) return `${n} B`;
  const units = ['KiB', 'MiB', 'GiB', 'TiB'];
  let v = n;
  let i = -1;
  do {
    v /= 1024;
    i += 1;
  } while (v >= 1024 && i < units.length - 1);
  return `${v.toFixed(1)} ${units[i]}`;
}
