// A camera's inventory fields (camera.manage): location, owner, install date and end of vendor
// support, through PATCH /api/v1/inventory/{id} with only what changed. The form starts from the
// entry as it was when opened (the 10-s refresh does not overwrite typing); a refusal is shown
// next to the control it concerns and the typed values stay.
import { useState } from 'preact/hooks';
import type { JsonOf } from '../api/client.ts';
import { Field, FormFooter, invalidProps, useSave } from '../app/field-error.tsx';
import { useSession } from '../app/session.ts';
import { useI18n } from '../i18n/index.ts';

type Entry = JsonOf<'/api/v1/inventory'>[number];

const fields = ['location', 'owner', 'installDate', 'endOfSupport'] as const;
type Field = (typeof fields)[number];

/** The form value of a field of `e` (dates as yyyy-mm-dd, absent as empty). */
const valueOf = (e: Entry, f: Field): string => (e[f] ?? '').slice(0, f === 'installDate' || f === 'endOfSupport' ? 10 : undefined);

export function AssetFields({ entry, name, onSaved }: { entry: Entry; name: string; onSaved: () => void }) {
  const { api } = useSession();
  const { m } = useI18n();
  const t = m.edit.asset;
  const c = m.edit.common;
  const [start, setStart] = useState(() => Object.fromEntries(fields.map((f) => [f, valueOf(entry, f)])) as Record<Field, string>);
  const [draft, setDraft] = useState(start);
  const { state, run, formRef } = useSave(fields);
  const idp = `asset-${entry.cameraId.slice(0, 8)}`;

  async function save(): Promise<void> {
    const body: { location?: string; owner?: string; installDate?: string | null; endOfSupport?: string | null } = {};
    if (draft.location !== start.location) body.location = draft.location.trim();
    if (draft.owner !== start.owner) body.owner = draft.owner.trim();
    if (draft.installDate !== start.installDate) body.installDate = draft.installDate || null;
    if (draft.endOfSupport !== start.endOfSupport) body.endOfSupport = draft.endOfSupport || null;
    let updated: Entry | null = null;
    const call =
      Object.keys(body).length === 0
        ? null
        : async () => {
            updated = await api.ok(api.client.PATCH('/api/v1/inventory/{id}', { params: { path: { id: entry.cameraId } }, body }));
          };
    if (await run(call, t.saved(name), c.nothingChanged)) {
      setStart(Object.fromEntries(fields.map((f) => [f, valueOf(updated!, f)])) as Record<Field, string>);
      onSaved();
    }
  }

  const bind = (f: Field) => ({
    name: f,
    value: draft[f],
    onInput: (e: { currentTarget: HTMLInputElement }) => setDraft({ ...draft, [f]: e.currentTarget.value }),
    ...invalidProps(state.problem, f, idp),
  });

  return (
    <form
      ref={formRef}
      class="admin-form edit-form asset-fields"
      aria-labelledby={`${idp}-heading`}
      onSubmit={(e) => {
        e.preventDefault();
        void save();
      }}
    >
      <h3 id={`${idp}-heading`}>{t.heading}</h3>
      <Field label={t.location} field="location" problem={state.problem} idPrefix={idp}>
        <input {...bind('location')} maxLength={200} />
      </Field>
      <Field label={t.owner} field="owner" problem={state.problem} idPrefix={idp}>
        <input {...bind('owner')} maxLength={200} />
      </Field>
      <Field label={t.installDate} field="installDate" problem={state.problem} idPrefix={idp}>
        <input {...bind('installDate')} type="date" />
      </Field>
      <Field label={t.endOfSupport} field="endOfSupport" problem={state.problem} idPrefix={idp}>
        <input {...bind('endOfSupport')} type="date" />
      </Field>
      <FormFooter state={state} submitLabel={t.saveOf(name)} />
    </form>
  );
}
