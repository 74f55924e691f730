/**
 * A self-signed ECDSA P-256 server certificate for `localhost`, 127.0.0.1 and ::1, made once in a
 * directory and reused (the HTTPS listener's default; camsim's RTSPS mode). Reuse matters: a
 * browser exception or a pinned copy stays valid across restarts.
 */
import { webcrypto } from 'node:crypto';
import { chmod, mkdir, readFile, rename, writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import type * as X509 from '@peculiar/x509';

/** PEM certificate and PKCS#8 private key. */
export interface CertificatePair {
  readonly cert: string;
  readonly key: string;
}

/** Self-signed certificates live this long (the CA/Browser limit for server certificates was 825 days). */
const validDays = 825;

/**
 * Returns `<dir>/<name>.crt` and `<name>.key`, making them first if absent or unreadable. The key
 * file is written mode 0600 in a 0700 directory; both appear atomically (unique temp + rename),
 * key first, so a reader that sees the new certificate also sees its key.
 */
export async function loadOrMakeSelfSigned(dir: string, name: string, subject: string): Promise<CertificatePair> {
  const certPath = join(dir, `${name}.crt`);
  const keyPath = join(dir, `${name}.key`);
  try {
    const [cert, key] = await Promise.all([readFile(certPath, 'utf8'), readFile(keyPath, 'utf8')]);
    if (cert.includes('BEGIN CERTIFICATE') && key.includes('PRIVATE KEY')) return { cert, key };
  } catch {
    // First run: make one below.
  }
  await mkdir(dir, { recursive: true, mode: 0o700 });
  const made = await makeSelfSigned(subject);
  // A unique suffix, so concurrent first runs do not interleave their temp files.
  const tmp = `.${process.pid}.${Date.now()}.tmp`;
  await writeFile(keyPath + tmp, made.key, { mode: 0o600 });
  await chmod(keyPath + tmp, 0o600);
  await writeFile(certPath + tmp, made.cert);
  await rename(keyPath + tmp, keyPath);
  await rename(certPath + tmp, certPath);
  return made;
}

/**
 * @peculiar/x509 wired to Node's WebCrypto. Loaded only when a certificate is made: it needs the
 * reflect-metadata polyfill, a global side effect kept out of every other start.
 */
export async function loadX509(): Promise<{ x509: typeof X509; crypto: Crypto }> {
  await import('reflect-metadata');
  const x509 = await import('@peculiar/x509');
  const crypto = webcrypto as unknown as Crypto;
  x509.cryptoProvider.set(crypto);
  return { x509, crypto };
}

/** A random positive 128-bit certificate serial number, in hex (the top bit clear: DER integers are signed). */
export function randomSerial(crypto: Crypto): string {
  return Buffer.from(crypto.getRandomValues(new Uint8Array(16))).toString('hex').replace(/^[89a-f]/, '1');
}

/** A private key exported as PKCS#8 DER, in PEM. */
export function pkcs8Pem(der: ArrayBuffer): string {
  const b64 = Buffer.from(der).toString('base64').replace(/(.{64})/g, '$1\n').trimEnd();
  return `-----BEGIN PRIVATE KEY-----\n${b64}\n-----END PRIVATE KEY-----\n`;
}

async function makeSelfSigned(subject: string): Promise<CertificatePair> {
  const { x509, crypto } = await loadX509();
  const alg = { name: 'ECDSA', namedCurve: 'P-256', hash: 'SHA-256' };
  const keys = await crypto.subtle.generateKey(alg, true, ['sign', 'verify']);
  const now = Date.now();
  const cert = await x509.X509CertificateGenerator.createSelfSigned({
    serialNumber: randomSerial(crypto),
    name: subject,
    notBefore: new Date(now - 60_000),
    notAfter: new Date(now + validDays * 86_400_000),
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
  return { cert: cert.toString('pem'), key: pkcs8Pem(await crypto.subtle.exportKey('pkcs8', keys.privateKey)) };
}
