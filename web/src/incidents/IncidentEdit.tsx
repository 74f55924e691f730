// Editing an incident (incident.manage): its times, severity and category, the answers the
// reporting stages need (malicious? cross-border? which member states?), the texts of the reports
// and the mitigations, through PATCH /api/v1/incidents/{id} with only the fields that changed and
// the version the form started from (someone else's change in between is CONFLICT, not lost).
// Times are entered in the browser's time zone to the second. A refusal is shown next to its field.
import { useState } from 'preact/hooks';
import type { JsonOf } from '../api/client.ts';
import { FieldError, FormFooter, invalidProps, useSave, type FieldProblem } from '../app/field-error.tsx';
import type { Refusal } from '../app/field-problem.ts';
import { useSession } from '../app/session.ts';
import { useI18n } from '../i18n/index.ts';
import { fromLocalInput, localZone, toLocalInput } from '../playback/JumpTo.tsx';

type Detail = JsonOf<'/api/v1/incidents/{id}'>;

const times = ['awareAt', 'detectedAt', 'occurredAt', 'containedAt', 'recoveredAt', 'closedAt'] as const;
const texts = ['description', 'initialAssessment', 'impact', 'statusUpdate', 'rootCause'] as const;
const lists = ['mitigationsApplied', 'mitigationsOngoing'] as const;
const fields = ['title', 'severity', 'category', 'threatType', 'suspectedMalicious', 'crossBorder', 'personalDataBreach', 'affectedMemberStates', ...times, ...texts, ...lists] as const;
type Field = (typeof fields)[number];
type Draft = Record<Field, string>;

const formFields = [...fields, 'version'] as const;
const byCode = (e: Refusal): string | null => (e.code === 'CONFLICT' ? 'version' : null);

/** The form's text of every field of `i`. */
function draftOf(i: Detail): Draft {
  const d: Partial<Draft> = {};
  for (const f of times) d[f] = i[f] ? toLocalInput(new Date(i[f])) : '';
  for (const f of texts) d[f] = i[f] ?? '';
  for (const f of lists) d[f] = i[f].join('\n');
  return {
    ...(d as Draft),
    title: i.title,
    severity: i.severity ?? '',
    category: i.category ?? '',
    threatType: i.threatType ?? '',
    suspectedMalicious: i.suspectedMalicious,
    crossBorder: i.crossBorder,
    personalDataBreach: i.personalDataBreach ? 'yes' : 'no',
    affectedMemberStates: i.affectedMemberStates.join(', '),
  };
}

/** The wire value of a field's text (empty optional text and times are null). */
function valueOf(f: Field, text: string): unknown {
  if ((times as readonly string[]).includes(f)) return text === '' ? null : (fromLocalInput(text)?.toISOString() ?? text);
  if ((lists as readonly string[]).includes(f)) return text.split('\n').map((s) => s.trim()).filter((s) => s !== '');
  if (f === 'affectedMemberStates') return text.split(/[\s,;]+/).map((s) => s.trim().toUpperCase()).filter((s) => s !== '');
  if (f === 'personalDataBreach') return text === 'yes';
  if (f === 'title' || f === 'suspectedMalicious' || f === 'crossBorder') return text.trim();
  return text.trim() === '' ? null : text.trim();
}

export function IncidentEdit({ incident, onSaved, onClose }: { incident: Detail; onSaved: (i: Detail) => void; onClose: () => void }) {
  const { api } = useSession();
  const { m } = useI18n();
  const t = m.edit.incident;
  const c = m.edit.common;
  // The form's starting point: a change is what differs from it, based on its version.
  const [start] = useState(() => draftOf(incident));
  const [version] = useState(incident.version);
  const [draft, setDraft] = useState<Draft>(start);
  const { state, run, formRef } = useSave(formFields, byCode);
  const idp = `inc-${incident.id.slice(0, 8)}`;
  const problem: FieldProblem | null = state.problem?.field === 'version' ? { field: null, text: t.conflict } : state.problem;
  const bind = (f: Field) => ({
    name: f,
    id: `${idp}-${f}`,
    value: draft[f],
    onInput: (e: { currentTarget: HTMLInputElement | HTMLTextAreaElement | HTMLSelectElement }) => setDraft({ ...draft, [f]: e.currentTarget.value }),
    ...invalidProps(problem, f, idp),
  });
  const err = (f: Field) => <FieldError problem={problem} field={f} idPrefix={idp} />;

  async function save(): Promise<void> {
    const body: Record<string, unknown> = {};
    for (const f of fields) if (draft[f] !== start[f]) body[f] = valueOf(f, draft[f]);
    let updated: Detail | null = null;
    const call =
      Object.keys(body).length === 0
        ? null
        : async () => {
            updated = await api.ok(api.client.PATCH('/api/v1/incidents/{id}', { params: { path: { id: incident.id } }, body: { ...body, version } as never }));
          };
    if (await run(call, t.saved, c.nothingChanged)) onSaved(updated!);
  }

  const text = (f: (typeof texts)[number], max: number) => (
    <div class="field wide">
      <label class="wide">
        {t[f]}
        <textarea {...bind(f)} rows={3} maxLength={max} />
      </label>
      {err(f)}
    </div>
  );
  const when = (f: (typeof times)[number]) => (
    <div class="field">
      <label>
        {t[f]}
        <input {...bind(f)} type="datetime-local" step={1} required={f === 'awareAt'} />
      </label>
      {err(f)}
    </div>
  );
  const tri = (f: 'suspectedMalicious' | 'crossBorder') => (
    <div class="field">
      <label>
        {t[f]}
        <select {...bind(f)} onChange={(e) => setDraft({ ...draft, [f]: e.currentTarget.value })}>
          {['unknown', 'yes', 'no'].map((v) => (
            <option key={v} value={v}>
              {t.tristate[v]}
            </option>
          ))}
        </select>
      </label>
      {err(f)}
    </div>
  );

  return (
    <form
      ref={formRef}
      class="admin-form edit-form incident-edit"
      aria-labelledby={`${idp}-edit-heading`}
      onSubmit={(e) => {
        e.preventDefault();
        void save();
      }}
    >
      <h4 id={`${idp}-edit-heading`}>{t.heading}</h4>
      <div class="field wide">
        <label class="wide">
          {t.title}
          <input {...bind('title')} required maxLength={200} />
        </label>
        {err('title')}
      </div>
      <div class="field">
        <label>
          {t.severity}
          <select {...bind('severity')} onChange={(e) => setDraft({ ...draft, severity: e.currentTarget.value })}>
            {['', 'low', 'medium', 'high', 'critical'].map((v) => (
              <option key={v} value={v}>
                {t.severities[v]}
              </option>
            ))}
          </select>
        </label>
        {err('severity')}
      </div>
      <div class="field">
        <label>
          {t.category}
          <input {...bind('category')} maxLength={100} />
        </label>
        {err('category')}
      </div>
      <div class="field">
        <label>
          {t.threatType}
          <input {...bind('threatType')} maxLength={200} />
        </label>
        {err('threatType')}
      </div>
      <fieldset class="wide">
        <legend>
          {t.times} <span class="muted">({localZone()})</span>
        </legend>
        {times.map(when)}
      </fieldset>
      <fieldset class="wide">
        <legend>{t.assessment}</legend>
        {tri('suspectedMalicious')}
        {tri('crossBorder')}
        <div class="field">
          <label>
            {t.affectedMemberStates}
            <input {...bind('affectedMemberStates')} maxLength={120} />
          </label>
          {err('affectedMemberStates')}
        </div>
        <label class="check">
          <input type="checkbox" name="personalDataBreach" checked={draft.personalDataBreach === 'yes'} onChange={(e) => setDraft({ ...draft, personalDataBreach: e.currentTarget.checked ? 'yes' : 'no' })} />
          {t.personalDataBreach}
        </label>
      </fieldset>
      {text('description', 20_000)}
      {text('initialAssessment', 20_000)}
      {text('impact', 20_000)}
      {text('statusUpdate', 20_000)}
      {text('rootCause', 5_000)}
      {lists.map((f) => (
        <div class="field wide" key={f}>
          <label>
            {t[f]}
            <textarea {...bind(f)} rows={3} />
          </label>
          {err(f)}
        </div>
      ))}
      <FormFooter state={{ ...state, problem }} onCancel={onClose} />
    </form>
  );
}
