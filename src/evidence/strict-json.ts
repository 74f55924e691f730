/**
 * Strict readers for the texts of an evidence package: canonical JSON that MUST be byte-for-byte
 * what canonicalJson() writes, and RFC 3339 timestamps that MUST name a real instant.
 *
 * Contract: input is untrusted; nothing here throws. Pure.
 */
import { canonicalJson, type JsonValue } from '../lib/canonical-json.ts';

/** A parsed value, or the reason the bytes are not canonical JSON. */
export type CanonicalResult = { readonly ok: true; readonly value: unknown } | { readonly ok: false; readonly reason: string };

const utf8 = new TextDecoder('utf-8', { fatal: true, ignoreBOM: true });

/** Parses `bytes` as JSON and requires that they are exactly the canonical JSON of the value. */
export function readCanonicalJson(bytes: Buffer): CanonicalResult {
  let text: string;
  try {
    text = utf8.decode(bytes);
  } catch {
    return { ok: false, reason: 'is not valid UTF-8' };
  }
  let value: unknown;
  try {
    value = JSON.parse(text);
  } catch {
    return { ok: false, reason: 'is not valid JSON' };
  }
  let canonical: string;
  try {
    canonical = canonicalJson(value as JsonValue);
  } catch (e) {
    return { ok: false, reason: `is not canonical JSON (${(e as Error).message})` };
  }
  if (!Buffer.from(canonical, 'utf8').equals(bytes)) return { ok: false, reason: 'is not canonical JSON (key order, whitespace, escapes or duplicate keys)' };
  return { ok: true, value };
}

/** True for a plain JSON object (not an array, not null). */
export function isObject(x: unknown): x is Record<string, unknown> {
  return typeof x === 'object' && x !== null && !Array.isArray(x);
}

const RFC3339 = /^(\d{4})-(\d{2})-(\d{2})T(\d{2}):(\d{2}):(\d{2})(\.\d{1,9})?(Z|[+-](\d{2}):(\d{2}))$/;

/**
 * Milliseconds since the epoch of an RFC 3339 date-time (§5.6, upper-case `T` and `Z`, no leap
 * second), or undefined when the text is not one or names no real date. With `utcOnly` the
 * offset MUST be `Z`. Fractions beyond milliseconds are truncated.
 */
export function parseRfc3339(text: unknown, utcOnly = false): number | undefined {
  if (typeof text !== 'string') return undefined;
  const m = RFC3339.exec(text);
  if (m === null) return undefined;
  const [year, month, day, hour, minute, second] = m.slice(1, 7).map(Number) as [number, number, number, number, number, number];
  const zone = m[8] as string;
  if (utcOnly && zone !== 'Z') return undefined;
  const offsetHours = Number(m[9] ?? 0);
  const offsetMinutes = Number(m[10] ?? 0);
  if (month < 1 || month > 12 || hour > 23 || minute > 59 || second > 59 || offsetHours > 23 || offsetMinutes > 59) return undefined;
  const dayMs = Date.UTC(year, month - 1, day);
  const check = new Date(dayMs);
  if (day < 1 || check.getUTCFullYear() !== year || check.getUTCMonth() !== month - 1 || check.getUTCDate() !== day) return undefined;
  const millis = Number((m[7] ?? '.').slice(1).padEnd(3, '0').slice(0, 3));
  const sign = zone.startsWith('-') ? -1 : 1;
  const offsetMs = zone === 'Z' ? 0 : sign * (offsetHours * 60 + offsetMinutes) * 60_000;
  return dayMs + ((hour * 60 + minute) * 60 + second) * 1000 + millis - offsetMs;
}
