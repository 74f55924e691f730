import { createPrivateKey, createPublicKey } from 'node:crypto';
import { auditSigningKeyId, type DataKeys } from '../keys/data-keys.ts';
import { formatVerifierKey, verifierKey, type NoteSigner, type Verifier } from '../tlog/signed-note.ts';

/** The ledger's checkpoint signer and the verifier key anyone checks its checkpoints with. */
export interface LedgerKey {
  readonly signer: NoteSigner;
  readonly verifier: Verifier;
  /** C2SP vkey text `<name>+<key id>+<base64>`. */
  readonly vkey: string;
}

/** PKCS#8 DER prefix of an Ed25519 private key (RFC 8410); the 32-byte seed follows. */
const pkcs8Ed25519Prefix = Buffer.from('302e020100300506032b657004220420', 'hex');

/**
 * The Ed25519 checkpoint key, held by the key provider: its seed is the data key of the reserved
 * id `__audit_signing__`, created at first use and stored only wrapped by the master key (file or
 * PKCS#11), so it follows rotation like every data key. `name` is the log's origin. Signing
 * inside the HSM (CKM_EDDSA) is not built: the seed is unwrapped into this process's memory.
 */
export async function loadLedgerKey(dataKeys: DataKeys, name: string): Promise<LedgerKey> {
  const { key: seed } = await dataKeys.keyFor(auditSigningKeyId, 0);
  try {
    const privateKey = createPrivateKey({ key: Buffer.concat([pkcs8Ed25519Prefix, seed]), format: 'der', type: 'pkcs8' });
    const verifier = verifierKey(name, createPublicKey(privateKey));
    return { signer: { name, privateKey }, verifier, vkey: formatVerifierKey(verifier) };
  } finally {
    seed.fill(0);
  }
}
