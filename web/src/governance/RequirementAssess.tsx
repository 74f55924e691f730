// Assessing one requirement of the Statement of Applicability (governance.manage): its status,
// owner, evidence links (one per line) and the reason where it is not applied, through
// PATCH /api/v1/governance/requirements/{id} with only what changed. The server checks the whole
// assessment (not applicable needs a reason; links must be live:, document:, ledger: or https);
// a refusal is shown next to the control it concerns and the typed values stay.
import { useEffect, useState } from 'preact/hooks';
import type { JsonOf } from '../api/client.ts';
import { Field, FieldError, FormFooter, invalidProps, useSave } from '../app/field-error.tsx';
import type { Refusal } from '../app/field-problem.ts';
import { useSession } from '../app/session.ts';
import { useI18n } from '../i18n/index.ts';

type Requirement = JsonOf<'/api/v1/governance/requirements'>[number];

const fields = ['status', 'owner', 'evidence', 'reason'] as const;

/** The catalogue's checks name no field: which control their message concerns. */
const byCode = (e: Refusal): string | null => (/not applicable needs/.test(e.message) ? 'reason' : /evidence link/.test(e.message) ? 'evidence' : /owner/.test(e.message) ? 'owner' : null);

export function RequirementAssess({ requirement: r, statuses, onSaved, onClose }: { requirement: Requirement; statuses: readonly string[]; onSaved: (r: Requirement) => void; onClose: () => void }) {
  const { api } = useSession();
  const { m } = useI18n();
  const t = m.edit.requirement;
  const c = m.edit.common;
  const [draft, setDraft] = useState<Record<(typeof fields)[number], string>>({ status: r.status, owner: r.owner ?? '', evidence: r.evidence.join('\n'), reason: r.reason ?? '' });
  const { state, run, formRef } = useSave(fields, byCode);
  const idp = `req-${r.id.replace(/[^a-zA-Z0-9-]/g, '-')}`;
  useEffect(() => formRef.current?.querySelector('select')?.focus(), []);

  async function save(): Promise<void> {
    const body: { status?: Requirement['status']; owner?: string | null; evidence?: string[]; reason?: string | null } = {};
    if (draft.status !== r.status) body.status = draft.status as Requirement['status'];
    const owner = draft.owner.trim() === '' ? null : draft.owner.trim();
    if (owner !== r.owner) body.owner = owner;
    const evidence = draft.evidence.split('\n').map((s) => s.trim()).filter((s) => s !== '');
    if (evidence.join('\n') !== r.evidence.join('\n')) body.evidence = evidence;
    const reason = draft.reason.trim() === '' ? null : draft.reason.trim();
    if (reason !== r.reason) body.reason = reason;
    let updated: Requirement | null = null;
    const call =
      Object.keys(body).length === 0
        ? null
        : async () => {
            updated = await api.ok(api.client.PATCH('/api/v1/governance/requirements/{id}', { params: { path: { id: r.id } }, body }));
          };
    if (await run(call, t.saved(r.id), c.nothingChanged)) onSaved(updated!);
  }

  const bind = (f: (typeof fields)[number]) => ({
    name: f,
    value: draft[f],
    onInput: (e: { currentTarget: HTMLInputElement | HTMLTextAreaElement | HTMLSelectElement }) => setDraft({ ...draft, [f]: e.currentTarget.value }),
    ...invalidProps(state.problem, f, idp),
  });

  return (
    <form
      ref={formRef}
      class="admin-form edit-form requirement-assess"
      data-requirement-id={r.id}
      aria-labelledby={`${idp}-heading`}
      onSubmit={(e) => {
        e.preventDefault();
        void save();
      }}
    >
      <h4 id={`${idp}-heading`}>{t.heading(r.id, r.title)}</h4>
      <div class="field">
        <label>
          {t.status}
          <select {...bind('status')}>
            {statuses.map((s) => (
              <option key={s} value={s}>
                {m.gov.governance.statuses[s] ?? s}
              </option>
            ))}
          </select>
        </label>
        <FieldError problem={state.problem} field="status" idPrefix={idp} />
      </div>
      <Field label={t.owner} field="owner" problem={state.problem} idPrefix={idp}>
        <input {...bind('owner')} maxLength={200} />
      </Field>
      <div class="field wide">
        <label class="wide">
          {t.evidence}
          <textarea {...bind('evidence')} rows={3} spellcheck={false} />
        </label>
        <FieldError problem={state.problem} field="evidence" idPrefix={idp} />
      </div>
      <div class="field wide">
        <label class="wide">
          {t.reason}
          <textarea {...bind('reason')} rows={2} maxLength={2000} />
        </label>
        <FieldError problem={state.problem} field="reason" idPrefix={idp} />
      </div>
      <FormFooter state={state} onCancel={onClose} />
    </form>
  );
}
