/**
 * The human form of a log line (issue 19 item 10): one JSON line as pino writes it becomes one
 * line for a terminal, `14:03:07.512 INFO  live viewer connected cameraId=… reqId=…`. Pure; the
 * caller passes lines that redaction and URL scrubbing already went through, so this form
 * carries nothing the JSON did not. A line that is not a JSON object is returned unchanged.
 */

const levelNames: Readonly<Record<number, string>> = { 10: 'TRACE', 20: 'DEBUG', 30: 'INFO', 40: 'WARN', 50: 'ERROR', 60: 'FATAL' };
const levelColours: Readonly<Record<number, string>> = { 10: '90', 20: '36', 30: '32', 40: '33', 50: '31', 60: '35' };

/** Fields every line carries that a person at a terminal does not need to read. */
const dropped = new Set(['level', 'time', 'msg', 'app', 'pid', 'hostname', 'v']);

/** Formats one pino JSON line (without its newline) for a terminal; `colour` adds ANSI colours to the level. */
export function prettyLogLine(line: string, colour: boolean): string {
  let record: unknown;
  try {
    record = JSON.parse(line);
  } catch {
    return line;
  }
  if (typeof record !== 'object' || record === null || Array.isArray(record)) return line;
  const r = record as Record<string, unknown>;
  const level = typeof r.level === 'number' ? r.level : 30;
  const name = (levelNames[level] ?? String(level)).padEnd(5);
  const shown = colour ? `\u001b[${levelColours[level] ?? '0'}m${name}\u001b[0m` : name;
  const parts = [clockOf(r.time), shown, oneLine(typeof r.msg === 'string' ? r.msg : '')];
  for (const [key, value] of Object.entries(r)) {
    if (dropped.has(key) || value === undefined) continue;
    parts.push(`${key}=${valueText(key, value)}`);
  }
  return parts.filter((p) => p !== '').join(' ');
}

/** `HH:MM:SS.mmm` (UTC, as the JSON's time is) or the time as given when it is not ISO. */
function clockOf(time: unknown): string {
  if (typeof time === 'string') {
    const m = /T(\d{2}:\d{2}:\d{2}(?:\.\d{3})?)/.exec(time);
    return m?.[1] ?? time;
  }
  if (typeof time === 'number') return new Date(time).toISOString().slice(11, 23);
  return '';
}

/** A field's value on one line: an error as its type and message, objects as compact JSON. */
function valueText(key: string, value: unknown): string {
  if (key === 'req' && typeof value === 'object' && value !== null) {
    // A request as a person reads it: `GET /api/v1/cameras`, and who asked.
    const r = value as { method?: unknown; url?: unknown; remoteAddress?: unknown };
    const line = `${typeof r.method === 'string' ? r.method : '?'} ${typeof r.url === 'string' ? r.url : '?'}${typeof r.remoteAddress === 'string' ? ` from ${r.remoteAddress}` : ''}`;
    return JSON.stringify(oneLine(line));
  }
  if (key === 'err' && typeof value === 'object' && value !== null) {
    const e = value as { type?: unknown; message?: unknown; code?: unknown };
    const text = `${typeof e.type === 'string' ? `${e.type}: ` : ''}${typeof e.message === 'string' ? e.message : ''}${typeof e.code === 'string' ? ` [${e.code}]` : ''}`;
    return JSON.stringify(oneLine(text));
  }
  if (typeof value === 'string') return /^[^\s"=]+$/.test(value) ? value : JSON.stringify(value);
  return oneLine(JSON.stringify(value) ?? String(value));
}

/** Collapses line breaks, so one event is one line whatever a message holds. */
function oneLine(text: string): string {
  return text.replace(/\s*[\r\n]+\s*/g, ' ⏎ ');
}
