// The imported security advisories (worst first) with the cameras each affects, and the import
// of a CSAF 2.0 or OSV file (camera.manage): the file is read in the browser and sent as the
// JSON body of POST /api/v1/advisories; the server validates, stores and matches it.
import { useState } from 'preact/hooks';
import type { JsonOf } from '../api/client.ts';
import { useSession } from '../app/session.ts';
import { formatDateTime } from '../format.ts';
import { useI18n } from '../i18n/index.ts';

export type Advisory = JsonOf<'/api/v1/advisories'>[number];

export function AdvisoriesPanel({ advisories, nameOf, onImported }: { advisories: Advisory[]; nameOf: (id: string) => string; onImported: () => void }) {
  const { api } = useSession();
  const { m } = useI18n();
  const t = m.screens.advisories;
  const [line, setLine] = useState<{ text: string; error: boolean } | null>(null);

  async function importFile(input: HTMLInputElement): Promise<void> {
    const file = input.files?.[0];
    if (!file) return;
    setLine({ text: t.importing, error: false });
    let doc: Record<string, unknown>;
    try {
      doc = JSON.parse(await file.text()) as Record<string, unknown>;
    } catch {
      setLine({ text: t.importFailed(t.notJson), error: true });
      return;
    }
    try {
      const r = await api.ok(api.client.POST('/api/v1/advisories', { body: doc }));
      setLine({ text: t.imported(r.advisory.title, r.advisory.cameras?.length ?? 0), error: false });
      onImported();
    } catch (e) {
      setLine({ text: t.importFailed(e instanceof Error ? e.message : String(e)), error: true });
    } finally {
      input.value = '';
    }
  }

  return (
    <section class="panel advisories" aria-labelledby="advisories-heading">
      <h3 id="advisories-heading">{t.heading}</h3>
      <label class="file-import">
        {t.import}
        <input type="file" accept=".json,application/json" aria-label={t.file} onChange={(e) => void importFile(e.currentTarget)} />
      </label>
      {line && (
        <p class={line.error ? 'error' : 'muted'} role="status" id="advisory-status">
          {line.text}
        </p>
      )}
      {advisories.length === 0 ? (
        <p class="muted">{t.none}</p>
      ) : (
        <ul class="alarm-list advisory-list">
          {advisories.map((a) => (
            <li key={a.id} class="advisory">
              <span class={`badge severity-${a.severity}`}>{t.severity(a.severity)}</span>
              {a.cvssScore !== null && <span class="badge">CVSS {a.cvssScore}</span>} <strong>{a.title}</strong> <span class="muted">{a.cves.join(', ')}</span>
              {a.withdrawn && <span class="badge"> {t.withdrawn}</span>}
              <span class="muted">
                {' '}
                {a.publisher} · {formatDateTime(a.importedAt)}
              </span>
              <div class="advisory-cameras">{a.cameras && a.cameras.length > 0 ? t.affects(a.cameras.map((c) => `${nameOf(c.cameraId)} (${c.firmware})`).join(', ')) : t.affectsNone}</div>
            </li>
          ))}
        </ul>
      )}
    </section>
  );
}
