// Health at a glance (camera.manage): the server's own verdict (/healthz: each part — database,
// recording index, audit ledger, master key provider, disk — and its problems one line each), the cameras by recording state (from the camera poll), and the storage zones with
// their health and lag (/api/v1/storage/status), and the cluster when cluster mode is on
// (ClusterPanel). Polled in the background.
import { useEffect, useState } from 'preact/hooks';
import { backgroundHeader, type JsonOf } from '../api/client.ts';
import { useSession } from '../app/session.ts';
import type { CameraPoll } from '../cameras/use-cameras.ts';
import { useI18n } from '../i18n/index.ts';
import { ClusterPanel } from './ClusterPanel.tsx';
import { SbomLinks } from './SbomLinks.tsx';

type Health = JsonOf<'/healthz'>;
type Storage = JsonOf<'/api/v1/storage/status'>;

export function HealthView({ poll }: { poll: CameraPoll }) {
  const { api } = useSession();
  const { m } = useI18n();
  const [health, setHealth] = useState<Health | null>(null);
  const [storage, setStorage] = useState<Storage | null>(null);
  const [tick, setTick] = useState(0);

  useEffect(() => {
    let stopped = false;
    // /healthz answers 503 with the same body when degraded: read it either way.
    fetch('/healthz', { cache: 'no-store', headers: backgroundHeader })
      .then(async (res) => !stopped && setHealth((await res.json()) as Health))
      .catch(() => !stopped && setHealth(null));
    api
      .ok(api.client.GET('/api/v1/storage/status', { headers: backgroundHeader }))
      .then((s) => !stopped && setStorage(s))
      .catch(() => undefined);
    const timer = setTimeout(() => setTick((t) => t + 1), 5000);
    return () => {
      stopped = true;
      clearTimeout(timer);
    };
  }, [tick]);

  const byState = new Map<string, number>();
  for (const c of poll.cameras ?? []) byState.set(c.status.state, (byState.get(c.status.state) ?? 0) + 1);

  return (
    <section id="health-view" aria-labelledby="health-heading">
      <h2 id="health-heading">{m.health.heading}</h2>
      <div class="panel">
        <h3>{m.health.server}</h3>
        {!poll.reachable || !health ? (
          <p class="error">{m.health.unreachable}</p>
        ) : (
          <>
            <p>
              <span class={`badge ${health.status === 'ok' ? 'state-recording' : 'state-stopped'}`}>{health.status === 'ok' ? m.health.ok : m.health.degraded}</span> <span class="muted">{m.health.version(health.version)}</span>
            </p>
            <h4>{m.health.parts}</h4>
            <ul class="health-parts">
              {health.parts.map((part) => (
                <li key={part.name}>
                  <span class={`badge ${part.ok ? 'state-recording' : 'state-stopped'}`}>{part.ok ? m.health.partOk : m.health.partFailing}</span> {m.health.part[part.name] ?? part.name}
                </li>
              ))}
            </ul>
            {health.problems && health.problems.length > 0 && (
              <ul>
                {health.problems.map((p) => (
                  <li key={p}>{p}</li>
                ))}
              </ul>
            )}
          </>
        )}
      </div>
      <div class="panel">
        <h3>{m.health.cameras}</h3>
        <ul class="state-counts">
          {[...byState].map(([state, n]) => (
            <li key={state}>
              <span class={`badge state-${state}`}>{m.camera.states[state] ?? state}</span> {n}
            </li>
          ))}
        </ul>
      </div>
      {storage && (
        <div class="panel">
          <h3>{m.health.storage}</h3>
          <ul>
            {storage.zones.map((z) => (
              <li key={z.id}>
                <code>{z.id}</code> ({z.kind}
                {z.jurisdiction ? `, ${m.screens.residency.jurisdiction(z.jurisdiction)}` : ''}
                {z.recording ? `, ${m.health.recordingZone}` : ''}) <span class={`badge ${z.health === 'down' ? 'state-stopped' : 'state-recording'}`}>{z.health}</span> {m.health.lag(Math.round(z.lagSeconds))}
                {z.lastError ? <span class="error"> {z.lastError}</span> : null}
              </li>
            ))}
          </ul>
          {storage.unacknowledged > 0 ? <p class="error">{m.health.underReplicated(storage.unacknowledged, storage.underReplicated.length)}</p> : null}
        </div>
      )}
      <ClusterPanel poll={poll} />
      <SbomLinks />
    </section>
  );
}
