// Editing a camera's settings (camera.manage): name, RTSP URL, credentials, sub-stream (with its
// dual recording and that recording's retention, ADR 0043) and the audio switch, through PATCH /api/v1/cameras/{id} with only the fields that changed. The form
// starts from the camera as it was when opened and is not overwritten by the 3-s poll; a refusal
// (problem+json) is shown next to the control it concerns and leaves the typed values in place
// (the server stores nothing of a refused change). Credentials are never shown: an empty user or
// password keeps the stored one.
import { useEffect, useState } from 'preact/hooks';
import { Field, FieldError, FormFooter, invalidProps, useSave } from '../app/field-error.tsx';
import type { Refusal } from '../app/field-problem.ts';
import { useSession } from '../app/session.ts';
import { useI18n } from '../i18n/index.ts';
import type { Camera } from './use-cameras.ts';

const fields = ['name', 'url', 'username', 'password', 'subStreamUrl', 'recordSubStream', 'subStreamRetentionHours', 'recordAudio'] as const;

/** Camera errors that name no field: which control they concern. */
const byCode = (e: Refusal): string | null =>
  e.code === 'CAMERA_NAME_TAKEN' ? 'name' : e.code === 'CAMERA_URL_TAKEN' ? 'url' : e.code === 'CAMERA_URL_INVALID' ? (/sub-stream/i.test(e.message) ? 'subStreamUrl' : 'url') : null;

interface Draft {
  name: string;
  url: string;
  username: string;
  password: string;
  clearCredentials: boolean;
  subStreamUrl: string;
  recordSubStream: boolean;
  /** Empty: as long as the camera's footage (null). */
  subStreamRetentionHours: string;
  recordAudio: boolean;
}

/** The PATCH body of what differs from `camera`, or null when nothing does. */
function changes(camera: Camera, d: Draft): Record<string, unknown> | null {
  const body: Record<string, unknown> = {};
  if (d.name.trim() !== camera.name) body.name = d.name.trim();
  if (d.url.trim() !== camera.url) body.url = d.url.trim();
  if (d.clearCredentials) {
    body.username = null;
    body.password = null;
  } else {
    if (d.username !== '') body.username = d.username;
    if (d.password !== '') body.password = d.password;
  }
  const sub = d.subStreamUrl.trim() === '' ? null : d.subStreamUrl.trim();
  if (sub !== (camera.subStreamUrl ?? null)) body.subStreamUrl = sub;
  if (d.recordSubStream !== camera.recordSubStream) body.recordSubStream = d.recordSubStream;
  // Not a number (the browser refuses the form first) is sent as typed, for the server's refusal.
  const hours = d.subStreamRetentionHours.trim() === '' ? null : Number(d.subStreamRetentionHours.trim());
  if (hours !== (camera.subStreamRetentionHours ?? null)) body.subStreamRetentionHours = hours;
  if (d.recordAudio !== camera.recordAudio) body.recordAudio = d.recordAudio;
  return Object.keys(body).length === 0 ? null : body;
}

export function CameraEdit({ camera, onClose }: { camera: Camera; onClose: () => void }) {
  const { api } = useSession();
  const { m } = useI18n();
  const t = m.edit.camera;
  const c = m.edit.common;
  const [draft, setDraft] = useState<Draft>({ name: camera.name, url: camera.url, username: '', password: '', clearCredentials: false, subStreamUrl: camera.subStreamUrl ?? '', recordSubStream: camera.recordSubStream, subStreamRetentionHours: camera.subStreamRetentionHours === null ? '' : String(camera.subStreamRetentionHours), recordAudio: camera.recordAudio });
  const { state, run, formRef } = useSave(fields, byCode);
  const idp = `cam-${camera.id.slice(0, 8)}`;
  // Opened, the form takes the focus on its first field (keyboard use).
  useEffect(() => formRef.current?.querySelector('input')?.focus(), []);
  const set = (patch: Partial<Draft>) => setDraft({ ...draft, ...patch });
  const input = (field: 'name' | 'url' | 'username' | 'password' | 'subStreamUrl') => ({
    name: field,
    value: draft[field],
    onInput: (e: { currentTarget: HTMLInputElement }) => set({ [field]: e.currentTarget.value }),
    ...invalidProps(state.problem, field, idp),
  });

  async function save(): Promise<void> {
    const body = changes(camera, draft);
    const saved = await run(body && (() => api.ok(api.client.PATCH('/api/v1/cameras/{id}', { params: { path: { id: camera.id } }, body: body as never }))), t.saved(draft.name.trim()), c.nothingChanged);
    // Credentials sent are not kept in the page.
    if (saved) setDraft((d) => ({ ...d, username: '', password: '', clearCredentials: false }));
  }

  return (
    <form
      ref={formRef}
      class="admin-form camera-edit"
      aria-labelledby={`${idp}-edit-heading`}
      onSubmit={(e) => {
        e.preventDefault();
        void save();
      }}
    >
      <h4 id={`${idp}-edit-heading`}>{t.heading(camera.name)}</h4>
      <Field label={t.name} field="name" problem={state.problem} idPrefix={idp}>
        <input {...input('name')} required maxLength={100} autocomplete="off" />
      </Field>
      <div class="field wide">
        <label class="wide">
          {t.url}
          <input {...input('url')} required maxLength={2048} autocomplete="off" spellcheck={false} aria-describedby={invalidProps(state.problem, 'url', idp)['aria-describedby'] ?? `${idp}-url-hint`} />
        </label>
        <span class="muted hint" id={`${idp}-url-hint`}>
          {t.urlHint}
        </span>
        <FieldError problem={state.problem} field="url" idPrefix={idp} />
      </div>
      <Field label={t.username} field="username" problem={state.problem} idPrefix={idp}>
        <input {...input('username')} maxLength={256} autocomplete="off" disabled={draft.clearCredentials} />
      </Field>
      <Field label={t.password} field="password" problem={state.problem} idPrefix={idp}>
        <input {...input('password')} type="password" maxLength={256} autocomplete="new-password" disabled={draft.clearCredentials} />
      </Field>
      {camera.hasCredentials && (
        <label class="check">
          <input type="checkbox" name="clearCredentials" checked={draft.clearCredentials} onChange={(e) => set({ clearCredentials: e.currentTarget.checked })} />
          {t.clearCredentials}
        </label>
      )}
      <div class="field wide">
        <label class="wide">
          {t.subStream}
          <input {...input('subStreamUrl')} maxLength={2048} placeholder="rtsp://host/sub" autocomplete="off" spellcheck={false} />
        </label>
        <FieldError problem={state.problem} field="subStreamUrl" idPrefix={idp} />
      </div>
      <div class="field">
        <label class="check">
          <input type="checkbox" name="recordSubStream" checked={draft.recordSubStream} onChange={(e) => set({ recordSubStream: e.currentTarget.checked })} {...invalidProps(state.problem, 'recordSubStream', idp)} />
          {t.recordSubStream}
        </label>
        <FieldError problem={state.problem} field="recordSubStream" idPrefix={idp} />
      </div>
      <Field label={t.subStreamRetention(camera.retentionHours)} field="subStreamRetentionHours" problem={state.problem} idPrefix={idp}>
        <input
          name="subStreamRetentionHours"
          type="number"
          min={1}
          max={camera.retentionHours}
          value={draft.subStreamRetentionHours}
          placeholder={String(camera.retentionHours)}
          onInput={(e) => set({ subStreamRetentionHours: e.currentTarget.value })}
          {...invalidProps(state.problem, 'subStreamRetentionHours', idp)}
        />
      </Field>
      <div class="field">
        <label class="check">
          <input type="checkbox" name="recordAudio" checked={draft.recordAudio} onChange={(e) => set({ recordAudio: e.currentTarget.checked })} {...invalidProps(state.problem, 'recordAudio', idp)} />
          {t.recordAudio}
        </label>
        <FieldError problem={state.problem} field="recordAudio" idPrefix={idp} />
      </div>
      <FormFooter state={state} onCancel={onClose} />
    </form>
  );
}
