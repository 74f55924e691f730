import assert from 'node:assert/strict';
import { describe, test } from 'node:test';
import { isAppError } from '../../lib/errors.ts';
import { authenticationOptions, registrationOptions, verifyAuthentication, verifyRegistration, type StoredCredential } from './webauthn.ts';
import { cbor, createSoftAuthenticator } from '../../../test/helpers/soft-authenticator.ts';

const rpId = 'vms.example.eu';
const origin = 'https://vms.example.eu';
const user = { id: '3f0c7e1a-8d2b-4c55-9f0e-2b7a1d6c9e44', name: 'jdoe', displayName: 'Jane Doe' };
/** LOGIN_FAILED whose (audit) message names the cause. */
const refusedFor = (why: RegExp) => (e: unknown) => isAppError(e, 'LOGIN_FAILED') && why.test(e.message);

/** Registers a fresh software authenticator and returns it with its stored credential. */
async function enrolled(counter = 0) {
  const authenticator = createSoftAuthenticator();
  const options = await registrationOptions({ rpId, rpName: 'Custos', user, existing: [] });
  const response = authenticator.register({ challenge: options.challenge, origin, rpId, counter });
  const credential = await verifyRegistration({ response, expectedChallenge: options.challenge, origin, rpId });
  return { authenticator, credential };
}

describe('registrationOptions', () => {
  const existing: StoredCredential[] = [{ id: 'AAECAwQFBgcICQoLDA0ODw', publicKey: 'pQECAyYgASFYIA', counter: 3, transports: ['usb', 'nfc'] }];

  test('names the relying party and the user, with our user id as the user handle', async () => {
    const o = await registrationOptions({ rpId, rpName: 'Custos', user, existing: [] });
    assert.deepEqual(o.rp, { id: rpId, name: 'Custos' });
    assert.deepEqual(o.user, { id: Buffer.from(user.id).toString('base64url'), name: 'jdoe', displayName: 'Jane Doe' });
  });

  test('prefers a discoverable credential and user verification, without attestation', async () => {
    const o = await registrationOptions({ rpId, rpName: 'Custos', user, existing: [] });
    assert.equal(o.authenticatorSelection?.residentKey, 'preferred');
    assert.equal(o.authenticatorSelection?.userVerification, 'preferred');
    assert.equal(o.attestation, 'none');
    assert.ok(o.pubKeyCredParams.some((p) => p.alg === -7), 'ES256 is offered');
  });

  test('carries a fresh random challenge of at least 16 bytes', async () => {
    const a = await registrationOptions({ rpId, rpName: 'Custos', user, existing: [] });
    const b = await registrationOptions({ rpId, rpName: 'Custos', user, existing: [] });
    assert.match(a.challenge, /^[A-Za-z0-9_-]+$/);
    assert.ok(Buffer.from(a.challenge, 'base64url').length >= 16);
    assert.notEqual(a.challenge, b.challenge);
  });

  test('excludes the credentials the user already has', async () => {
    const o = await registrationOptions({ rpId, rpName: 'Custos', user, existing });
    assert.deepEqual(o.excludeCredentials, [{ id: existing[0]!.id, type: 'public-key', transports: ['usb', 'nfc'] }]);
  });

  for (const [name, id] of [['an empty user id', ''], ['a user id over 64 bytes', 'x'.repeat(65)]] as const) {
    test(`refuses ${name} with VALIDATION_FAILED`, async () => {
      await assert.rejects(registrationOptions({ rpId, rpName: 'Custos', user: { ...user, id }, existing: [] }), (e) => isAppError(e, 'VALIDATION_FAILED'));
    });
  }
});

describe('authenticationOptions', () => {
  test('carries the RP id, a challenge and preferred user verification, and no allow-list for a passkey login', async () => {
    const o = await authenticationOptions({ rpId });
    assert.equal(o.rpId, rpId);
    assert.ok(Buffer.from(o.challenge, 'base64url').length >= 16);
    assert.equal(o.userVerification, 'preferred');
    assert.ok(o.allowCredentials === undefined || o.allowCredentials.length === 0);
  });

  test('lists the allowed credentials with their transports for a second factor', async () => {
    const allow: StoredCredential[] = [{ id: 'AAECAwQFBgcICQoLDA0ODw', publicKey: 'x', counter: 0, transports: ['internal'] }];
    const o = await authenticationOptions({ rpId, allow, userVerification: 'required' });
    assert.deepEqual(o.allowCredentials, [{ id: allow[0]!.id, type: 'public-key', transports: ['internal'] }]);
    assert.equal(o.userVerification, 'required');
  });
});

describe('verifyRegistration', () => {
  test('accepts a software authenticator’s registration and returns the credential to store', async () => {
    const authenticator = createSoftAuthenticator();
    const options = await registrationOptions({ rpId, rpName: 'Custos', user, existing: [] });
    const response = authenticator.register({ challenge: options.challenge, origin, rpId, counter: 7, transports: ['usb', 'nfc', 'carrier-pigeon'] });
    const credential = await verifyRegistration({ response, expectedChallenge: options.challenge, origin, rpId });
    assert.equal(credential.id, authenticator.id);
    assert.equal(credential.counter, 7);
    assert.deepEqual(credential.transports, ['usb', 'nfc']);
    assert.equal(Buffer.from(credential.publicKey, 'base64url')[0], 0xa5, 'a COSE key: a CBOR map of five entries');
  });

  test('accepts a registration without user verification by default', async () => {
    const authenticator = createSoftAuthenticator();
    const { challenge } = await registrationOptions({ rpId, rpName: 'Custos', user, existing: [] });
    const response = authenticator.register({ challenge, origin, rpId, userVerified: false });
    assert.equal((await verifyRegistration({ response, expectedChallenge: challenge, origin, rpId })).id, authenticator.id);
  });

  const challenge = Buffer.from('a registration challenge').toString('base64url');
  // [case, response, extra options, what the audit message names]
  const refused: [string, () => unknown, Partial<Parameters<typeof verifyRegistration>[0]>, RegExp][] = [
    ['a response to another challenge', () => createSoftAuthenticator().register({ challenge: 'b3RoZXI', origin, rpId }), {}, /challenge/],
    ['a response from another origin', () => createSoftAuthenticator().register({ challenge, origin: 'https://evil.example', rpId }), {}, /origin/],
    ['a response for another RP id', () => createSoftAuthenticator().register({ challenge, origin, rpId: 'evil.example' }), {}, /RP ID/],
    ['a response without user verification when it is required', () => createSoftAuthenticator().register({ challenge, origin, rpId, userVerified: false }), { requireUserVerification: true }, /[Uu]ser verification/],
    ['null', () => null, {}, /not a public-key credential/],
    ['a string', () => 'garbage', {}, /not a public-key credential/],
    ['an empty object', () => ({}), {}, /not a public-key credential/],
    ['a credential with an empty response', () => ({ id: 'AAAA', rawId: 'AAAA', type: 'public-key', response: {}, clientExtensionResults: {} }), {}, /refused/],
    ['a credential whose attestation object is not CBOR', () => {
      const r = createSoftAuthenticator().register({ challenge, origin, rpId });
      return { ...r, response: { ...(r.response as object), attestationObject: 'bm90IGNib3I' } };
    }, {}, /refused/],
  ];
  for (const [name, response, extra, why] of refused) {
    test(`refuses ${name} with LOGIN_FAILED`, async () => {
      await assert.rejects(verifyRegistration({ response: response(), expectedChallenge: challenge, origin, rpId, ...extra }), refusedFor(why));
    });
  }
});

describe('verifyAuthentication', () => {
  const challenge = Buffer.from('a login challenge').toString('base64url');

  test('accepts an assertion from the registered authenticator and returns its new counter', async () => {
    const { authenticator, credential } = await enrolled(1);
    const response = authenticator.assert({ challenge, origin, rpId, counter: 2 });
    assert.equal(await verifyAuthentication({ response, expectedChallenge: challenge, origin, rpId, credential }), 2);
  });

  test('accepts an authenticator that keeps no counter (both zero)', async () => {
    const { authenticator, credential } = await enrolled(0);
    const response = authenticator.assert({ challenge, origin, rpId, counter: 0 });
    assert.equal(await verifyAuthentication({ response, expectedChallenge: challenge, origin, rpId, credential }), 0);
  });

  test('accepts an assertion without user verification when the passkey is a second factor', async () => {
    const { authenticator, credential } = await enrolled();
    const response = authenticator.assert({ challenge, origin, rpId, counter: 1, userVerified: false });
    assert.equal(await verifyAuthentication({ response, expectedChallenge: challenge, origin, rpId, credential, requireUserVerification: false }), 1);
  });

  // [case, what to present, what the audit message names]
  const refused: [string, (a: ReturnType<typeof createSoftAuthenticator>, c: StoredCredential) => { response: unknown; credential?: StoredCredential }, RegExp][] = [
    ['a counter equal to the stored one', (a, c) => ({ response: a.assert({ challenge, origin, rpId, counter: 5 }), credential: { ...c, counter: 5 } }), /counter/],
    ['a counter lower than the stored one', (a, c) => ({ response: a.assert({ challenge, origin, rpId, counter: 3 }), credential: { ...c, counter: 5 } }), /counter/],
    ['a zero counter after a non-zero one', (a, c) => ({ response: a.assert({ challenge, origin, rpId, counter: 0 }), credential: { ...c, counter: 5 } }), /counter/],
    ['an assertion over another challenge', (a) => ({ response: a.assert({ challenge: 'b3RoZXI', origin, rpId, counter: 1 }) }), /challenge/],
    ['an assertion from another origin', (a) => ({ response: a.assert({ challenge, origin: 'https://evil.example', rpId, counter: 1 }) }), /origin/],
    ['an assertion for another RP id', (a) => ({ response: a.assert({ challenge, origin, rpId: 'evil.example', counter: 1 }) }), /RP ID/],
    ['an assertion without user verification when the passkey is the only factor', (a) => ({ response: a.assert({ challenge, origin, rpId, counter: 1, userVerified: false }) }), /[Uu]ser verification/],
    ['an assertion made with another credential', () => ({ response: createSoftAuthenticator().assert({ challenge, origin, rpId, counter: 1 }) }), /another credential/],
    ['an assertion signed by another key under this credential’s id', (a) => {
      const forged = createSoftAuthenticator().assert({ challenge, origin, rpId, counter: 1 });
      return { response: { ...forged, id: a.id, rawId: a.id } };
    }, /not verified/],
    ['an assertion with a bit flipped in the signature', (a) => {
      const r = a.assert({ challenge, origin, rpId, counter: 1 }) as { response: { signature: string } };
      const sig = Buffer.from(r.response.signature, 'base64url');
      sig[sig.length - 1]! ^= 1;
      return { response: { ...r, response: { ...r.response, signature: sig.toString('base64url') } } };
    }, /not verified/],
    ['null', () => ({ response: null }), /not a public-key credential/],
    ['an empty object', () => ({ response: {} }), /not a public-key credential/],
    ['a registration response in place of an assertion', (a) => ({ response: a.register({ challenge, origin, rpId }) }), /type/],
  ];
  for (const [name, make, why] of refused) {
    test(`refuses ${name} with LOGIN_FAILED`, async () => {
      const { authenticator, credential } = await enrolled();
      const { response, credential: stored = credential } = make(authenticator, credential);
      await assert.rejects(verifyAuthentication({ response, expectedChallenge: challenge, origin, rpId, credential: stored }), refusedFor(why));
    });
  }
});

describe('the software authenticator’s CBOR', () => {
  // RFC 8949 Appendix A.
  const vectors: [string, Parameters<typeof cbor>[0], string][] = [
    ['0', 0, '00'],
    ['23', 23, '17'],
    ['24', 24, '1818'],
    ['1000', 1000, '1903e8'],
    ['1000000', 1000000, '1a000f4240'],
    ['-1', -1, '20'],
    ['-1000', -1000, '3903e7'],
    ['""', '', '60'],
    ['"IETF"', 'IETF', '6449455446'],
    ["h'01020304'", Buffer.from([1, 2, 3, 4]), '4401020304'],
    ['{}', new Map(), 'a0'],
    ['{1: 2, 3: 4}', new Map([[1, 2], [3, 4]]), 'a201020304'],
  ];
  for (const [name, value, hex] of vectors) test(`encodes ${name} as RFC 8949 does`, () => assert.equal(cbor(value).toString('hex'), hex));
});
