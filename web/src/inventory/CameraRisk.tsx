// One camera's risk, for camera.manage: its security score (total, grade, cap, every factor with
// its points and evidence), the imported advisories that affect it, and, for a camera not vetted
// clear, a four-eyes risk-acceptance request (or the note that one is pending approval).
import { useEffect, useState } from 'preact/hooks';
import type { JsonOf } from '../api/client.ts';
import { useSession } from '../app/session.ts';
import { useI18n } from '../i18n/index.ts';
import type { Advisory } from './AdvisoriesPanel.tsx';

type Entry = JsonOf<'/api/v1/inventory'>[number];
type Score = JsonOf<'/api/v1/cameras/{id}/security-score'>;

/** The approvals the user can see that are pending risk acceptances of this camera. */
async function pendingAcceptance(api: ReturnType<typeof useSession>['api'], cameraId: string): Promise<boolean> {
  const all = await api.ok(api.client.GET('/api/v1/approvals', { params: { query: { view: 'all' } } }));
  return all.some((r) => r.status === 'pending' && r.details.change === 'camera.riskAccept' && r.details.cameraId === cameraId);
}

/** A date a month ahead, as the date input wants it (yyyy-mm-dd). */
const inAMonth = () => new Date(Date.now() + 30 * 86_400_000).toISOString().slice(0, 10);

export function CameraRisk({ entry, name, advisories, onChange }: { entry: Entry; name: string; advisories: Advisory[]; onChange: () => void }) {
  const { api } = useSession();
  const { m } = useI18n();
  const t = m.screens.inventory;
  const [score, setScore] = useState<Score | null>(null);
  const [scoreError, setScoreError] = useState<string | null>(null);
  const [pending, setPending] = useState(false);
  const [line, setLine] = useState<{ text: string; error: boolean } | null>(null);
  const [reason, setReason] = useState('');
  const [until, setUntil] = useState(inAMonth);
  const id = entry.cameraId;

  useEffect(() => {
    api
      .ok(api.client.GET('/api/v1/cameras/{id}/security-score', { params: { path: { id } } }))
      .then(setScore)
      .catch((e: unknown) => setScoreError(e instanceof Error ? e.message : String(e)));
    if (entry.vetting !== 'clear') pendingAcceptance(api, id).then(setPending, () => undefined);
  }, [id, entry.firmware, entry.vetting]);

  async function request(ev: Event): Promise<void> {
    ev.preventDefault();
    setLine(null);
    // The route always answers APPROVAL_REQUIRED (403) with the request's id: that is success.
    const { error, response } = await api.client.POST('/api/v1/cameras/{id}/risk-acceptance', {
      params: { path: { id } },
      body: { reason, until: new Date(`${until}T23:59:59Z`).toISOString() },
    });
    const problem = (error ?? {}) as { code?: string; detail?: string; approvalId?: string; details?: { approvalId?: string } };
    if (problem.code === 'APPROVAL_REQUIRED') {
      setLine({ text: t.requested(problem.approvalId ?? problem.details?.approvalId ?? '?'), error: false });
      setPending(true);
      setReason('');
      onChange();
    } else {
      setLine({ text: t.requestFailed(problem.detail ?? `${response.status}`), error: true });
    }
  }

  const formId = `accept-${id}`;
  return (
    <div class="camera-risk">
      <div class="panel score" aria-labelledby={`score-${id}`}>
        <h3 id={`score-${id}`}>{t.score}</h3>
        {!score && !scoreError && <p class="muted">{t.scoreLoading}</p>}
        {scoreError && <p class="error">{scoreError}</p>}
        {score && (
          <>
            <p>
              <span class={`badge grade grade-${score.grade}`}>{t.grade(score.grade)}</span> <strong class="score-total">{t.scoreTotal(score.total, score.max)}</strong>
            </p>
            {score.cappedBy && <p class="error">{t.cappedBy(score.cappedBy)}</p>}
            <ul class="factors">
              {score.factors.map((f) => (
                <li key={f.id} class={`factor factor-${f.state}`}>
                  <strong>{t.factors[f.id] ?? f.id}</strong> <span class="badge">{t.points(f.points, f.max)}</span> <span class="badge">{t.factorStates[f.state] ?? f.state}</span> <span class="muted">{f.evidence}</span>
                </li>
              ))}
            </ul>
          </>
        )}
      </div>
      <div class="panel">
        <h3>{t.matching}</h3>
        {advisories.length === 0 ? (
          <p class="muted">{t.noMatching}</p>
        ) : (
          <ul class="matching-advisories">
            {advisories.map((a) => (
              <li key={a.id}>
                <span class={`badge severity-${a.severity}`}>{m.screens.advisories.severity(a.severity)}</span> {a.title} <span class="muted">{a.cves.join(', ')}</span>
              </li>
            ))}
          </ul>
        )}
      </div>
      {entry.vetting !== 'clear' && (
        <div class="panel">
          <h3 id={`${formId}-h`}>{t.acceptHeading}</h3>
          {pending && <p class="badge risk pending-acceptance">{t.pending}</p>}
          <p class="muted">{t.acceptIntro}</p>
          <form class="admin-form" aria-labelledby={`${formId}-h`} onSubmit={(e) => void request(e)}>
            <label>
              {t.reason}
              <input required maxLength={500} value={reason} onInput={(e) => setReason(e.currentTarget.value)} />
            </label>
            <label>
              {t.until}
              <input type="date" required value={until} onInput={(e) => setUntil(e.currentTarget.value)} />
            </label>
            <button type="submit" aria-label={`${t.request}: ${name}`}>
              {t.request}
            </button>
          </form>
          {line && (
            <p class={line.error ? 'error' : 'muted'} role="status">
              {line.text}
            </p>
          )}
        </div>
      )}
    </div>
  );
}
