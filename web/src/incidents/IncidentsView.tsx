// The incident register (incident.read): incidents newest aware time first, each opening its
// detail with the NIS2 reporting clocks (early warning 24 h, notification 72 h, final report
// one month, progress, GDPR Art. 33) as deadline and state, the significance assessment, the
// submissions, and (incident.manage) report generation as JSON or PDF with a download link and
// the SHA-256 to record when sent. Polled in the background.
import { Fragment } from 'preact';
import { useEffect, useState } from 'preact/hooks';
import { backgroundHeader, type JsonOf } from '../api/client.ts';
import { useSession } from '../app/session.ts';
import { formatDateTime } from '../format.ts';
import { useI18n } from '../i18n/index.ts';
import { IncidentEdit } from './IncidentEdit.tsx';
import { IncidentReports, type Generated } from './IncidentReports.tsx';
import { IncidentSubmission } from './IncidentSubmission.tsx';

type Incident = JsonOf<'/api/v1/incidents'>[number];
type Detail = JsonOf<'/api/v1/incidents/{id}'>;
type Clock = JsonOf<'/api/v1/incidents/{id}/clocks'>[number];

const refreshMs = 10_000;

/** The badge class of a clock state: urgent ones stand out. */
const clockClass = (state: string) => (state === 'overdue' || state === 'met-late' ? 'state-stopped' : state === 'due-soon' ? 'risk' : state === 'met' ? 'safe' : '');

export function IncidentsView() {
  const { api, can } = useSession();
  const { m } = useI18n();
  const t = m.screens.incidents;
  const [incidents, setIncidents] = useState<Incident[] | null>(null);
  const [error, setError] = useState<string | null>(null);
  const [open, setOpen] = useState<string | null>(null);
  const [detail, setDetail] = useState<{ incident: Detail; clocks: Clock[] } | null>(null);
  const [tick, setTick] = useState(0);
  const [editing, setEditing] = useState(false);
  const [notice, setNotice] = useState<string | null>(null);
  const [generated, setGenerated] = useState<Generated | null>(null);

  useEffect(() => {
    let stopped = false;
    api
      .ok(api.client.GET('/api/v1/incidents', { headers: backgroundHeader }))
      .then((r) => {
        if (stopped) return;
        setIncidents(r);
        setError(null);
      })
      .catch((e: unknown) => !stopped && setError(t.loadFailed(e instanceof Error ? e.message : String(e))));
    if (open) {
      const params = { params: { path: { id: open } }, headers: backgroundHeader };
      Promise.all([api.ok(api.client.GET('/api/v1/incidents/{id}', params)), api.ok(api.client.GET('/api/v1/incidents/{id}/clocks', params))])
        .then(([incident, clocks]) => !stopped && setDetail({ incident, clocks }))
        .catch((e: unknown) => !stopped && setError(t.loadFailed(e instanceof Error ? e.message : String(e))));
    }
    const timer = setTimeout(() => setTick((n) => n + 1), refreshMs);
    return () => {
      stopped = true;
      clearTimeout(timer);
    };
  }, [tick, open]);

  /** The fields the edit form sets, as label and text, where they have a value. */
  const shownFields = (i: Detail): [string, string][] => {
    const e = m.edit.incident;
    const rows: [string, string | null][] = [
      [e.severity, i.severity ? (e.severities[i.severity] ?? i.severity) : null],
      [e.category, i.category],
      [e.threatType, i.threatType],
      [e.initialAssessment, i.initialAssessment],
      [e.impact, i.impact],
      [e.statusUpdate, i.statusUpdate],
      [e.rootCause, i.rootCause],
      [e.mitigationsApplied, i.mitigationsApplied.join('; ') || null],
      [e.mitigationsOngoing, i.mitigationsOngoing.join('; ') || null],
      [e.closedAt, i.closedAt ? formatDateTime(i.closedAt) : null],
    ];
    return rows.filter((r): r is [string, string] => r[1] !== null && r[1] !== '');
  };

  const select = (id: string | null) => {
    setDetail(null);
    setEditing(false);
    setNotice(null);
    setGenerated(null);
    setOpen(id);
  };
  /** After a change: show the answer at once, and fetch the list and clocks again. */
  const changed = (incident: Detail) => {
    setDetail((d) => (d && d.incident.id === incident.id ? { ...d, incident } : d));
    setTick((n) => n + 1);
  };

  return (
    <section id="incidents-view" aria-labelledby="incidents-heading">
      <h2 id="incidents-heading">{t.heading}</h2>
      {error && (
        <p class="error" role="alert">
          {error}
        </p>
      )}
      {incidents !== null && incidents.length === 0 && <p class="muted">{t.none}</p>}
      {incidents !== null && incidents.length > 0 && (
        <ul class="alarm-list incident-list">
          {incidents.map((i) => (
            <li key={i.id} class={`incident status-${i.status}`}>
              <button type="button" class="link-button incident-open" aria-expanded={open === i.id} aria-label={t.showDetail(i.title)} onClick={() => select(open === i.id ? null : i.id)}>
                <strong>{i.title}</strong>
              </button>{' '}
              <span class="badge">{i.status === 'closed' ? t.closed : t.open}</span>
              {i.severity && <span class="badge">{i.severity}</span>}
              <span class="muted"> {t.aware(formatDateTime(i.awareAt))}</span>
            </li>
          ))}
        </ul>
      )}
      {open && detail && detail.incident.id === open && (
        <article class="panel incident-detail" aria-labelledby="incident-detail-heading">
          <h3 id="incident-detail-heading">{detail.incident.title}</h3>
          <h4>{t.clocks}</h4>
          <div class="table-scroll" tabIndex={0} role="region" aria-label={t.clocks}>
            <table class="events clocks">
              <tbody>
                {detail.clocks.map((c) => (
                  <tr key={c.id} class={`clock clock-${c.id}`} data-state={c.state}>
                    <th scope="row">{t.clockNames[c.id] ?? c.id}</th>
                    <td>
                      <span class={`badge clock-state ${clockClass(c.state)}`}>{t.clockStates[c.state] ?? c.state}</span>
                    </td>
                    <td>{c.due ? t.due(c.dueLocal ?? formatDateTime(c.due)) : ''}</td>
                    <td>{c.sent ? t.sent(formatDateTime(c.sent)) : ''}</td>
                  </tr>
                ))}
              </tbody>
            </table>
          </div>
          <h4>{t.fields}</h4>
          <dl class="incident-fields">
            <dt>{t.significant}</dt>
            <dd>{detail.incident.significance.significant ? t.yes : t.no}</dd>
            {detail.incident.description && (
              <>
                <dt>{t.description}</dt>
                <dd>{detail.incident.description}</dd>
              </>
            )}
            {shownFields(detail.incident).map(([label, value]) => (
              <Fragment key={label}>
                <dt>{label}</dt>
                <dd>{value}</dd>
              </Fragment>
            ))}
          </dl>
          <h4>{t.submissions}</h4>
          {detail.incident.submissions.length === 0 ? (
            <p class="muted">{t.noSubmissions}</p>
          ) : (
            <ul>
              {detail.incident.submissions.map((s) => (
                <li key={`${s.stage}-${s.sentAt}`}>
                  {t.reportStages[s.stage] ?? s.stage}: {t.sent(formatDateTime(s.sentAt))} → {s.recipient} <code>{s.sha256.slice(0, 16)}…</code>
                </li>
              ))}
            </ul>
          )}
          {can('incident.manage') && (
            <>
              <p>
                <button
                  type="button"
                  class="secondary incident-edit-toggle"
                  aria-expanded={editing}
                  onClick={() => {
                    setNotice(null);
                    setEditing(!editing);
                  }}
                >
                  {m.edit.incident.edit}
                </button>{' '}
                <span class="muted incident-saved" role="status">
                  {notice}
                </span>
              </p>
              {editing && (
                <IncidentEdit
                  key={detail.incident.id}
                  incident={detail.incident}
                  onSaved={(i) => {
                    changed(i);
                    setEditing(false);
                    setNotice(m.edit.incident.saved);
                  }}
                  onClose={() => setEditing(false)}
                />
              )}
              <IncidentReports id={open} onGenerated={setGenerated} />
              <IncidentSubmission key={open} id={open} generated={generated} onRecorded={changed} />
            </>
          )}
          <button type="button" class="secondary" onClick={() => select(null)}>
            {t.close}
          </button>
        </article>
      )}
    </section>
  );
}
