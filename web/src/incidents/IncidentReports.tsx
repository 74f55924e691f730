// Report generation of an incident (incident.manage): each stage as JSON or PDF through
// POST /api/v1/incidents/{id}/reports/{stage}; the answer becomes a download link (an object URL
// of the bytes, so nothing is generated twice) with the SHA-256 the server stamped on it, which is
// the hash to record when the report is sent. A stage lacking fields says what is missing.
import { useEffect, useState } from 'preact/hooks';
import { useSession } from '../app/session.ts';
import { useI18n } from '../i18n/index.ts';

/** The report stages, in the order of the clocks. */
export const stages = ['early-warning', 'notification', 'intermediate', 'final', 'progress', 'gdpr-art33'] as const;
type Stage = (typeof stages)[number];

/** A report generated here: its stage and the SHA-256 to record when it is sent. */
export interface Generated {
  readonly stage: Stage;
  readonly sha256: string;
}

interface Ready {
  file: string;
  url: string;
  sha256: string;
}

export function IncidentReports({ id, onGenerated }: { id: string; onGenerated?: (g: Generated) => void }) {
  const { api } = useSession();
  const { m } = useI18n();
  const t = m.screens.incidents;
  const [ready, setReady] = useState<Ready | null>(null);
  const [line, setLine] = useState<{ text: string; error: boolean } | null>(null);
  useEffect(() => () => ready && URL.revokeObjectURL(ready.url), [ready]);

  async function generate(stage: Stage, format: 'json' | 'pdf'): Promise<void> {
    setLine({ text: t.generating, error: false });
    setReady(null);
    const { data, error, response } = await api.client.POST('/api/v1/incidents/{id}/reports/{stage}', {
      params: { path: { id, stage } },
      body: { format },
      parseAs: 'blob',
    });
    if (!response.ok || !data) {
      const p = (error ?? {}) as { detail?: string; missing?: string[]; details?: { missing?: string[] } };
      const missing = p.missing ?? p.details?.missing;
      setLine({ text: t.reportFailed(`${p.detail ?? response.status}${missing ? ` (${missing.join(', ')})` : ''}`), error: true });
      return;
    }
    const file = `incident-${id.slice(0, 8)}-${stage}.${format}`;
    const sha256 = response.headers.get('x-custos-sha256') ?? '';
    setReady({ file, url: URL.createObjectURL(data), sha256 });
    setLine({ text: t.generated(file, sha256), error: false });
    onGenerated?.({ stage, sha256 });
  }

  return (
    <div class="incident-reports">
      <h4>{t.reports}</h4>
      <ul class="report-stages">
        {stages.map((s) => (
          <li key={s}>
            <button type="button" class="secondary report-json" onClick={() => void generate(s, 'json')}>
              {t.json(t.reportStages[s] ?? s)}
            </button>{' '}
            <button type="button" class="secondary report-pdf" onClick={() => void generate(s, 'pdf')}>
              {t.pdf(t.reportStages[s] ?? s)}
            </button>
          </li>
        ))}
      </ul>
      {line && (
        <p class={line.error ? 'error' : 'muted'} role="status" id="report-status">
          {line.text}
        </p>
      )}
      {ready && (
        <p>
          <a class="report-download" href={ready.url} download={ready.file}>
            {t.download(ready.file)}
          </a>
        </p>
      )}
    </div>
  );
}
