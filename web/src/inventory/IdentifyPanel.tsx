// Discover (WS-Discovery, unicast targets) and identify a camera over ONVIF (camera.manage):
// a discovered device's address fills the identify form; identifying vets the vendor and may
// quarantine the camera (its stored RTSP credentials are used when the address is on its host).
import { useState } from 'preact/hooks';
import { useSession } from '../app/session.ts';
import type { CameraPoll } from '../cameras/use-cameras.ts';
import { useI18n } from '../i18n/index.ts';

/** A device that answered the probe. */
interface Found {
  endpoint: string;
  xaddrs: string[];
  from: string;
}

export function IdentifyPanel({ poll, onIdentified }: { poll: CameraPoll; onIdentified: () => void }) {
  const { api } = useSession();
  const { m } = useI18n();
  const t = m.screens.identify;
  const [targets, setTargets] = useState('');
  const [found, setFound] = useState<Found[]>([]);
  const [camera, setCamera] = useState('');
  const [xaddr, setXaddr] = useState('');
  const [line, setLine] = useState<{ text: string; error: boolean } | null>(null);
  const cameras = poll.cameras ?? [];

  async function discover(ev: Event): Promise<void> {
    ev.preventDefault();
    setLine({ text: t.discovering, error: false });
    const unicast = targets.split(',').map((s) => s.trim()).filter(Boolean);
    try {
      const r = await api.ok(api.client.POST('/api/v1/onboarding/discover', { body: { unicast, timeoutMs: 2000 } }));
      setFound(r);
      setLine({ text: t.found(r.length), error: false });
    } catch (e) {
      setLine({ text: t.discoverFailed(e instanceof Error ? e.message : String(e)), error: true });
    }
  }

  async function identify(ev: Event): Promise<void> {
    ev.preventDefault();
    const id = camera || cameras[0]?.id;
    if (!id) return;
    try {
      const r = await api.ok(api.client.POST('/api/v1/cameras/{id}/identify', { params: { path: { id } }, body: { xaddr } }));
      setLine({ text: t.identified(r.vendor, r.model, m.screens.inventory.vettings[r.vetting] ?? r.vetting), error: false });
      onIdentified();
    } catch (e) {
      setLine({ text: t.identifyFailed(e instanceof Error ? e.message : String(e)), error: true });
    }
  }

  return (
    <section class="panel identify" aria-labelledby="identify-heading">
      <h3 id="identify-heading">{t.heading}</h3>
      <form class="admin-form" onSubmit={(e) => void discover(e)}>
        <label>
          {t.unicast}
          <input value={targets} onInput={(e) => setTargets(e.currentTarget.value)} />
        </label>
        <button type="submit" class="secondary">
          {t.discover}
        </button>
      </form>
      {found.length > 0 && (
        <ul class="discovered">
          {found.flatMap((f) =>
            f.xaddrs.map((x) => (
              <li key={`${f.endpoint}-${x}`}>
                <button type="button" class="link-button" onClick={() => setXaddr(x)}>
                  {t.use(x)}
                </button>
              </li>
            )),
          )}
        </ul>
      )}
      <form class="admin-form" onSubmit={(e) => void identify(e)}>
        <label>
          {t.camera}
          <select value={camera || cameras[0]?.id} onChange={(e) => setCamera(e.currentTarget.value)}>
            {cameras.map((c) => (
              <option key={c.id} value={c.id}>
                {c.name}
              </option>
            ))}
          </select>
        </label>
        <label>
          {t.xaddr}
          <input type="url" required value={xaddr} placeholder="http://192.0.2.10/onvif/device_service" onInput={(e) => setXaddr(e.currentTarget.value)} />
        </label>
        <button type="submit">{t.identify}</button>
      </form>
      {line && (
        <p class={line.error ? 'error' : 'muted'} role="status" id="identify-status">
          {line.text}
        </p>
      )}
    </section>
  );
}
