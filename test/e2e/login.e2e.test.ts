/**
 * Signing in through the web page, end to end: the real app (HTTPS, SQLite, sessions, CSRF,
 * the audit ledger) and headless Chromium, with a CDP virtual authenticator for passkeys.
 * The page is opened at https://localhost:port, the WebAuthn relying party of a loopback bind.
 * Covers first-run setup with TOTP enrolment, recovery codes, TOTP and recovery-code second
 * factors, passkey registration, passkey-only login and a passkey second factor (with their
 * audit events), a refused password, and a session ended by the server. Nothing is mocked.
 */
import assert from 'node:assert/strict';
import { readFile } from 'node:fs/promises';
import { join } from 'node:path';
import { after, before, describe, it } from 'node:test';
import type { Browser, BrowserContext, Page } from 'playwright-core';
import type { App } from '../../src/app.ts';
import { totpCode } from '../../src/identity/credentials/totp.ts';
import { strongPassword, testPrincipal } from '../helpers/access.ts';
import { testActor } from '../helpers/audit.ts';
import { collectPageErrors, launchChromium, newTrustingContext } from '../helpers/chromium.ts';
import { startTestApp, tempDir } from '../helpers/harness.ts';
import { teardown } from '../helpers/teardown.ts';

const loginFailedDetail = 'the user name, password or second factor was not accepted';

/** A fresh browser context (no cookies) with the page open at the app, and its error list. */
interface Visit {
  readonly context: BrowserContext;
  readonly page: Page;
  readonly errors: string[];
}

/** The views of the page, by the element that is visible in each. */
const views = {
  login: '#login-view',
  'second-factor': '#second-factor-view',
  enrol: '#enrol-view',
  recovery: '#recovery-view',
  console: '#console-view',
} as const;

/** Waits for an element to show; a timeout reports what the page's alert says. */
async function expectVisible(page: Page, selector: string, what: string): Promise<void> {
  await page
    .locator(selector)
    .waitFor({ state: 'visible', timeout: 15_000 })
    .catch(async (e: unknown) => {
      const alert = (await page.locator('#auth-error').textContent({ timeout: 1000 }).catch(() => null)) ?? '';
      throw new Error(`${what} did not appear; the page's alert says "${alert}"`, { cause: e });
    });
}

const expectView = (page: Page, view: keyof typeof views) => expectVisible(page, views[view], `the ${view} view`);

async function signInWithPassword(page: Page, username: string, password: string): Promise<void> {
  const form = page.locator('#login-form');
  await form.getByLabel('User name').fill(username);
  await form.getByLabel('Password').fill(password);
  await form.getByRole('button', { name: 'Sign in', exact: true }).click();
}

async function logOut(page: Page): Promise<void> {
  await page.getByRole('button', { name: 'Log out' }).click();
  await expectView(page, 'login');
  assert.equal(await page.locator('#auth-info').textContent(), 'You have signed out.');
}

/** The page's own view of the session, asked the way the page asks (same cookie). */
function me(page: Page): Promise<{ status: number; body: Record<string, unknown> }> {
  return page.evaluate(async () => {
    const res = await fetch('/api/v1/auth/me', { headers: { accept: 'application/json' } });
    return { status: res.status, body: (await res.json()) as Record<string, unknown> };
  });
}

/** Console errors other than the 401s a signed-out page and a refused login answer with. */
function unexpectedErrors(errors: readonly string[]): string[] {
  return errors.filter((e) => !/status of 401/.test(e));
}

describe('Signing in through the web page', () => {
  let dir: Awaited<ReturnType<typeof tempDir>> | undefined;
  let app: App | undefined;
  let browser: Browser | undefined;
  let baseUrl = '';

  const defer = teardown({ after });

  before(async () => {
    dir = await tempDir('e2e-login');
    defer(() => dir?.remove());
    app = await startTestApp(dir.path);
    defer(() => app?.close());
    // WebAuthn needs a domain, not an IP address; the relying party of a loopback bind is localhost.
    baseUrl = app.url.replace('127.0.0.1', 'localhost');
    browser = await launchChromium();
    defer(() => browser?.close());
  });

  /** Opens the page in a fresh context; a failing test leaves a screenshot named after `name`. */
  async function visit(name: string, test: (v: Visit) => Promise<void>, setup?: (context: BrowserContext, page: Page) => Promise<void>): Promise<void> {
    const context = await newTrustingContext(browser!);
    const page = await context.newPage();
    const v: Visit = { context, page, errors: collectPageErrors(page) };
    try {
      if (setup) await setup(context, page);
      await page.goto(baseUrl);
      await test(v);
      assert.deepEqual(unexpectedErrors(v.errors), [], 'the browser console shows no unexpected errors');
    } catch (e) {
      await page.screenshot({ path: `/tmp/custos-login-${name}.png`, fullPage: true }).catch(() => undefined);
      throw e;
    } finally {
      await context.close();
    }
  }

  it('creates the first administrator with the setup token, enrols TOTP, shows recovery codes once, then signs in again with password and TOTP', async () => {
    const setupToken = (await readFile(join(dir!.path, 'setup-token'), 'utf8')).trim();
    const password = strongPassword();
    await visit('setup', async ({ page }) => {
      await expectView(page, 'login');
      await expectVisible(page, '#setup-form', 'the first-run setup form');
      const setup = page.locator('#setup-form');
      await setup.getByLabel('Setup token').fill(setupToken);
      await setup.getByLabel('User name').fill('root');
      await setup.getByLabel('Password').fill(password);
      await setup.getByRole('button', { name: 'Create administrator' }).click();

      // The admin role requires a second factor and the new account has none: enrolment.
      await expectView(page, 'enrol');
      await page.getByRole('button', { name: 'Set up an authenticator app' }).click();
      await expectVisible(page, '#totp-enrol', 'the TOTP secret and QR code');
      const secret = (await page.locator('#totp-secret').textContent()) ?? '';
      assert.match(secret, /^[A-Z2-7]{32}$/, 'the base32 secret is shown for manual entry');
      assert.ok(await page.locator('#totp-qr').evaluate((img: HTMLImageElement) => img.complete && img.naturalWidth > 0), 'the QR code is drawn');
      await page.getByLabel('Code shown by the app').fill(totpCode(secret, Date.now()));
      await page.getByRole('button', { name: 'Confirm' }).click();

      await expectView(page, 'recovery');
      const codes = await page.locator('#recovery-codes li').allTextContents();
      assert.equal(codes.length, 10, 'ten recovery codes are shown');
      assert.equal(new Set(codes).size, 10);
      await page.getByRole('button', { name: 'I saved them' }).click();
      await expectView(page, 'console');
      assert.equal(await page.locator('#session-name').textContent(), 'root');
      await expectVisible(page, '#no-cameras', 'the (empty) camera list, loaded with the session');
      // The only account: the console guides the administrator to create someone who watches.
      await expectVisible(page, '#first-run-guide', 'the first administrator\'s guide');
      const guide = page.locator('#first-run-guide');
      await guide.getByLabel('User name').fill('olga');
      await guide.getByLabel('Initial password').fill(strongPassword());
      await guide.getByLabel('Role').selectOption('operator');
      await guide.getByRole('button', { name: 'Create user' }).click();
      await guide.getByText('Created olga with the role operator.').waitFor({ timeout: 10_000 });
      const olga = (await app!.identity.users.list()).find((u) => u.username === 'olga');
      assert.ok(olga, 'the operator exists');
      assert.deepEqual(
        (await app!.identity.grants.ofUser(olga.id)).map((g) => [g.role, g.scope.kind]),
        [['operator', 'global']],
      );
      const session = await me(page);
      assert.equal(session.status, 200);
      assert.equal(session.body.stage, 'complete');
      assert.deepEqual(session.body.factors, { totp: true, passkeys: 0, recoveryCodesLeft: 10 });

      await logOut(page);
      assert.equal(await page.locator('#setup-form').isVisible(), false, 'setup is offered only while no account exists');
      assert.equal((await me(page)).status, 401, 'the session ended on the server');

      // Second login: the password alone reaches the second-factor step. The enrolment used the
      // current step and a step is accepted once, so the next step's code (within the ±1 window).
      await signInWithPassword(page, 'root', password);
      await expectView(page, 'second-factor');
      assert.equal((await me(page)).body.stage, 'second-factor');
      // The account has no passkey: the page offers none.
      await page.getByRole('button', { name: 'Use a passkey' }).waitFor({ state: 'hidden', timeout: 5_000 });
      await page.getByLabel('Code from your authenticator app').fill(totpCode(secret, Date.now() + 30_000));
      await page.getByRole('button', { name: 'Verify code' }).click();
      await expectView(page, 'console');
      assert.equal((await me(page)).body.stage, 'complete');

      // A recovery code works once as the second factor.
      await logOut(page);
      await signInWithPassword(page, 'root', password);
      await expectView(page, 'second-factor');
      await page.getByLabel('Or use a recovery code').fill(codes[0]!);
      await page.getByRole('button', { name: 'Use recovery code' }).click();
      await expectView(page, 'console');
      assert.deepEqual((await me(page)).body.factors, { totp: true, passkeys: 0, recoveryCodesLeft: 9 });
    });
  });

  it('registers a passkey for a user whose role requires MFA, signs in with the passkey alone, and uses it as the second factor after a password', async () => {
    const password = strongPassword();
    const user = await app!.identity.users.create({ username: 'audrey', displayName: 'Audrey Auditor', password }, testActor);
    await app!.identity.grants.grant(user, { role: 'auditor', scope: 'global' }, { audit: testActor, userId: null });
    const startMs = Date.now();

    await visit(
      'passkey',
      async ({ page }) => {
        await expectView(page, 'login');
        await signInWithPassword(page, 'audrey', password);
        await expectView(page, 'enrol');
        await page.getByRole('button', { name: 'Register a passkey' }).click();
        // The first factor comes with recovery codes.
        await expectView(page, 'recovery');
        assert.equal(await page.locator('#recovery-codes li').count(), 10);
        await page.getByRole('button', { name: 'I saved them' }).click();
        await expectView(page, 'console');
        assert.equal(await page.locator('#session-name').textContent(), 'Audrey Auditor');

        await logOut(page);
        await page.getByRole('button', { name: 'Sign in with a passkey' }).click();
        await expectView(page, 'console');
        const session = await me(page);
        assert.equal(session.status, 200);
        assert.equal(session.body.stage, 'complete');
        assert.equal((session.body.factors as { passkeys: number }).passkeys, 1);
        assert.deepEqual((session.body.user as { username: string }).username, 'audrey');

        // After a password, the passkey is the second factor (and TOTP, not enrolled, is not offered).
        await logOut(page);
        await signInWithPassword(page, 'audrey', password);
        await expectView(page, 'second-factor');
        await page.locator('#totp-form').waitFor({ state: 'hidden', timeout: 5_000 });
        await page.getByRole('button', { name: 'Use a passkey' }).click();
        await expectView(page, 'console');
        assert.equal((await me(page)).body.stage, 'complete');
      },
      async (context, page) => {
        const cdp = await context.newCDPSession(page);
        await cdp.send('WebAuthn.enable');
        await cdp.send('WebAuthn.addVirtualAuthenticator', {
          options: { protocol: 'ctap2', transport: 'internal', hasResidentKey: true, hasUserVerification: true, isUserVerified: true, automaticPresenceSimulation: true },
        });
      },
    );

    // The ledger recorded the enrolment and every login step of this user, with its method.
    const auditor = await testPrincipal(app!, { roles: ['auditor'] });
    const events = async (type: string) => {
      const res = await auditor.inject({ method: 'GET', url: `/api/v1/audit/events?type=${type}&from=${new Date(startMs - 1000).toISOString()}` });
      assert.equal(res.statusCode, 200, res.body);
      return res
        .json<{ events: Array<{ record: { target?: { id: string }; details?: Record<string, unknown> } }> }>()
        .events.map((e) => e.record)
        .filter((r) => r.target?.id === `user:${user.id}`);
    };
    const enrolled = await events('auth.mfa.enrolled');
    assert.deepEqual(
      enrolled.map((r) => r.details?.factor),
      ['passkey'],
    );
    const logins = await events('auth.login.succeeded');
    assert.deepEqual(
      logins.map((r) => [r.details?.method, r.details?.stage]),
      [
        ['password', 'enrol'],
        ['passkey', 'complete'],
        ['password', 'second-factor'],
        ['password+passkey', 'complete'],
      ],
    );
  });

  it('answers a wrong password with the generic LOGIN_FAILED message and sets no session cookie', async () => {
    const password = strongPassword();
    await app!.identity.users.create({ username: 'walter', password }, testActor);
    await visit('wrong-password', async ({ context, page }) => {
      await expectView(page, 'login');
      await signInWithPassword(page, 'walter', `${password}x`);
      const alert = page.getByRole('alert').filter({ hasText: loginFailedDetail });
      await alert.waitFor({ state: 'visible', timeout: 10_000 });
      assert.equal(await page.locator('#auth-error').textContent(), loginFailedDetail);
      assert.equal(await page.locator('#login-view').isVisible(), true, 'the page stays on the login view');
      assert.equal(await page.locator('#console-view').isVisible(), false);
      const cookies = await context.cookies(baseUrl);
      assert.deepEqual(
        cookies.filter((c) => c.name === '__Host-custos_session'),
        [],
      );
      // An unknown account gets exactly the same answer.
      await signInWithPassword(page, 'nobody-here', password);
      await page.waitForFunction(() => document.querySelector('#login-submit')?.hasAttribute('disabled') === false);
      assert.equal(await page.locator('#auth-error').textContent(), loginFailedDetail);
    });
  });

  it('returns to the login view with a notice when the server ends the session', async () => {
    const password = strongPassword();
    const user = await app!.identity.users.create({ username: 'vera', password }, testActor);
    await app!.identity.grants.grant(user, { role: 'viewer', scope: 'global' }, { audit: testActor, userId: null });
    await visit('session-ended', async ({ page }) => {
      await expectView(page, 'login');
      await signInWithPassword(page, 'vera', password);
      await expectView(page, 'console');
      // Ended elsewhere (logout everywhere, an administrator): the page's next request gets 401.
      assert.equal(await app!.identity.sessions.endAll(user.id), 1);
      await expectView(page, 'login');
      assert.equal(await page.locator('#auth-error').textContent(), 'Your session has ended. Sign in again.');
      assert.equal(await page.locator('#session-bar').isVisible(), false);
    });
  });
});
