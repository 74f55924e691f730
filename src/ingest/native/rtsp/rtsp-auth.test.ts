import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { isAppError } from '../../../lib/errors.ts';
import { createDigestAuth } from '../../../../tools/camsim/rtsp-digest.ts';
import { basicAuthorization, chooseChallenge, digestResponse, DigestSigner, parseChallenges } from './rtsp-auth.ts';
import type { DigestChoice } from './rtsp-auth.ts';

const params = (c: { params: ReadonlyMap<string, string> } | undefined): Record<string, string> => Object.fromEntries(c?.params ?? []);
const fixedRandom = (n: number): Buffer => Buffer.alloc(n, 0xab);

describe('challenge parsing', () => {
  it('reads quoted strings with escapes and commas inside quotes', () => {
    const [c] = parseChallenges(['Digest realm="a, \\"b\\"", nonce="x,y", qop="auth,auth-int", algorithm=SHA-256, stale=TRUE']);
    assert.equal(c?.scheme, 'digest');
    assert.deepEqual(params(c), { realm: 'a, "b"', nonce: 'x,y', qop: 'auth,auth-int', algorithm: 'SHA-256', stale: 'TRUE' });
  });

  it('splits several challenges in one header and across headers', () => {
    const cs = parseChallenges(['Basic realm="cam", Digest realm="cam", nonce="n1"', 'Digest realm="cam", nonce="n2", algorithm=MD5']);
    assert.deepEqual(cs.map((c) => c.scheme), ['basic', 'digest', 'digest']);
    assert.deepEqual(cs.map((c) => c.params.get('nonce')), [undefined, 'n1', 'n2']);
  });

  it('reads a token68 challenge and a scheme without parameters', () => {
    const cs = parseChallenges(['Negotiate abc+/def==, Basic']);
    assert.equal(cs[0]?.token68, 'abc+/def==');
    assert.deepEqual(cs.map((c) => c.scheme), ['negotiate', 'basic']);
  });

  it('tolerates what cameras send: missing commas, unquoted base64 nonces, odd spacing, lowercase names', () => {
    const [c] = parseChallenges(['digest  REALM = "IP Camera(23)"  nonce=ab/cd+ef==,qop="auth" ']);
    assert.deepEqual(params(c), { realm: 'IP Camera(23)', nonce: 'ab/cd+ef==', qop: 'auth' });
  });

  it('skips garbage without throwing', () => {
    for (const s of ['', ',,,', '"unterminated', 'Digest realm="x', '=', 'Digest ,=,"', '\u0000\u0001', 'Digest a=b=c']) {
      assert.doesNotThrow(() => parseChallenges([s]), s);
    }
    assert.equal(parseChallenges(['Digest realm="x'])[0]?.params.get('realm'), 'x');
  });
});

describe('challenge choice', () => {
  const choose = (values: string[], allowBasic = true) => chooseChallenge(parseChallenges(values), allowBasic);

  it('prefers Digest over Basic and SHA-256 over MD5 whatever the order', () => {
    const c = choose(['Basic realm="r"', 'Digest realm="r", nonce="m", algorithm=MD5', 'Digest realm="r", nonce="s", algorithm=SHA-256']);
    assert.equal(c.scheme, 'digest');
    assert.ok(c.scheme === 'digest' && c.algorithm === 'SHA-256' && c.nonce === 's');
  });

  it('takes MD5 when the algorithm is absent, and qop auth over auth-int', () => {
    const c = choose(['Digest realm="r", nonce="n", qop="auth-int, auth"']);
    assert.ok(c.scheme === 'digest');
    assert.equal(c.algorithm, 'MD5');
    assert.equal(c.algorithmToken, undefined);
    assert.equal(c.qop, 'auth');
  });

  it('skips a Digest with an unknown algorithm or qop and falls back to Basic', () => {
    assert.equal(choose(['Digest realm="r", nonce="n", algorithm=SHA-1', 'Basic realm="r"']).scheme, 'basic');
    assert.equal(choose(['Digest realm="r", nonce="n", qop="auth-conf"', 'Basic realm="r"']).scheme, 'basic');
  });

  it('names the offered schemes when none can be answered', () => {
    const c = choose(['Digest realm="r", nonce="n", algorithm=SHA-1', 'Basic realm="r"'], false);
    assert.ok(c.scheme === 'none');
    assert.equal(c.offered, 'digest (algorithm SHA-1), basic');
    const d = choose([]);
    assert.ok(d.scheme === 'none' && d.offered === 'no challenge');
  });
});

describe('Digest and Basic credentials', () => {
  it('computes the RFC 7616 §3.9.1 example responses for MD5 and SHA-256', () => {
    const base = {
      username: 'Mufasa', realm: 'http-auth@example.org', password: 'Circle of Life', method: 'GET', uri: '/dir/index.html',
      nonce: '7ypf/xlj9XXwfDPEoM4URrv/xwf94BcCAzFZH4GiTo0v', qop: 'auth' as const, nc: '00000001',
      cnonce: 'f2/wE4q74E6zIJEtWaHKaf5wv/H5QzzpXusqGemxURZJ', body: Buffer.alloc(0),
    };
    assert.equal(digestResponse({ ...base, algorithm: 'MD5' }), '8ca523f5e9506fed4657c9700eebdbec');
    assert.equal(digestResponse({ ...base, algorithm: 'SHA-256' }), '753927fa0e85d155564e2e272a28d1802ca10daf4496794697cf8db5856cb6c1');
  });

  it('computes the RFC 2617 §3.5 example response', () => {
    assert.equal(digestResponse({
      algorithm: 'MD5', username: 'Mufasa', realm: 'testrealm@host.com', password: 'Circle Of Life', method: 'GET', uri: '/dir/index.html',
      nonce: 'dcd98b7102dd2f0e8b11d0f600bfb0c093', qop: 'auth', nc: '00000001', cnonce: '0a4f113b', body: Buffer.alloc(0),
    }), '6629fae49393a05397450978507c4ef1');
  });

  it('is accepted by camsim\'s Digest verifier, with nc counting up and a fresh cnonce per request', () => {
    const server = createDigestAuth({ username: 'admin', password: 'p@ss:"word', secret: Buffer.alloc(32, 1), clock: { now: () => 1_000 } });
    const choice = chooseChallenge(parseChallenges([server.challenge(false)]), false);
    assert.ok(choice.scheme === 'digest');
    let counter = 0;
    const signer = new DigestSigner(choice, { username: 'admin', password: 'p@ss:"word' }, (n) => Buffer.alloc(n, (counter += 1)));
    const first = signer.authorization('DESCRIBE', 'rtsp://127.0.0.1:8554/cam1');
    const second = signer.authorization('SETUP', 'rtsp://127.0.0.1:8554/cam1/trackID=0');
    assert.equal(server.check('DESCRIBE', 'rtsp://127.0.0.1:8554/cam1', first), 'ok');
    assert.equal(server.check('SETUP', 'rtsp://127.0.0.1:8554/cam1/trackID=0', second), 'ok');
    assert.match(first, /nc=00000001/);
    assert.match(second, /nc=00000002/);
    assert.notEqual(/cnonce="([^"]+)"/.exec(first)?.[1], /cnonce="([^"]+)"/.exec(second)?.[1]);
    assert.ok(!first.includes('p@ss'), 'the password is not in the header');
    const wrong = new DigestSigner(choice, { username: 'admin', password: 'nope' }, fixedRandom).authorization('DESCRIBE', 'rtsp://h/cam1');
    assert.equal(server.check('DESCRIBE', 'rtsp://h/cam1', wrong), 'invalid');
  });

  it('writes the RFC 2069 form without qop, echoes opaque and the algorithm token, and hashes the user with userhash', () => {
    const choice: DigestChoice = {
      scheme: 'digest', algorithm: 'SHA-256', algorithmToken: 'sha-256', realm: 'r', nonce: 'n', opaque: 'o"q', qop: undefined, userhash: true, stale: false,
    };
    const header = new DigestSigner(choice, { username: 'u', password: 'p' }, fixedRandom).authorization('PLAY', 'rtsp://h/x');
    assert.match(header, /^Digest username="[0-9a-f]{64}", realm="r", nonce="n", uri="rtsp:\/\/h\/x", response="[0-9a-f]{64}", algorithm=SHA-256, opaque="o\\"q", userhash=true$/);
    assert.ok(!header.includes('nc='));
  });

  it('makes the Basic header and refuses a user name with a colon', () => {
    assert.equal(basicAuthorization({ username: 'Aladdin', password: 'open sesame' }), 'Basic QWxhZGRpbjpvcGVuIHNlc2FtZQ==');
    assert.throws(() => basicAuthorization({ username: 'a:b', password: 'x' }), (e) => isAppError(e, 'VALIDATION_FAILED') && !e.message.includes('x'));
  });
});
