import { createPrivateKey, createPublicKey } from 'node:crypto';
import { sbomSigningKeyId, type DataKeys } from '../keys/data-keys.ts';
import { formatVerifierKey, verifierKey, type NoteSigner, type Verifier } from '../tlog/signed-note.ts';

/** The key name every SBOM signature carries (the first part of its vkey). */
export const sbomKeyName = 'custos-sbom';

/** The SBOM signer and the verifier key anyone checks SBOM signatures with. */
export interface SbomKey {
  readonly signer: NoteSigner;
  readonly verifier: Verifier;
  /** C2SP vkey text `custos-sbom+<key id>+<base64>`. */
  readonly vkey: string;
}

/** PKCS#8 DER prefix of an Ed25519 private key (RFC 8410); the 32-byte seed follows. */
const pkcs8Ed25519Prefix = Buffer.from('302e020100300506032b657004220420', 'hex');

/**
 * The dedicated Ed25519 SBOM signing key: its seed is the data key of the reserved id
 * `__sbom_signing__`, created at first use and stored only wrapped by the master key (file or
 * PKCS#11), exactly as the ledger's checkpoint key is (src/audit/ledger-signer.ts), but a
 * different key: an SBOM signature never vouches for a checkpoint, nor the other way round.
 */
export async function loadSbomKey(dataKeys: DataKeys): Promise<SbomKey> {
  const { key: seed } = await dataKeys.keyFor(sbomSigningKeyId, 0);
  try {
    const privateKey = createPrivateKey({ key: Buffer.concat([pkcs8Ed25519Prefix, seed]), format: 'der', type: 'pkcs8' });
    const verifier = verifierKey(sbomKeyName, createPublicKey(privateKey));
    return { signer: { name: sbomKeyName, privateKey }, verifier, vkey: formatVerifierKey(verifier) };
  } finally {
    seed.fill(0);
  }
}
