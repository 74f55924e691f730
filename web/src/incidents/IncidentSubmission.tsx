// Recording a report stage as sent (incident.manage): stage, when it was sent (browser time zone,
// to the second), to whom, and the SHA-256 of what was sent, through
// POST /api/v1/incidents/{id}/submissions; the stage's clock stops. A report generated above
// (IncidentReports) fills in its stage and hash. A refusal is shown next to its field.
import { useEffect, useState } from 'preact/hooks';
import type { JsonOf } from '../api/client.ts';
import { Field, FieldError, FormFooter, invalidProps, useSave } from '../app/field-error.tsx';
import { useSession } from '../app/session.ts';
import { useI18n } from '../i18n/index.ts';
import { fromLocalInput, localZone, toLocalInput } from '../playback/JumpTo.tsx';
import { stages, type Generated } from './IncidentReports.tsx';

type Detail = JsonOf<'/api/v1/incidents/{id}'>;

const fields = ['stage', 'sentAt', 'recipient', 'sha256'] as const;

export function IncidentSubmission({ id, generated, onRecorded }: { id: string; generated: Generated | null; onRecorded: (i: Detail) => void }) {
  const { api } = useSession();
  const { m } = useI18n();
  const t = m.edit.incident;
  const c = m.edit.common;
  const stageName = (s: string) => m.screens.incidents.reportStages[s] ?? s;
  const [draft, setDraft] = useState({ stage: 'early-warning', sentAt: toLocalInput(new Date()), recipient: '', sha256: '' });
  const { state, run, formRef } = useSave(fields);
  const idp = `sub-${id.slice(0, 8)}`;

  // A freshly generated report is what will be sent: take its stage and hash.
  useEffect(() => {
    if (generated) setDraft((d) => ({ ...d, stage: generated.stage, sha256: generated.sha256 }));
  }, [generated]);

  async function record(): Promise<void> {
    const stage = draft.stage as (typeof stages)[number];
    let updated: Detail | null = null;
    const call = async () => {
      const sentAt = fromLocalInput(draft.sentAt)?.toISOString() ?? draft.sentAt;
      updated = await api.ok(api.client.POST('/api/v1/incidents/{id}/submissions', { params: { path: { id } }, body: { stage, sentAt, recipient: draft.recipient.trim(), sha256: draft.sha256.trim().toLowerCase() } }));
    };
    if (await run(call, t.recorded(stageName(stage)), c.nothingChanged)) onRecorded(updated!);
  }

  const bind = (f: (typeof fields)[number]) => ({
    name: f,
    value: draft[f],
    onInput: (e: { currentTarget: HTMLInputElement | HTMLSelectElement }) => setDraft({ ...draft, [f]: e.currentTarget.value }),
    ...invalidProps(state.problem, f, idp),
  });

  return (
    <form
      ref={formRef}
      class="admin-form edit-form incident-submission"
      aria-labelledby={`${idp}-heading`}
      onSubmit={(e) => {
        e.preventDefault();
        void record();
      }}
    >
      <h4 id={`${idp}-heading`}>{t.sentHeading}</h4>
      <p class="muted hint">{t.sentIntro}</p>
      {generated && generated.sha256 === draft.sha256 && <p class="muted hint">{t.useGenerated(stageName(generated.stage))}</p>}
      <div class="field">
        <label>
          {t.stage}
          <select {...bind('stage')}>
            {stages.map((s) => (
              <option key={s} value={s}>
                {stageName(s)}
              </option>
            ))}
          </select>
        </label>
        <FieldError problem={state.problem} field="stage" idPrefix={idp} />
      </div>
      <div class="field">
        <label>
          {t.sentAt} <span class="muted">({localZone()})</span>
          <input {...bind('sentAt')} type="datetime-local" step={1} required />
        </label>
        <FieldError problem={state.problem} field="sentAt" idPrefix={idp} />
      </div>
      <Field label={t.recipient} field="recipient" problem={state.problem} idPrefix={idp}>
        <input {...bind('recipient')} required maxLength={200} />
      </Field>
      <div class="field wide">
        <label class="wide">
          {t.sha256}
          <input {...bind('sha256')} required pattern="[0-9a-fA-F]{64}" maxLength={64} spellcheck={false} autocomplete="off" />
        </label>
        <FieldError problem={state.problem} field="sha256" idPrefix={idp} />
      </div>
      <FormFooter state={state} submit={t.record} />
    </form>
  );
}
