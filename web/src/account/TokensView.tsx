// "My account": the signed-in user's API tokens (GET/POST /api/v1/auth/tokens, DELETE …/{id};
// permission self). Create one with some of your own permissions and a lifetime; its secret is
// shown once, with a copy button and a warning, and is never kept by the page after you dismiss
// it. Revoke a token you no longer use.
import { useEffect, useState } from 'preact/hooks';
import type { JsonOf } from '../api/client.ts';
import { useSession } from '../app/session.ts';
import { formatDateTime } from '../format.ts';
import { useI18n } from '../i18n/index.ts';

type Token = JsonOf<'/api/v1/auth/tokens'>[number];

export function TokensView() {
  const { api, me } = useSession();
  const { m } = useI18n();
  const t = m.adminScreens.tokens;
  const [tokens, setTokens] = useState<Token[] | null>(null);
  const [line, setLine] = useState<{ text: string; error: boolean } | null>(null);
  const [name, setName] = useState('');
  const [days, setDays] = useState(90);
  const [chosen, setChosen] = useState<string[]>([]);
  const [secret, setSecret] = useState<string | null>(null);
  const [copied, setCopied] = useState<string | null>(null);
  const [tick, setTick] = useState(0);

  useEffect(() => {
    let stopped = false;
    api
      .ok(api.client.GET('/api/v1/auth/tokens'))
      .then((r) => !stopped && setTokens(r))
      .catch((e: unknown) => !stopped && setLine({ text: t.loadFailed(e instanceof Error ? e.message : String(e)), error: true }));
    return () => {
      stopped = true;
    };
  }, [tick]);

  async function create(ev: Event): Promise<void> {
    ev.preventDefault();
    setLine(null);
    try {
      const made = await api.ok(api.client.POST('/api/v1/auth/tokens', { body: { name, permissions: chosen, days } }));
      setSecret(made.token);
      setCopied(null);
      setName('');
      setChosen([]);
      setTick((n) => n + 1);
    } catch (e) {
      setLine({ text: t.createFailed(e instanceof Error ? e.message : String(e)), error: true });
    }
  }

  async function revoke(token: Token): Promise<void> {
    setLine(null);
    try {
      await api.ok(api.client.DELETE('/api/v1/auth/tokens/{id}', { params: { path: { id: token.id } } }));
      setLine({ text: t.revokedLine(token.name), error: false });
      setTick((n) => n + 1);
    } catch (e) {
      setLine({ text: t.revokeFailed(e instanceof Error ? e.message : String(e)), error: true });
    }
  }

  async function copy(): Promise<void> {
    try {
      await navigator.clipboard.writeText(secret ?? '');
      setCopied(t.copied);
    } catch {
      setCopied(t.copyFailed);
    }
  }

  const toggle = (p: string, on: boolean) => setChosen(on ? [...chosen, p] : chosen.filter((x) => x !== p));

  return (
    <section id="tokens-view" aria-labelledby="tokens-heading">
      <h2 id="tokens-heading">{t.heading}</h2>
      <p class="muted">{t.intro}</p>
      {line && (
        <p class={line.error ? 'error' : 'muted'} role="status">
          {line.text}
        </p>
      )}
      {secret !== null && (
        <div id="token-secret" class="card secret" role="alert">
          <h3>{t.secretHeading}</h3>
          <p class="warning">{t.secretWarning}</p>
          <p>
            <code class="token-value">{secret}</code>
          </p>
          <button type="button" onClick={() => void copy()}>
            {t.copy}
          </button>{' '}
          <button type="button" class="secondary" onClick={() => setSecret(null)}>
            {t.dismiss}
          </button>
          {copied && <p class="muted">{copied}</p>}
        </div>
      )}
      <form class="admin-form token-form" onSubmit={(e) => void create(e)}>
        <label>
          {t.name}
          <input required minLength={1} maxLength={100} value={name} onInput={(e) => setName(e.currentTarget.value)} />
        </label>
        <label>
          {t.days}
          <input type="number" required min={1} max={3650} value={days} onInput={(e) => setDays(Number(e.currentTarget.value))} />
        </label>
        <fieldset class="token-permissions">
          <legend>{t.permissions}</legend>
          {me.permissions.map((p) => (
            <label key={p} class="check">
              <input type="checkbox" checked={chosen.includes(p)} onChange={(e) => toggle(p, e.currentTarget.checked)} /> {p}
            </label>
          ))}
        </fieldset>
        <button type="submit" disabled={chosen.length === 0}>
          {t.create}
        </button>
      </form>
      {tokens !== null && tokens.length === 0 && <p class="muted">{t.none}</p>}
      {tokens !== null && tokens.length > 0 && (
        <div class="table-scroll" tabIndex={0} role="region" aria-label={t.list}>
          <table class="events tokens">
            <caption class="visually-hidden">{t.list}</caption>
            <thead>
              <tr>
                <th scope="col">{t.cols.name}</th>
                <th scope="col">{t.cols.permissions}</th>
                <th scope="col">{t.cols.createdAt}</th>
                <th scope="col">{t.cols.expiresAt}</th>
                <th scope="col">{t.cols.lastUsedAt}</th>
                <th scope="col">{t.cols.state}</th>
              </tr>
            </thead>
            <tbody>
              {tokens.map((k) => (
                <tr key={k.id} class="token-row" data-token-id={k.id}>
                  <td>{k.name}</td>
                  <td>{k.permissions.join(', ')}</td>
                  <td>{formatDateTime(k.createdAt)}</td>
                  <td>{formatDateTime(k.expiresAt)}</td>
                  <td>{k.lastUsedAt ? formatDateTime(k.lastUsedAt) : t.neverUsed}</td>
                  <td>
                    {k.revoked ? (
                      t.revoked
                    ) : (
                      <button type="button" class="secondary" aria-label={t.revokeOf(k.name)} onClick={() => void revoke(k)}>
                        {t.revoke}
                      </button>
                    )}
                  </td>
                </tr>
              ))}
            </tbody>
          </table>
        </div>
      )}
    </section>
  );
}
