// The console's root: asks the server who we are, shows the sign-in views or the signed-in
// console, and reacts to answers meaning "not (fully) signed in" wherever they come from.
import { useCallback, useEffect, useMemo, useRef, useState } from 'preact/hooks';
import { ApiError, createApi } from '../api/client.ts';
import { SignIn, type SignInView } from '../auth/SignIn.tsx';
import { Console } from '../console/Console.tsx';
import { applyLanguage, I18n, initialLanguage, languages, type Language } from '../i18n/index.ts';
import { Header } from './Header.tsx';
import { Session, type ConsoleSession, type LoginResult, type Me } from './session.ts';

/** boot, a sign-in view, or the console. */
export type View = 'boot' | SignInView | 'console';

/** A message on the sign-in views: why they are shown. */
export interface Notice {
  text: string;
  error: boolean;
}

export function App() {
  const [lang, setLangState] = useState<Language>(initialLanguage);
  const m = languages[lang].messages;
  const setLang = useCallback((l: Language) => {
    applyLanguage(l);
    setLangState(l);
  }, []);
  useEffect(() => applyLanguage(lang), []);

  const [view, setView] = useState<View>('boot');
  const [me, setMe] = useState<Me | null>(null);
  const [notice, setNotice] = useState<Notice | null>(null);
  const [bootError, setBootError] = useState<string | null>(null);
  const viewRef = useRef<View>('boot');
  viewRef.current = view;
  const mRef = useRef(m);
  mRef.current = m;

  // The API's auth-problem handler is set once; it reads the current view through a ref.
  const onAuthProblem = useRef<(e: ApiError) => void>(() => undefined);
  const api = useMemo(() => createApi((e) => onAuthProblem.current(e)), []);

  const showLogin = useCallback(
    (message?: Notice) => {
      api.setCsrfToken(null);
      setMe(null);
      setNotice(message ?? null);
      setView('login');
    },
    [api],
  );

  /** Loads who we are and their permissions, then opens the console. */
  const enterConsole = useCallback(async () => {
    const who = await api.ok(api.client.GET('/api/v1/auth/me'));
    api.setCsrfToken(who.csrfToken);
    if (who.stage !== 'complete') {
      setNotice(null);
      setView(who.stage);
      return;
    }
    setMe(who);
    setNotice(null);
    setView('console');
  }, [api]);

  const goToStage = useCallback(
    async (stage: LoginResult['stage']) => {
      setNotice(null);
      if (stage === 'complete') await enterConsole();
      else setView(stage);
    },
    [enterConsole],
  );

  onAuthProblem.current = (e: ApiError) => {
    if (e.status === 401 && e.code !== 'LOGIN_FAILED' && e.code !== 'SSO_REFUSED') {
      const v = viewRef.current;
      // Already on the login view: a late answer of the ended session MUST NOT wipe its notice.
      if (v === 'login') return;
      showLogin(v === 'boot' ? undefined : { text: mRef.current.auth.sessionEnded, error: true });
    } else if (e.code === 'MFA_REQUIRED') {
      setView(e.stage === 'enrol' ? 'enrol' : 'second-factor');
    }
  };

  const signOut = useCallback(
    async (reason?: string) => {
      try {
        await api.ok(api.client.POST('/api/v1/auth/logout'));
        showLogin({ text: reason ?? mRef.current.auth.signedOut, error: false });
      } catch (e) {
        if (e instanceof ApiError && e.status === 401) {
          if (reason) showLogin({ text: reason, error: false });
          return; // Already ended: the auth-problem handler showed the login view.
        }
        showLogin({ text: mRef.current.auth.logoutFailed(e instanceof Error ? e.message : String(e)), error: true });
      }
    },
    [api, showLogin],
  );

  useEffect(() => {
    api
      .ok(api.client.GET('/api/v1/auth/me'))
      .then((who) => {
        api.setCsrfToken(who.csrfToken);
        if (who.stage === 'complete') {
          setMe(who);
          setView('console');
        } else setView(who.stage);
      })
      .catch((e: unknown) => {
        if (viewRef.current === 'boot') setBootError(e instanceof Error ? e.message : String(e));
      });
  }, [api]);

  const session = useMemo<ConsoleSession | null>(() => {
    if (!me) return null;
    const held = new Set(me.permissions);
    return { api, me, can: (p) => held.has(p), signOut };
  }, [api, me, signOut]);

  return (
    <I18n.Provider value={{ m, lang, setLang }}>
      <Session.Provider value={session}>
        <Header signedIn={view === 'console' && session !== null} onLogout={() => void signOut()} />
        <main id="main">
          {view === 'boot' && (
            <p id="boot-status" class={bootError ? 'error' : 'muted'} role="status">
              {bootError ? m.app.cannotReach(bootError) : m.app.checkingSession}
            </p>
          )}
          {view !== 'boot' && view !== 'console' && (
            <SignIn
              api={api}
              view={view}
              notice={notice}
              onStage={(r: LoginResult) => {
                api.setCsrfToken(r.csrfToken);
                return goToStage(r.stage);
              }}
              onRecoveryCodes={() => setView('recovery')}
              onSignOut={() => signOut()}
            />
          )}
          {view === 'console' && session && <Console />}
        </main>
      </Session.Provider>
    </I18n.Provider>
  );
}
