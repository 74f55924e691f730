import { loadX509, pkcs8Pem, randomSerial } from '../../src/lib/self-signed-cert.ts';

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
  const { x509, crypto } = await loadX509();
  const alg = { name: 'RSASSA-PKCS1-v1_5', hash: 'SHA-256', publicExponent: new Uint8Array([1, 0, 1]), modulusLength: 2048 };
  const keys = await crypto.subtle.generateKey(alg, true, ['sign', 'verify']);
  const now = Date.now();
  const cert = await x509.X509CertificateGenerator.createSelfSigned({
    serialNumber: randomSerial(crypto),
    name: subject,
    notBefore: new Date(now - 60_000),
    notAfter: new Date(now + 86_400_000),
    signingAlgorithm: alg,
    keys,
  });
  return { cert: cert.toString('pem'), key: pkcs8Pem(await crypto.subtle.exportKey('pkcs8', keys.privateKey)) };
}
