// The access-rights register (audit.read, global): every grant — who holds which role on which
// scope, granted by whom, when, until when — as a table, and the same as a CSV download
// (GET /api/v1/access/register[?format=csv]). For auditors and administrators.
import { useEffect, useState } from 'preact/hooks';
import type { JsonOf } from '../api/client.ts';
import { useSession } from '../app/session.ts';
import { formatDateTime } from '../format.ts';
import { useI18n } from '../i18n/index.ts';

type Row = JsonOf<'/api/v1/access/register'>[number];

export function RegisterView() {
  const { api } = useSession();
  const { m } = useI18n();
  const t = m.adminScreens.register;
  const [rows, setRows] = useState<Row[] | null>(null);
  const [error, setError] = useState<string | null>(null);

  useEffect(() => {
    let stopped = false;
    api
      .ok(api.client.GET('/api/v1/access/register', { params: { query: { format: 'json' } } }))
      .then((r) => !stopped && setRows(r))
      .catch((e: unknown) => !stopped && setError(t.loadFailed(e instanceof Error ? e.message : String(e))));
    return () => {
      stopped = true;
    };
  }, []);

  return (
    <section id="register-view" aria-labelledby="register-heading">
      <h2 id="register-heading">{t.heading}</h2>
      <p class="muted">{t.intro}</p>
      <p>
        <a id="register-csv" href="/api/v1/access/register?format=csv" download="access-register.csv">
          {t.csv}
        </a>
      </p>
      {error && (
        <p class="error" role="status">
          {error}
        </p>
      )}
      {rows !== null && rows.length === 0 && <p class="muted">{t.none}</p>}
      {rows !== null && rows.length > 0 && (
        <div class="table-scroll" tabIndex={0} role="region" aria-label={t.list}>
          <table class="events register">
            <caption class="visually-hidden">{t.list}</caption>
            <thead>
              <tr>
                <th scope="col">{t.cols.user}</th>
                <th scope="col">{t.cols.role}</th>
                <th scope="col">{t.cols.scope}</th>
                <th scope="col">{t.cols.grantedBy}</th>
                <th scope="col">{t.cols.grantedAt}</th>
                <th scope="col">{t.cols.expiresAt}</th>
                <th scope="col">{t.cols.source}</th>
              </tr>
            </thead>
            <tbody>
              {rows.map((r, i) => (
                <tr key={`${r.userId}-${r.role}-${r.scope}-${i}`} class="grant-row" data-username={r.username}>
                  <td>
                    {r.displayName && r.displayName !== r.username ? `${r.displayName} (${r.username})` : r.username}
                    {r.disabled && <span class="badge"> {t.disabled}</span>}
                    {r.external && <span class="badge"> {t.external}</span>}
                  </td>
                  <td>
                    {r.role}
                    {r.privileged && <span class="badge risk"> {t.privileged}</span>}
                  </td>
                  <td>{r.scope}</td>
                  <td>{r.grantedBy}</td>
                  <td>{formatDateTime(r.grantedAt)}</td>
                  <td>{r.expiresAt ? formatDateTime(r.expiresAt) : t.never}</td>
                  <td>{r.source}</td>
                </tr>
              ))}
            </tbody>
          </table>
        </div>
      )}
    </section>
  );
}
