// Edit forms show an API refusal (problem+json) next to the control it concerns (which field:
// field-problem.ts). What the person typed stays in the form after a refusal; nothing is stored
// until a save passes.
import type { ComponentChildren } from 'preact';
import { useCallback, useEffect, useRef, useState } from 'preact/hooks';
import { ApiError } from '../api/client.ts';
import { useI18n } from '../i18n/index.ts';
import { problemOf, type FieldProblem, type Refusal } from './field-problem.ts';

export { problemOf, type FieldProblem } from './field-problem.ts';

/** The attributes of a control that `problem` may concern: invalid state and the error's id. */
export function invalidProps(problem: FieldProblem | null, field: string, idPrefix: string): { 'aria-invalid'?: true; 'aria-describedby'?: string } {
  return problem?.field === field ? { 'aria-invalid': true, 'aria-describedby': `${idPrefix}-${field}-error` } : {};
}

/**
 * The error line under a control, when `problem` concerns its field. It MUST stand outside the
 * control's label (beside it, in a `.field` box), so the control's name does not change with it;
 * the control points at it with aria-describedby (invalidProps).
 */
export function FieldError({ problem, field, idPrefix }: { problem: FieldProblem | null; field: string; idPrefix: string }) {
  if (problem?.field !== field) return null;
  return (
    <span class="error field-error" id={`${idPrefix}-${field}-error`} role="alert">
      {problem.text}
    </span>
  );
}

/** The outcome of the last save of a form: saved, waiting for approval, or refused. */
export interface SaveState {
  readonly problem: FieldProblem | null;
  readonly done: string | null;
  readonly pending: boolean;
  readonly busy: boolean;
}

/**
 * Runs one save of a form: `call` is the API request (null when nothing changed). A refusal
 * becomes the problem of the field it concerns; APPROVAL_REQUIRED is no error but a request filed
 * for a second person (four-eyes), which the status line says with a link to the inbox.
 */
export function useSave(fields: readonly string[], byCode?: (e: Refusal) => string | null) {
  const [state, setState] = useState<SaveState>({ problem: null, done: null, pending: false, busy: false });
  const formRef = useRef<HTMLFormElement>(null);
  // The control a refusal concerns takes the focus, so the keyboard lands where the fix is.
  useEffect(() => {
    const field = state.problem?.field;
    if (field) formRef.current?.querySelector<HTMLElement>(`[name="${field}"]`)?.focus();
  }, [state.problem]);
  const run = useCallback(
    async (call: (() => Promise<unknown>) | null, done: string, unchanged: string): Promise<boolean> => {
      if (call === null) {
        setState({ problem: null, done: unchanged, pending: false, busy: false });
        return false;
      }
      setState({ problem: null, done: null, pending: false, busy: true });
      try {
        await call();
        setState({ problem: null, done, pending: false, busy: false });
        return true;
      } catch (e) {
        if (e instanceof ApiError && e.code === 'APPROVAL_REQUIRED') setState({ problem: null, done: null, pending: true, busy: false });
        else setState({ problem: problemOf(e, fields, byCode), done: null, pending: false, busy: false });
        return false;
      }
    },
    [fields, byCode],
  );
  const reset = useCallback(() => setState({ problem: null, done: null, pending: false, busy: false }), []);
  return { state, run, reset, formRef };
}

/** One labelled control with its refusal shown below it (`field` is the name a problem gives). */
export function Field({ label, field, problem, idPrefix, children }: { label: ComponentChildren; field: string; problem: FieldProblem | null; idPrefix: string; children: ComponentChildren }) {
  return (
    <div class="field">
      <label>
        {label}
        {children}
      </label>
      <FieldError problem={problem} field={field} idPrefix={idPrefix} />
    </div>
  );
}

/** The form's status line: saved, pending approval (with a link to the inbox), or a refusal that concerns no single field. */
export function SaveStatus({ state, refused, pending, toApprovals, class: cls }: { state: SaveState; refused: (why: string) => string; pending: string; toApprovals: string; class?: string }) {
  // A refusal that concerns one field is shown (and announced) next to that field only.
  const formProblem = state.problem !== null && state.problem.field === null ? state.problem : null;
  return (
    <p class={`save-status ${cls ?? ''} ${formProblem ? 'error' : 'muted'}`} role="status">
      {formProblem && refused(formProblem.text)}
      {state.done}
      {state.pending && (
        <>
          {pending} <a href="#/approvals">{toApprovals}</a>
        </>
      )}
    </p>
  );
}

/**
 * An edit form's footer: the submit button (`submit`, default "Save changes"; `submitLabel` its
 * accessible name when the text alone is ambiguous), Cancel when `onCancel` is given, then the
 * form's status line.
 */
export function FormFooter({ state, onCancel, submit, submitLabel }: { state: SaveState; onCancel?: () => void; submit?: string; submitLabel?: string }) {
  const { m } = useI18n();
  const c = m.edit.common;
  return (
    <>
      <div class="form-actions">
        <button type="submit" disabled={state.busy} aria-label={submitLabel}>
          {submit ?? c.save}
        </button>
        {onCancel && (
          <button type="button" class="secondary" onClick={onCancel}>
            {c.cancel}
          </button>
        )}
      </div>
      <SaveStatus state={state} refused={c.refused} pending={c.pendingApproval} toApprovals={c.toApprovals} />
    </>
  );
}
