// The sign-in flow of the page: password login, first-run setup, SSO buttons, the second
// factor (TOTP, recovery code, passkey), enrolment of one, recovery codes, and sign-out. The
// signed-in part of the page (the cameras) is reached only through the hooks of startSignIn().

import { ApiError, api, onAuthProblem, postJson, setCsrfToken } from './api.js';
import { $, setText, showMessage } from './dom.js';
import { createPasskey, getPasskeyAssertion, passkeysSupported } from './webauthn.js';

const bootStatus = $('boot-status');
const authView = $('auth-view');
const authHeading = $('auth-heading');
const authError = $('auth-error');
const authInfo = $('auth-info');
const camerasView = $('cameras-view');
const sessionBar = $('session-bar');
const panels = { login: $('login-view'), 'second-factor': $('second-factor-view'), enrol: $('enrol-view'), recovery: $('recovery-view') };
const headings = { login: 'Sign in', 'second-factor': 'Second factor', enrol: 'Set up a second factor', recovery: 'Recovery codes' };

/** boot, login, second-factor, enrol, recovery or cameras. */
let currentView = 'boot';
/** The signed-in user ({ id, username, displayName }) once a login step succeeded. */
let currentUser = null;
/** What the cameras view does when it is shown and hidden; set by startSignIn(). */
let camerasHooks = { show: () => undefined, hide: () => undefined };

/** Shows one view; every sign-in view starts without an old message. */
function showView(view) {
  currentView = view;
  bootStatus.hidden = true;
  showMessage(authError, '', true);
  showMessage(authInfo, '');
  authView.hidden = view === 'cameras';
  camerasView.hidden = view !== 'cameras';
  for (const [name, panel] of Object.entries(panels)) panel.hidden = name !== view;
  if (headings[view]) setText(authHeading, headings[view]);
  sessionBar.hidden = view !== 'cameras';
  if (view !== 'cameras') camerasHooks.hide();
}

function showAuthError(e) {
  showMessage(authError, e instanceof Error ? e.message : String(e), true);
}

/** Goes where a login stage says: the cameras, a second factor, or enrolment. */
function goToStage(stage) {
  if (stage === 'complete') showCameras();
  else if (stage === 'enrol') showEnrol();
  else showSecondFactor();
}

/** Takes a login step's answer ({ stage, user, csrfToken }). */
function signedIn(result) {
  setCsrfToken(result.csrfToken);
  if (result.user) currentUser = result.user;
  goToStage(result.stage);
}

function showCameras() {
  if (currentView === 'cameras') return;
  showView('cameras');
  const name = $('session-name');
  setText(name, currentUser ? currentUser.displayName || currentUser.username : '');
  name.title = currentUser && currentUser.displayName !== currentUser.username ? currentUser.username : '';
  camerasHooks.show();
}

/** The login view; `message` says why it is shown (session ended, signed out). */
function showLogin(message = '', isError = true) {
  setCsrfToken(null);
  currentUser = null;
  showView('login');
  if (message) showMessage(isError ? authError : authInfo, message, isError);
  $('login-password').value = '';
  $('login-username').focus();
  void loadProviders();
}

/** SSO buttons and, while no account exists, the first-run setup form. */
async function loadProviders() {
  const ssoList = $('sso-list');
  try {
    const providers = await api('/api/v1/auth/providers');
    const links = [];
    for (const [protocol, entries] of [['oidc', providers.oidc], ['saml', providers.saml]]) {
      for (const p of entries) {
        const item = document.createElement('li');
        const link = document.createElement('a');
        link.className = 'button-link';
        link.href = `/api/v1/auth/${protocol}/${encodeURIComponent(p.id)}/start`;
        link.textContent = `Sign in with ${p.name}`;
        item.append(link);
        links.push(item);
      }
    }
    ssoList.replaceChildren(...links);
    ssoList.hidden = links.length === 0;
    $('setup-form').hidden = !providers.setupRequired;
  } catch (e) {
    showAuthError(`Cannot load the sign-in options: ${e.message}`);
  }
}

/** The second-factor view, offering only the factors the account has (all until /auth/me says). */
function showSecondFactor() {
  showView('second-factor');
  $('totp-code').value = '';
  $('recovery-code').value = '';
  $('totp-form').hidden = false;
  $('recovery-form').hidden = false;
  $('passkey-second').hidden = !passkeysSupported;
  $('totp-code').focus();
  api('/api/v1/auth/me')
    .then(({ factors }) => {
      if (currentView !== 'second-factor') return;
      $('totp-form').hidden = !factors.totp;
      $('recovery-form').hidden = factors.recoveryCodesLeft === 0;
      $('passkey-second').hidden = !passkeysSupported || factors.passkeys === 0;
      if (!factors.totp && passkeysSupported && factors.passkeys > 0) $('passkey-second').focus();
    })
    .catch(() => undefined); // Everything stays offered; a 401 already switched views.
}

function showEnrol() {
  showView('enrol');
  $('totp-enrol').hidden = true;
  $('totp-start').focus();
}

/** Shows recovery codes once; "I saved them" continues to the cameras. */
function showRecoveryCodes(codes) {
  showView('recovery');
  $('recovery-codes').replaceChildren(
    ...codes.map((code) => {
      const item = document.createElement('li');
      const text = document.createElement('code');
      text.textContent = code;
      item.append(text);
      return item;
    }),
  );
  $('recovery-saved').focus();
}

/** Takes an enrolment's answer ({ stage, csrfToken, recoveryCodes }). */
function enrolled(result) {
  setCsrfToken(result.csrfToken);
  if (result.recoveryCodes.length > 0) showRecoveryCodes(result.recoveryCodes);
  else goToStage(result.stage);
}

/** Ends the session on the server; the page forgets it in any case, and says when the server could not. */
async function logout() {
  try {
    await api('/api/v1/auth/logout', { method: 'POST' });
    showLogin('You have signed out.', false);
  } catch (e) {
    if (e instanceof ApiError && e.status === 401) return; // Already ended: api() showed the login view.
    showLogin(`Signing out failed (${e.message}); the session may still be open until it expires.`);
  }
}

/** Runs a sign-in step with its button disabled; a failure shows the problem's detail. */
async function step(button, action) {
  button.disabled = true;
  showMessage(authError, '', true);
  try {
    await action();
  } catch (e) {
    // A view switch (session ended) already explains itself; anything else is shown here.
    if (!(e instanceof ApiError && e.status === 401 && e.code === 'UNAUTHENTICATED')) showAuthError(e);
  } finally {
    button.disabled = false;
  }
}

/** The submit handler of a sign-in form. */
function onSubmit(formId, action) {
  const form = $(formId);
  form.addEventListener('submit', (ev) => {
    ev.preventDefault();
    void step(form.querySelector('button[type=submit]'), () => action(form));
  });
}

const codeOf = (input) => input.value.replace(/\s+/g, '');

/**
 * Reacts to answers that mean "not (fully) signed in": 401 other than a refused login step
 * returns to the login view; MFA_REQUIRED goes to the second-factor or enrolment view.
 */
function reactToAuthProblem(error) {
  if (!(error instanceof ApiError)) return;
  if (error.status === 401 && error.code !== 'LOGIN_FAILED' && error.code !== 'SSO_REFUSED') {
    showLogin(currentView === 'boot' || currentView === 'login' ? '' : 'Your session has ended. Sign in again.');
  } else if (error.code === 'MFA_REQUIRED') {
    goToStage(error.stage === 'enrol' ? 'enrol' : 'second-factor');
  }
}

/** Signs in with a passkey, or (with a pending session) completes the second factor with one. */
async function passkeySignIn() {
  const { challengeId, options } = await api('/api/v1/auth/passkey/options', { method: 'POST' });
  const response = await getPasskeyAssertion(options);
  signedIn(await postJson('/api/v1/auth/passkey/verify', { challengeId, response }));
}

async function passkeyRegister() {
  const { challengeId, options } = await api('/api/v1/auth/passkey/register/options', { method: 'POST' });
  const response = await createPasskey(options);
  enrolled(await postJson('/api/v1/auth/passkey/register', { challengeId, response, name: 'passkey' }));
}

/** Attaches the handlers of every sign-in form and button. */
function wireForms() {
  onSubmit('login-form', async () => {
    signedIn(await postJson('/api/v1/auth/login', { username: $('login-username').value.trim(), password: $('login-password').value }));
    $('login-password').value = '';
  });
  onSubmit('setup-form', async () => {
    const result = await postJson('/api/v1/auth/setup', { setupToken: $('setup-token').value.trim(), username: $('setup-username').value.trim(), password: $('setup-password').value });
    $('setup-password').value = '';
    signedIn(result);
  });
  onSubmit('totp-form', async () => signedIn(await postJson('/api/v1/auth/totp/verify', { code: codeOf($('totp-code')) })));
  onSubmit('recovery-form', async () => signedIn(await postJson('/api/v1/auth/recovery/verify', { code: $('recovery-code').value.trim() })));
  onSubmit('totp-confirm-form', async () => enrolled(await postJson('/api/v1/auth/totp/confirm', { code: codeOf($('totp-confirm-code')) })));

  $('passkey-login').addEventListener('click', (ev) => void step(ev.currentTarget, passkeySignIn));
  $('passkey-second').addEventListener('click', (ev) => void step(ev.currentTarget, passkeySignIn));
  $('passkey-register').addEventListener('click', (ev) => void step(ev.currentTarget, passkeyRegister));
  $('totp-start').addEventListener('click', (ev) =>
    void step(ev.currentTarget, async () => {
      const totp = await api('/api/v1/auth/totp/enrol', { method: 'POST' });
      // As an <img>, the SVG is an image: no script, and the page's style-src does not apply.
      $('totp-qr').src = `data:image/svg+xml;charset=utf-8,${encodeURIComponent(totp.qrSvg)}`;
      setText($('totp-secret'), totp.secret);
      $('totp-confirm-code').value = '';
      $('totp-enrol').hidden = false;
      $('totp-confirm-code').focus();
    }),
  );
  $('recovery-saved').addEventListener('click', () => {
    $('recovery-codes').replaceChildren();
    goToStage('complete');
  });
  $('logout').addEventListener('click', (ev) => void step(ev.currentTarget, logout));
  for (const button of document.querySelectorAll('.auth-cancel')) button.addEventListener('click', (ev) => void step(ev.currentTarget, logout));
}

/** Asks the server who we are; a 401 (no session) shows the login view through api(). */
async function boot() {
  if (!passkeysSupported) {
    for (const id of ['passkey-login', 'passkey-second', 'passkey-register']) $(id).hidden = true;
  }
  try {
    const me = await api('/api/v1/auth/me');
    setCsrfToken(me.csrfToken);
    currentUser = me.user;
    goToStage(me.stage);
  } catch (e) {
    if (currentView === 'boot') showMessage(bootStatus, `Cannot reach the server: ${e.message}`, true);
  }
}

/**
 * Starts the page: registers the reaction to auth problems, wires the sign-in views and asks
 * the server who we are. `show` runs when the cameras view appears, `hide` whenever any other
 * view does (it MUST drop everything of the session from the page).
 */
export function startSignIn({ show, hide }) {
  camerasHooks = { show, hide };
  onAuthProblem(reactToAuthProblem);
  wireForms();
  void boot();
}
