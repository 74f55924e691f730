// The inventory screen (issue 17, issue 19 item 7): every camera identified over ONVIF with its
// vendor, model, firmware, MAC, vetting (clear, flagged, unvetted; likely relabel), quarantine and
// risk acceptance. Holders of camera.manage also get, per camera, the security score with its
// factors and the matching advisories, a four-eyes risk-acceptance request for a camera that is
// not vetted clear, the inventory fields (location, owner, dates; AssetFields.tsx), the
// advisories list with import, and discovery + identification.
import { useEffect, useState } from 'preact/hooks';
import { backgroundHeader, type JsonOf } from '../api/client.ts';
import { useSession } from '../app/session.ts';
import type { CameraPoll } from '../cameras/use-cameras.ts';
import { formatDateTime } from '../format.ts';
import { useI18n } from '../i18n/index.ts';
import { AdvisoriesPanel, type Advisory } from './AdvisoriesPanel.tsx';
import { AssetFields } from './AssetFields.tsx';
import { CameraRisk } from './CameraRisk.tsx';
import { IdentifyPanel } from './IdentifyPanel.tsx';

type Entry = JsonOf<'/api/v1/inventory'>[number];

const refreshMs = 10_000;

export function InventoryView({ poll }: { poll: CameraPoll }) {
  const { api, can } = useSession();
  const { m } = useI18n();
  const t = m.screens.inventory;
  const manage = can('camera.manage');
  const [entries, setEntries] = useState<Entry[] | null>(null);
  const [advisories, setAdvisories] = useState<Advisory[]>([]);
  const [error, setError] = useState<string | null>(null);
  const [open, setOpen] = useState<string | null>(null);
  const [tick, setTick] = useState(0);
  const reload = () => setTick((n) => n + 1);

  useEffect(() => {
    let stopped = false;
    api
      .ok(api.client.GET('/api/v1/inventory', { headers: backgroundHeader }))
      .then((e) => {
        if (stopped) return;
        setEntries(e);
        setError(null);
      })
      .catch((e: unknown) => !stopped && setError(t.loadFailed(e instanceof Error ? e.message : String(e))));
    if (manage) {
      api
        .ok(api.client.GET('/api/v1/advisories', { headers: backgroundHeader }))
        .then((a) => !stopped && setAdvisories(a))
        .catch(() => undefined);
    }
    const timer = setTimeout(reload, refreshMs);
    return () => {
      stopped = true;
      clearTimeout(timer);
    };
  }, [tick]);

  const nameOf = (id: string) => poll.cameras?.find((c) => c.id === id)?.name ?? id.slice(0, 8);

  return (
    <section id="inventory-view" aria-labelledby="inventory-heading">
      <h2 id="inventory-heading">{t.heading}</h2>
      <p class="muted">{t.intro}</p>
      {error && (
        <p class="error" role="alert">
          {error}
        </p>
      )}
      {entries !== null && entries.length === 0 && <p class="muted">{t.none}</p>}
      {entries !== null && entries.length > 0 && (
        <div class="table-scroll">
          <table class="events inventory">
            <thead>
              <tr>
                <th scope="col">{t.camera}</th>
                <th scope="col">{t.vendor}</th>
                <th scope="col">{t.model}</th>
                <th scope="col">{t.firmware}</th>
                <th scope="col">{t.mac}</th>
                <th scope="col">{t.vetting}</th>
                <th scope="col">{t.quarantine}</th>
              </tr>
            </thead>
            <tbody>
              {entries.map((e) => {
                const name = nameOf(e.cameraId);
                const expanded = open === e.cameraId;
                return [
                  <tr key={e.cameraId} class={`asset vetting-${e.vetting}`} data-camera-id={e.cameraId}>
                    <td>
                      {manage ? (
                        <button type="button" class="link-button asset-toggle" aria-expanded={expanded} aria-label={expanded ? t.hideDetails(name) : t.details(name)} onClick={() => setOpen(expanded ? null : e.cameraId)}>
                          {name}
                        </button>
                      ) : (
                        name
                      )}
                    </td>
                    <td>{e.vendor}</td>
                    <td>{e.model}</td>
                    <td>{e.firmware}</td>
                    <td>
                      <code>{e.mac ?? '—'}</code>
                    </td>
                    <td>
                      <span class={`badge vetting ${e.vetting === 'clear' ? 'safe' : 'risk'}`}>{t.vettings[e.vetting] ?? e.vetting}</span>
                      {e.likelyRelabel && (
                        <span class="badge risk relabel" title={t.relabelTitle}>
                          {t.relabel}
                        </span>
                      )}
                    </td>
                    <td>
                      <span class={`badge quarantine ${e.quarantined ? 'risk' : 'safe'}`}>{e.quarantined ? t.quarantined : t.allowed}</span>
                      {e.acceptedUntil && <span class="muted"> {t.acceptedUntil(formatDateTime(e.acceptedUntil))}</span>}
                    </td>
                  </tr>,
                  expanded && manage && (
                    <tr key={`${e.cameraId}-detail`} class="asset-detail">
                      <td colSpan={7}>
                        <AssetFields entry={e} name={name} onSaved={reload} />
                        <CameraRisk entry={e} name={name} advisories={advisories.filter((a) => a.cameras?.some((c) => c.cameraId === e.cameraId))} onChange={reload} />
                      </td>
                    </tr>
                  ),
                ];
              })}
            </tbody>
          </table>
        </div>
      )}
      {manage && <AdvisoriesPanel advisories={advisories} nameOf={nameOf} onImported={reload} />}
      {manage && <IdentifyPanel poll={poll} onIdentified={reload} />}
    </section>
  );
}
