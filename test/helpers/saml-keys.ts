import { webcrypto } from 'node:crypto';

/** A PEM RSA private key (PKCS#8) and its self-signed certificate, for a test IdP. */
export interface RsaSigningPair {
  readonly key: string;
  readonly cert: string;
}

/**
 * Makes a fresh RSA-2048 signing key and a self-signed certificate valid for one day. RSA,
 * not ECDSA: samlify and most IdPs sign SAML with RSA-SHA256.
 */
export async function makeRsaSigningPair(subject: string): Promise<RsaSigningPair> {
  // @peculiar/x509 needs the reflect-metadata polyfill, loaded here only.
  await import('reflect-metadata');
  const x509 = await import('@peculiar/x509');
  const crypto = webcrypto as unknown as Crypto;
  x509.cryptoProvider.set(crypto);
  const alg = { name: 'RSASSA-PKCS1-v1_5', hash: 'SHA-256', publicExponent: new Uint8Array([1, 0, 1]), modulusLength: 2048 };
  const keys = await crypto.subtle.generateKey(alg, true, ['sign', 'verify']);
  const now = Date.now();
  const cert = await x509.X509CertificateGenerator.createSelfSigned({
    serialNumber: Buffer.from(crypto.getRandomValues(new Uint8Array(16))).toString('hex').replace(/^[89a-f]/, '1'),
    name: subject,
    notBefore: new Date(now - 60_000),
    notAfter: new Date(now + 86_400_000),
    signingAlgorithm: alg,
    keys,
  });
  const pkcs8 = Buffer.from(await crypto.subtle.exportKey('pkcs8', keys.privateKey));
  const b64 = pkcs8.toString('base64').replace(/(.{64})/g, '$1\n').trimEnd();
  return { cert: cert.toString('pem'), key: `-----BEGIN PRIVATE KEY-----\n${b64}\n-----END PRIVATE KEY-----\n` };
}
