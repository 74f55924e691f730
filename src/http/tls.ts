import { webcrypto } from 'node:crypto';
import { chmod, mkdir, readFile, rename, writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { AppError } from '../lib/errors.ts';

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
  const dir = join(opts.dataDir, 'tls');
  const certPath = join(dir, 'self-signed.crt');
  const keyPath = join(dir, 'self-signed.key');
  try {
    return { cert: await readFile(certPath, 'utf8'), key: await readFile(keyPath, 'utf8'), selfSigned: true };
  } catch {
    // First start: make one below.
  }
  await mkdir(dir, { recursive: true, mode: 0o700 });
  const made = await makeSelfSigned();
  await writeFile(`${keyPath}.tmp`, made.key, { mode: 0o600 });
  await chmod(`${keyPath}.tmp`, 0o600);
  await rename(`${keyPath}.tmp`, keyPath);
  await writeFile(`${certPath}.tmp`, made.cert);
  await rename(`${certPath}.tmp`, certPath);
  return { ...made, selfSigned: true };
}

async function readPem(path: string, key: string): Promise<string> {
  try {
    return await readFile(path, 'utf8');
  } catch (e) {
    throw new AppError('CONFIG_INVALID', `config: ${key}: cannot read ${path}: ${(e as NodeJS.ErrnoException).code ?? 'error'}`);
  }
}

async function makeSelfSigned(): Promise<{ cert: string; key: string }> {
  // Loaded only when a certificate is made: @peculiar/x509 needs the reflect-metadata polyfill,
  // a global side effect we keep out of every other start.
  await import('reflect-metadata');
  const x509 = await import('@peculiar/x509');
  const crypto = webcrypto as unknown as Crypto;
  x509.cryptoProvider.set(crypto);
  const alg = { name: 'ECDSA', namedCurve: 'P-256', hash: 'SHA-256' };
  const keys = await crypto.subtle.generateKey(alg, true, ['sign', 'verify']);
  const now = new Date();
  const cert = await x509.X509CertificateGenerator.createSelfSigned({
    serialNumber: Buffer.from(crypto.getRandomValues(new Uint8Array(16))).toString('hex').replace(/^[89a-f]/, '1'),
    name: 'CN=Custos self-signed',
    notBefore: new Date(now.getTime() - 60_000),
    notAfter: new Date(now.getTime() + 825 * 86_400_000),
    signingAlgorithm: alg,
    keys,
    extensions: [
      new x509.BasicConstraintsExtension(false, undefined, true),
      new x509.KeyUsagesExtension(x509.KeyUsageFlags.digitalSignature, true),
      new x509.ExtendedKeyUsageExtension([x509.ExtendedKeyUsage.serverAuth]),
      new x509.SubjectAlternativeNameExtension([
        { type: 'dns', value: 'localhost' },
        { type: 'ip', value: '127.0.0.1' },
        { type: 'ip', value: '::1' },
      ]),
    ],
  });
  const pkcs8 = await crypto.subtle.exportKey('pkcs8', keys.privateKey);
  const key = `-----BEGIN PRIVATE KEY-----\n${Buffer.from(pkcs8).toString('base64').replace(/(.{64})/g, '$1\n').trimEnd()}\n-----END PRIVATE KEY-----\n`;
  return { cert: cert.toString('pem'), key };
}
