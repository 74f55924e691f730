/**
 * TLS material of camsim's RTSPS mode: a given certificate and key, or a self-signed ECDSA P-256
 * certificate for `localhost`, 127.0.0.1 and ::1, made once and cached in the camsim cache dir so
 * a pinned copy stays valid between runs.
 */
import { join } from 'node:path';
import { loadOrMakeSelfSigned } from '../../src/lib/self-signed-cert.ts';

/** PEM certificate (chain) and private key served by camsim. */
export interface CamsimTlsMaterial {
  readonly cert: string;
  readonly key: string;
}

/**
 * Returns the cached self-signed certificate in `<cacheDir>/tls/`, making it first if absent or
 * unreadable (key file mode 0600, atomic writes).
 */
export function ensureSelfSignedCert(cacheDir: string): Promise<CamsimTlsMaterial> {
  return loadOrMakeSelfSigned(join(cacheDir, 'tls'), 'camsim', 'CN=localhost, O=Custos camsim');
}
