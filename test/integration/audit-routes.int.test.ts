/**
 * Every route that changes state or reads footage or the ledger records its catalogued audit
 * event (LOG-1): the test walks the route table, calls each such route for real against a
 * recording server, as the principal a real caller would be (a browser session with its CSRF
 * token, an API token, or nobody yet on a login route), and finds the declared event in the
 * ledger with the caller's request as its correlation and the expected actor. A route that
 * changes state without declaring an event fails the test, and so does a declared route the
 * walk has no request for.
 *
 * Real: the app over SQLite, camsim and ffmpeg, an OpenID Provider (oidc-provider over HTTPS),
 * a SAML IdP (samlify), TOTP codes and a software WebAuthn authenticator.
 */
import { test } from 'node:test';
import assert from 'node:assert/strict';
import WebSocket from 'ws';
import { writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import type { LightMyRequestResponse } from 'fastify';
import { verifyEvidence } from '../../src/evidence/verify-evidence.ts';
import { verifyBundle } from '../../src/governance/verify-bundle.ts';
import { routeTable, type RouteDeps } from '../../src/routes.ts';
import type { RouteSpec } from '../../src/http/route.ts';
import { isAuditEventType } from '../../src/audit/catalogue.ts';
import { totpCode } from '../../src/identity/credentials/totp.ts';
import { createSoftAuthenticator } from '../helpers/soft-authenticator.ts';
import { startTestApp, startTestCamsim, tempDir, waitFor } from '../helpers/harness.ts';
import { testActor } from '../helpers/audit.ts';
import { strongPassword, testPrincipal, type TestPrincipal } from '../helpers/access.ts';
import { BrowserSession, readSetupToken, tokenActorId } from '../helpers/login.ts';
import { startTestOp } from '../helpers/oidc-op.ts';
import { OidcTestBrowser } from '../helpers/oidc-browser.ts';
import { startSamlIdp } from '../helpers/saml-idp.ts';
import { teardown } from '../helpers/teardown.ts';
import { systemClock } from '../../src/lib/clock.ts';
import { defaultOnvifIdentity } from '../../tools/camsim/onvif-identity.ts';
import { startOnvifDevice } from '../../tools/camsim/onvif-device.ts';
import { osvAdvisory } from '../helpers/advisory-documents.ts';
import { startDiscoveryResponder } from '../../tools/camsim/ws-discovery-responder.ts';
import { stageFirmwareImage } from '../../src/onvif/firmware-staging.ts';
import { createHash } from 'node:crypto';

/**
 * GET routes that MUST be audited like state changes: they read footage or the ledger, export
 * signed governance evidence (the evidence bundle and the readiness pack carry ledger
 * checkpoints, approvals and documents on file out of the system), or (the OpenID Connect
 * redirect URI) sign a user in.
 */
const auditedGets = new Set([
  'GET /api/v1/cameras/:id/live',
  'GET /api/v1/cameras/:id/playback.m3u8',
  'GET /api/v1/cameras/:id/segments/:file',
  'GET /api/v1/exports/:id/file',
  'GET /api/v1/exports/:id/evidence',
  'GET /api/v1/audit/events',
  'GET /api/v1/incidents/:id/trail',
  'GET /api/v1/governance/evidence/bundle',
  'GET /api/v1/governance/readiness-pack',
  'GET /api/v1/auth/oidc/:provider/callback',
]);

/**
 * Non-GET routes that record no event of their own, and why: each starts a ceremony whose
 * completing request is audited, and what it keeps (a challenge, an unconfirmed secret) grants
 * nothing until then.
 */
const ceremonySteps = new Map([
  ['POST /api/v1/auth/passkey/options', 'a login challenge; POST /api/v1/auth/passkey/verify records the login'],
  ['POST /api/v1/auth/totp/enrol', 'an unconfirmed TOTP secret; POST /api/v1/auth/totp/confirm records the enrolment'],
  ['POST /api/v1/auth/passkey/register/options', 'a registration challenge; POST /api/v1/auth/passkey/register records the enrolment'],
]);

const keyOf = (r: RouteSpec) => `${r.method} ${r.url}`;

test('every state-changing route, and every route reading footage or the ledger, declares a catalogued audit event', () => {
  const routes = routeTable(undefined as unknown as RouteDeps);
  for (const route of routes) {
    const key = keyOf(route);
    const mustAudit = (route.method !== 'GET' && !ceremonySteps.has(key)) || auditedGets.has(key);
    if (mustAudit) assert.ok(route.audit !== undefined && isAuditEventType(route.audit), `${key} must declare a catalogued audit event`);
    else if (ceremonySteps.has(key)) assert.equal(route.audit, undefined, `${key} declares an event: remove it from ceremonySteps`);
    else assert.equal(route.audit, undefined, `${key} declares an event but is not on the audited list; add it to auditedGets`);
  }
  for (const key of [...auditedGets, ...ceremonySteps.keys()]) assert.ok(routes.some((r) => keyOf(r) === key), `${key} is listed but no longer in the route table`);
});

/** The app's public URL: the WebAuthn origin (relying party id `custos.test`) and the SSO callback base. */
const publicUrl = 'https://custos.test';
const oidcCallback = `${publicUrl}/api/v1/auth/oidc/corp/callback`;

/** What one walked request did: its status (or WebSocket close code), request id, and who the event must name. */
interface Walked {
  readonly status: number;
  readonly correlationId: string | null;
  readonly actor: { readonly kind: string; readonly id: string };
}

/** An audit event as GET /api/v1/audit/events returns it. */
interface ReadEvent {
  readonly record: Record<string, unknown> & { actor: { kind: string; id: string }; correlation_id?: string; outcome: string };
  readonly personal: Record<string, string> | 'erased' | null;
}

test('walking the route table: each audited route records its declared event for its request', { timeout: 180_000 }, async (t) => {
  const defer = teardown(t);
  // The identity providers run before the app: its config names them.
  const ssoDir = await tempDir('audit-walk-sso');
  defer(() => ssoDir.remove());
  const op = await startTestOp({
    dir: ssoDir.path,
    clients: [{ clientId: 'custos', clientSecret: 'walk-oidc-client-secret', redirectUris: [oidcCallback] }],
    accounts: { oscar: { claims: { preferred_username: 'oscar', name: 'Oscar Oidc', groups: ['vms-viewers'] } } },
  });
  defer(() => op.close());
  const idp = await startSamlIdp();
  defer(() => idp.close());
  await writeFile(join(ssoDir.path, 'idp.pem'), idp.certPem);

  const sim = await startTestCamsim({ cameras: 1 });
  defer(() => sim.close());
  const dir = await tempDir('audit-walk');
  defer(() => dir.remove());
  const app = await startTestApp(dir.path, {
    'recording.segmentSeconds': 2,
    'identity.publicUrl': publicUrl,
    'identity.oidc': [
      { id: 'corp', name: 'Corp OIDC', issuer: op.issuer, clientId: 'custos', clientSecret: 'walk-oidc-client-secret', caFile: op.caFile, roleMap: [{ value: 'vms-viewers', role: 'viewer' }] },
    ],
    'identity.saml': [
      { id: 'corp-saml', name: 'Corp SAML', entryPoint: idp.ssoUrl, idpIssuer: idp.entityId, idpCertFile: join(ssoDir.path, 'idp.pem'), roleMap: [{ value: 'vms-viewers', role: 'viewer' }] },
    ],
  });
  defer(() => app.close());
  const walkStartMs = Date.now();
  const camera = await app.cameras.add({ name: 'Walked', url: sim.urls[0] as string }, testActor);
  // Two sealed segments with their leaves, so playback and export have something to read.
  await waitFor('sealed segments', 60_000, async () => (await app.playback.segments(camera.id, 0, Date.now())).filter((s) => s.state === 'closed').length >= 2);

  const done = (res: LightMyRequestResponse, actor: Walked['actor']): Walked => {
    const correlationId = res.headers['x-correlation-id'];
    assert.ok(typeof correlationId === 'string', 'every answer names its request');
    return { status: res.statusCode, correlationId, actor };
  };
  const userActor = (id: string) => ({ kind: 'user', id: `user:${id}` });
  const ok = (res: LightMyRequestResponse, what: string) => assert.ok(res.statusCode < 300, `${what} answered ${res.statusCode}: ${res.body}`);

  // The first administrator comes from the setup token (the app has no user yet); every other
  // person is made once setup is done.
  const adminPassword = strongPassword();
  const newAdminPassword = strongPassword();
  const admin = new BrowserSession(app);
  const passkey = createSoftAuthenticator();
  let adminId = '';
  let totpSecret = '';
  let recoveryCodes: string[] = [];
  /** The administrator's working session: a passkey login (MFA done). */
  const desk = new BrowserSession(app);
  let staff: { investigator: Token; judge: Token; auditor: Token; viewer: Token } | undefined;
  const people = async () =>
    (staff ??= {
      investigator: await token(['investigator']),
      judge: await token(['investigator']),
      auditor: await token(['auditor']),
      viewer: await token(['viewer']),
    });
  type Token = TestPrincipal & { actor: Walked['actor'] };
  async function token(roles: string[]): Promise<Token> {
    assert.ok(adminId, 'people are made after first-run setup');
    const p = await testPrincipal(app, { roles });
    return { ...p, actor: { kind: 'token', id: await tokenActorId(app, p) } };
  }

  const from = new Date(walkStartMs - 60_000).toISOString();
  /** The camera the onboarding entries identify and quarantine. */
  let onboarded = '';
  /** A clean identified camera with a PTZ service (camsim), moved by the PTZ entries. */
  let ptzCamera = '';
  let ptzToken: Token | undefined;
  /** An operator: the default role holding camera.ptz (admin does not). */
  const ptzOperator = async () => (ptzToken ??= await token(['operator']));
  let officerToken: Token | undefined;
  const incidentOfficer = async () => (officerToken ??= await token(['compliance-officer']));
  /**
   * A member of the management body: role `management` (MFA-bound), signed in at the console
   * with a password and a freshly enrolled TOTP, as a board member approves a policy.
   */
  let board: { session: BrowserSession; id: string; actor: Walked['actor'] } | undefined;
  async function boardMember(): Promise<NonNullable<typeof board>> {
    if (board) return board;
    const password = strongPassword();
    const user = await app.identity.users.create({ username: 'ceo', displayName: 'Chief Executive', password }, testActor);
    await app.identity.grants.grant(user, { role: 'management', scope: 'global' }, { audit: testActor, userId: null });
    const session = new BrowserSession(app);
    assert.equal((await session.login('ceo', password)).stage, 'enrol', 'the management role needs a second factor');
    const enrol = await session.inject({ method: 'POST', url: '/api/v1/auth/totp/enrol' });
    ok(enrol, 'the board member\'s TOTP enrolment');
    const confirmed = await session.inject({ method: 'POST', url: '/api/v1/auth/totp/confirm', payload: { code: totpCode(enrol.json<{ secret: string }>().secret, Date.now()) } });
    ok(confirmed, 'the board member\'s TOTP confirmation');
    return (board = { session, id: user.id, actor: userActor(user.id) });
  }
  let policyDoc: { id: string; sha256: string } | undefined;
  let incidentId = '';
  let reportSha = '';
  let clerkId = '';
  let grantId = '';
  let spare = '';
  let exportId = '';
  let segmentFile = '';
  let bookmarkId = '';

  /** One real request per audited route, in the order a deployment's life would make them. */
  const walk: Record<string, () => Promise<Walked>> = {
    'POST /api/v1/auth/setup': async () => {
      const res = await admin.inject({ method: 'POST', url: '/api/v1/auth/setup', payload: { setupToken: await readSetupToken(dir.path), username: 'chief', displayName: 'Chief Admin', password: adminPassword } });
      const body = res.json<{ stage: string; user: { id: string } }>();
      adminId = body.user.id;
      assert.equal(body.stage, 'enrol', 'an administrator must enrol a second factor first');
      // The account is made by the setup step itself; its holder signs in right after.
      return done(res, { kind: 'system', id: 'system:setup' });
    },
    'POST /api/v1/auth/totp/confirm': async () => {
      const enrol = await admin.inject({ method: 'POST', url: '/api/v1/auth/totp/enrol' });
      ok(enrol, 'TOTP enrolment');
      totpSecret = enrol.json<{ secret: string }>().secret;
      const res = await admin.inject({ method: 'POST', url: '/api/v1/auth/totp/confirm', payload: { code: totpCode(totpSecret, Date.now()) } });
      recoveryCodes = res.json<{ recoveryCodes: string[] }>().recoveryCodes;
      assert.equal(recoveryCodes.length, 10, 'the first factor comes with recovery codes');
      return done(res, userActor(adminId));
    },
    'POST /api/v1/auth/passkey/register': async () => {
      const options = await admin.inject({ method: 'POST', url: '/api/v1/auth/passkey/register/options' });
      ok(options, 'passkey registration options');
      const { challengeId, options: o } = options.json<{ challengeId: string; options: { challenge: string; rp: { id: string } } }>();
      assert.equal(o.rp.id, 'custos.test', 'the relying party is the public URL\'s host');
      const response = passkey.register({ challenge: o.challenge, origin: publicUrl, rpId: o.rp.id });
      const res = await admin.inject({ method: 'POST', url: '/api/v1/auth/passkey/register', payload: { challengeId, response, name: 'soft key' } });
      return done(res, userActor(adminId));
    },
    'POST /api/v1/auth/login': async () => {
      const res = await new BrowserSession(app).inject({ method: 'POST', url: '/api/v1/auth/login', payload: { username: 'chief', password: adminPassword } });
      assert.equal(res.json<{ stage: string }>().stage, 'second-factor');
      return done(res, userActor(adminId));
    },
    'POST /api/v1/auth/totp/verify': async () => {
      const browser = new BrowserSession(app);
      await browser.login('chief', adminPassword);
      // The enrolment used the current step; a step is accepted once, so this is the next one.
      const res = await browser.inject({ method: 'POST', url: '/api/v1/auth/totp/verify', payload: { code: totpCode(totpSecret, Date.now() + 30_000) } });
      return done(res, userActor(adminId));
    },
    'POST /api/v1/auth/recovery/verify': async () => {
      const browser = new BrowserSession(app);
      await browser.login('chief', adminPassword);
      const res = await browser.inject({ method: 'POST', url: '/api/v1/auth/recovery/verify', payload: { code: recoveryCodes[0] } });
      return done(res, userActor(adminId));
    },
    'POST /api/v1/auth/passkey/verify': async () => {
      const options = await desk.inject({ method: 'POST', url: '/api/v1/auth/passkey/options' });
      ok(options, 'passkey login options');
      const { challengeId, options: o } = options.json<{ challengeId: string; options: { challenge: string; rpId: string } }>();
      const response = passkey.assert({ challenge: o.challenge, origin: publicUrl, rpId: o.rpId, counter: 1 });
      const res = await desk.inject({ method: 'POST', url: '/api/v1/auth/passkey/verify', payload: { challengeId, response } });
      assert.equal(res.json<{ stage: string }>().stage, 'complete', 'a passkey with user verification is two factors');
      return done(res, userActor(adminId));
    },
    'POST /api/v1/users': async () => {
      const res = await desk.inject({ method: 'POST', url: '/api/v1/users', payload: { username: 'clerk', password: strongPassword() } });
      clerkId = res.json<{ id: string }>().id;
      return done(res, userActor(adminId));
    },
    'POST /api/v1/access/grants': async () => {
      const res = await desk.inject({ method: 'POST', url: '/api/v1/access/grants', payload: { userId: clerkId, role: 'viewer', scope: 'site:default' } });
      grantId = res.json<{ id: string }>().id;
      return done(res, userActor(adminId));
    },
    'DELETE /api/v1/access/grants/:id': async () => done(await desk.inject({ method: 'DELETE', url: `/api/v1/access/grants/${grantId}` }), userActor(adminId)),
    'PATCH /api/v1/users/:id': async () => done(await desk.inject({ method: 'PATCH', url: `/api/v1/users/${clerkId}`, payload: { disabled: true } }), userActor(adminId)),
    'POST /api/v1/auth/tokens': async () => done(await desk.inject({ method: 'POST', url: '/api/v1/auth/tokens', payload: { name: 'walk', permissions: ['camera.read'], days: 1 } }), userActor(adminId)),
    'DELETE /api/v1/auth/tokens/:id': async () => {
      // A token revokes itself: the event names the token, not its owner.
      const created = await desk.inject({ method: 'POST', url: '/api/v1/auth/tokens', payload: { name: 'self-revoking', permissions: ['camera.read'], days: 1 } });
      ok(created, 'a second token');
      const { id, token: secret } = created.json<{ id: string; token: string }>();
      const res = await app.server.inject({ method: 'DELETE', url: `/api/v1/auth/tokens/${id}`, headers: { authorization: `Bearer ${secret}` } });
      return done(res, { kind: 'token', id: `token:${id}` });
    },
    'POST /api/v1/sites': async () => done(await desk.inject({ method: 'POST', url: '/api/v1/sites', payload: { id: 'north', name: 'North gate' } }), userActor(adminId)),
    'POST /api/v1/groups': async () => done(await desk.inject({ method: 'POST', url: '/api/v1/groups', payload: { id: 'entrances', name: 'Entrances' } }), userActor(adminId)),
    'PATCH /api/v1/groups/:id': async () => done(await desk.inject({ method: 'PATCH', url: '/api/v1/groups/entrances', payload: { cameraIds: [camera.id] } }), userActor(adminId)),
    'POST /api/v1/cameras': async () => {
      const res = await desk.inject({ method: 'POST', url: '/api/v1/cameras', payload: { name: 'Spare', url: 'rtsp://127.0.0.1:9/spare', enabled: false } });
      spare = res.json<{ id: string }>().id;
      return done(res, userActor(adminId));
    },
    'PATCH /api/v1/cameras/:id': async () => done(await desk.inject({ method: 'PATCH', url: `/api/v1/cameras/${spare}`, payload: { name: 'Spare 2' } }), userActor(adminId)),
    'DELETE /api/v1/cameras/:id': async () => done(await desk.inject({ method: 'DELETE', url: `/api/v1/cameras/${spare}` }), userActor(adminId)),
    'GET /api/v1/cameras/:id/playback.m3u8': async () => {
      const { investigator } = await people();
      const res = await investigator.inject({ method: 'GET', url: `/api/v1/cameras/${camera.id}/playback.m3u8?from=${from}&to=${new Date().toISOString()}` });
      segmentFile = /segments\/([0-9a-f-]{36}\.mp4)/.exec(res.body)?.[1] ?? '';
      return done(res, investigator.actor);
    },
    'GET /api/v1/cameras/:id/segments/:file': async () => {
      const { investigator } = await people();
      return done(await investigator.inject({ method: 'GET', url: `/api/v1/cameras/${camera.id}/segments/${segmentFile}` }), investigator.actor);
    },
    'POST /api/v1/exports': async () => {
      const { investigator } = await people();
      const res = await investigator.inject({ method: 'POST', url: '/api/v1/exports', payload: { cameraId: camera.id, from, to: new Date(Date.now() - 5_000).toISOString(), reason: 'route walk', requestedFor: 'the audit test' } });
      exportId = res.json<{ id: string }>().id;
      await app.exports.idle();
      return done(res, investigator.actor);
    },
    'GET /api/v1/exports/:id/file': async () => {
      const { investigator } = await people();
      return done(await investigator.inject({ method: 'GET', url: `/api/v1/exports/${exportId}/file` }), investigator.actor);
    },
    'GET /api/v1/exports/:id/evidence': async () => {
      const { investigator } = await people();
      const res = await investigator.inject({ method: 'GET', url: `/api/v1/exports/${exportId}/evidence` });
      // The real package of a real recording verifies offline with the published key.
      const path = join(dir.path, 'evidence.zip');
      await writeFile(path, res.rawPayload);
      const report = await verifyEvidence(path, app.ledger.vkey);
      assert.ok(report.ok, `evidence verifies: ${JSON.stringify(report.checks.filter((c) => !c.ok))}`);
      return done(res, investigator.actor);
    },
    'POST /api/v1/cameras/:id/bookmarks': async () => {
      const { investigator } = await people();
      const res = await investigator.inject({ method: 'POST', url: `/api/v1/cameras/${camera.id}/bookmarks`, payload: { from, to: new Date(Date.now() - 5_000).toISOString(), note: 'walked bookmark' } });
      bookmarkId = res.json<{ id: string }>().id;
      return done(res, investigator.actor);
    },
    'POST /api/v1/cameras/:id/bookmarks/:bookmarkId/hold': async () => {
      const { investigator } = await people();
      return done(await investigator.inject({ method: 'POST', url: `/api/v1/cameras/${camera.id}/bookmarks/${bookmarkId}/hold`, payload: { reason: 'case walk-1' } }), investigator.actor);
    },
    'POST /api/v1/cameras/:id/bookmarks/:bookmarkId/release': async () => {
      const { investigator } = await people();
      return done(await investigator.inject({ method: 'POST', url: `/api/v1/cameras/${camera.id}/bookmarks/${bookmarkId}/release`, payload: { reason: 'case walk-1 closed' } }), investigator.actor);
    },
    'DELETE /api/v1/cameras/:id/bookmarks/:bookmarkId': async () => {
      const { investigator } = await people();
      return done(await investigator.inject({ method: 'DELETE', url: `/api/v1/cameras/${camera.id}/bookmarks/${bookmarkId}` }), investigator.actor);
    },
    'GET /api/v1/audit/events': async () => {
      const { auditor } = await people();
      return done(await auditor.inject({ method: 'GET', url: '/api/v1/audit/events?limit=5' }), auditor.actor);
    },
    'GET /api/v1/cameras/:id/live': async () => {
      const { viewer } = await people();
      let correlationId: string | null = null;
      const status = await new Promise<number>((resolve, reject) => {
        const ws = new WebSocket(`${app.url.replace('https:', 'wss:')}/api/v1/cameras/${camera.id}/live`, { headers: viewer.headers, rejectUnauthorized: false });
        ws.on('upgrade', (res) => {
          const id = res.headers['x-correlation-id'];
          if (typeof id === 'string') correlationId = id;
        });
        ws.on('message', () => ws.close(1000, 'seen'));
        ws.on('close', (code) => resolve(code));
        ws.on('error', reject);
      });
      return { status, correlationId, actor: viewer.actor };
    },
    'PATCH /api/v1/sites/:id': async () => {
      // From here on, exports and unmasking at the default site need a second person.
      const res = await desk.inject({ method: 'PATCH', url: '/api/v1/sites/default', payload: { fourEyes: true } });
      assert.equal(res.json<{ fourEyes: boolean }>().fourEyes, true);
      return done(res, userActor(adminId));
    },
    'POST /api/v1/approvals': async () => {
      const { investigator } = await people();
      const res = await investigator.inject({ method: 'POST', url: '/api/v1/approvals', payload: { action: 'privacy.unmask', cameraId: camera.id, reason: 'identify a vehicle' } });
      return done(res, investigator.actor);
    },
    'POST /api/v1/approvals/:id/decision': async () => {
      const { investigator, judge } = await people();
      const asked = await investigator.inject({
        method: 'POST',
        url: '/api/v1/exports',
        payload: { cameraId: camera.id, from, to: new Date(Date.now() - 5_000).toISOString(), reason: 'four-eyes walk', requestedFor: 'the audit test' },
      });
      const problem = asked.json<{ code: string; approvalId: string }>();
      assert.equal(problem.code, 'APPROVAL_REQUIRED', 'at a four-eyes site an export is a request');
      const res = await judge.inject({ method: 'POST', url: `/api/v1/approvals/${problem.approvalId}/decision`, payload: { approve: true, reason: 'case file checked' } });
      const decided = res.json<{ status: string; exportId: string | null }>();
      assert.equal(decided.status, 'used', 'the approved export starts at once');
      await app.exports.idle();
      const job = await investigator.inject({ method: 'GET', url: `/api/v1/exports/${decided.exportId ?? ''}` });
      assert.equal(job.json<{ state: string }>().state, 'done');
      return done(res, judge.actor);
    },
    'POST /api/v1/alarms/:seq/actions': async () => {
      // The grants made so far raised privilege-assigned alarms: the officer acknowledges one.
      const officer = await incidentOfficer();
      await app.incidents.feed.settled();
      const alarms = (await officer.inject({ method: 'GET', url: '/api/v1/alarms' })).json<{ seq: number }[]>();
      assert.ok(alarms.length > 0, 'the inbox holds the alarms of the walk');
      const res = await officer.inject({ method: 'POST', url: `/api/v1/alarms/${alarms[0]!.seq}/actions`, payload: { action: 'acknowledge' } });
      return done(res, officer.actor);
    },
    'POST /api/v1/incidents/candidates/:id/decision': async () => {
      const officer = await incidentOfficer();
      // A tamper report of the walked camera (the analytics that emit it are not built yet).
      await app.ledger.record({ type: 'alarm.raised', actor: { kind: 'system', id: 'system:alarm-rules' }, outcome: 'success', cameraId: camera.id, target: { kind: 'camera', id: camera.id }, details: { rule: 'camera-tamper', title: 'Camera tampering', triggeredBy: [] } });
      await app.incidents.feed.settled();
      const candidates = (await officer.inject({ method: 'GET', url: '/api/v1/incidents/candidates?status=open' })).json<{ id: string; kind: string }[]>();
      const tamper = candidates.find((c) => c.kind === 'tamper');
      assert.ok(tamper, 'the tamper alarm raised a candidate');
      const res = await officer.inject({ method: 'POST', url: `/api/v1/incidents/candidates/${tamper.id}/decision`, payload: { decision: 'qualify', reason: 'camera covered during the walk' } });
      incidentId = res.json<{ incident: { id: string } }>().incident.id;
      return done(res, officer.actor);
    },
    'POST /api/v1/incidents': async () => {
      const officer = await incidentOfficer();
      const res = await officer.inject({ method: 'POST', url: '/api/v1/incidents', payload: { title: 'Walked incident', awareAt: new Date().toISOString(), description: 'opened by hand' } });
      return done(res, officer.actor);
    },
    'PATCH /api/v1/incidents/:id': async () => {
      const officer = await incidentOfficer();
      const res = await officer.inject({ method: 'PATCH', url: `/api/v1/incidents/${incidentId}`, payload: { description: 'The walked camera was covered.', version: 1 } });
      return done(res, officer.actor);
    },
    'POST /api/v1/incidents/:id/reports/:stage': async () => {
      const officer = await incidentOfficer();
      const res = await officer.inject({ method: 'POST', url: `/api/v1/incidents/${incidentId}/reports/early-warning`, payload: { format: 'json' } });
      reportSha = String(res.headers['x-custos-sha256']);
      return done(res, officer.actor);
    },
    'POST /api/v1/incidents/:id/submissions': async () => {
      const officer = await incidentOfficer();
      const res = await officer.inject({ method: 'POST', url: `/api/v1/incidents/${incidentId}/submissions`, payload: { stage: 'early-warning', sentAt: new Date().toISOString(), sha256: reportSha, recipient: 'CSIRT' } });
      return done(res, officer.actor);
    },
    'GET /api/v1/incidents/:id/trail': async () => {
      const officer = await incidentOfficer();
      const res = await officer.inject({ method: 'GET', url: `/api/v1/incidents/${incidentId}/trail` });
      return done(res, officer.actor);
    },
    'PATCH /api/v1/governance/requirements/:id': async () => {
      const officer = await incidentOfficer();
      const res = await officer.inject({ method: 'PATCH', url: '/api/v1/governance/requirements/nis2-21.2.h', payload: { status: 'implemented', owner: 'CISO', evidence: ['https://intranet.example/crypto-policy'] } });
      assert.equal(res.json<{ status: string }>().status, 'implemented');
      return done(res, officer.actor);
    },
    'POST /api/v1/governance/documents': async () => {
      const officer = await incidentOfficer();
      const bytes = Buffer.from('Information security policy (route walk)\n');
      const res = await officer.inject({ method: 'POST', url: '/api/v1/governance/documents', payload: { kind: 'policy', title: 'Walked policy', mediaType: 'text/plain', contentBase64: bytes.toString('base64') } });
      policyDoc = res.json<{ id: string; sha256: string }>();
      return done(res, officer.actor);
    },
    'POST /api/v1/governance/documents/:id/approvals': async () => {
      const ceo = await boardMember();
      assert.ok(policyDoc, 'a document is on file');
      const res = await ceo.session.inject({ method: 'POST', url: `/api/v1/governance/documents/${policyDoc.id}/approvals`, payload: { sha256: policyDoc.sha256, approverFunction: 'CEO', note: 'route walk' } });
      assert.equal(res.json<{ approverId: string }>().approverId, `user:${ceo.id}`, 'the approval is personal');
      return done(res, ceo.actor);
    },
    'POST /api/v1/governance/training': async () => {
      const ceo = await boardMember();
      const res = await ceo.session.inject({ method: 'POST', url: '/api/v1/governance/training', payload: { course: 'NIS2 for management bodies', completedOn: '2026-11-30' } });
      return done(res, ceo.actor);
    },
    'PUT /api/v1/governance/retention-justifications/:id': async () => {
      const officer = await incidentOfficer();
      const res = await officer.inject({ method: 'PUT', url: `/api/v1/governance/retention-justifications/${camera.id}`, payload: { justification: 'Insurance requires seven days (route walk)' } });
      return done(res, officer.actor);
    },
    'GET /api/v1/governance/evidence/bundle': async () => {
      const officer = await incidentOfficer();
      const res = await officer.inject({ method: 'GET', url: '/api/v1/governance/evidence/bundle' });
      await verifiesOffline(res, 'governance-evidence.zip', 'evidence');
      return done(res, officer.actor);
    },
    'GET /api/v1/governance/readiness-pack': async () => {
      // The auditor reads governance evidence too; the pack leaves the system through them.
      const { auditor } = await people();
      const res = await auditor.inject({ method: 'GET', url: '/api/v1/governance/readiness-pack' });
      await verifiesOffline(res, 'readiness-pack.zip', 'readiness');
      return done(res, auditor.actor);
    },
    'POST /api/v1/onboarding/discover': async () => {
      const responder = await startDiscoveryResponder({ interfaceAddress: '127.0.0.1', port: 0, multicast: false, xaddr: 'http://127.0.0.1:9/onvif/device_service' });
      defer(() => responder.close());
      const res = await desk.inject({ method: 'POST', url: '/api/v1/onboarding/discover', payload: { unicast: [`127.0.0.1:${responder.port}`], timeoutMs: 400 } });
      ok(res, 'discovery');
      return done(res, userActor(adminId));
    },
    'POST /api/v1/cameras/:id/identify': async () => {
      // A camera of its own, identified as an "Acme" with a Hikvision MAC prefix: quarantined, so
      // the risk-acceptance and inventory entries below have a quarantined camera to act on.
      // (Its RTSP URL answers nothing: it is quarantined before it could record.)
      onboarded = (await app.cameras.add({ name: 'Onboarded', url: 'rtsp://127.0.0.1:9/onboarded' }, testActor)).id;
      const device = await startOnvifDevice({ identity: { ...defaultOnvifIdentity, manufacturer: 'Acme Optics', model: 'AO-300', mac: '44:19:b6:01:02:03' }, rtspUrl: sim.urls[0] as string, username: 'onvif-admin', password: 'onvif-pass-42', clock: systemClock });
      defer(() => device.close());
      const res = await desk.inject({ method: 'POST', url: `/api/v1/cameras/${onboarded}/identify`, payload: { xaddr: device.xaddr, username: 'onvif-admin', password: 'onvif-pass-42' } });
      ok(res, 'identify');
      assert.equal(res.json<{ quarantined: boolean }>().quarantined, true);
      return done(res, userActor(adminId));
    },
    'POST /api/v1/advisories': async () => {
      // An OSV record for the onboarded camera's model: imported through the API, audited.
      const doc = osvAdvisory({ id: 'OSV-2026-ROUTEWALK', aliases: ['CVE-2026-90001'], vendor: 'Acme Optics', model: 'AO-300', events: [{ introduced: '0' }] });
      const res = await desk.inject({ method: 'POST', url: '/api/v1/advisories', payload: doc });
      ok(res, 'advisory import');
      return done(res, userActor(adminId));
    },
    'PATCH /api/v1/inventory/:id': async () => {
      const res = await desk.inject({ method: 'PATCH', url: `/api/v1/inventory/${onboarded}`, payload: { location: 'Loading bay', owner: 'Facilities' } });
      return done(res, userActor(adminId));
    },
    'PUT /api/v1/inventory/:id/sbom': async () => {
      const res = await desk.inject({ method: 'PUT', url: `/api/v1/inventory/${onboarded}/sbom`, payload: { bomFormat: 'CycloneDX', specVersion: '1.6', version: 1, components: [{ type: 'library', name: 'openssl', version: '3.0.13' }] } });
      ok(res, 'attaching a camera SBOM');
      return done(res, userActor(adminId));
    },
    'POST /api/v1/cameras/:id/ptz/move': async () => {
      // A clean camera of its own whose ONVIF device (same host, same credentials) has a PTZ service.
      ptzCamera = (await app.cameras.add({ name: 'PTZ walked', url: 'rtsp://127.0.0.1:9/ptz', username: 'onvif-admin', password: 'onvif-pass-42', enabled: false }, testActor)).id;
      const device = await startOnvifDevice({ identity: { ...defaultOnvifIdentity, manufacturer: 'Acme Optics', mac: '02:00:5e:77:00:01' }, rtspUrl: 'rtsp://127.0.0.1:9/ptz', username: 'onvif-admin', password: 'onvif-pass-42', clock: systemClock, ptz: true });
      defer(() => device.close());
      ok(await desk.inject({ method: 'POST', url: `/api/v1/cameras/${ptzCamera}/identify`, payload: { xaddr: device.xaddr } }), 'identify the PTZ camera');
      const operator = await ptzOperator();
      const res = await operator.inject({ method: 'POST', url: `/api/v1/cameras/${ptzCamera}/ptz/move`, payload: { pan: 0.5, timeoutMs: 2000 } });
      ok(res, 'PTZ move');
      return done(res, operator.actor);
    },
    'POST /api/v1/cameras/:id/ptz/stop': async () => {
      const operator = await ptzOperator();
      const res = await operator.inject({ method: 'POST', url: `/api/v1/cameras/${ptzCamera}/ptz/stop` });
      ok(res, 'PTZ stop');
      return done(res, operator.actor);
    },
    'POST /api/v1/cameras/:id/ptz/presets': async () => {
      const operator = await ptzOperator();
      const res = await operator.inject({ method: 'POST', url: `/api/v1/cameras/${ptzCamera}/ptz/presets`, payload: { name: 'Gate' } });
      ok(res, 'PTZ set preset');
      return done(res, operator.actor);
    },
    'POST /api/v1/cameras/:id/ptz/presets/:token/goto': async () => {
      const [preset] = (await (await ptzOperator()).inject({ method: 'GET', url: `/api/v1/cameras/${ptzCamera}/ptz/presets` })).json<{ token: string }[]>();
      const operator = await ptzOperator();
      const res = await operator.inject({ method: 'POST', url: `/api/v1/cameras/${ptzCamera}/ptz/presets/${encodeURIComponent(preset?.token ?? '')}/goto` });
      ok(res, 'PTZ go to preset');
      return done(res, operator.actor);
    },
    'POST /api/v1/cameras/:id/firmware': async () => {
      // An image staged on the host (as custos firmware stage leaves it) for the clean PTZ camera.
      const image = Buffer.from('walked firmware image');
      const sha256 = createHash('sha256').update(image).digest('hex');
      await stageFirmwareImage(dir.path, sha256, image);
      const res = await desk.inject({ method: 'POST', url: `/api/v1/cameras/${ptzCamera}/firmware`, payload: { sha256 } });
      assert.equal(res.json<{ code: string }>().code, 'APPROVAL_REQUIRED', 'a firmware push is always a four-eyes request');
      return { ...done(res, userActor(adminId)), status: 202 };
    },
    'POST /api/v1/cameras/:id/risk-acceptance': async () => {
      const res = await desk.inject({ method: 'POST', url: `/api/v1/cameras/${onboarded}/risk-acceptance`, payload: { reason: 'replacement ordered (route walk)', until: new Date(Date.now() + 86_400_000).toISOString() } });
      assert.equal(res.json<{ code: string }>().code, 'APPROVAL_REQUIRED', 'a risk acceptance is always a four-eyes request');
      // Filing the request is the route's success: its answer is APPROVAL_REQUIRED by contract.
      return { ...done(res, userActor(adminId)), status: 202 };
    },
    'POST /api/v1/auth/password': async () => {
      const res = await desk.inject({ method: 'POST', url: '/api/v1/auth/password', payload: { currentPassword: adminPassword, newPassword: newAdminPassword } });
      return done(res, userActor(adminId));
    },
    'POST /api/v1/auth/logout-everywhere': async () => {
      const res = await desk.inject({ method: 'POST', url: '/api/v1/auth/logout-everywhere' });
      assert.equal((await desk.inject({ method: 'GET', url: '/api/v1/auth/me' })).statusCode, 401, 'the session ended');
      return done(res, userActor(adminId));
    },
    'POST /api/v1/auth/logout': async () => {
      // Logging out needs no second factor: a half-finished login can be ended too.
      const browser = new BrowserSession(app);
      assert.equal((await browser.login('chief', newAdminPassword)).stage, 'second-factor');
      return done(await browser.inject({ method: 'POST', url: '/api/v1/auth/logout' }), userActor(adminId));
    },
    'GET /api/v1/auth/oidc/:provider/callback': async () => {
      const browser = new BrowserSession(app);
      const start = await browser.inject({ method: 'GET', url: '/api/v1/auth/oidc/corp/start' });
      assert.equal(start.statusCode, 302, start.body);
      const back = await new OidcTestBrowser(op.caPem).login(String(start.headers.location), oidcCallback, { account: 'oscar' });
      const res = await browser.inject({ method: 'GET', url: `${back.pathname}${back.search}` });
      return done(res, userActor(await signedInAs(browser)));
    },
    'POST /api/v1/auth/saml/:provider/acs': async () => {
      const browser = new BrowserSession(app);
      const metadata = await browser.inject({ method: 'GET', url: '/api/v1/auth/saml/corp-saml/metadata' });
      ok(metadata, 'SAML metadata');
      idp.trust(metadata.body);
      const start = await browser.inject({ method: 'GET', url: '/api/v1/auth/saml/corp-saml/start' });
      assert.equal(start.statusCode, 302, start.body);
      const posted = await idp.login(String(start.headers.location), { nameId: 'sam@corp.example', attributes: { groups: ['vms-viewers'], displayName: 'Sam Saml' } });
      const form = new URLSearchParams({ SAMLResponse: posted.samlResponse, ...(posted.relayState === null ? {} : { RelayState: posted.relayState }) });
      // The IdP's page posts cross-site: no CSRF token, the SSO cookie binds it to its login.
      const res = await browser.inject({ method: 'POST', url: new URL(posted.action).pathname, headers: { 'content-type': 'application/x-www-form-urlencoded' }, payload: form.toString() });
      return done(res, userActor(await signedInAs(browser)));
    },
  };

  /** A governance bundle answered by the walk verifies offline with the published key. */
  async function verifiesOffline(res: LightMyRequestResponse, name: string, kind: string): Promise<void> {
    ok(res, name);
    const path = join(dir.path, name);
    await writeFile(path, res.rawPayload);
    const report = await verifyBundle(path, app.ledger.vkey);
    assert.ok(report.ok, `${name} verifies: ${JSON.stringify(report.checks.filter((c) => !c.ok))}`);
    assert.equal(report.kind, kind);
  }

  /** The user a browser's new session belongs to, and that it may use its mapped grant. */
  async function signedInAs(browser: BrowserSession): Promise<string> {
    const me = await browser.inject({ method: 'GET', url: '/api/v1/auth/me' });
    ok(me, 'the SSO session');
    const body = me.json<{ user: { id: string }; stage: string; grants: { role: string; scope: string }[] }>();
    assert.equal(body.stage, 'complete');
    assert.deepEqual(body.grants, [{ role: 'viewer', scope: 'global' }], 'the claim mapped to its role');
    return body.user.id;
  }

  const audited = routeTable(undefined as unknown as RouteDeps).filter((r) => r.audit !== undefined);
  for (const route of audited) assert.ok(walk[keyOf(route)], `the walk has no request for ${keyOf(route)}: add one`);
  const auditedByKey = new Map(audited.map((r) => [keyOf(r), r]));

  for (const [key, request] of Object.entries(walk)) {
    const route = auditedByKey.get(key);
    assert.ok(route?.audit, `the walk calls ${key}, which is not an audited route`);
    const type = route.audit;
    const before = app.ledger.size;
    const walked = await request();
    assert.ok(walked.status < 300 || walked.status === 1000, `${key} answered ${walked.status}`);
    await app.ledger.drain();
    const found = await waitFor(`${type} from ${key}`, 10_000, async () => {
      const events = await fetchEvents(type, before);
      // A WebSocket's upgrade answer carries no correlation id: the view is found by its actor,
      // a token that makes no other request.
      return events.find((e) => (walked.correlationId === null ? e.record.actor.id === walked.actor.id : e.record.correlation_id === walked.correlationId));
    });
    assert.deepEqual(found.record.actor, walked.actor, `${key}: the actor of ${type}`);
    assert.equal(found.record.outcome, 'success', key);
    assert.ok(typeof found.record.correlation_id === 'string', `${key}: the event names its request`);
    assert.ok(found.personal !== null && found.personal !== 'erased' && found.personal.sourceAddress === '127.0.0.1', `${key}: the source address is kept, sealed`);
  }

  async function fetchEvents(type: string, after: number): Promise<ReadEvent[]> {
    const { auditor } = await people();
    const res = await auditor.inject({ method: 'GET', url: `/api/v1/audit/events?type=${encodeURIComponent(type)}&after=${after - 1}&limit=50` });
    ok(res, 'reading the ledger');
    return res.json<{ events: ReadEvent[] }>().events;
  }
});
