/**
 * The canonical JSON encoder as it was until 2026-12-07 (src/lib/canonical-json.ts at f88362f),
 * frozen: every leaf committed until then is its output, so the current encoder MUST produce
 * the same bytes for every value (src/lib/canonical-json.test.ts compares them). Test-only.
 */
type JsonValue = string | number | boolean | null | JsonValue[] | { readonly [key: string]: JsonValue | undefined };

const maxDepth = 64;
const indexLike = /^(?:0|[1-9][0-9]*)$/;

export function canonicalJson2026(value: JsonValue | undefined): string {
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

/**
 * The validated value with sorted keys; notes whether an array-index key was seen. An object or
 * array that is already in canonical order is returned as it is (no copy): JSON.stringify skips
 * `undefined` members just as canonical JSON omits them.
 */
function sorted(value: unknown, depth: number, state: { indexKeys: boolean }): unknown {
  if (depth > maxDepth) throw new TypeError(`canonical JSON nests deeper than ${maxDepth} levels`);
  if (checkScalar(value)) return value;
  if (Array.isArray(value)) {
    let same = true;
    const out = value.map((v: unknown) => {
      const c = sorted(v, depth + 1, state);
      if (c !== v) same = false;
      return c;
    });
    return same ? value : out;
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
  const order = inOrder ? keys : keys.sort();
  const out: Record<string, unknown> = {};
  let same = inOrder;
  for (const key of order) {
    const v = value[key];
    if (v === undefined) continue;
    if (!key.isWellFormed()) throw new TypeError('canonical JSON keys must be well-formed Unicode');
    if (indexLike.test(key)) state.indexKeys = true;
    const c = sorted(v, depth + 1, state);
    if (c !== v) same = false;
    out[key] = c;
  }
  return same ? value : out;
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
