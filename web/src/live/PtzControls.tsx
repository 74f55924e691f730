// PTZ controls of a maximised live tile (camera.ptz): direction and optical zoom buttons that
// move the camera continuously while held (pointer or Space/Enter) and stop it on release, a
// Stop button, and the camera's presets (go to, save the current position). The controls show
// only when the camera answers its presets: a camera without PTZ (PTZ_UNAVAILABLE) gets none.
import { useEffect, useRef, useState } from 'preact/hooks';
import { useSession } from '../app/session.ts';
import { useI18n } from '../i18n/index.ts';

interface Preset {
  token: string;
  name: string;
}

interface Velocity {
  pan?: number;
  tilt?: number;
  zoom?: number;
}

/** How long the camera keeps moving without a repeat (ONVIF Timeout); repeats come faster. */
const moveTimeoutMs = 1000;
const repeatMs = 600;
const speed = 0.5;

export function PtzControls({ cameraId, name }: { cameraId: string; name: string }) {
  const { api } = useSession();
  const { m } = useI18n();
  const t = m.screens.ptz;
  const [presets, setPresets] = useState<Preset[] | null>(null);
  const [line, setLine] = useState<{ text: string; error: boolean } | null>(null);
  const [presetName, setPresetName] = useState('');
  const repeat = useRef<ReturnType<typeof setInterval> | null>(null);
  const path = { params: { path: { id: cameraId } } };

  const loadPresets = () =>
    api
      .ok(api.client.GET('/api/v1/cameras/{id}/ptz/presets', path))
      .then(setPresets)
      .catch(() => setPresets(null));
  useEffect(() => {
    void loadPresets();
    return () => {
      if (repeat.current) void stop();
    };
  }, [cameraId]);

  const fail = (e: unknown) => setLine({ text: t.failed(e instanceof Error ? e.message : String(e)), error: true });

  function move(v: Velocity): void {
    if (repeat.current) return;
    // A refused move ends the repeats: holding on would only repeat the refusal.
    const send = () =>
      api.ok(api.client.POST('/api/v1/cameras/{id}/ptz/move', { ...path, body: { ...v, timeoutMs: moveTimeoutMs } })).catch((e: unknown) => {
        if (repeat.current) clearInterval(repeat.current);
        repeat.current = null;
        fail(e);
      });
    setLine(null);
    void send();
    repeat.current = setInterval(() => void send(), repeatMs);
  }

  async function stop(): Promise<void> {
    if (repeat.current) clearInterval(repeat.current);
    repeat.current = null;
    await api.ok(api.client.POST('/api/v1/cameras/{id}/ptz/stop', path)).catch(fail);
  }

  async function gotoPreset(p: Preset): Promise<void> {
    try {
      await api.ok(api.client.POST('/api/v1/cameras/{id}/ptz/presets/{token}/goto', { params: { path: { id: cameraId, token: p.token } } }));
    } catch (e) {
      fail(e);
    }
  }

  async function savePreset(ev: Event): Promise<void> {
    ev.preventDefault();
    try {
      const p = await api.ok(api.client.POST('/api/v1/cameras/{id}/ptz/presets', { ...path, body: { name: presetName } }));
      setLine({ text: t.saved(p.name), error: false });
      setPresetName('');
      await loadPresets();
    } catch (e) {
      fail(e);
    }
  }

  if (presets === null) return null;

  /** A button that moves while held: pointer down/up, or Space/Enter down/up. */
  const hold = (label: string, cls: string, v: Velocity, glyph: string) => (
    <button
      type="button"
      class={`secondary icon ptz-${cls}`}
      aria-label={label}
      title={label}
      onPointerDown={(e) => {
        e.currentTarget.setPointerCapture(e.pointerId);
        move(v);
      }}
      onPointerUp={() => void stop()}
      onPointerCancel={() => void stop()}
      onKeyDown={(e) => {
        if ((e.key === ' ' || e.key === 'Enter') && !e.repeat) {
          e.preventDefault();
          move(v);
        }
      }}
      onKeyUp={(e) => {
        if (e.key === ' ' || e.key === 'Enter') {
          e.preventDefault();
          void stop();
        }
      }}
      onBlur={() => repeat.current && void stop()}
    >
      <span aria-hidden="true">{glyph}</span>
    </button>
  );

  return (
    <div class="ptz" role="group" aria-label={t.label(name)}>
      <div class="ptz-pad">
        <span />
        {hold(t.up, 'up', { tilt: speed }, '▲')}
        <span />
        {hold(t.left, 'left', { pan: -speed }, '◀')}
        <button type="button" class="secondary icon ptz-stop" aria-label={t.stop} title={t.stop} onClick={() => void stop()}>
          ■
        </button>
        {hold(t.right, 'right', { pan: speed }, '▶')}
        {hold(t.zoomOut, 'zoom-out', { zoom: -speed }, '−')}
        {hold(t.down, 'down', { tilt: -speed }, '▼')}
        {hold(t.zoomIn, 'zoom-in', { zoom: speed }, '+')}
      </div>
      <p class="muted ptz-hint">{t.hint}</p>
      <div class="ptz-presets">
        <h4>{t.presets}</h4>
        {presets.length === 0 ? (
          <p class="muted">{t.noPresets}</p>
        ) : (
          <ul>
            {presets.map((p) => (
              <li key={p.token}>
                <button type="button" class="secondary preset-goto" onClick={() => void gotoPreset(p)}>
                  {t.goto(p.name)}
                </button>
              </li>
            ))}
          </ul>
        )}
        <form class="admin-form" onSubmit={(e) => void savePreset(e)}>
          <label>
            {t.presetName}
            <input required maxLength={64} value={presetName} onInput={(e) => setPresetName(e.currentTarget.value)} />
          </label>
          <button type="submit" class="secondary">
            {t.save}
          </button>
        </form>
      </div>
      {line && (
        <p class={line.error ? 'error' : 'muted'} role="status">
          {line.text}
        </p>
      )}
    </div>
  );
}
