/**
 * Length limits for SIEM wire formats that never break a character or an escape.
 *
 * Contract: limits are applied to the raw (unescaped) value in Unicode code points, so the
 * escaping that follows can never be cut; a byte limit on an already-escaped text cuts at a UTF-8
 * character boundary and then drops a dangling escape character (a trailing `\` that would escape
 * whatever follows the cut).
 */

/** The first `maxChars` code points of `value` (a surrogate pair is never split). */
export function limitChars(value: string, maxChars: number): string {
  if (value.length <= maxChars) return value;
  let out = '';
  let count = 0;
  for (const ch of value) {
    if (count === maxChars) break;
    out += ch;
    count += 1;
  }
  return out;
}

/**
 * The longest prefix of the escaped text `text` whose UTF-8 encoding fits in `maxBytes`, cut at a
 * character boundary and without a trailing unpaired backslash (every escape in CEF, LEEF and
 * RFC 5424 SD-PARAM is a backslash followed by one character).
 */
export function limitEscapedUtf8(text: string, maxBytes: number): string {
  if (Buffer.byteLength(text, 'utf8') <= maxBytes) return text;
  let out = '';
  let bytes = 0;
  for (const ch of text) {
    const size = Buffer.byteLength(ch, 'utf8');
    if (bytes + size > maxBytes) break;
    out += ch;
    bytes += size;
  }
  let trailing = 0;
  while (trailing < out.length && out[out.length - 1 - trailing] === '\\') trailing += 1;
  return trailing % 2 === 1 ? out.slice(0, -1) : out;
}

/**
 * `head` followed by `key=escaped(value)` pieces joined by `separator`, kept within `maxBytes`
 * of UTF-8: pieces are added in order while they fit whole; the first that does not is added
 * with its raw value cut (in code points, before escaping) to fit, and the rest are dropped.
 * So a cut line is always well formed and every field in it is whole, except perhaps the last,
 * which is a prefix of the true value. MUST: `head` itself fits.
 */
export function joinWithinBytes(
  head: string,
  pairs: ReadonlyArray<readonly [string, string]>,
  separator: string,
  escape: (raw: string) => string,
  maxBytes: number,
): string {
  let out = head;
  let bytes = Buffer.byteLength(head, 'utf8');
  if (bytes > maxBytes) throw new Error(`a ${bytes}-byte header does not fit in ${maxBytes} bytes`);
  for (const [index, [key, raw]] of pairs.entries()) {
    const prefix = `${index === 0 ? '' : separator}${key}=`;
    const piece = prefix + escape(raw);
    const size = Buffer.byteLength(piece, 'utf8');
    if (bytes + size <= maxBytes) {
      out += piece;
      bytes += size;
      continue;
    }
    const room = maxBytes - bytes - Buffer.byteLength(prefix, 'utf8');
    if (room < 0) break;
    const chars = [...raw];
    let low = 0;
    let high = chars.length;
    while (low < high) {
      const mid = Math.ceil((low + high) / 2);
      if (Buffer.byteLength(escape(chars.slice(0, mid).join('')), 'utf8') <= room) low = mid;
      else high = mid - 1;
    }
    out += prefix + escape(chars.slice(0, low).join(''));
    break;
  }
  return out;
}
