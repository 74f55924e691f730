import { X509Certificate } from 'node:crypto';
import { checkServerIdentity, getCACertificates, type PeerCertificate } from 'node:tls';
import { AppError } from '../lib/errors.ts';

/**
 * How Custos trusts an rtsps:// camera (IngestTarget.tlsCaPem), in one place for both the ffmpeg
 * bridge (ADR 0008) and the native ingest (ADR 0010): without a trust anchor, the system store
 * (where an operator installs a site CA) plus Node's roots; with one, its certificates are the
 * only CAs, and a camera presenting exactly one of them is accepted whatever names it holds
 * (pinning); otherwise the chain and the host name are checked. Verification is never disabled.
 */
export interface CameraTrust {
  readonly ca: string[];
  /** DER of every certificate in the trust anchor, for pinning. */
  readonly pinned: Buffer[];
}

/** Codes of a certificate that did not verify (OpenSSL X509_V_ERR_* names, Node's host check). */
export const certificateErrorPattern = /CERT|SELF_SIGNED|UNABLE_TO_(GET|VERIFY|DECODE)|ALTNAME|ISSUER|CHAIN/;

/** The trust of a camera; VALIDATION_FAILED when the PEM holds no parsable certificate. */
export function cameraTrust(tlsCaPem: string | null): CameraTrust {
  if (tlsCaPem === null) {
    return { ca: [...new Set([...getCACertificates('system'), ...getCACertificates('default')])], pinned: [] };
  }
  const blocks = tlsCaPem.match(/-----BEGIN CERTIFICATE-----[\s\S]+?-----END CERTIFICATE-----/g) ?? [];
  if (blocks.length === 0) throw new AppError('VALIDATION_FAILED', 'the camera TLS CA holds no PEM certificate');
  const pinned = blocks.map((block) => {
    try {
      return new X509Certificate(block).raw;
    } catch {
      throw new AppError('VALIDATION_FAILED', 'the camera TLS CA holds a certificate that cannot be parsed');
    }
  });
  return { ca: blocks, pinned };
}

/** The `checkServerIdentity` of a camera connection: a pinned certificate passes, else the host is checked. */
export function cameraIdentityCheck(trust: CameraTrust): (name: string, cert: PeerCertificate) => Error | undefined {
  return (name, cert) => (trust.pinned.some((der) => der.equals(cert.raw)) ? undefined : checkServerIdentity(name, cert));
}
