/**
 * Canonical JSON in the manner of RFC 8785 (JCS) for the values Custos commits to: object keys
 * sorted by UTF-16 code units, no whitespace, strings escaped as ECMAScript JSON.stringify does.
 * Numbers are restricted to safe integers, so the RFC's number serialisation question never
 * arises; `undefined` object members are omitted. Anything else (floats, NaN, bigint, functions,
 * `undefined` in an array, lone surrogates, non-plain objects, nesting deeper than 64 levels)
 * throws TypeError: the caller has a bug, not bad input.
 *
 * Implementation: one validating pass builds a copy whose keys are inserted in sorted order and
 * the engine's JSON.stringify (which keeps insertion order) writes it, several times faster than
 * concatenating strings by hand (the audit ledger encodes every event). JSON.stringify puts
 * array-index keys ("0", "10", "9") first in numeric order whatever the insertion order, so a
 * value holding such a key is written by the plain recursive writer instead.
 */
export type JsonValue = string | number | boolean | null | JsonValue[] | { readonly [key: string]: JsonValue | undefined };

const maxDepth = 64;
const indexLike = /^(?:0|[1-9][0-9]*)$/;

export function canonicalJson(value: JsonValue | undefined): string {
  const state = { indexKeys: false };
  const copy = sorted(value, 0, state);
  return state.indexKeys ? write(value, 0) : JSON.stringify(copy);
}

function checkScalar(value: unknown): boolean {
  if (value === null || typeof value === 'boolean') return true;
  if (typeof value === 'string') {
    if (!value.isWellFormed()) throw new TypeError('canonical JSON strings must be well-formed Unicode');
    return true;
  }
  if (typeof value === 'number') {
    if (!Number.isSafeInteger(value)) throw new TypeError(`canonical JSON numbers must be safe integers, got ${value}`);
    return true;
  }
  return false;
}

function isPlainObject(value: unknown): value is Record<string, unknown> {
  return typeof value === 'object' && value !== null && Object.getPrototypeOf(value) === Object.prototype;
}

function refuse(value: unknown): never {
  throw new TypeError(`canonical JSON cannot encode ${value === undefined ? 'undefined' : typeof value === 'object' ? 'a non-plain object' : `a ${typeof value}`}`);
}

function sortedKeys(value: Record<string, unknown>): string[] {
  return Object.keys(value)
    .filter((k) => value[k] !== undefined)
    .sort();
}

/** Whether a key is an array index ("0", "17"): the first character decides for nearly every key. */
function isIndexLike(key: string): boolean {
  const c = key.charCodeAt(0);
  return c >= 0x30 && c <= 0x39 && indexLike.test(key);
}

/**
 * The validated value with sorted keys; notes whether an array-index key was seen. An object or
 * array that is already in canonical order is returned as it is, and a copy is only made once a
 * member turns out to need one: JSON.stringify skips `undefined` members just as canonical JSON
 * omits them. (The audit ledger's records are built in canonical order, so on its hot path
 * nothing is copied.)
 */
function sorted(value: unknown, depth: number, state: { indexKeys: boolean }): unknown {
  if (depth > maxDepth) throw new TypeError(`canonical JSON nests deeper than ${maxDepth} levels`);
  if (checkScalar(value)) return value;
  if (Array.isArray(value)) {
    let out: unknown[] | undefined;
    for (let i = 0; i < value.length; i++) {
      const v: unknown = value[i];
      // A hole stays a hole (JSON.stringify writes null), as the encoder always did.
      const c = v === undefined && !(i in value) ? v : sorted(v, depth + 1, state);
      if (out === undefined && c !== v) out = value.slice(0, i);
      out?.push(c);
    }
    return out ?? value;
  }
  if (!isPlainObject(value)) refuse(value);
  const keys = Object.keys(value);
  let inOrder = true;
  for (let i = 1; i < keys.length; i++) {
    if ((keys[i - 1] as string) >= (keys[i] as string)) {
      inOrder = false;
      break;
    }
  }
  if (!inOrder) keys.sort();
  // A copy holds the members before the first one that changed; out of order, always a copy.
  let out: Record<string, unknown> | undefined = inOrder ? undefined : {};
  for (let i = 0; i < keys.length; i++) {
    const key = keys[i] as string;
    const v = value[key];
    if (v === undefined) continue;
    if (!key.isWellFormed()) throw new TypeError('canonical JSON keys must be well-formed Unicode');
    if (isIndexLike(key)) state.indexKeys = true;
    const c = sorted(v, depth + 1, state);
    if (out === undefined && c !== v) {
      out = {};
      for (let j = 0; j < i; j++) {
        const k = keys[j] as string;
        if (value[k] !== undefined) out[k] = value[k];
      }
    }
    if (out !== undefined) out[key] = c;
  }
  return out ?? value;
}

/** The plain recursive writer (input already validated by `sorted`). */
function write(value: unknown, depth: number): string {
  if (typeof value === 'string' || typeof value === 'number' || typeof value === 'boolean' || value === null) return JSON.stringify(value);
  if (Array.isArray(value)) return `[${value.map((v: unknown) => write(v, depth + 1)).join(',')}]`;
  const object = value as Record<string, unknown>;
  return `{${sortedKeys(object)
    .map((k) => `${JSON.stringify(k)}:${write(object[k], depth + 1)}`)
    .join(',')}}`;
}
