// Residency report, "where is every byte" (audit.read): the allowed jurisdictions on top, then
// per camera the storage zones and jurisdictions holding its footage and where its keys live,
// where the key provider, the database and the audit log live, and every outbound destination.
// A location outside the allowed jurisdictions (allowed === false) or undeclared is highlighted.
import { useEffect, useState } from 'preact/hooks';
import type { JsonOf } from '../api/client.ts';
import { useSession } from '../app/session.ts';
import { formatBytes, formatDateTime } from '../format.ts';
import { useI18n } from '../i18n/index.ts';

type Report = JsonOf<'/api/v1/residency/report'>;
type Location = Report['database'];

export function ResidencyView() {
  const { api } = useSession();
  const { m } = useI18n();
  const t = m.gov.residency;
  const [report, setReport] = useState<Report | null>(null);
  const [error, setError] = useState<string | null>(null);

  useEffect(() => {
    let stopped = false;
    api
      .ok(api.client.GET('/api/v1/residency/report'))
      .then((r) => !stopped && setReport(r))
      .catch((e: unknown) => !stopped && setError(t.loadFailed(e instanceof Error ? e.message : String(e))));
    return () => {
      stopped = true;
    };
  }, []);

  /** A jurisdiction, marked when the allowed list does not admit it or nobody declared it. */
  const where = (jurisdiction: string | null, allowed: boolean | null) => {
    const outside = allowed === false;
    return (
      <span class={outside || jurisdiction === null ? 'badge state-stopped residency-outside' : 'badge state-recording'}>
        {jurisdiction ?? t.undeclared}
        {outside ? ` — ${t.outside}` : ''}
      </span>
    );
  };
  /** Whether the allowed list admits a footage zone: its storage location's verdict. */
  const admits = (zone: string): boolean | null => report?.locations.find((l) => (l.kind === 'storage-zone' || l.kind === 'data-dir') && l.id === zone)?.allowed ?? null;
  const place = (label: string, l: Location) => (
    <tr class={l.allowed === false ? 'residency-row outside' : 'residency-row'}>
      <th scope="row">{label}</th>
      <td>{where(l.jurisdiction, l.allowed)}</td>
      <td>
        <code>{l.detail}</code>
      </td>
      <td class="muted">{l.declaredBy}</td>
    </tr>
  );

  return (
    <section id="residency-view" aria-labelledby="residency-heading">
      <h2 id="residency-heading">{t.heading}</h2>
      {error && (
        <p class="error" role="status">
          {error}
        </p>
      )}
      {report && (
        <>
          <div class="panel residency-allowed">
            <h3>{t.allowed}</h3>
            {report.enforced ? (
              <ul class="state-counts">
                {report.allowed.map((j) => (
                  <li key={j}>
                    <span class="badge state-recording">{j}</span>
                  </li>
                ))}
              </ul>
            ) : (
              <p class="muted">{t.notEnforced}</p>
            )}
            {report.violations.length > 0 && (
              <>
                <h4>{t.violations}</h4>
                <ul class="error">
                  {report.violations.map((v) => (
                    <li key={v}>{v}</li>
                  ))}
                </ul>
              </>
            )}
          </div>

          <div class="panel">
            <h3>{t.cameras}</h3>
            {report.cameras.length === 0 && <p class="muted">{t.noCameras}</p>}
            <ul class="alarm-list residency-cameras">
              {report.cameras.map((c) => (
                <li key={c.id} class="residency-camera" data-camera-id={c.id}>
                  <strong>{c.name}</strong>
                  {c.footage.length === 0 ? (
                    <p class="muted">{t.noFootage}</p>
                  ) : (
                    <div class="table-scroll" tabIndex={0} role="region" aria-label={`${t.cameras}: ${c.name}`}>
                      <table class="events footage">
                        <thead>
                          <tr>
                            <th scope="col">{t.zone}</th>
                            <th scope="col">{t.jurisdiction}</th>
                            <th scope="col">{t.segments}</th>
                            <th scope="col">{t.size}</th>
                            <th scope="col">{t.span}</th>
                          </tr>
                        </thead>
                        <tbody>
                          {c.footage.map((f) => (
                            <tr key={f.zone} class="footage-zone" data-zone={f.zone}>
                              <td>
                                <code>{f.zone}</code> <span class="muted">({f.kind})</span>
                              </td>
                              <td>{where(f.jurisdiction, admits(f.zone))}</td>
                              <td>{f.segments}</td>
                              <td>{formatBytes(f.bytes)}</td>
                              <td>{f.from && f.to ? `${formatDateTime(f.from)} – ${formatDateTime(f.to)}` : ''}</td>
                            </tr>
                          ))}
                        </tbody>
                      </table>
                    </div>
                  )}
                  <p class="muted">{t.keys(`${c.keys.masterKey.detail} (${c.keys.masterKey.jurisdiction ?? t.undeclared})`, `${c.keys.dataKeys.detail} (${c.keys.dataKeys.jurisdiction ?? t.undeclared})`)}</p>
                </li>
              ))}
            </ul>
          </div>

          <div class="panel">
            <h3>{t.places}</h3>
            <div class="table-scroll" tabIndex={0} role="region" aria-label={t.places}>
              <table class="events residency-places">
                <thead>
                  <tr>
                    <th scope="col">{t.kind}</th>
                    <th scope="col">{t.jurisdiction}</th>
                    <th scope="col">{t.detail}</th>
                    <th scope="col">{t.declaredBy}</th>
                  </tr>
                </thead>
                <tbody>
                  {place(t.keyProvider, report.keyProvider)}
                  {place(t.database, report.database)}
                  {place(t.auditLog, report.auditLog)}
                </tbody>
              </table>
            </div>
          </div>

          <div class="panel">
            <h3>{t.outbound}</h3>
            {report.outbound.length === 0 ? (
              <p class="muted">{t.noOutbound}</p>
            ) : (
              <div class="table-scroll" tabIndex={0} role="region" aria-label={t.outbound}>
                <table class="events residency-outbound">
                  <thead>
                    <tr>
                      <th scope="col">{t.kind}</th>
                      <th scope="col">{t.jurisdiction}</th>
                      <th scope="col">{t.detail}</th>
                      <th scope="col">{t.declaredBy}</th>
                    </tr>
                  </thead>
                  <tbody>
                    {report.outbound.map((l) => (
                      <tr key={`${l.kind}:${l.id}`} class={l.allowed === false ? 'residency-row outside' : 'residency-row'}>
                        <th scope="row">
                          {l.kind} <code>{l.id}</code>
                        </th>
                        <td>{where(l.jurisdiction, l.allowed)}</td>
                        <td>
                          <code>{l.detail}</code>
                        </td>
                        <td class="muted">{l.declaredBy}</td>
                      </tr>
                    ))}
                  </tbody>
                </table>
              </div>
            )}
          </div>
        </>
      )}
    </section>
  );
}
