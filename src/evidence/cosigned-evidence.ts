/**
 * Witness cosignatures in evidence packages (issue 16 item 5): the package's checkpoint — in
 * checkpoint.note and at the end of every proof bundle — carries the cosignature lines of the
 * witnesses that cosigned it, appended after the log's own signature as c2sp.org/tlog-witness
 * describes ("move the valid signatures to its own view of the checkpoint"). A verifier that
 * knows no witness ignores them (signed-note: unknown keys are ignored).
 *
 * Contracts:
 * - `cosignedEvidence` changes nothing but the checkpoint text: the body and the log signature
 *   stay byte for byte, so every inclusion proof still verifies.
 * - `witnessCheck` takes untrusted bytes and never throws; a configured witness without a valid
 *   cosignature fails the check.
 * - Pure: no I/O, no state.
 */
import { checkCosignatureLine, noteBody, signatureLines, withCosignatures, type Cosigner } from '../tlog/cosignature.ts';
import { formatProofBundle, parseProofBundle } from '../tlog/tlog-proof.ts';
import { CHECKPOINT_FILE } from './evidence-format.ts';
import { checkOf, notChecked, type EvidenceCheck } from './ledger-checks.ts';

/** The evidence's checkpoint and proof bundles with `lines` appended to the checkpoint. */
export function cosignedEvidence<T extends { readonly checkpoint: string; readonly proofs: Readonly<Record<string, string>> }>(evidence: T, lines: readonly string[]): T {
  if (lines.length === 0) return evidence;
  const checkpoint = withCosignatures(evidence.checkpoint, lines);
  const proofs: Record<string, string> = {};
  for (const [seq, text] of Object.entries(evidence.proofs)) {
    const bundle = parseProofBundle(text);
    proofs[seq] = bundle.checkpoint === evidence.checkpoint ? formatProofBundle({ ...bundle, checkpoint }) : text;
  }
  return { ...evidence, checkpoint, proofs };
}

/** The `witnesses` check: every given witness cosigned the package's checkpoint. */
export function witnessCheck(checkpoint: Buffer | undefined, witnesses: readonly Cosigner[]): EvidenceCheck {
  const name = 'witnesses';
  if (checkpoint === undefined) return notChecked(name, `${CHECKPOINT_FILE} is missing`);
  let note: string;
  try {
    note = new TextDecoder('utf-8', { fatal: true }).decode(checkpoint);
  } catch {
    return notChecked(name, `${CHECKPOINT_FILE} is not valid UTF-8`);
  }
  const body = noteBody(note);
  if (body === undefined) return notChecked(name, `${CHECKPOINT_FILE} is not a signed note`);
  const lines = signatureLines(note);
  const problems: string[] = [];
  const cosigned: string[] = [];
  for (const w of witnesses) {
    let found = false;
    for (const line of lines) {
      const checked = checkCosignatureLine(line, body, w);
      if (checked === undefined) continue;
      found = true;
      if ('error' in checked) problems.push(`${CHECKPOINT_FILE}: ${checked.error}`);
      else cosigned.push(`${w.name} at ${new Date(checked.time * 1000).toISOString()}`);
      break;
    }
    if (!found) problems.push(`${CHECKPOINT_FILE}: no cosignature by witness ${w.name}`);
  }
  return checkOf(name, problems, `the checkpoint was cosigned by ${cosigned.join(', ')}`);
}
