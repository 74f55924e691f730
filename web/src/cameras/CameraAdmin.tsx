// Camera administration for holders of camera.manage: add a camera and watch its first
// connection (the connection test: the recorder's own state and error, not a separate probe),
// and per camera enable/disable, settings (CameraEdit.tsx), retention and its minimum, and
// removal. The server audits every change.
import { useRef, useState } from 'preact/hooks';
import { FieldError, invalidProps, SaveStatus, useSave } from '../app/field-error.tsx';
import { useSession } from '../app/session.ts';
import { useI18n } from '../i18n/index.ts';
import { CameraEdit } from './CameraEdit.tsx';
import type { Camera } from './use-cameras.ts';

const retentionFields = ['retentionHours', 'minRetentionHours'] as const;

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

/** Enable/disable, settings, retention (kept hours and the minimum the disk-full policy keeps) and removal of one camera. */
export function CameraControls({ camera }: { camera: Camera }) {
  const { api } = useSession();
  const { m } = useI18n();
  const c = m.edit.common;
  const [busy, setBusy] = useState(false);
  const [line, setLine] = useState<Line | null>(null);
  const [confirmRemove, setConfirmRemove] = useState(false);
  const [editing, setEditing] = useState(false);
  const retentionRef = useRef<HTMLInputElement>(null);
  const minRef = useRef<HTMLInputElement>(null);
  const retention = useSave(retentionFields);
  const idp = `ret-${camera.id.slice(0, 8)}`;

  async function toggle(): Promise<void> {
    setBusy(true);
    setLine(null);
    try {
      await api.ok(api.client.PATCH('/api/v1/cameras/{id}', { params: { path: { id: camera.id } }, body: { enabled: !camera.enabled } }));
      setLine({ text: camera.enabled ? m.admin.disabledDone : m.admin.enabledDone, error: false });
    } catch (e) {
      setLine({ text: m.admin.failed(why(e)), error: true });
    } finally {
      setBusy(false);
    }
  }

  /** Sends the retention fields that changed (a lowering at a four-eyes site must come alone: it is filed for approval). */
  function saveRetention(): void {
    const body: { retentionHours?: number; minRetentionHours?: number } = {};
    const hours = Number(retentionRef.current?.value);
    const min = Number(minRef.current?.value);
    if (hours !== camera.retentionHours) body.retentionHours = hours;
    if (min !== camera.minRetentionHours) body.minRetentionHours = min;
    const call = Object.keys(body).length === 0 ? null : () => api.ok(api.client.PATCH('/api/v1/cameras/{id}', { params: { path: { id: camera.id } }, body }));
    void retention.run(call, m.edit.camera.retentionSaved, c.nothingChanged);
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
      <button type="button" class="secondary toggle-enabled" disabled={busy} onClick={() => void toggle()}>
        {camera.enabled ? m.admin.disable : m.admin.enable}
      </button>
      <button type="button" class="secondary camera-edit-toggle" aria-expanded={editing} aria-label={m.edit.camera.editOf(camera.name)} onClick={() => setEditing(!editing)}>
        {m.edit.camera.edit}
      </button>
      <form
        ref={retention.formRef}
        class="retention-form"
        aria-label={m.edit.camera.retentionOf(camera.name)}
        onSubmit={(e) => {
          e.preventDefault();
          saveRetention();
        }}
      >
        <div class="field">
          <label>
            {m.admin.retention}
            <input ref={retentionRef} name="retentionHours" type="number" required min={1} max={87600} defaultValue={String(camera.retentionHours)} class="retention-hours" {...invalidProps(retention.state.problem, 'retentionHours', idp)} />
          </label>
          <FieldError problem={retention.state.problem} field="retentionHours" idPrefix={idp} />
        </div>
        <div class="field">
          <label>
            {m.edit.camera.retentionMin}
            <input ref={minRef} name="minRetentionHours" type="number" required min={0} max={87600} defaultValue={String(camera.minRetentionHours)} class="min-retention-hours" {...invalidProps(retention.state.problem, 'minRetentionHours', idp)} />
          </label>
          <FieldError problem={retention.state.problem} field="minRetentionHours" idPrefix={idp} />
        </div>
        <button type="submit" class="secondary" disabled={retention.state.busy}>
          {m.admin.save}
        </button>
        <SaveStatus state={retention.state} refused={c.refused} pending={c.pendingApproval} toApprovals={c.toApprovals} class="retention-status" />
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
      {editing && <CameraEdit camera={camera} onClose={() => setEditing(false)} />}
    </div>
  );
}
