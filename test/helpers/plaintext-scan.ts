import { readdir, readFile } from 'node:fs/promises';
import { join, relative } from 'node:path';

/** A place where a file under the scanned directory looks like plaintext video. */
export interface PlaintextFinding {
  readonly file: string;
  readonly what: string;
  readonly offset: number;
}

/**
 * Signatures of plaintext video, chosen long enough (≥ 5 bytes) that random ciphertext does not
 * match them by chance in a test-sized data directory (p ≈ 2^-40 per position):
 * fMP4 boxes as ffmpeg writes them, and H.264 Annex B start codes before SPS, PPS and IDR NALs.
 */
const signatures: Array<{ what: string; bytes: Buffer }> = [
  { what: 'ftyp box', bytes: Buffer.from('ftypiso') },
  { what: 'moov box', bytes: Buffer.from('moov\0\0\0') },
  { what: 'moof box', bytes: Buffer.from('mfhd\0\0\0\0') },
  { what: 'mdat box', bytes: Buffer.from('mdat\0\0') },
  { what: 'H.264 start code + SPS', bytes: Buffer.from([0, 0, 0, 1, 0x67]) },
  { what: 'H.264 start code + PPS', bytes: Buffer.from([0, 0, 0, 1, 0x68]) },
  { what: 'H.264 start code + IDR', bytes: Buffer.from([0, 0, 0, 1, 0x65]) },
];

/**
 * Scans every file under `dir` for plaintext video: the signatures above, and any of the
 * given `samples` (windows of the real plaintext, e.g. 48 bytes from inside fragments).
 */
export async function scanForPlaintext(dir: string, samples: readonly Buffer[] = []): Promise<PlaintextFinding[]> {
  const findings: PlaintextFinding[] = [];
  for (const entry of await readdir(dir, { recursive: true, withFileTypes: true })) {
    if (!entry.isFile()) continue;
    const path = join(entry.parentPath, entry.name);
    const bytes = await readFile(path);
    const file = relative(dir, path);
    for (const s of signatures) {
      const at = bytes.indexOf(s.bytes);
      if (at >= 0) findings.push({ file, what: s.what, offset: at });
    }
    for (const [i, sample] of samples.entries()) {
      const at = bytes.indexOf(sample);
      if (at >= 0) findings.push({ file, what: `plaintext sample ${i}`, offset: at });
    }
  }
  return findings;
}
