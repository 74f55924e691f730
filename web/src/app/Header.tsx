// The page header: the product name, the language, and (signed in) who you are and Log out.
// At 390 px it wraps instead of overflowing, so Log out stays reachable (issue 19, item 9).
import { useContext } from 'preact/hooks';
import { languages, useI18n, type Language } from '../i18n/index.ts';
import { Session } from './session.ts';

export function Header({ signedIn, onLogout }: { signedIn: boolean; onLogout: () => void }) {
  const { m, lang, setLang } = useI18n();
  const session = useContext(Session);
  const user = session?.me.user;
  return (
    <header class="page-header">
      <a class="skip-link" href="#main">
        {m.app.skip}
      </a>
      <h1>{m.app.title}</h1>
      <p class="page-subtitle">{m.app.subtitle}</p>
      <div class="header-tools">
        <label class="language">
          <span class="visually-hidden">{m.app.language}</span>
          <select value={lang} onChange={(e) => setLang((e.currentTarget).value as Language)} aria-label={m.app.language}>
            {Object.entries(languages).map(([tag, l]) => (
              <option key={tag} value={tag} lang={tag}>
                {l.name}
              </option>
            ))}
          </select>
        </label>
        <div id="session-bar" class="session-bar" hidden={!signedIn}>
          <span class="session-user">
            <span class="session-label">{m.app.signedInAs} </span>
            <strong id="session-name" title={user && user.displayName !== user.username ? user.username : ''}>
              {user ? user.displayName || user.username : ''}
            </strong>
          </span>
          <a id="account-link" href="#/account">
            {m.adminScreens.myAccount}
          </a>
          <button type="button" id="logout" class="secondary" onClick={onLogout}>
            {m.app.logOut}
          </button>
        </div>
      </div>
    </header>
  );
}
