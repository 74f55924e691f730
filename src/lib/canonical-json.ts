/**
 * Canonical JSON in the manner of RFC 8785 (JCS) for the values Custos commits to: object keys
 * sorted by UTF-16 code units, no whitespace, strings escaped as ECMAScript JSON.stringify does.
 * Numbers are restricted to safe integers, so the RFC's number serialisation question never
 * arises; `undefined` members are omitted. Anything else (floats, NaN, bigint, functions, cycles
 * deeper than 64 levels) throws TypeError: the caller has a bug, not bad input.
 */
export type JsonValue = string | number | boolean | null | JsonValue[] | { readonly [key: string]: JsonValue | undefined };

export function canonicalJson(value: JsonValue | undefined): string {
  return write(value, 0);
}

function write(value: unknown, depth: number): string {
  if (depth > 64) throw new TypeError('canonical JSON nests deeper than 64 levels');
  if (value === null || typeof value === 'boolean') return String(value);
  if (typeof value === 'string') {
    if (!value.isWellFormed()) throw new TypeError('canonical JSON strings must be well-formed Unicode');
    return JSON.stringify(value);
  }
  if (typeof value === 'number') {
    if (!Number.isSafeInteger(value)) throw new TypeError(`canonical JSON numbers must be safe integers, got ${value}`);
    return String(value);
  }
  if (Array.isArray(value)) return `[${value.map((v: unknown) => write(v, depth + 1)).join(',')}]`;
  if (typeof value === 'object') {
    const entries = Object.entries(value as Record<string, unknown>)
      .filter(([, v]) => v !== undefined)
      .sort(([a], [b]) => (a < b ? -1 : a > b ? 1 : 0));
    return `{${entries.map(([k, v]) => `${write(k, depth + 1)}:${write(v, depth + 1)}`).join(',')}}`;
  }
  throw new TypeError(`canonical JSON cannot encode a ${typeof value}`);
}
