// Which control of an edit form an API refusal (problem+json) concerns: the server names the
// field of a VALIDATION_FAILED (`field`, a dotted path); other codes are mapped by the form
// (`byCode`), and a message starting with a field's name is taken to concern that field. Pure.
/** What the form reads of a refusal: an ApiError (api/client.ts) has these. */
export interface Refusal {
  readonly message: string;
  readonly code?: string | undefined;
  readonly field?: string | undefined;
}

/** A refusal of a save: the field it concerns (null: the form as a whole) and its text. */
export interface FieldProblem {
  readonly field: string | null;
  readonly text: string;
}

const why = (e: unknown) => (e instanceof Error ? e.message : String(e));

/**
 * The field of `fields` that `e` concerns, or null. `byCode` maps error codes that name no
 * field (CAMERA_NAME_TAKEN → name); it may look at the message.
 */
export function problemOf(e: unknown, fields: readonly string[], byCode?: (e: Refusal) => string | null): FieldProblem {
  const text = why(e);
  if (!(e instanceof Error) || !('code' in e)) return { field: null, text };
  const r = e as Refusal;
  const named = r.field?.split('.')[0];
  if (named && fields.includes(named)) return { field: named, text };
  const coded = byCode?.(r) ?? null;
  if (coded !== null && fields.includes(coded)) return { field: coded, text };
  const first = /^(?:body )?([A-Za-z]+)\b/.exec(text)?.[1];
  if (first && fields.includes(first)) return { field: first, text };
  return { field: null, text };
}

