/**
 * The on-disk format of a ledger replica (LOG-3; docs/reference/witnesses.md, "Replica"): a
 * directory holding two append-only files of newline-terminated lines.
 *
 * - `leaves.log`: line i is `<i> <base64 SHA-256 leaf hash> <leaf text>` — the leaf text is the
 *   canonical JSON the tree hashed, verbatim (it holds no newline); the index and the leaf hash
 *   (RFC 9162 0x00-prefixed) let a verifier name the exact index of a changed line.
 * - `checkpoints.log`: one JSON object per line, `{"size":n,"note":"<signed note>"}`, the signed
 *   checkpoint verbatim, ascending by size.
 *
 * Contracts: pure, no I/O. Parsers take untrusted text and return undefined for a bad line.
 */

export const LEAVES_FILE = 'leaves.log';
export const CHECKPOINTS_FILE = 'checkpoints.log';

/** The leaves.log line (with its newline) of leaf `seq`. */
export function leafLine(seq: number, leafHash: Buffer, text: string): string {
  if (text.includes('\n')) throw new RangeError('a leaf text never holds a newline');
  return `${seq} ${leafHash.toString('base64')} ${text}\n`;
}

/** The parts of a leaves.log line (without its newline), or undefined when it is not one. */
export function parseLeafLine(line: string): { seq: number; hash: string; text: string } | undefined {
  const m = /^(0|[1-9][0-9]*) ([A-Za-z0-9+/]{43}=) (.*)$/s.exec(line);
  if (m === null) return undefined;
  const seq = Number(m[1]);
  return Number.isSafeInteger(seq) ? { seq, hash: m[2] as string, text: m[3] as string } : undefined;
}

/** The checkpoints.log line (with its newline). */
export function checkpointLine(size: number, note: string): string {
  return `${JSON.stringify({ size, note })}\n`;
}

/** The parts of a checkpoints.log line, or undefined when it is not one. */
export function parseCheckpointLine(line: string): { size: number; note: string } | undefined {
  try {
    const v = JSON.parse(line) as { size?: unknown; note?: unknown };
    if (typeof v.size === 'number' && Number.isSafeInteger(v.size) && v.size >= 0 && typeof v.note === 'string') return { size: v.size, note: v.note };
  } catch {
    return undefined;
  }
  return undefined;
}
