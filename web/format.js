// How the page writes times and sizes (the browser's locale).

const timeFormat = new Intl.DateTimeFormat(undefined, { hour: '2-digit', minute: '2-digit', second: '2-digit' });

/** An ISO timestamp as a local wall-clock time (hh:mm:ss). */
export const formatTime = (iso) => timeFormat.format(new Date(iso));

/** A byte count in binary units (B, KiB, MiB, GiB, TiB). */
export function formatBytes(n) {
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
