/**
 * A detached SBOM signature: a C2SP signed note (src/tlog/signed-note.ts) whose body names the
 * SBOM's SHA-256 and size, signed by the dedicated SBOM key (sbom-key.ts). Verifiable offline
 * with the vkey alone (`custos sbom verify FILE --signature SIG --key KEY`).
 *
 *     custos-sbom-signature/1
 *     sha256 <64 hex digits>
 *     size <bytes>
 *
 *     — custos-sbom <base64 key id ‖ Ed25519 signature>
 *
 * Contract: verification MUST fail unless a signature by the given key verifies AND the file's
 * SHA-256 and size are the signed ones; one changed byte fails it.
 */
import { createHash } from 'node:crypto';
import { AppError, isAppError } from '../lib/errors.ts';
import { openNote, signNote, type NoteSigner, type Verifier } from '../tlog/signed-note.ts';

const format = 'custos-sbom-signature/1';

function bodyOf(bytes: Uint8Array): string {
  return `${format}\nsha256 ${createHash('sha256').update(bytes).digest('hex')}\nsize ${bytes.length}\n`;
}

/** Signs SBOM bytes; returns the signed note. */
export function signSbom(bytes: Uint8Array, signer: NoteSigner): string {
  return signNote(bodyOf(bytes), signer);
}

function invalid(reason: string): AppError {
  return new AppError('SBOM_SIGNATURE_INVALID', `SBOM signature invalid: ${reason}`);
}

/** Verifies `bytes` against a signed note by `verifier`; throws SBOM_SIGNATURE_INVALID (one line). */
export function verifySbom(bytes: Uint8Array, note: string, verifier: Verifier): { sha256: string; size: number } {
  let body: string;
  try {
    body = openNote(note, [verifier]).body;
  } catch (e) {
    throw invalid(isAppError(e) ? e.message : 'the signature file is not a signed note');
  }
  const m = /^custos-sbom-signature\/1\nsha256 ([0-9a-f]{64})\nsize (\d+)\n$/.exec(body);
  if (m === null) throw invalid(`the signed note is not a ${format} note`);
  const expected = bodyOf(bytes);
  if (expected !== body) {
    const actual = createHash('sha256').update(bytes).digest('hex');
    throw invalid(`the file's SHA-256 ${actual} (${bytes.length} bytes) is not the signed ${m[1] ?? ''} (${m[2] ?? ''} bytes)`);
  }
  return { sha256: m[1] ?? '', size: Number(m[2]) };
}
