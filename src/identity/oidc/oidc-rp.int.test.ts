/**
 * The OIDC relying party against real OpenID Providers (oidc-provider over HTTPS on 127.0.0.1,
 * self-signed, trusted through caFile), with logins driven as a browser would. Real: the
 * providers, TLS, openid-client, our RP. The only interference is the providers' token response,
 * rewritten by a test hook to play a forging provider or a man-in-the-middle.
 */
import assert from 'node:assert/strict';
import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { after, afterEach, before, describe, it } from 'node:test';
import { calculatePKCECodeChallenge } from 'openid-client';
import { identity, type OidcProviderConfig } from '../../config/identity.schema.ts';
import { systemClock, type Clock } from '../../lib/clock.ts';
import { isAppError, type ErrorCode } from '../../lib/errors.ts';
import { OidcTestBrowser, type LoginChoice } from '../../../test/helpers/oidc-browser.ts';
import { jwtPayload, startTestOp, type TestAccount, type TestOp } from '../../../test/helpers/oidc-op.ts';
import { OidcRelyingParty, type PendingOidcLogin } from './oidc-rp.ts';
import { teardown } from '../../../test/helpers/teardown.ts';

const publicUrl = 'https://custos.test';
const redirectUri = (id: string): string => `${publicUrl}/api/v1/auth/oidc/${id}/callback`;
const secret = 'correct-horse-battery-staple-oidc';

const accounts: Record<string, TestAccount> = {
  alice: {
    claims: { preferred_username: 'alice', name: 'Alice Example', email: 'alice@example.eu', groups: ['vms-admins', 'north-operators'] },
    amr: ['pwd', 'otp'],
    acr: 'urn:custos:test:mfa',
  },
  bob: { claims: { preferred_username: 'bob', name: 'Bob', email: 'bob@example.eu', groups: ['marketing'] }, amr: ['pwd'], acr: 'urn:custos:test:pwd' },
  carol: { claims: { email: 'carol@example.eu', groups: 'vms-admins' } },
  dave: { claims: {} },
};

const roleMap = [
  { value: 'vms-admins', role: 'admin', scope: 'global' },
  { value: 'north-operators', role: 'operator', scope: 'site:north' },
  { value: 'auditors', role: 'auditor', scope: 'global' },
];

/** A provider entry as the config loader makes it (defaults applied, secret wrapped). */
function providerConfig(op: TestOp, overrides: Record<string, unknown> = {}): OidcProviderConfig {
  const entry = { id: 'corp', name: 'Corp SSO', issuer: op.issuer, clientId: 'custos', clientSecret: secret, caFile: op.caFile, roleMap, ...overrides };
  return identity.parse({ oidc: [entry] }).oidc[0]!;
}

async function refusal(promise: Promise<unknown>, code: ErrorCode, reason: RegExp): Promise<void> {
  await assert.rejects(promise, (e: unknown) => {
    assert.ok(isAppError(e, code), `expected ${code}, got ${String(e)}`);
    assert.match(e.message, reason);
    assert.ok(!e.message.includes(secret) && !e.message.includes('intruder-secret') && !e.message.includes('not-the-secret'), 'no secret in a reason');
    return true;
  });
}

describe('OIDC relying party against a real OpenID Provider', () => {
  let dir: string;
  let op: TestOp;
  let rp: OidcRelyingParty;

  /** A fresh browser logs in at `op` through `party`: what the caller kept, and where the browser came back. */
  async function login(party: OidcRelyingParty, choice: LoginChoice, provider: TestOp = op): Promise<{ pending: PendingOidcLogin; callback: URL }> {
    const { url, pending } = await party.start();
    const callback = await new OidcTestBrowser(provider.caPem).login(url, party.redirectUri, choice);
    return { pending, callback };
  }

  before(async () => {
    dir = await mkdtemp(join(tmpdir(), 'custos-oidc-'));
    op = await startTestOp({
      dir,
      accounts,
      clients: [
        { clientId: 'custos', clientSecret: secret, redirectUris: [redirectUri('corp')] },
        { clientId: 'custos-public', clientSecret: null, redirectUris: [redirectUri('corp')] },
        { clientId: 'intruder', clientSecret: 'intruder-secret', redirectUris: [redirectUri('corp')] },
      ],
    });
    rp = await OidcRelyingParty.discover(providerConfig(op), publicUrl, systemClock);
  });

  afterEach(() => {
    op.tamperTokenResponse = null;
  });

  const defer = teardown({ after });
  defer(() => rm(dir, { recursive: true, force: true }));
  defer(() => op.close());

  describe('discovery', () => {
    it('refuses an http:// issuer before any request', async () => {
      await refusal(OidcRelyingParty.discover(providerConfig(op, { issuer: op.issuer.replace('https:', 'http:') }), publicUrl, systemClock), 'CONFIG_INVALID', /https/);
      assert.ok(await OidcRelyingParty.discover(providerConfig(op), publicUrl, systemClock));
    });

    it('does not trust the provider\'s self-signed certificate without its caFile', async () => {
      await refusal(OidcRelyingParty.discover(providerConfig(op, { caFile: null }), publicUrl, systemClock), 'SSO_REFUSED', /TLS certificate is not trusted/);
    });

    it('refuses a provider that cannot be reached', async () => {
      await refusal(OidcRelyingParty.discover(providerConfig(op, { issuer: 'https://127.0.0.1:1' }), publicUrl, systemClock), 'SSO_REFUSED', /could not be reached/);
    });

    it('refuses a caFile that cannot be read', async () => {
      await refusal(OidcRelyingParty.discover(providerConfig(op, { caFile: join(dir, 'missing.pem') }), publicUrl, systemClock), 'CONFIG_INVALID', /caFile/);
    });

    it('refuses metadata that names another issuer than the configured one', async () => {
      const elsewhere = op.issuer.replace('127.0.0.1', 'localhost');
      await refusal(OidcRelyingParty.discover(providerConfig(op, { issuer: elsewhere }), publicUrl, systemClock), 'SSO_REFUSED', /another issuer/);
    });

    it('puts the callback under the public URL and the provider id', async () => {
      assert.equal(rp.redirectUri, 'https://custos.test/api/v1/auth/oidc/corp/callback');
      const slashed = await OidcRelyingParty.discover(providerConfig(op), `${publicUrl}/`, systemClock);
      assert.equal(slashed.redirectUri, rp.redirectUri);
    });
  });

  describe('authorization request', () => {
    it('carries the code flow with PKCE S256, a state and a nonce, all fresh each time', async () => {
      const first = await rp.start();
      const second = await rp.start();
      const url = new URL(first.url);
      assert.equal(url.origin + url.pathname, `${op.issuer}/auth`);
      const q = url.searchParams;
      assert.equal(q.get('response_type'), 'code');
      assert.equal(q.get('client_id'), 'custos');
      assert.equal(q.get('redirect_uri'), rp.redirectUri);
      assert.deepEqual(q.get('scope')?.split(' '), ['openid', 'profile', 'email']);
      assert.equal(q.get('code_challenge_method'), 'S256');
      assert.equal(q.get('code_challenge'), await calculatePKCECodeChallenge(first.pending.codeVerifier));
      assert.equal(q.get('state'), first.pending.state);
      assert.equal(q.get('nonce'), first.pending.nonce);
      assert.ok(first.pending.codeVerifier.length >= 43);
      for (const key of ['state', 'nonce', 'codeVerifier'] as const) assert.notEqual(first.pending[key], second.pending[key]);
      assert.deepEqual(JSON.parse(JSON.stringify(first.pending)), first.pending);
    });

    it('always asks for the openid scope', async () => {
      const party = await OidcRelyingParty.discover(providerConfig(op, { scopes: ['profile'] }), publicUrl, systemClock);
      assert.deepEqual(new URL((await party.start()).url).searchParams.get('scope')?.split(' '), ['openid', 'profile']);
    });
  });

  describe('a completed login', () => {
    it('yields the user name, display name, e-mail and the grants mapped from groups, globally and on a site', async () => {
      const { pending, callback } = await login(rp, { account: 'alice' });
      const who = await rp.finish(callback, pending);
      assert.deepEqual(who, {
        provider: 'corp',
        protocol: 'oidc',
        subject: 'alice',
        username: 'alice',
        displayName: 'Alice Example',
        email: 'alice@example.eu',
        grants: [
          { role: 'admin', scope: 'global' },
          { role: 'operator', scope: 'site:north' },
        ],
        mfa: false,
        authnContext: ['pwd', 'otp', 'urn:custos:test:mfa'],
      });
    });

    it('gives no grants to a user whose groups match no role map entry', async () => {
      const { pending, callback } = await login(rp, { account: 'bob' });
      const who = await rp.finish(callback, pending);
      assert.equal(who.username, 'bob');
      assert.deepEqual(who.grants, []);
    });

    it('takes the user name from the configured claim, else the e-mail, else the subject', async () => {
      const byEmail = await login(rp, { account: 'carol' });
      const carol = await rp.finish(byEmail.callback, byEmail.pending);
      assert.equal(carol.username, 'carol@example.eu');
      assert.equal(carol.displayName, null);
      assert.deepEqual(carol.grants, [{ role: 'admin', scope: 'global' }], 'a single-string group claim maps too');
      const bySub = await login(rp, { account: 'dave' });
      const dave = await rp.finish(bySub.callback, bySub.pending);
      assert.deepEqual([dave.username, dave.email, dave.displayName, dave.grants, dave.authnContext], ['dave', null, null, [], []]);
      const party = await OidcRelyingParty.discover(providerConfig(op, { usernameClaim: 'name' }), publicUrl, systemClock);
      const byName = await login(party, { account: 'alice' });
      assert.equal((await party.finish(byName.callback, byName.pending)).username, 'Alice Example');
    });

    it('works as a public client with PKCE alone', async () => {
      const party = await OidcRelyingParty.discover(providerConfig(op, { clientId: 'custos-public', clientSecret: null }), publicUrl, systemClock);
      const { pending, callback } = await login(party, { account: 'alice' });
      assert.equal((await party.finish(callback, pending)).subject, 'alice');
    });

    it('uses only the query of the callback, whatever host it arrived on', async () => {
      const { pending, callback } = await login(rp, { account: 'alice' });
      const arrived = new URL(`https://10.0.0.5:8443/api/v1/auth/oidc/corp/callback${callback.search}`);
      assert.equal((await rp.finish(arrived, pending)).subject, 'alice');
    });
  });

  describe('provider MFA', () => {
    it('counts as MFA when amr holds a trusted method, and not when it does not', async () => {
      const party = await OidcRelyingParty.discover(providerConfig(op, { mfaAmr: ['otp', 'hwk'] }), publicUrl, systemClock);
      const a = await login(party, { account: 'alice' });
      assert.equal((await party.finish(a.callback, a.pending)).mfa, true);
      const b = await login(party, { account: 'bob' });
      const bob = await party.finish(b.callback, b.pending);
      assert.equal(bob.mfa, false);
      assert.deepEqual(bob.authnContext, ['pwd', 'urn:custos:test:pwd']);
    });

    it('does not count the provider\'s MFA when no amr or acr value is trusted', async () => {
      const { pending, callback } = await login(rp, { account: 'alice' });
      assert.equal((await rp.finish(callback, pending)).mfa, false);
    });

    it('counts as MFA when acr is a trusted class, and not for another class', async () => {
      const party = await OidcRelyingParty.discover(providerConfig(op, { mfaAcr: ['urn:custos:test:mfa'] }), publicUrl, systemClock);
      const a = await login(party, { account: 'alice' });
      assert.equal((await party.finish(a.callback, a.pending)).mfa, true);
      const b = await login(party, { account: 'bob' });
      assert.equal((await party.finish(b.callback, b.pending)).mfa, false);
    });
  });

  describe('refusals', () => {
    it('refuses a callback whose state is not the pending one, and still accepts the genuine one', async () => {
      const { pending, callback } = await login(rp, { account: 'alice' });
      await refusal(rp.finish(callback, { ...pending, state: 'another-login' }), 'SSO_REFUSED', /state/);
      const stateless = new URL(callback);
      stateless.searchParams.delete('state');
      await refusal(rp.finish(stateless, pending), 'SSO_REFUSED', /state/);
      assert.equal((await rp.finish(callback, pending)).subject, 'alice');
    });

    it('refuses a callback naming another issuer (mix-up), and still accepts the genuine one', async () => {
      const { pending, callback } = await login(rp, { account: 'alice' });
      assert.equal(callback.searchParams.get('iss'), op.issuer);
      const mixedUp = new URL(callback);
      mixedUp.searchParams.set('iss', 'https://attacker.example');
      await refusal(rp.finish(mixedUp, pending), 'SSO_REFUSED', /another issuer/);
      assert.equal((await rp.finish(callback, pending)).subject, 'alice');
    });

    it('refuses to redeem a code twice (a replayed callback)', async () => {
      const { pending, callback } = await login(rp, { account: 'alice' });
      assert.equal((await rp.finish(callback, pending)).subject, 'alice');
      await refusal(rp.finish(callback, pending), 'SSO_REFUSED', /refused the authorization code \(invalid_grant\)/);
    });

    it('refuses an error callback with the provider\'s error code, and accepts the next genuine login', async () => {
      const denied = await login(rp, { account: 'alice', deny: true });
      assert.equal(denied.callback.searchParams.get('error'), 'access_denied');
      await refusal(rp.finish(denied.callback, denied.pending), 'SSO_REFUSED', /\(access_denied\)/);
      const forged = new URL(denied.callback);
      forged.searchParams.set('error', '<script>alert(1)</script>');
      await refusal(rp.finish(forged, denied.pending), 'SSO_REFUSED', /\(unrecognised error\)/);
      const { pending, callback } = await login(rp, { account: 'alice' });
      assert.equal((await rp.finish(callback, pending)).subject, 'alice');
    });

    it('refuses a code with the wrong PKCE verifier, and accepts it with the right one', async () => {
      const { pending, callback } = await login(rp, { account: 'alice' });
      await refusal(rp.finish(callback, { ...pending, codeVerifier: 'x'.repeat(43) }), 'SSO_REFUSED', /invalid_grant/);
      assert.equal((await rp.finish(callback, pending)).subject, 'alice');
    });

    it('refuses a code issued to another client, which the rightful client can still redeem', async () => {
      const intruder = await OidcRelyingParty.discover(providerConfig(op, { clientId: 'intruder', clientSecret: 'intruder-secret' }), publicUrl, systemClock);
      const { pending, callback } = await login(rp, { account: 'alice' });
      await refusal(intruder.finish(callback, pending), 'SSO_REFUSED', /invalid_grant/);
      assert.equal((await rp.finish(callback, pending)).subject, 'alice');
    });

    it('refuses a wrong client secret', async () => {
      const party = await OidcRelyingParty.discover(providerConfig(op, { clientSecret: 'not-the-secret' }), publicUrl, systemClock);
      const { pending, callback } = await login(party, { account: 'alice' });
      await refusal(party.finish(callback, pending), 'SSO_REFUSED', /invalid_client/);
    });

    it('refuses a callback with no pending login', async () => {
      const { callback } = await login(rp, { account: 'alice' });
      await refusal(rp.finish(callback, {} as PendingOidcLogin), 'SSO_REFUSED', /No OIDC login/);
    });

    it('refuses an ID token that has expired by the injected clock', async () => {
      const later: Clock = { now: () => Date.now() + 2 * 3600_000 };
      const party = await OidcRelyingParty.discover(providerConfig(op), publicUrl, later);
      const { pending, callback } = await login(party, { account: 'alice' });
      await refusal(party.finish(callback, pending), 'SSO_REFUSED', /expired/);
    });
  });

  describe('forged and substituted ID tokens', () => {
    /** Logs alice in while the provider's token response carries `rewrite(genuine ID token)` instead. */
    async function finishWith(rewrite: (idToken: string) => string): Promise<unknown> {
      op.tamperTokenResponse = (body) => ({ ...body, id_token: rewrite(String(body.id_token)) });
      const { pending, callback } = await login(rp, { account: 'alice' });
      return rp.finish(callback, pending);
    }
    const resign = (changes: Record<string, unknown>, signer: 'provider' | 'foreign') => (token: string) => op.signIdToken({ ...jwtPayload(token), ...changes }, signer);

    it('accepts the genuine claims re-signed with the provider\'s key (the forging below is faithful)', async () => {
      const who = (await finishWith(resign({}, 'provider'))) as { subject: string };
      assert.equal(who.subject, 'alice');
    });

    it('refuses the genuine claims signed with another key under the provider\'s key id', async () => {
      await refusal(finishWith(resign({}, 'foreign')), 'SSO_REFUSED', /signature/);
    });

    it('refuses a token whose signature was altered', async () => {
      await refusal(finishWith((t) => `${t.slice(0, -6)}${t.endsWith('AAAAAA') ? 'BBBBBB' : 'AAAAAA'}`), 'SSO_REFUSED', /signature/);
    });

    it('refuses an unsigned token (alg none)', async () => {
      const none = (t: string) => `${Buffer.from(JSON.stringify({ alg: 'none', typ: 'JWT' })).toString('base64url')}.${t.split('.')[1]}.`;
      await refusal(finishWith(none), 'SSO_REFUSED', /not signed with an accepted algorithm/);
    });

    it('refuses another subject in the payload under the original signature', async () => {
      await refusal(
        finishWith((t) => {
          const [header, , signature] = t.split('.');
          const payload = Buffer.from(JSON.stringify({ ...jwtPayload(t), sub: 'bob' })).toString('base64url');
          return `${header}.${payload}.${signature}`;
        }),
        'SSO_REFUSED',
        /signature/,
      );
    });

    it('refuses a token for another client, another login or already expired, even signed by the provider', async () => {
      const now = Math.floor(Date.now() / 1000);
      await refusal(finishWith(resign({ aud: 'intruder' }, 'provider')), 'SSO_REFUSED', /another client/);
      await refusal(finishWith(resign({ nonce: 'another-login' }, 'provider')), 'SSO_REFUSED', /nonce/);
      await refusal(finishWith(resign({ iat: now - 7200, exp: now - 3600 }, 'provider')), 'SSO_REFUSED', /expired/);
    });

    it('refuses a token genuinely issued by another provider for the same client and login', async () => {
      const other = await startTestOp({
        dir: join(dir, 'other'),
        accounts,
        clients: [{ clientId: 'custos', clientSecret: secret, redirectUris: [redirectUri('corp')] }],
        conformIdTokenClaims: false,
      });
      try {
        // The victim's login starts at our provider; the attacker runs the very same request
        // (client, nonce, PKCE) at the other provider and keeps the ID token it issues.
        const { url, pending } = await rp.start();
        let stolen = '';
        other.tamperTokenResponse = (body) => {
          stolen = String(body.id_token);
          return body;
        };
        const atOther = new URL(url.replace(op.issuer, other.issuer));
        const otherRp = await OidcRelyingParty.discover(providerConfig(other), publicUrl, systemClock);
        const otherCallback = await new OidcTestBrowser(other.caPem).login(atOther.href, otherRp.redirectUri, { account: 'alice' });
        assert.equal((await otherRp.finish(otherCallback, pending)).subject, 'alice', 'the other provider is a working provider');
        assert.equal(jwtPayload(stolen).nonce, pending.nonce);

        op.tamperTokenResponse = (body) => ({ ...body, id_token: stolen });
        const callback = await new OidcTestBrowser(op.caPem).login(url, rp.redirectUri, { account: 'alice' });
        await refusal(rp.finish(callback, pending), 'SSO_REFUSED', /another issuer/);
      } finally {
        await other.close();
      }
    });
  });

  describe('claims from the ID token and userinfo', () => {
    it('prefers the ID token\'s claims and asks userinfo only for the absent ones', async () => {
      const other = await startTestOp({
        dir: join(dir, 'rich'),
        accounts: {
          erin: { claims: { preferred_username: 'erin', groups: ['auditors'] }, userinfoClaims: { groups: ['vms-admins'], name: 'Erin From Userinfo' } },
        },
        clients: [{ clientId: 'custos', clientSecret: secret, redirectUris: [redirectUri('corp')] }],
        conformIdTokenClaims: false,
      });
      try {
        const party = await OidcRelyingParty.discover(providerConfig(other), publicUrl, systemClock);
        const { pending, callback } = await login(party, { account: 'erin' }, other);
        const erin = await party.finish(callback, pending);
        assert.deepEqual(erin.grants, [{ role: 'auditor', scope: 'global' }], 'groups from the ID token, not userinfo');
        assert.equal(erin.displayName, 'Erin From Userinfo', 'a claim absent from the ID token comes from userinfo');
      } finally {
        await other.close();
      }
    });
  });
});
