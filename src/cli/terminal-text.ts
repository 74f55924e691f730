/**
 * Text from the database printed on an operator's terminal. Stored values (camera names, URLs,
 * audit reasons) MUST pass through here before they are written: a control character (C0, DEL,
 * C1 such as CSI U+009B), a line separator or a bidirectional override would let whoever wrote
 * the value move the cursor, rewrite earlier output or reorder what the operator reads.
 */

/** Code points that act on a terminal instead of printing (see the module note). */
const ACTIVE = /[\p{Cc}\u2028\u2029\u202a-\u202e\u2066-\u2069]/gu;

/** `s` with every active code point written as a visible escape: `\x1b`, `\u202e`. */
export function terminalText(s: string): string {
  return s.replace(ACTIVE, (c) => {
    const cp = c.codePointAt(0) ?? 0;
    return cp <= 0xff ? `\\x${cp.toString(16).padStart(2, '0')}` : `\\u${cp.toString(16).padStart(4, '0')}`;
  });
}

/** What JSON.stringify leaves raw inside strings: DEL, C1, separators, bidirectional controls. */
const ACTIVE_IN_JSON = /[\u007f-\u009f\u2028\u2029\u202a-\u202e\u2066-\u2069]/g;

/**
 * JSON for a terminal, indented: JSON.stringify escapes C0 in strings but leaves DEL, C1 and the
 * bidirectional controls as they are; they are written as `\uXXXX` escapes here, which parse
 * back to the same value (outside strings only its own indentation whitespace occurs).
 */
export function terminalJson(value: unknown): string {
  return JSON.stringify(value, null, 2).replace(ACTIVE_IN_JSON, (c) => `\\u${(c.codePointAt(0) ?? 0).toString(16).padStart(4, '0')}`);
}
