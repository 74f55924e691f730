// The four-eyes inbox: requests the user can decide now (approve or reject, with a reason), and
// every request they filed or could decide, with who decided (GET /api/v1/approvals). Polled in
// the background; the server decides who may decide what.
import { useEffect, useState } from 'preact/hooks';
import { backgroundHeader, type JsonOf } from '../api/client.ts';
import { useSession } from '../app/session.ts';
import { formatDateTime } from '../format.ts';
import { useI18n } from '../i18n/index.ts';

type Request = JsonOf<'/api/v1/approvals'>[number];

const refreshMs = 5000;

export function ApprovalsView() {
  const { api } = useSession();
  const { m } = useI18n();
  const [requests, setRequests] = useState<Request[] | null>(null);
  const [line, setLine] = useState<{ text: string; error: boolean } | null>(null);
  const [tick, setTick] = useState(0);

  useEffect(() => {
    let stopped = false;
    api
      .ok(api.client.GET('/api/v1/approvals', { params: { query: { view: 'all' } }, headers: backgroundHeader }))
      .then((r) => !stopped && setRequests(r))
      .catch((e: unknown) => !stopped && setLine({ text: m.approvals.loadFailed(e instanceof Error ? e.message : String(e)), error: true }));
    const timer = setTimeout(() => setTick((t) => t + 1), refreshMs);
    return () => {
      stopped = true;
      clearTimeout(timer);
    };
  }, [tick]);

  async function decide(id: string, approve: boolean): Promise<void> {
    setLine(null);
    try {
      const decided = await api.ok(api.client.POST('/api/v1/approvals/{id}/decision', { params: { path: { id } }, body: { approve } }));
      setLine({ text: approve ? m.approvals.approved : m.approvals.rejected, error: false });
      if (decided.enrolmentCode) setLine({ text: m.approvals.enrolmentCode(decided.enrolmentCode), error: false });
      setTick((t) => t + 1);
    } catch (e) {
      setLine({ text: m.approvals.failed(e instanceof Error ? e.message : String(e)), error: true });
    }
  }

  const inbox = (requests ?? []).filter((r) => r.canDecide);
  const others = (requests ?? []).filter((r) => !r.canDecide);
  const row = (r: Request, actions: boolean) => (
    <li key={r.id} class={`approval status-${r.status}`}>
      <strong>{m.approvals.actions[r.action] ?? r.action}</strong> <span class="badge">{m.approvals.statuses[r.status] ?? r.status}</span>
      <span class="muted">
        {' '}
        {m.approvals.requested(r.requestedBy, formatDateTime(r.requestedAt))}
        {r.decidedBy ? ` · ${m.approvals.decided(r.decidedBy, r.decidedAt ? formatDateTime(r.decidedAt) : '')}` : ''}
      </span>
      {typeof r.details.reason === 'string' && <span> — {r.details.reason}</span>}
      {actions && (
        <span class="approval-actions">
          <button type="button" onClick={() => void decide(r.id, true)}>
            {m.approvals.approve}
          </button>
          <button type="button" class="secondary" onClick={() => void decide(r.id, false)}>
            {m.approvals.reject}
          </button>
        </span>
      )}
    </li>
  );

  return (
    <section id="approvals-view" aria-labelledby="approvals-heading">
      <h2 id="approvals-heading">{m.approvals.heading}</h2>
      {line && (
        <p class={line.error ? 'error' : 'muted'} role="status">
          {line.text}
        </p>
      )}
      <h3>{m.approvals.inbox}</h3>
      {requests !== null && inbox.length === 0 && <p class="muted">{m.approvals.inboxEmpty}</p>}
      {inbox.length > 0 && <ul class="alarm-list">{inbox.map((r) => row(r, true))}</ul>}
      <h3>{m.approvals.history}</h3>
      {requests !== null && others.length === 0 && <p class="muted">{m.approvals.none}</p>}
      {others.length > 0 && <ul class="alarm-list">{others.map((r) => row(r, false))}</ul>}
    </section>
  );
}
