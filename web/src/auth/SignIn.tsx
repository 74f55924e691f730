// The sign-in views: password login, first-run setup, SSO buttons, the second factor (TOTP,
// recovery code, passkey), enrolment of one, and recovery codes shown once. The element ids are
// the page's contract with its end-to-end tests (test/e2e/login.e2e.test.ts).
import { useEffect, useRef, useState } from 'preact/hooks';
import { ApiError, type Api, type JsonOf } from '../api/client.ts';
import type { LoginResult } from '../app/session.ts';
import type { Notice } from '../app/App.tsx';
import { useI18n } from '../i18n/index.ts';
import { createPasskey, getPasskeyAssertion, passkeysSupported } from './webauthn.ts';

export type SignInView = 'login' | 'second-factor' | 'enrol' | 'recovery';

interface Props {
  api: Api;
  view: SignInView;
  notice: Notice | null;
  /** A login step succeeded: go where its stage says. */
  onStage: (result: LoginResult) => Promise<void>;
  /** An enrolment returned recovery codes: show them. */
  onRecoveryCodes: () => void;
  onSignOut: () => Promise<void>;
}

type Providers = JsonOf<'/api/v1/auth/providers'>;

const codeOf = (value: string) => value.replace(/\s+/g, '');
const valueOf = (form: HTMLFormElement, name: string) => (form.elements.namedItem(name) as HTMLInputElement).value;

export function SignIn({ api, view, notice, onStage, onRecoveryCodes, onSignOut }: Props) {
  const { m } = useI18n();
  const [error, setError] = useState<string | null>(null);
  const [busy, setBusy] = useState<string | null>(null);
  const [providers, setProviders] = useState<Providers | null>(null);
  const [factors, setFactors] = useState<{ totp: boolean; passkeys: number; recoveryCodesLeft: number } | null>(null);
  const [totp, setTotp] = useState<{ qr: string; secret: string } | null>(null);
  const [codes, setCodes] = useState<string[]>([]);
  const focusRef = useRef<HTMLElement | null>(null);

  // Every view starts without an old message, and focused on its first control.
  useEffect(() => {
    setError(null);
    setTotp(null);
    focusRef.current?.focus();
    if (view === 'login') {
      api
        .ok(api.client.GET('/api/v1/auth/providers'))
        .then(setProviders)
        .catch((e: unknown) => setError(m.auth.providersFailed(e instanceof Error ? e.message : String(e))));
    }
    if (view === 'second-factor') {
      setFactors(null);
      api
        .ok(api.client.GET('/api/v1/auth/me'))
        .then((me) => setFactors(me.factors))
        .catch(() => undefined); // Everything stays offered; a 401 already switched views.
    }
  }, [view]);

  /** Runs a sign-in step with its control disabled; a failure shows the problem's detail. */
  async function step(name: string, action: () => Promise<void>): Promise<void> {
    setBusy(name);
    setError(null);
    try {
      await action();
    } catch (e) {
      // A view switch (session ended) already explains itself; anything else is shown here.
      if (!(e instanceof ApiError && e.status === 401 && e.code === 'UNAUTHENTICATED')) setError(e instanceof Error ? e.message : String(e));
    } finally {
      setBusy(null);
    }
  }

  const submit = (name: string, action: (form: HTMLFormElement) => Promise<void>) => (ev: Event) => {
    ev.preventDefault();
    const form = ev.currentTarget as HTMLFormElement;
    void step(name, () => action(form));
  };

  async function enrolled(result: { stage: LoginResult['stage']; csrfToken: string | null; recoveryCodes: string[] }): Promise<void> {
    api.setCsrfToken(result.csrfToken);
    if (result.recoveryCodes.length > 0) {
      setCodes(result.recoveryCodes);
      onRecoveryCodes();
    } else await onStage(result);
  }

  async function passkeySignIn(): Promise<void> {
    const { challengeId, options } = await api.ok(api.client.POST('/api/v1/auth/passkey/options'));
    const response = await getPasskeyAssertion(options, m.auth);
    await onStage(await api.ok(api.client.POST('/api/v1/auth/passkey/verify', { body: { challengeId, response } as never })));
  }

  async function passkeyRegister(): Promise<void> {
    const { challengeId, options } = await api.ok(api.client.POST('/api/v1/auth/passkey/register/options'));
    const response = await createPasskey(options, m.auth);
    await enrolled(await api.ok(api.client.POST('/api/v1/auth/passkey/register', { body: { challengeId, response, name: 'passkey' } as never })));
  }

  const cancel = (
    <button type="button" class="auth-cancel link-button" disabled={busy !== null} onClick={() => void step('cancel', onSignOut)}>
      {m.auth.cancelSignOut}
    </button>
  );
  const ssoLinks = providers ? [...providers.oidc.map((p) => ['oidc', p] as const), ...providers.saml.map((p) => ['saml', p] as const)] : [];

  return (
    <section id="auth-view" class="auth" aria-labelledby="auth-heading">
      <h2 id="auth-heading">{m.auth.headings[view]}</h2>
      <p id="auth-error" class="error" role="alert" hidden={!error && !(notice?.error ?? false)}>
        {error ?? (notice?.error ? notice.text : '')}
      </p>
      <p id="auth-info" class="muted" role="status" hidden={!notice || notice.error || error !== null}>
        {notice && !notice.error ? notice.text : ''}
      </p>

      {view === 'login' && (
        <div id="login-view" class="auth-panel">
          <form
            id="login-form"
            class="auth-form"
            onSubmit={submit('login', async (form) => {
              const result = await api.ok(api.client.POST('/api/v1/auth/login', { body: { username: valueOf(form, 'username').trim(), password: valueOf(form, 'password') } }));
              (form.elements.namedItem('password') as HTMLInputElement).value = '';
              await onStage(result);
            })}
          >
            <label for="login-username">{m.auth.username}</label>
            <input ref={(el) => {
              focusRef.current = el;
            }} id="login-username" name="username" type="text" autocomplete="username" autocapitalize="none" spellcheck={false} required maxLength={128} />
            <label for="login-password">{m.auth.password}</label>
            <input id="login-password" name="password" type="password" autocomplete="current-password" required maxLength={1024} />
            <button type="submit" id="login-submit" disabled={busy === 'login'}>
              {m.auth.signIn}
            </button>
          </form>
          <div class="auth-alternatives">
            {passkeysSupported && (
              <button type="button" id="passkey-login" class="secondary" disabled={busy !== null} onClick={() => void step('passkey', passkeySignIn)}>
                {m.auth.passkeySignIn}
              </button>
            )}
            <ul id="sso-list" class="sso-list" aria-label={m.auth.sso} hidden={ssoLinks.length === 0}>
              {ssoLinks.map(([protocol, p]) => (
                <li key={`${protocol}/${p.id}`}>
                  <a class="button-link" href={`/api/v1/auth/${protocol}/${encodeURIComponent(p.id)}/start`}>
                    {m.auth.ssoWith(p.name)}
                  </a>
                </li>
              ))}
            </ul>
          </div>
          {providers?.setupRequired && (
            <form
              id="setup-form"
              class="auth-form setup"
              aria-labelledby="setup-heading"
              onSubmit={submit('setup', async (form) => {
                const result = await api.ok(
                  api.client.POST('/api/v1/auth/setup', { body: { setupToken: valueOf(form, 'setupToken').trim(), username: valueOf(form, 'username').trim(), password: valueOf(form, 'password') } }),
                );
                (form.elements.namedItem('password') as HTMLInputElement).value = '';
                await onStage(result);
              })}
            >
              <h3 id="setup-heading">{m.auth.setupHeading}</h3>
              <p class="muted">{m.auth.setupIntro}</p>
              <label for="setup-token">{m.auth.setupToken}</label>
              <input id="setup-token" name="setupToken" type="text" autocomplete="off" spellcheck={false} required maxLength={128} />
              <label for="setup-username">{m.auth.username}</label>
              <input id="setup-username" name="username" type="text" autocomplete="username" autocapitalize="none" spellcheck={false} required maxLength={64} />
              <label for="setup-password">{m.auth.password}</label>
              <input id="setup-password" name="password" type="password" autocomplete="new-password" required maxLength={1024} aria-describedby="setup-password-hint" />
              <p id="setup-password-hint" class="hint muted">
                {m.auth.setupPasswordHint}
              </p>
              <button type="submit" id="setup-submit" disabled={busy === 'setup'}>
                {m.auth.createAdmin}
              </button>
            </form>
          )}
        </div>
      )}

      {view === 'second-factor' && (
        <div id="second-factor-view" class="auth-panel">
          <p>{m.auth.secondFactorIntro}</p>
          {(!factors || factors.totp) && (
            <form id="totp-form" class="auth-form" onSubmit={submit('totp', async (form) => onStage(await api.ok(api.client.POST('/api/v1/auth/totp/verify', { body: { code: codeOf(valueOf(form, 'code')) } }))))}>
              <label for="totp-code">{m.auth.totpCode}</label>
              <input ref={(el) => {
              focusRef.current = el;
            }} id="totp-code" name="code" type="text" inputMode="numeric" pattern="[0-9 ]{6,7}" autocomplete="one-time-code" required maxLength={7} />
              <button type="submit" id="totp-submit" disabled={busy === 'totp'}>
                {m.auth.verifyCode}
              </button>
            </form>
          )}
          {(!factors || factors.recoveryCodesLeft > 0) && (
            <form id="recovery-form" class="auth-form" onSubmit={submit('recovery', async (form) => onStage(await api.ok(api.client.POST('/api/v1/auth/recovery/verify', { body: { code: valueOf(form, 'code').trim() } }))))}>
              <label for="recovery-code">{m.auth.recoveryCode}</label>
              <input id="recovery-code" name="code" type="text" autocomplete="off" autocapitalize="none" spellcheck={false} required maxLength={64} />
              <button type="submit" id="recovery-submit" class="secondary" disabled={busy === 'recovery'}>
                {m.auth.useRecoveryCode}
              </button>
            </form>
          )}
          <div class="auth-alternatives">
            {passkeysSupported && (!factors || factors.passkeys > 0) && (
              <button type="button" id="passkey-second" class="secondary" disabled={busy !== null} onClick={() => void step('passkey', passkeySignIn)}>
                {m.auth.usePasskey}
              </button>
            )}
            {cancel}
          </div>
        </div>
      )}

      {view === 'enrol' && (
        <div id="enrol-view" class="auth-panel">
          <p>{m.auth.enrolIntro}</p>
          <div class="enrol-choices">
            <button
              type="button"
              id="totp-start"
              ref={(el) => {
              focusRef.current = el;
            }}
              disabled={busy !== null}
              onClick={() =>
                void step('totp-start', async () => {
                  const t = await api.ok(api.client.POST('/api/v1/auth/totp/enrol'));
                  // As an <img>, the SVG is an image: no script, and the page's style-src does not apply.
                  setTotp({ qr: `data:image/svg+xml;charset=utf-8,${encodeURIComponent(t.qrSvg)}`, secret: t.secret });
                })
              }
            >
              {m.auth.totpStart}
            </button>
            {passkeysSupported && (
              <button type="button" id="passkey-register" class="secondary" disabled={busy !== null} onClick={() => void step('passkey', passkeyRegister)}>
                {m.auth.passkeyRegister}
              </button>
            )}
          </div>
          {totp && (
            <div id="totp-enrol" class="totp-enrol">
              <img id="totp-qr" class="totp-qr" alt={m.auth.totpQrAlt} src={totp.qr} />
              <p>{m.auth.totpScan}</p>
              <p>
                <code id="totp-secret" class="totp-secret">
                  {totp.secret}
                </code>
              </p>
              <form id="totp-confirm-form" class="auth-form" onSubmit={submit('totp-confirm', async (form) => enrolled(await api.ok(api.client.POST('/api/v1/auth/totp/confirm', { body: { code: codeOf(valueOf(form, 'code')) } }))))}>
                <label for="totp-confirm-code">{m.auth.totpConfirmCode}</label>
                <input id="totp-confirm-code" name="code" type="text" inputMode="numeric" pattern="[0-9 ]{6,7}" autocomplete="one-time-code" required maxLength={7} />
                <button type="submit" id="totp-confirm" disabled={busy === 'totp-confirm'}>
                  {m.auth.confirm}
                </button>
              </form>
            </div>
          )}
          <div class="auth-alternatives">{cancel}</div>
        </div>
      )}

      {view === 'recovery' && (
        <div id="recovery-view" class="auth-panel">
          <p>
            <strong>{m.auth.recoveryIntroStrong}</strong> {m.auth.recoveryIntro}
          </p>
          <ol id="recovery-codes" class="recovery-codes">
            {codes.map((c) => (
              <li key={c}>
                <code>{c}</code>
              </li>
            ))}
          </ol>
          <button
            type="button"
            id="recovery-saved"
            ref={(el) => {
              focusRef.current = el;
            }}
            onClick={() =>
              void step('saved', async () => {
                setCodes([]);
                await onStage({ stage: 'complete', csrfToken: null });
              })
            }
          >
            {m.auth.recoverySaved}
          </button>
        </div>
      )}
    </section>
  );
}
