/**
 * Test fixture: a software WebAuthn authenticator (ES256, "none" attestation) that builds the
 * JSON a browser returns from navigator.credentials.create()/get(), so registration and login
 * can be verified for real without a browser. Used only by tests.
 * https://www.w3.org/TR/webauthn-3/#sctn-authenticator-data
 */
import { createHash, generateKeyPairSync, randomBytes, sign, type KeyObject } from 'node:crypto';

/** A CBOR value of the kinds WebAuthn structures use. */
type Cbor = number | string | Uint8Array | Map<number | string, Cbor>;

/** Encodes the CBOR subset above in its canonical (shortest) form (RFC 8949 §3). */
export function cbor(value: Cbor): Buffer {
  const head = (major: number, n: number): Buffer => {
    if (n < 24) return Buffer.from([(major << 5) | n]);
    if (n < 0x100) return Buffer.from([(major << 5) | 24, n]);
    if (n < 0x10000) return Buffer.from([(major << 5) | 25, n >> 8, n & 0xff]);
    const b = Buffer.alloc(5);
    b[0] = (major << 5) | 26;
    b.writeUInt32BE(n, 1);
    return b;
  };
  if (typeof value === 'number') return value >= 0 ? head(0, value) : head(1, -1 - value);
  if (typeof value === 'string') {
    const text = Buffer.from(value, 'utf8');
    return Buffer.concat([head(3, text.length), text]);
  }
  if (value instanceof Uint8Array) return Buffer.concat([head(2, value.length), value]);
  return Buffer.concat([head(5, value.size), ...[...value].flatMap(([k, v]) => [cbor(k), cbor(v)])]);
}

/** Authenticator data flags (WebAuthn §6.1). */
const UP = 0x01;
const UV = 0x04;
const AT = 0x40;

/** What a ceremony is answered for. */
export interface Ceremony {
  challenge: string;
  origin: string;
  rpId: string;
  /** Signature counter to report (default 0). */
  counter?: number;
  /** Whether the user was verified (PIN or biometrics; default true). */
  userVerified?: boolean;
}

/** A software authenticator holding one credential. */
export interface SoftAuthenticator {
  /** The credential id, base64url. */
  readonly id: string;
  /** The response to registration options. */
  register(c: Ceremony & { transports?: string[] }): Record<string, unknown>;
  /** The response to authentication options. */
  assert(c: Ceremony & { userHandle?: string }): Record<string, unknown>;
}

/** A fresh authenticator with a new P-256 key and a random 16-byte credential id. */
export function createSoftAuthenticator(): SoftAuthenticator {
  const { privateKey, publicKey } = generateKeyPairSync('ec', { namedCurve: 'P-256' });
  const credentialId = randomBytes(16);
  const id = credentialId.toString('base64url');
  return {
    id,
    register(c) {
      const clientDataJSON = clientData('webauthn.create', c);
      const attested = Buffer.concat([Buffer.alloc(16), u16(credentialId.length), credentialId, coseKey(publicKey)]);
      const authData = Buffer.concat([authenticatorData(c, AT), attested]);
      const attestationObject = cbor(new Map<string, Cbor>([['fmt', 'none'], ['attStmt', new Map()], ['authData', authData]]));
      return {
        id,
        rawId: id,
        type: 'public-key',
        response: { clientDataJSON: b64u(clientDataJSON), attestationObject: b64u(attestationObject), transports: c.transports ?? ['usb'] },
        clientExtensionResults: {},
      };
    },
    assert(c) {
      const clientDataJSON = clientData('webauthn.get', c);
      const authData = authenticatorData(c, 0);
      const signature = sign('sha256', Buffer.concat([authData, createHash('sha256').update(clientDataJSON).digest()]), privateKey);
      return {
        id,
        rawId: id,
        type: 'public-key',
        response: {
          clientDataJSON: b64u(clientDataJSON),
          authenticatorData: b64u(authData),
          signature: b64u(signature),
          ...(c.userHandle === undefined ? {} : { userHandle: c.userHandle }),
        },
        clientExtensionResults: {},
      };
    },
  };
}

function clientData(type: string, c: Ceremony): Buffer {
  return Buffer.from(JSON.stringify({ type, challenge: c.challenge, origin: c.origin, crossOrigin: false }));
}

function authenticatorData(c: Ceremony, extraFlags: number): Buffer {
  const flags = UP | (c.userVerified === false ? 0 : UV) | extraFlags;
  const counter = Buffer.alloc(4);
  counter.writeUInt32BE(c.counter ?? 0);
  return Buffer.concat([createHash('sha256').update(c.rpId).digest(), Buffer.from([flags]), counter]);
}

/** The EC2 COSE_Key of a P-256 public key for ES256 (RFC 9053 §7.1.1). */
function coseKey(publicKey: KeyObject): Buffer {
  const jwk = publicKey.export({ format: 'jwk' });
  return cbor(
    new Map<number, Cbor>([
      [1, 2],
      [3, -7],
      [-1, 1],
      [-2, Buffer.from(jwk.x!, 'base64url')],
      [-3, Buffer.from(jwk.y!, 'base64url')],
    ]),
  );
}

function u16(n: number): Buffer {
  return Buffer.from([n >> 8, n & 0xff]);
}

function b64u(bytes: Uint8Array): string {
  return Buffer.from(bytes).toString('base64url');
}
