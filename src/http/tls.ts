import { readFile } from 'node:fs/promises';
import { join } from 'node:path';
import { AppError } from '../lib/errors.ts';
import { loadOrMakeSelfSigned } from '../lib/self-signed-cert.ts';

/** PEM certificate chain and private key for a TLS listener. */
export interface TlsMaterial {
  readonly cert: string;
  readonly key: string;
  /** True when Custos made the certificate itself. */
  readonly selfSigned: boolean;
}

/**
 * Loads the configured certificate, or makes a self-signed ECDSA P-256 one for localhost at
 * first start under `<dataDir>/tls/` (key file mode 0600) and reuses it afterwards.
 */
export async function loadTlsMaterial(opts: { certFile: string | null; keyFile: string | null; dataDir: string }): Promise<TlsMaterial> {
  if (opts.certFile !== null || opts.keyFile !== null) {
    if (opts.certFile === null || opts.keyFile === null) {
      throw new AppError('CONFIG_INVALID', 'config: server.tls: certFile and keyFile must be set together');
    }
    return { cert: await readPem(opts.certFile, 'server.tls.certFile'), key: await readPem(opts.keyFile, 'server.tls.keyFile'), selfSigned: false };
  }
  return { ...(await loadOrMakeSelfSigned(join(opts.dataDir, 'tls'), 'self-signed', 'CN=Custos self-signed')), selfSigned: true };
}

async function readPem(path: string, key: string): Promise<string> {
  try {
    return await readFile(path, 'utf8');
  } catch (e) {
    throw new AppError('CONFIG_INVALID', `config: ${key}: cannot read ${path}: ${(e as NodeJS.ErrnoException).code ?? 'error'}`);
  }
}
