// Sensitive grants that wait for a second person (four-eyes): the API files them as approval
// requests with the action `access.grant` (details: userId, username, role, scope). Listed on the
// users screen with who requested them; the decision is made in the approvals inbox, linked here.
import { useEffect, useState } from 'preact/hooks';
import { backgroundHeader, type JsonOf } from '../api/client.ts';
import { useSession } from '../app/session.ts';
import { formatDateTime } from '../format.ts';
import { useI18n } from '../i18n/index.ts';

type Request = JsonOf<'/api/v1/approvals'>[number];

const refreshMs = 10_000;

const text = (v: unknown): string => (typeof v === 'string' ? v : '');

export function PendingGrants() {
  const { api } = useSession();
  const { m } = useI18n();
  const t = m.adminScreens.pending;
  const [pending, setPending] = useState<Request[] | null>(null);
  const [tick, setTick] = useState(0);

  useEffect(() => {
    let stopped = false;
    api
      .ok(api.client.GET('/api/v1/approvals', { params: { query: { view: 'all' } }, headers: backgroundHeader }))
      .then((r) => !stopped && setPending(r.filter((a) => a.action === 'access.grant' && a.status === 'pending')))
      .catch(() => !stopped && setPending([]));
    const timer = setTimeout(() => setTick((n) => n + 1), refreshMs);
    return () => {
      stopped = true;
      clearTimeout(timer);
    };
  }, [tick]);

  return (
    <section id="pending-grants" aria-labelledby="pending-grants-heading">
      <h3 id="pending-grants-heading">{t.heading}</h3>
      {pending !== null && pending.length === 0 && <p class="muted">{t.none}</p>}
      {pending !== null && pending.length > 0 && (
        <ul class="alarm-list">
          {pending.map((a) => (
            <li key={a.id} class="pending-grant" data-approval-id={a.id}>
              <strong>{t.grant(text(a.details.role), text(a.details.scope), text(a.details.username))}</strong>{' '}
              <span class="muted">{t.requested(a.requestedBy, formatDateTime(a.requestedAt))}</span>{' '}
              <a href="#/approvals">{t.decide}</a>
            </li>
          ))}
        </ul>
      )}
    </section>
  );
}
