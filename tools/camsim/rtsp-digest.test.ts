import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import type { DigestInputs } from './rtsp-digest.ts';
import { createDigestAuth, digestResponse, parseAuthorization } from './rtsp-digest.ts';

describe('Digest response computation', () => {
  it('matches the RFC 2617 section 3.5 worked example', () => {
    const response = digestResponse({
      username: 'Mufasa', realm: 'testrealm@host.com', password: 'Circle Of Life', method: 'GET',
      uri: '/dir/index.html', nonce: 'dcd98b7102dd2f0e8b11d0f600bfb0c093', qop: 'auth', nc: '00000001', cnonce: '0a4f113b',
    });
    assert.equal(response, '6629fae49393a05397450978507c4ef1');
  });

  it('computes the RFC 2069 form when no qop is given', () => {
    // MD5(HA1:nonce:HA2) with the same RFC 2617 example inputs.
    const response = digestResponse({
      username: 'Mufasa', realm: 'testrealm@host.com', password: 'Circle Of Life', method: 'GET',
      uri: '/dir/index.html', nonce: 'dcd98b7102dd2f0e8b11d0f600bfb0c093',
    });
    assert.equal(response, '670fd8c2df070c60b045671b8b24ff02');
  });
});

describe('Authorization header parsing', () => {
  it('reads quoted and bare parameters with lowercase keys', () => {
    const parsed = parseAuthorization('Digest username="Mufasa", Realm="a, b", nc=00000001, qop=auth, uri="/x\\"y"');
    assert.equal(parsed?.scheme, 'digest');
    assert.equal(parsed?.params.get('username'), 'Mufasa');
    assert.equal(parsed?.params.get('realm'), 'a, b');
    assert.equal(parsed?.params.get('nc'), '00000001');
    assert.equal(parsed?.params.get('uri'), '/x"y');
  });
});

describe('Digest verifier', () => {
  let now = 1_000_000;
  const clock = { now: () => now };
  const auth = createDigestAuth({ username: 'alice', password: 'pw', secret: Buffer.alloc(32, 7), clock, nonceTtlMs: 60_000 });
  const nonceOf = (challenge: string): string => /nonce="([^"]+)"/.exec(challenge)?.[1] ?? '';
  const header = (over: Partial<DigestInputs> & { password?: string }, uri = 'rtsp://127.0.0.1:554/cam1'): string => {
    const d: DigestInputs = {
      username: 'alice', realm: 'custos-camsim', password: 'pw', method: 'DESCRIBE', uri,
      nonce: nonceOf(auth.challenge(false)), qop: 'auth', nc: '00000001', cnonce: 'abc', ...over,
    };
    const qop = d.qop === undefined ? '' : `, qop=${d.qop}, nc=${d.nc}, cnonce="${d.cnonce}"`;
    return `Digest username="${d.username}", realm="${d.realm}", nonce="${d.nonce}", uri="${d.uri}", response="${digestResponse(d)}"${qop}`;
  };

  it('challenges with Digest, the camsim realm and qop=auth, never Basic', () => {
    const c = auth.challenge(false);
    assert.match(c, /^Digest realm="custos-camsim", nonce="[^"]+", algorithm=MD5, qop="auth"$/);
    assert.match(auth.challenge(true), /stale=true$/);
  });

  it('accepts the right credentials with and without qop', () => {
    assert.equal(auth.check('DESCRIBE', 'rtsp://127.0.0.1:554/cam1', header({})), 'ok');
    assert.equal(auth.check('DESCRIBE', 'rtsp://127.0.0.1:554/cam1', header({ qop: undefined })), 'ok');
  });

  it('accepts a digest uri given as a path for an absolute request URI', () => {
    assert.equal(auth.check('DESCRIBE', 'rtsp://127.0.0.1:554/cam1', header({}, '/cam1')), 'ok');
  });

  it('rejects a wrong password, a wrong user, another method and another URI', () => {
    const uri = 'rtsp://127.0.0.1:554/cam1';
    assert.equal(auth.check('DESCRIBE', uri, header({ password: 'nope' })), 'invalid');
    assert.equal(auth.check('DESCRIBE', uri, header({ username: 'bob' })), 'invalid');
    assert.equal(auth.check('SETUP', uri, header({})), 'invalid');
    assert.equal(auth.check('DESCRIBE', 'rtsp://127.0.0.1:554/cam2', header({})), 'invalid');
  });

  it('rejects a nonce the server did not sign', () => {
    assert.equal(auth.check('DESCRIBE', 'rtsp://h/cam1', header({ nonce: `${now}.forged` }, 'rtsp://h/cam1')), 'invalid');
    assert.equal(auth.check('DESCRIBE', 'rtsp://h/cam1', header({ nonce: 'dcd98b7102dd2f0e8b11d0f600bfb0c093' }, 'rtsp://h/cam1')), 'invalid');
  });

  it('reports an authentic but expired nonce as stale', () => {
    const h = header({});
    now += 60_001;
    assert.equal(auth.check('DESCRIBE', 'rtsp://127.0.0.1:554/cam1', h), 'stale');
  });

  it('treats a missing or Basic Authorization header as missing', () => {
    assert.equal(auth.check('DESCRIBE', '/cam1', undefined), 'missing');
    assert.equal(auth.check('DESCRIBE', '/cam1', 'Basic YWxpY2U6cHc='), 'missing');
  });
});
