// Export history: an investigator's own export jobs with their downloads (GET /api/v1/exports,
// recording.export), or for auditors every export with its reason, requester, approver and MP4
// hash (GET /api/v1/exports/history, audit.read). Newest first, as the server lists them.
import { useEffect, useState } from 'preact/hooks';
import { backgroundHeader } from '../api/client.ts';
import { useSession } from '../app/session.ts';
import type { Camera } from '../cameras/use-cameras.ts';
import { formatBytes, formatDateTime, formatTime } from '../format.ts';
import { useI18n } from '../i18n/index.ts';

interface Row {
  id: string;
  cameraId: string;
  from: string;
  to: string;
  state: string;
  bytes: number | null;
  error: string | null;
  createdAt: string;
  requestedBy: string;
  approvedBy: string | null;
  mp4Sha256: string | null;
  reason?: string;
  download?: string | null;
  evidence?: string | null;
}

export function ExportHistory({ cameras, scope }: { cameras: Camera[]; scope: 'mine' | 'all' }) {
  const { api } = useSession();
  const { m } = useI18n();
  const [rows, setRows] = useState<Row[] | null>(null);
  const [error, setError] = useState<string | null>(null);
  const [tick, setTick] = useState(0);
  const nameOf = (id: string) => cameras.find((c) => c.id === id)?.name ?? id;

  useEffect(() => {
    let stopped = false;
    const call = scope === 'mine' ? api.ok(api.client.GET('/api/v1/exports', { headers: backgroundHeader })) : api.ok(api.client.GET('/api/v1/exports/history', { headers: backgroundHeader }));
    (call as Promise<Row[]>)
      .then((r) => !stopped && setRows(r))
      .catch((e: unknown) => !stopped && setError(m.exports.loadFailed(e instanceof Error ? e.message : String(e))));
    const timer = setTimeout(() => setTick((t) => t + 1), 5000);
    return () => {
      stopped = true;
      clearTimeout(timer);
    };
  }, [tick, scope]);

  return (
    <div id="export-history" class="panel">
      <h3 id="export-history-heading">{scope === 'mine' ? m.exports.mine : m.exports.all}</h3>
      {error && <p class="error">{error}</p>}
      {rows !== null && rows.length === 0 && <p class="muted">{m.exports.none}</p>}
      {rows !== null && rows.length > 0 && (
        <div class="table-scroll" tabIndex={0} role="region" aria-labelledby="export-history-heading">
          <table class="events">
            <thead>
              <tr>
                <th scope="col">{m.exports.created}</th>
                <th scope="col">{m.exports.camera}</th>
                <th scope="col">{m.exports.range}</th>
                <th scope="col">{m.exports.state}</th>
                <th scope="col">{m.exports.people}</th>
                <th scope="col">{m.exports.result}</th>
              </tr>
            </thead>
            <tbody>
              {rows.slice(0, 50).map((r) => (
                <tr key={r.id} class={r.state === 'failed' ? 'failure' : undefined}>
                  <td>{formatDateTime(r.createdAt)}</td>
                  <td>{nameOf(r.cameraId)}</td>
                  <td>
                    {formatTime(r.from)}–{formatTime(r.to)}
                    {r.reason ? <div class="muted">{r.reason}</div> : null}
                  </td>
                  <td>{r.state}</td>
                  <td>
                    {r.requestedBy}
                    {r.approvedBy ? ` · ${m.exports.approvedBy(r.approvedBy)}` : ''}
                  </td>
                  <td>
                    {r.download ? <a href={r.download}>{m.exports.download(r.bytes === null ? '' : formatBytes(r.bytes))}</a> : r.bytes !== null ? formatBytes(r.bytes) : ''}
                    {r.evidence ? (
                      <>
                        {' · '}
                        <a href={r.evidence}>{m.exports.evidence}</a>
                      </>
                    ) : null}
                    {r.error ? <span class="error"> {r.error}</span> : null}
                    {r.mp4Sha256 ? <div class="muted hash">SHA-256 {r.mp4Sha256.slice(0, 16)}…</div> : null}
                  </td>
                </tr>
              ))}
            </tbody>
          </table>
        </div>
      )}
    </div>
  );
}
