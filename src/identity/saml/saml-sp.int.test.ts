import { test, describe, before, after, beforeEach } from 'node:test';
import assert from 'node:assert/strict';
import { mkdtemp, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { inflateRawSync } from 'node:zlib';
import type { SamlProviderConfig } from '../../config/identity.schema.ts';
import { isAppError } from '../../lib/errors.ts';
import { createTestDatabase, type TestDatabase } from '../../../test/helpers/databases.ts';
import { startSamlIdp, type SamlResponseShape, type SamlTestUser, type TestSamlIdp } from '../../../test/helpers/saml-idp.ts';
import {
  hideSignedAssertionInSignatureObject,
  insertForgedAssertionBefore,
  moveSignedAssertionIntoExtensions,
  splitNameIdWithComment,
  stripEnvelope,
  stripSignatures,
} from '../../../test/helpers/saml-forge.ts';
import { createAssertionReplayStore } from './assertion-replay.store.ts';
import { SamlServiceProvider } from './saml-sp.ts';
import { teardown } from '../../../test/helpers/teardown.ts';

// Real: the IdP (samlify over node:http on loopback), node-saml, SQLite for the replay store.

const publicUrl = 'https://custos.test';
const mfaContext = 'https://refeds.org/profile/mfa';
const passwordContext = 'urn:oasis:names:tc:SAML:2.0:ac:classes:PasswordProtectedTransport';
const alice: SamlTestUser = {
  nameId: 'alice@corp.example',
  attributes: { groups: ['vms-admins', 'staff'], displayName: 'Alice Arnold', mail: 'alice@corp.example' },
  authnContextClassRef: mfaContext,
};
const forgedClaims = { nameId: 'ceo@corp.example', groups: ['vms-admins'] };

describe('SAML service provider against a real IdP', () => {
  let idp: TestSamlIdp;
  let rogue: TestSamlIdp;
  let database: TestDatabase;
  let dir: string;
  let config: SamlProviderConfig;
  let sp: SamlServiceProvider;
  let offsetMs = 0;
  const clock = { now: () => Date.now() + offsetMs };

  before(async () => {
    idp = await startSamlIdp();
    // Same entity id, its own key: what an attacker who knows the IdP's name can run.
    rogue = await startSamlIdp({ entityId: idp.entityId });
    database = await createTestDatabase('sqlite');
    dir = await mkdtemp(join(tmpdir(), 'custos-saml-'));
    await writeFile(join(dir, 'idp.pem'), idp.certPem);
    config = {
      id: 'corp',
      name: 'Corp SSO',
      entryPoint: idp.ssoUrl,
      idpIssuer: idp.entityId,
      idpCertFile: join(dir, 'idp.pem'),
      spEntityId: null,
      usernameAttribute: null,
      roleAttribute: 'groups',
      roleMap: [
        { value: 'vms-admins', role: 'admin', scope: 'global' },
        { value: 'staff', role: 'viewer', scope: 'site:hq' },
      ],
      mfaAuthnContexts: [mfaContext],
      clockSkewSeconds: 60,
      jurisdiction: null,
    };
    sp = await SamlServiceProvider.open(config, publicUrl, createAssertionReplayStore(database.db, clock), clock);
    idp.trust(sp.metadata());
    rogue.trust(sp.metadata());
  });
  const defer = teardown({ after });
  defer(() => rm(dir, { recursive: true, force: true }));
  defer(() => database.close());
  defer(() => rogue.close());
  defer(() => idp.close());
  beforeEach(() => {
    offsetMs = 0;
  });

  /** Starts a login at `sp` and lets `at` (the trusted IdP by default) answer it. */
  async function loginVia(at: TestSamlIdp, user: SamlTestUser = alice, shape?: SamlResponseShape, provider = sp) {
    const { url, requestId } = await provider.start('/cameras');
    const posted = await at.login(url.replace(idp.ssoUrl, at.ssoUrl), user, shape);
    return { ...posted, requestId };
  }

  async function assertRefused(attempt: Promise<unknown>, reason: string): Promise<void> {
    await assert.rejects(attempt, (e) => {
      assert.ok(isAppError(e, 'SSO_REFUSED'), `expected SSO_REFUSED, got ${String(e)}`);
      assert.equal(e.message, reason);
      return true;
    });
  }

  describe('a genuine login', () => {
    test('returns the user name, display name, e-mail, mapped grants and MFA from the AuthnContext', async () => {
      const posted = await loginVia(idp);
      assert.equal(posted.action, sp.acsUrl, 'the IdP posts to our ACS');
      assert.equal(posted.relayState, '/cameras', 'the relay state comes back');
      const who = await sp.finish(posted.samlResponse, posted.requestId);
      assert.deepEqual(who, {
        provider: 'corp',
        protocol: 'saml',
        subject: 'alice@corp.example',
        username: 'alice@corp.example',
        displayName: 'Alice Arnold',
        email: 'alice@corp.example',
        grants: [
          { role: 'admin', scope: 'global' },
          { role: 'viewer', scope: 'site:hq' },
        ],
        mfa: true,
        authnContext: [mfaContext],
      });
    });

    test('a password-only login is not MFA and a user without mapped groups gets no grants', async () => {
      const bob: SamlTestUser = { nameId: 'bob', attributes: { groups: 'contractors' }, authnContextClassRef: passwordContext };
      const posted = await loginVia(idp, bob);
      const who = await sp.finish(posted.samlResponse, posted.requestId);
      assert.equal(who.username, 'bob');
      assert.equal(who.displayName, null);
      assert.equal(who.email, null);
      assert.deepEqual(who.grants, []);
      assert.equal(who.mfa, false);
      assert.deepEqual(who.authnContext, [passwordContext]);
    });

    test('the user name comes from the configured attribute, and its absence is refused', async () => {
      const byUid = new SamlServiceProvider({
        config: { ...config, usernameAttribute: 'uid' },
        publicUrl,
        idpCertPem: idp.certPem,
        replay: createAssertionReplayStore(database.db, clock),
        clock,
      });
      const withUid = await loginVia(idp, { ...alice, attributes: { ...alice.attributes, uid: 'aarnold' } }, {}, byUid);
      const who = await byUid.finish(withUid.samlResponse, withUid.requestId);
      assert.equal(who.username, 'aarnold');
      assert.equal(who.subject, 'alice@corp.example', 'the subject stays the NameID');
      const withoutUid = await loginVia(idp, alice, {}, byUid);
      await assertRefused(byUid.finish(withoutUid.samlResponse, withoutUid.requestId), 'user name attribute missing');
    });

    test('a signed Response wrapping a signed assertion is accepted', async () => {
      const posted = await loginVia(idp, alice, { signing: 'response-and-assertion' });
      assert.equal(posted.xml.match(/<ds:Signature /g)?.length, 2, 'both Response and assertion are signed');
      assert.equal((await sp.finish(posted.samlResponse, posted.requestId)).username, 'alice@corp.example');
    });

    test('the AuthnRequest goes to the entry point by HTTP-Redirect, names our ACS and carries the returned request id', async () => {
      const { url, requestId } = await sp.start('state-123');
      const target = new URL(url);
      assert.equal(`${target.origin}${target.pathname}`, idp.ssoUrl);
      assert.equal(target.searchParams.get('RelayState'), 'state-123');
      const request = inflateRawSync(Buffer.from(target.searchParams.get('SAMLRequest') ?? '', 'base64')).toString('utf8');
      assert.match(request, new RegExp(`ID="${requestId}"`));
      assert.match(request, new RegExp(`AssertionConsumerServiceURL="${sp.acsUrl}"`));
      assert.match(request, new RegExp(`<saml:Issuer[^>]*>${sp.entityId}</saml:Issuer>`));
      assert.notEqual((await sp.start('state-123')).requestId, requestId, 'every login gets a fresh id');
    });

    test('the metadata names our entity id and ACS and asks for signed assertions', () => {
      assert.equal(sp.entityId, 'https://custos.test/api/v1/auth/saml/corp/metadata');
      assert.equal(sp.acsUrl, 'https://custos.test/api/v1/auth/saml/corp/acs');
      const xml = sp.metadata();
      assert.match(xml, /entityID="https:\/\/custos\.test\/api\/v1\/auth\/saml\/corp\/metadata"/);
      assert.match(xml, /<AssertionConsumerService [^>]*Binding="urn:oasis:names:tc:SAML:2\.0:bindings:HTTP-POST" Location="https:\/\/custos\.test\/api\/v1\/auth\/saml\/corp\/acs"/);
      assert.match(xml, /WantAssertionsSigned="true"/);
    });

    test('a configured spEntityId is the entity id and audience', async () => {
      const named = new SamlServiceProvider({ config: { ...config, spEntityId: 'urn:custos:corp' }, publicUrl, idpCertPem: idp.certPem, replay: createAssertionReplayStore(database.db, clock), clock });
      assert.equal(named.entityId, 'urn:custos:corp');
      assert.match(named.metadata(), /entityID="urn:custos:corp"/);
      idp.trust(named.metadata());
      const posted = await loginVia(idp, alice, {}, named);
      assert.match(posted.xml, /<saml:Audience>urn:custos:corp<\/saml:Audience>/);
      assert.equal((await named.finish(posted.samlResponse, posted.requestId)).username, 'alice@corp.example');
    });

    test('a certificate file that is missing or holds no readable certificate is a config error; one with two certificates trusts both', async () => {
      const replay = createAssertionReplayStore(database.db, clock);
      await assert.rejects(SamlServiceProvider.open({ ...config, idpCertFile: join(dir, 'absent.pem') }, publicUrl, replay, clock), (e) => isAppError(e, 'CONFIG_INVALID'));
      await writeFile(join(dir, 'empty.pem'), 'not a certificate\n');
      await assert.rejects(SamlServiceProvider.open({ ...config, idpCertFile: join(dir, 'empty.pem') }, publicUrl, replay, clock), (e) => isAppError(e, 'CONFIG_INVALID'));
      await writeFile(join(dir, 'garbled.pem'), '-----BEGIN CERTIFICATE-----\nTUlJQm9ndXM=\n-----END CERTIFICATE-----\n');
      await assert.rejects(SamlServiceProvider.open({ ...config, idpCertFile: join(dir, 'garbled.pem') }, publicUrl, replay, clock), (e) => isAppError(e, 'CONFIG_INVALID'));
      // Two certificates (a key rollover): an assertion signed by either is accepted.
      await writeFile(join(dir, 'both.pem'), `${rogue.certPem}\n${idp.certPem}`);
      const rolling = await SamlServiceProvider.open({ ...config, idpCertFile: join(dir, 'both.pem') }, publicUrl, replay, clock);
      const posted = await loginVia(idp, alice, {}, rolling);
      assert.ok(await rolling.finish(posted.samlResponse, posted.requestId));
    });
  });

  describe('refusals (each beside the genuine case that passes)', () => {
    test('an assertion without a signature is refused, even inside a signed Response', async () => {
      const responseOnly = await loginVia(idp, alice, { signing: 'response-only' });
      assert.equal(responseOnly.xml.match(/<ds:Signature /g)?.length, 1, 'only the Response is signed');
      await assertRefused(sp.finish(responseOnly.samlResponse, responseOnly.requestId), 'assertion signature invalid');
      const genuine = await loginVia(idp);
      await assertRefused(sp.finish(stripSignatures(genuine.samlResponse), genuine.requestId), 'assertion signature invalid');
      assert.equal((await sp.finish(genuine.samlResponse, genuine.requestId)).username, 'alice@corp.example');
    });

    test('an assertion signed by another key is refused', async () => {
      const forged = await loginVia(rogue);
      await assertRefused(sp.finish(forged.samlResponse, forged.requestId), 'assertion signature invalid');
      const genuine = await loginVia(idp);
      assert.equal((await sp.finish(genuine.samlResponse, genuine.requestId)).username, 'alice@corp.example');
    });

    test('an assertion for another audience is refused', async () => {
      const other = await loginVia(idp, alice, { audience: 'https://other-sp.example/metadata' });
      await assertRefused(sp.finish(other.samlResponse, other.requestId), 'audience mismatch');
      const genuine = await loginVia(idp);
      assert.ok(await sp.finish(genuine.samlResponse, genuine.requestId));
    });

    test('an assertion for another recipient is refused', async () => {
      const other = await loginVia(idp, alice, { recipient: 'https://other-sp.example/acs' });
      await assertRefused(sp.finish(other.samlResponse, other.requestId), 'recipient mismatch');
      await assertRefused(sp.finish(stripEnvelope(other.samlResponse), other.requestId), 'recipient mismatch');
      const genuine = await loginVia(idp);
      assert.ok(await sp.finish(genuine.samlResponse, genuine.requestId));
    });

    test('a response whose status is not Success is refused, though its assertion is signed', async () => {
      const failed = await loginVia(idp, alice, { statusCode: 'urn:oasis:names:tc:SAML:2.0:status:Responder' });
      await assertRefused(sp.finish(failed.samlResponse, failed.requestId), 'identity provider refused the login');
      const genuine = await loginVia(idp);
      assert.ok(await sp.finish(genuine.samlResponse, genuine.requestId));
    });

    test('a signed Response destined for another endpoint is refused', async () => {
      const other = await loginVia(idp, alice, { signing: 'response-and-assertion', destination: 'https://other-sp.example/acs' });
      await assertRefused(sp.finish(other.samlResponse, other.requestId), 'destination mismatch');
      const genuine = await loginVia(idp, alice, { signing: 'response-and-assertion' });
      assert.ok(await sp.finish(genuine.samlResponse, genuine.requestId));
    });

    test('an assertion from another issuer is refused, though signed by the trusted key', async () => {
      const other = await loginVia(idp, alice, { issuer: 'https://evil.example/idp' });
      await assertRefused(sp.finish(other.samlResponse, other.requestId), 'issuer mismatch');
      await assertRefused(sp.finish(stripEnvelope(other.samlResponse), other.requestId), 'issuer mismatch');
      const genuine = await loginVia(idp);
      assert.ok(await sp.finish(stripEnvelope(genuine.samlResponse), genuine.requestId), 'the unsigned envelope is optional');
    });

    test('a response past NotOnOrAfter plus the skew on our clock is refused; within the skew it passes', async () => {
      const posted = await loginVia(idp, alice, { lifetimeSeconds: 300 });
      offsetMs = (300 + 60 + 2) * 1000;
      await assertRefused(sp.finish(posted.samlResponse, posted.requestId), 'response expired');
      offsetMs = (300 + 60 - 5) * 1000;
      assert.ok(await sp.finish(posted.samlResponse, posted.requestId));
    });

    test('a response before NotBefore minus the skew on our clock is refused; within the skew it passes', async () => {
      const posted = await loginVia(idp);
      offsetMs = -(60 + 5) * 1000;
      await assertRefused(sp.finish(posted.samlResponse, posted.requestId), 'assertion not yet valid');
      offsetMs = -(60 - 5) * 1000;
      assert.ok(await sp.finish(posted.samlResponse, posted.requestId));
    });

    test('the same response is accepted once, then refused as a replay, also by another instance on the same database', async () => {
      const posted = await loginVia(idp);
      assert.ok(await sp.finish(posted.samlResponse, posted.requestId));
      await assertRefused(sp.finish(posted.samlResponse, posted.requestId), 'assertion replayed');
      const otherInstance = new SamlServiceProvider({ config, publicUrl, idpCertPem: idp.certPem, replay: createAssertionReplayStore(database.db, clock), clock });
      await assertRefused(otherInstance.finish(posted.samlResponse, posted.requestId), 'assertion replayed');
    });

    test('a response to another AuthnRequest is refused', async () => {
      const posted = await loginVia(idp);
      const { requestId: otherRequest } = await sp.start('/elsewhere');
      await assertRefused(sp.finish(posted.samlResponse, otherRequest), 'InResponseTo mismatch');
      await assertRefused(sp.finish(stripEnvelope(posted.samlResponse), otherRequest), 'InResponseTo mismatch');
      assert.ok(await sp.finish(posted.samlResponse, posted.requestId));
    });

    test('an unsolicited (IdP-initiated) response is refused', async () => {
      const unsolicited = await loginVia(idp, alice, { inResponseTo: null });
      assert.doesNotMatch(unsolicited.xml, /InResponseTo/);
      await assertRefused(sp.finish(unsolicited.samlResponse, unsolicited.requestId), 'unsolicited response');
      const genuine = await loginVia(idp);
      assert.ok(await sp.finish(genuine.samlResponse, genuine.requestId));
    });
  });

  describe('signature wrapping (XSW): only the signed assertion counts', () => {
    test('a forged unsigned assertion inserted before the signed one is refused', async () => {
      const genuine = await loginVia(idp);
      await assertRefused(sp.finish(insertForgedAssertionBefore(genuine.samlResponse, forgedClaims), genuine.requestId), 'more than one assertion');
      assert.equal((await sp.finish(genuine.samlResponse, genuine.requestId)).username, 'alice@corp.example');
    });

    test('the signed assertion moved into Extensions with a forged one in its place is refused', async () => {
      const genuine = await loginVia(idp);
      await assertRefused(sp.finish(moveSignedAssertionIntoExtensions(genuine.samlResponse, forgedClaims), genuine.requestId), 'assertion signature invalid');
      assert.equal((await sp.finish(genuine.samlResponse, genuine.requestId)).username, 'alice@corp.example');
    });

    test('a forged assertion carrying the genuine signature, with the signed one hidden in a ds:Object, is refused', async () => {
      const genuine = await loginVia(idp);
      await assertRefused(sp.finish(hideSignedAssertionInSignatureObject(genuine.samlResponse, forgedClaims), genuine.requestId), 'assertion signature invalid');
      assert.equal((await sp.finish(genuine.samlResponse, genuine.requestId)).username, 'alice@corp.example');
    });

    test('the same wrappings inside a signed Response break its signature and are refused', async () => {
      const genuine = await loginVia(idp, alice, { signing: 'response-and-assertion' });
      await assertRefused(sp.finish(insertForgedAssertionBefore(genuine.samlResponse, forgedClaims), genuine.requestId), 'response signature invalid');
      await assertRefused(sp.finish(moveSignedAssertionIntoExtensions(genuine.samlResponse, forgedClaims), genuine.requestId), 'response signature invalid');
      await assertRefused(sp.finish(hideSignedAssertionInSignatureObject(genuine.samlResponse, forgedClaims), genuine.requestId), 'response signature invalid');
      assert.equal((await sp.finish(genuine.samlResponse, genuine.requestId)).username, 'alice@corp.example');
    });

    test('a comment inserted into the signed NameID does not shorten the user name', async () => {
      const posted = await loginVia(idp, { ...alice, nameId: 'alice@corp.example.evil.test' });
      const who = await sp.finish(splitNameIdWithComment(posted.samlResponse, 'alice@corp.example'), posted.requestId);
      assert.equal(who.username, 'alice@corp.example.evil.test');
      assert.equal(who.subject, 'alice@corp.example.evil.test');
    });
  });
});
