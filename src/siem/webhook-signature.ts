/**
 * The webhook signature scheme (docs/reference/siem-destinations-http.md#webhook):
 *
 *     X-Custos-Timestamp: <unix seconds when sent>
 *     X-Custos-Signature: v1=<lower-case hex HMAC-SHA256(key, "<timestamp>.<raw body>")>
 *
 * A receiver MUST compute the HMAC over the raw body bytes as received (not a re-serialisation),
 * compare in constant time, and refuse a timestamp further than its tolerance from its own clock
 * (a replay of a captured request fails once the tolerance has passed; within it, dedupe on the
 * events' `metadata.uid`). Several `v1=` entries may appear, comma-separated, while a key rotates.
 */
import { createHmac, timingSafeEqual } from 'node:crypto';

export const TIMESTAMP_HEADER = 'x-custos-timestamp';
export const SIGNATURE_HEADER = 'x-custos-signature';

/** The `X-Custos-Signature` value for `body` sent at `timestamp` (unix seconds). */
export function webhookSignature(key: Buffer, timestamp: number, body: Buffer): string {
  return `v1=${hmacHex(key, timestamp, body)}`;
}

function hmacHex(key: Buffer, timestamp: number | string, body: Buffer): string {
  return createHmac('sha256', key).update(`${timestamp}.`, 'utf8').update(body).digest('hex');
}

/** Why a request was refused, or ok. */
export type WebhookVerdict = { readonly ok: true } | { readonly ok: false; readonly reason: string };

/**
 * Verifies a received webhook request. `headers` as Node gives them (lower-case names);
 * `nowMs` the receiver's clock; `toleranceSeconds` how old (or how far ahead) a timestamp may be.
 */
export function verifyWebhook(
  key: Buffer,
  headers: Readonly<Record<string, string | string[] | undefined>>,
  body: Buffer,
  nowMs: number,
  toleranceSeconds = 300,
): WebhookVerdict {
  const stamp = headers[TIMESTAMP_HEADER];
  const signature = headers[SIGNATURE_HEADER];
  if (typeof stamp !== 'string' || !/^\d{1,12}$/.test(stamp)) return { ok: false, reason: 'missing or malformed timestamp' };
  if (typeof signature !== 'string') return { ok: false, reason: 'missing signature' };
  const age = nowMs / 1000 - Number(stamp);
  if (Math.abs(age) > toleranceSeconds) return { ok: false, reason: `timestamp is ${Math.round(age)} s from now (tolerance ${toleranceSeconds} s): replay or clock skew` };
  const expected = Buffer.from(hmacHex(key, stamp, body), 'hex');
  const matches = signature.split(',').map((part) => part.trim()).filter((part) => part.startsWith('v1=')).some((part) => {
    const given = Buffer.from(part.slice(3), 'hex');
    return given.length === expected.length && timingSafeEqual(given, expected);
  });
  return matches ? { ok: true } : { ok: false, reason: 'signature does not match' };
}
