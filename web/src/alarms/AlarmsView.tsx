// The alarms panel: the active alarms of the inbox, newest first, with Acknowledge for those
// who may work the inbox (incident.manage). Polled in the background.
import { useEffect, useState } from 'preact/hooks';
import { backgroundHeader, type JsonOf } from '../api/client.ts';
import { useSession } from '../app/session.ts';
import { formatDateTime } from '../format.ts';
import { useI18n } from '../i18n/index.ts';

type Alarm = JsonOf<'/api/v1/alarms'>[number];

const refreshMs = 5000;

export function AlarmsView() {
  const { api, can } = useSession();
  const { m } = useI18n();
  const [alarms, setAlarms] = useState<Alarm[] | null>(null);
  const [error, setError] = useState<string | null>(null);
  const [tick, setTick] = useState(0);

  useEffect(() => {
    let stopped = false;
    api
      .ok(api.client.GET('/api/v1/alarms', { headers: backgroundHeader }))
      .then((a) => {
        if (stopped) return;
        setAlarms(a);
        setError(null);
      })
      .catch((e: unknown) => !stopped && setError(m.alarms.loadFailed(e instanceof Error ? e.message : String(e))));
    const timer = setTimeout(() => setTick((t) => t + 1), refreshMs);
    return () => {
      stopped = true;
      clearTimeout(timer);
    };
  }, [tick]);

  async function acknowledge(seq: number): Promise<void> {
    try {
      await api.ok(api.client.POST('/api/v1/alarms/{seq}/actions', { params: { path: { seq } }, body: { action: 'acknowledge' } }));
      setTick((t) => t + 1);
    } catch (e) {
      setError(m.alarms.loadFailed(e instanceof Error ? e.message : String(e)));
    }
  }

  return (
    <section id="alarms-view" aria-labelledby="alarms-heading">
      <h2 id="alarms-heading">{m.alarms.heading}</h2>
      {error && (
        <p class="error" role="alert">
          {error}
        </p>
      )}
      {alarms !== null && alarms.length === 0 && <p class="muted">{m.alarms.none}</p>}
      {alarms !== null && alarms.length > 0 && (
        <ul class="alarm-list">
          {alarms.map((a) => (
            <li key={a.seq} class={`alarm severity-${a.severity} status-${a.status}`}>
              <strong>{a.title}</strong> <span class="badge">{a.severity}</span> <span class="badge">{a.status}</span>
              <span class="muted"> {formatDateTime(a.raisedAt)}</span>
              {can('incident.manage') && a.status === 'open' && (
                <button type="button" class="secondary" aria-label={m.alarms.acknowledgeOf(a.title)} onClick={() => void acknowledge(a.seq)}>
                  {m.alarms.acknowledge}
                </button>
              )}
            </li>
          ))}
        </ul>
      )}
    </section>
  );
}
