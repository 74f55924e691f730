// The cluster in the health screen (camera.manage, global): the nodes (live or gone, roles, URL,
// cameras held), which node records each camera, and the checkpoint signer. Shown only when
// cluster mode is on (GET /api/v1/cluster/status says so with `enabled`). Polled in the background.
import { useEffect, useState } from 'preact/hooks';
import { backgroundHeader, type JsonOf } from '../api/client.ts';
import { useSession } from '../app/session.ts';
import type { CameraPoll } from '../cameras/use-cameras.ts';
import { formatDateTime } from '../format.ts';
import { useI18n } from '../i18n/index.ts';

type Cluster = JsonOf<'/api/v1/cluster/status'>;

export function ClusterPanel({ poll }: { poll: CameraPoll }) {
  const { api } = useSession();
  const { m } = useI18n();
  const t = m.gov.cluster;
  const [cluster, setCluster] = useState<Cluster | null>(null);
  const [tick, setTick] = useState(0);

  useEffect(() => {
    let stopped = false;
    api
      .ok(api.client.GET('/api/v1/cluster/status', { headers: backgroundHeader }))
      .then((c) => !stopped && setCluster(c))
      .catch(() => undefined);
    const timer = setTimeout(() => setTick((n) => n + 1), 5000);
    return () => {
      stopped = true;
      clearTimeout(timer);
    };
  }, [tick]);

  if (!cluster?.enabled) return null;
  const nameOf = (id: string) => poll.cameras?.find((c) => c.id === id)?.name ?? id.slice(0, 8);

  return (
    <div class="panel cluster" id="cluster-panel">
      <h3>{t.heading}</h3>
      <p class="muted">
        {t.answering(cluster.node)} · {cluster.checkpointSigner ? t.signer(cluster.checkpointSigner) : t.noSigner} · {cluster.jobsHolder ? t.jobs(cluster.jobsHolder) : t.noJobs}
      </p>
      <div class="table-scroll" tabIndex={0} role="region" aria-label={t.heading}>
        <table class="events cluster-nodes">
          <thead>
            <tr>
              <th scope="col">{t.node}</th>
              <th scope="col">{t.state}</th>
              <th scope="col">{t.roles}</th>
              <th scope="col">{t.url}</th>
              <th scope="col">{t.cameras}</th>
            </tr>
          </thead>
          <tbody>
            {cluster.nodes.map((n) => (
              <tr key={n.id} class="cluster-node" data-node-id={n.id}>
                <td>
                  <code>{n.id}</code>
                </td>
                <td>
                  <span class={`badge ${n.live ? 'state-recording' : 'state-stopped'}`}>{n.live ? t.live : t.gone}</span>
                </td>
                <td>{n.roles.join(', ')}</td>
                <td>{n.url ? <code>{n.url}</code> : ''}</td>
                <td>{n.cameras}</td>
              </tr>
            ))}
          </tbody>
        </table>
      </div>
      {cluster.cameras.length > 0 && (
        <div class="table-scroll" tabIndex={0} role="region" aria-label={t.recorders}>
          <table class="events cluster-recorders">
            <caption>{t.recorders}</caption>
            <thead>
              <tr>
                <th scope="col">{t.camera}</th>
                <th scope="col">{t.recorder}</th>
                <th scope="col">{t.expires}</th>
              </tr>
            </thead>
            <tbody>
              {cluster.cameras.map((c) => (
                <tr key={c.cameraId} data-camera-id={c.cameraId}>
                  <td>{nameOf(c.cameraId)}</td>
                  <td>{c.holder ? <code>{c.holder}</code> : <span class="error">{t.nobody}</span>}</td>
                  <td>{formatDateTime(c.expiresAt)}</td>
                </tr>
              ))}
            </tbody>
          </table>
        </div>
      )}
    </div>
  );
}
