// Camera administration for holders of camera.manage: add a camera and watch its first
// connection (the connection test: the recorder's own state and error, not a separate probe),
// and per camera enable/disable, retention and removal. The server audits every change.
import { useRef, useState } from 'preact/hooks';
import { useSession } from '../app/session.ts';
import { useI18n } from '../i18n/index.ts';
import type { Camera } from './use-cameras.ts';

interface Line {
  text: string;
  error: boolean;
}

const why = (e: unknown) => (e instanceof Error ? e.message : String(e));

/** The add-camera form; `cameras` is the latest poll, to show the new camera's first connection. */
export function AddCamera({ cameras }: { cameras: Camera[] }) {
  const { api } = useSession();
  const { m } = useI18n();
  const [open, setOpen] = useState(false);
  const [busy, setBusy] = useState(false);
  const [line, setLine] = useState<Line | null>(null);
  const [added, setAdded] = useState<string | null>(null);
  const firstRef = useRef<HTMLInputElement>(null);
  const camera = added ? cameras.find((c) => c.id === added) : undefined;

  async function submit(form: HTMLFormElement): Promise<void> {
    const value = (name: string) => (form.elements.namedItem(name) as HTMLInputElement).value;
    setBusy(true);
    setLine(null);
    try {
      const body = {
        name: value('name').trim(),
        url: value('url').trim(),
        username: value('username') || undefined,
        password: value('password') || undefined,
        retentionHours: Number(value('retentionHours')) || undefined,
        subStreamUrl: value('subStreamUrl').trim() || undefined,
        recordAudio: (form.elements.namedItem('recordAudio') as HTMLInputElement).checked,
      };
      const created = await api.ok(api.client.POST('/api/v1/cameras', { body: body as never }));
      form.reset();
      setAdded(created.id);
      setLine({ text: m.admin.added(created.name), error: false });
    } catch (e) {
      setLine({ text: m.admin.failed(why(e)), error: true });
    } finally {
      setBusy(false);
    }
  }

  const state = camera ? camera.status.state : null;
  return (
    <section class="panel add-camera" aria-labelledby="add-camera-heading">
      <h3 id="add-camera-heading">
        <button
          type="button"
          class="link-button"
          aria-expanded={open}
          onClick={() => {
            setOpen(!open);
            setTimeout(() => firstRef.current?.focus(), 0);
          }}
        >
          {m.admin.addCamera}
        </button>
      </h3>
      {open && (
        <form
          class="admin-form"
          onSubmit={(e) => {
            e.preventDefault();
            void submit(e.currentTarget);
          }}
        >
          <label>
            {m.admin.name}
            <input ref={firstRef} name="name" required maxLength={100} autocomplete="off" />
          </label>
          <label>
            {m.admin.url}
            <input name="url" required maxLength={2048} placeholder="rtsp://host/path" autocomplete="off" spellcheck={false} />
          </label>
          <label>
            {m.admin.username}
            <input name="username" maxLength={256} autocomplete="off" />
          </label>
          <label>
            {m.admin.password}
            <input name="password" type="password" maxLength={256} autocomplete="new-password" />
          </label>
          <label>
            {m.admin.retention}
            <input name="retentionHours" type="number" min={1} max={87600} defaultValue="72" />
          </label>
          <label>
            {m.admin.subStream}
            <input name="subStreamUrl" maxLength={2048} placeholder="rtsp://host/sub" autocomplete="off" spellcheck={false} />
          </label>
          <label class="check">
            <input name="recordAudio" type="checkbox" />
            {m.admin.recordAudio}
          </label>
          <button type="submit" disabled={busy}>
            {m.admin.add}
          </button>
        </form>
      )}
      {line && (
        <p class={line.error ? 'error' : 'muted'} role="status">
          {line.text}
          {camera && state !== null && <span class="connection-test"> {state === 'recording' ? m.admin.connected : camera.status.lastError ? m.admin.connectionFailed(camera.status.lastError) : m.admin.connecting}</span>}
        </p>
      )}
    </section>
  );
}

/** Enable/disable, retention and removal of one camera. */
export function CameraControls({ camera }: { camera: Camera }) {
  const { api } = useSession();
  const { m } = useI18n();
  const [busy, setBusy] = useState(false);
  const [line, setLine] = useState<Line | null>(null);
  const [confirmRemove, setConfirmRemove] = useState(false);
  const retentionRef = useRef<HTMLInputElement>(null);

  async function change(body: Record<string, unknown>, done: string): Promise<void> {
    setBusy(true);
    setLine(null);
    try {
      await api.ok(api.client.PATCH('/api/v1/cameras/{id}', { params: { path: { id: camera.id } }, body: body as never }));
      setLine({ text: done, error: false });
    } catch (e) {
      setLine({ text: m.admin.failed(why(e)), error: true });
    } finally {
      setBusy(false);
    }
  }

  async function remove(): Promise<void> {
    setBusy(true);
    try {
      await api.ok(api.client.DELETE('/api/v1/cameras/{id}', { params: { path: { id: camera.id } } }));
    } catch (e) {
      setLine({ text: m.admin.failed(why(e)), error: true });
      setConfirmRemove(false);
    } finally {
      setBusy(false);
    }
  }

  return (
    <div class="camera-admin">
      <button type="button" class="secondary toggle-enabled" disabled={busy} onClick={() => void change({ enabled: !camera.enabled }, camera.enabled ? m.admin.disabledDone : m.admin.enabledDone)}>
        {camera.enabled ? m.admin.disable : m.admin.enable}
      </button>
      <form
        class="retention-form"
        onSubmit={(e) => {
          e.preventDefault();
          void change({ retentionHours: Number(retentionRef.current?.value) }, m.admin.retentionDone);
        }}
      >
        <label>
          {m.admin.retention}
          <input ref={retentionRef} type="number" min={1} max={87600} defaultValue={String(camera.retentionHours)} class="retention-hours" />
        </label>
        <button type="submit" class="secondary" disabled={busy}>
          {m.admin.save}
        </button>
      </form>
      {confirmRemove ? (
        <>
          <button type="button" class="danger" disabled={busy} onClick={() => void remove()}>
            {m.admin.confirmRemove(camera.name)}
          </button>
          <button type="button" class="link-button" onClick={() => setConfirmRemove(false)}>
            {m.admin.cancel}
          </button>
        </>
      ) : (
        <button type="button" class="secondary" onClick={() => setConfirmRemove(true)}>
          {m.admin.remove}
        </button>
      )}
      {line && (
        <p class={line.error ? 'error' : 'muted'} role="status">
          {line.text}
        </p>
      )}
    </div>
  );
}
