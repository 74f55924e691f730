/**
 * HTTP answers of SIEM ingestion endpoints as {@link SendOutcome}s, one rule for every HTTP
 * destination so they agree on what is worth retrying:
 * - 2xx: accepted;
 * - 408, 429, 500, 502, 503, 504: retryable; `Retry-After` (delta-seconds or an HTTP date,
 *   RFC 9110 §10.2.3) becomes `retryAfterMs`;
 * - 401, 403: retryable (a rotated or re-enabled credential makes the same batch succeed), with
 *   a reason that says the credential was refused;
 * - any other status (400, 404, 413, 422…): not retryable, the loop dead-letters the batch.
 */
import type { SendOutcome } from './destination.ts';
import { oneLine } from './http-post.ts';

/** `Retry-After` in milliseconds from `now`, or undefined when absent or unreadable. */
export function retryAfterMs(header: string | string[] | undefined, now: number): number | undefined {
  const value = Array.isArray(header) ? header[0] : header;
  if (value === undefined || value.trim() === '') return undefined;
  if (/^\s*\d+\s*$/.test(value)) return Number(value) * 1000;
  // An HTTP date names a weekday and a month; Date.parse alone would take "-3" as a year.
  const at = /[A-Za-z]{3}/.test(value) ? Date.parse(value) : Number.NaN;
  return Number.isNaN(at) ? undefined : Math.max(0, at - now);
}

/** True for statuses a later identical request may succeed with. */
export function retryableStatus(status: number): boolean {
  return status === 401 || status === 403 || status === 408 || status === 429 || status >= 500;
}

/**
 * The outcome of one answer. `what` names the receiver ("Splunk HEC"); `detail` is the
 * receiver's own one-line explanation (MUST hold no secret: callers pass parsed error texts,
 * never request headers).
 */
export function outcomeOfStatus(what: string, status: number, detail: string, retryAfter: number | undefined): SendOutcome {
  if (status >= 200 && status < 300) return { ok: true };
  const said = detail === '' ? '' : `: ${oneLine(detail)}`;
  if (status === 401 || status === 403) {
    return { ok: false, retryable: true, reason: `${what} refused the credential (HTTP ${status})${said}` };
  }
  const reason = `${what} answered HTTP ${status}${said}`;
  if (!retryableStatus(status)) return { ok: false, retryable: false, reason };
  return { ok: false, retryable: true, reason, ...(retryAfter !== undefined ? { retryAfterMs: retryAfter } : {}) };
}
