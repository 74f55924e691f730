// Governance (governance.read): the Statement of Applicability (the requirement catalogue with
// each requirement's status, filterable by status), the live evidence measured now (each metric
// with its state and source), the signed evidence bundle and readiness pack as downloads, and
// the documents on file with their management approvals; a holder of governance.approve
// approves a document from here, naming the SHA-256 of the document on file; a holder of
// governance.manage assesses a requirement (RequirementAssess.tsx).
import { useEffect, useState } from 'preact/hooks';
import type { JsonOf } from '../api/client.ts';
import { useSession } from '../app/session.ts';
import { formatDateTime } from '../format.ts';
import { useI18n } from '../i18n/index.ts';
import { RequirementAssess } from './RequirementAssess.tsx';

type Requirement = JsonOf<'/api/v1/governance/requirements'>[number];
type Evidence = JsonOf<'/api/v1/governance/evidence'>;
type Doc = JsonOf<'/api/v1/governance/documents'>[number];
type Approval = JsonOf<'/api/v1/governance/approvals'>[number];

const statuses = ['not-assessed', 'planned', 'partial', 'implemented', 'not-applicable'] as const;

/** The badge class of an evidence state or a requirement status. */
const tone = (s: string): string => (s === 'ok' || s === 'implemented' ? 'state-recording' : s === 'attention' || s === 'partial' || s === 'planned' ? 'state-retrying' : s === 'not-applicable' || s === 'not-built' ? 'state-disabled' : 'state-unknown');

export function GovernanceView() {
  const { api, can } = useSession();
  const { m } = useI18n();
  const t = m.gov.governance;
  const [reqs, setReqs] = useState<Requirement[] | null>(null);
  const [evidence, setEvidence] = useState<Evidence | null>(null);
  const [docs, setDocs] = useState<Doc[] | null>(null);
  const [approvals, setApprovals] = useState<Approval[]>([]);
  const [filter, setFilter] = useState('');
  const [line, setLine] = useState<{ text: string; error: boolean } | null>(null);
  const [tick, setTick] = useState(0);
  const [forms, setForms] = useState<Record<string, { fn: string; note: string }>>({});
  const [assessing, setAssessing] = useState<string | null>(null);
  const manage = can('governance.manage');
  const fail = (e: unknown) => setLine({ text: t.loadFailed(e instanceof Error ? e.message : String(e)), error: true });

  useEffect(() => {
    let stopped = false;
    api.ok(api.client.GET('/api/v1/governance/requirements')).then((r) => !stopped && setReqs(r)).catch(fail);
    api.ok(api.client.GET('/api/v1/governance/evidence')).then((e) => !stopped && setEvidence(e)).catch(fail);
    api.ok(api.client.GET('/api/v1/governance/documents')).then((d) => !stopped && setDocs(d)).catch(fail);
    api.ok(api.client.GET('/api/v1/governance/approvals')).then((a) => !stopped && setApprovals(a)).catch(fail);
    return () => {
      stopped = true;
    };
  }, [tick]);

  async function approve(d: Doc, ev: Event): Promise<void> {
    ev.preventDefault();
    const f = forms[d.id] ?? { fn: '', note: '' };
    try {
      await api.ok(api.client.POST('/api/v1/governance/documents/{id}/approvals', { params: { path: { id: d.id } }, body: { sha256: d.sha256, approverFunction: f.fn, ...(f.note ? { note: f.note } : {}) } }));
      setLine({ text: t.approved, error: false });
      setTick((n) => n + 1);
    } catch (e) {
      setLine({ text: t.approveFailed(e instanceof Error ? e.message : String(e)), error: true });
    }
  }

  const shown = reqs?.filter((r) => !filter || r.status === filter) ?? [];

  return (
    <section id="governance-view" aria-labelledby="governance-heading">
      <h2 id="governance-heading">{t.heading}</h2>
      <p class="muted">{t.intro}</p>
      {line && (
        <p class={line.error ? 'error' : 'muted'} role="status">
          {line.text}
        </p>
      )}
      <div class="panel governance-downloads">
        <h3>{t.downloads}</h3>
        <p>
          <a class="button-link" href="/api/v1/governance/evidence/bundle" download="custos-evidence-bundle.zip">
            {t.bundle}
          </a>{' '}
          <a class="button-link readiness-pack" href="/api/v1/governance/readiness-pack" download="custos-readiness-pack.zip">
            {t.readinessPack}
          </a>
        </p>
        <p class="muted">{t.downloadHint}</p>
      </div>

      <div class="panel">
        <h3>{t.evidence}</h3>
        {evidence && (
          <>
            <p class="muted">{t.measuredAt(formatDateTime(evidence.measuredAt))}</p>
            <div class="table-scroll" tabIndex={0} role="region" aria-label={t.evidence}>
              <table class="events evidence">
                <thead>
                  <tr>
                    <th scope="col">{t.metric}</th>
                    <th scope="col">{t.state}</th>
                    <th scope="col">{t.summary}</th>
                    <th scope="col">{t.source}</th>
                  </tr>
                </thead>
                <tbody>
                  {evidence.metrics.map((x) => (
                    <tr key={x.id} class="metric" data-metric-id={x.id}>
                      <td>{x.title}</td>
                      <td>
                        <span class={`badge ${tone(x.state)}`}>{t.states[x.state] ?? x.state}</span>
                      </td>
                      <td>{x.summary}</td>
                      <td class="muted">{x.source}</td>
                    </tr>
                  ))}
                </tbody>
              </table>
            </div>
          </>
        )}
      </div>

      <div class="panel">
        <h3>{t.catalogue}</h3>
        <label>
          {t.filter}{' '}
          <select id="requirement-filter" value={filter} onChange={(e) => setFilter(e.currentTarget.value)}>
            <option value="">{t.all}</option>
            {statuses.map((s) => (
              <option key={s} value={s}>
                {t.statuses[s]}
              </option>
            ))}
          </select>
        </label>
        {reqs && (
          <>
            <p class="muted" role="status">
              {t.count(shown.length, reqs.length)}
            </p>
            <div class="table-scroll" tabIndex={0} role="region" aria-label={t.catalogue}>
              <table class="events requirements">
                <thead>
                  <tr>
                    <th scope="col">{t.requirement}</th>
                    <th scope="col">{t.title}</th>
                    <th scope="col">{t.status}</th>
                    <th scope="col">{t.owner}</th>
                    <th scope="col">{t.reason}</th>
                    {manage && <th scope="col">{m.edit.requirement.action}</th>}
                  </tr>
                </thead>
                <tbody>
                  {shown.map((r) => (
                    <tr key={r.id} class="requirement" data-requirement-id={r.id}>
                      <td>
                        <code>{r.id}</code> <span class="muted">{r.ref}</span>
                      </td>
                      <td>{r.title}</td>
                      <td>
                        <span class={`badge ${tone(r.status)}`}>{t.statuses[r.status] ?? r.status}</span>
                      </td>
                      <td>{r.owner ?? ''}</td>
                      <td>{r.reason ?? ''}</td>
                      {manage && (
                        <td>
                          <button type="button" class="secondary assess" aria-expanded={assessing === r.id} aria-label={m.edit.requirement.assessOf(r.id)} onClick={() => setAssessing(assessing === r.id ? null : r.id)}>
                            {m.edit.requirement.assess}
                          </button>
                        </td>
                      )}
                    </tr>
                  ))}
                </tbody>
              </table>
            </div>
          </>
        )}
        {manage && assessing && reqs?.some((r) => r.id === assessing) && (
          <RequirementAssess
            key={assessing}
            requirement={reqs.find((r) => r.id === assessing)!}
            statuses={statuses}
            onSaved={(u) => setReqs((all) => all && all.map((r) => (r.id === u.id ? u : r)))}
            onClose={() => {
              // Back to the row's button, so the keyboard stays where the person was.
              document.querySelector<HTMLButtonElement>(`tr.requirement[data-requirement-id="${assessing}"] button.assess`)?.focus();
              setAssessing(null);
            }}
          />
        )}
      </div>

      <div class="panel">
        <h3>{t.documents}</h3>
        {docs !== null && docs.length === 0 && <p class="muted">{t.noDocuments}</p>}
        {docs !== null && docs.length > 0 && (
          <ul class="alarm-list documents">
            {docs.map((d) => {
              const ofDoc = approvals.filter((a) => a.documentId === d.id && a.documentSha256 === d.sha256);
              const f = forms[d.id] ?? { fn: '', note: '' };
              return (
                <li key={d.id} class="document" data-document-id={d.id}>
                  <strong>{d.title}</strong> <span class="muted">({d.kind})</span> <code class="sha">{d.sha256.slice(0, 16)}…</code>
                  <ul>
                    {ofDoc.length === 0 && <li class="muted">{t.notApproved}</li>}
                    {ofDoc.map((a) => (
                      <li key={a.id} class="approval">
                        {t.approvedBy(a.approverName, a.approverFunction, formatDateTime(a.approvedAt))}
                        {a.note ? `: ${a.note}` : ''}
                      </li>
                    ))}
                  </ul>
                  {can('governance.approve') && (
                    <form class="admin-form" onSubmit={(e) => void approve(d, e)}>
                      <label>
                        {t.approverFunction}
                        <input required maxLength={100} value={f.fn} onInput={(e) => setForms({ ...forms, [d.id]: { ...f, fn: e.currentTarget.value } })} />
                      </label>
                      <label>
                        {t.note}
                        <input maxLength={2000} value={f.note} onInput={(e) => setForms({ ...forms, [d.id]: { ...f, note: e.currentTarget.value } })} />
                      </label>
                      <button type="submit" aria-label={t.approveOf(d.title)}>
                        {t.approve}
                      </button>
                    </form>
                  )}
                </li>
              );
            })}
          </ul>
        )}
      </div>
    </section>
  );
}
