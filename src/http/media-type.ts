/**
 * The media type of a Content-Type header (RFC 9110 §8.3.1): the `type/subtype` before any
 * parameters, without surrounding whitespace, lower-cased, since media types are
 * case-insensitive. `undefined` for an absent or empty header. Decisions about a body's kind
 * MUST compare this, never the raw header (`Application/X-WWW-Form-Urlencoded` is a form).
 */
export function mediaTypeOf(header: string | string[] | undefined): string | undefined {
  const value = Array.isArray(header) ? header[0] : header;
  if (value === undefined) return undefined;
  const type = (value.split(';')[0] ?? '').trim().toLowerCase();
  return type === '' ? undefined : type;
}

/** The media type of HTML form posts, refused on every route that does not take them. */
export const formMediaType = 'application/x-www-form-urlencoded';
