import { createHmac, timingSafeEqual } from 'node:crypto';

/**
 * The signature of Custos webhooks (docs/reference/notifications.md):
 *
 *   custos-timestamp: <unix seconds>
 *   custos-delivery:  <notice id>
 *   custos-signature: v1=<hex HMAC-SHA256(key, "<timestamp>.<body>")>
 *
 * The timestamp is inside the MAC, so a receiver refuses a delivery older than its replay window
 * and remembers the delivery ids it accepted within the window (a replay inside it).
 */

export const signatureHeader = 'custos-signature';
export const timestampHeader = 'custos-timestamp';
export const deliveryHeader = 'custos-delivery';

/** `v1=<hex>` over the timestamp and the exact body bytes. */
export function signWebhook(key: string, timestampSec: number, body: string): string {
  return `v1=${createHmac('sha256', key).update(`${timestampSec}.`).update(body).digest('hex')}`;
}

/** Why a delivery was refused, or `ok`. */
export type WebhookVerdict = 'ok' | 'missing-headers' | 'bad-signature' | 'stale' | 'replayed';

/**
 * A receiver's check (what a receiver should do; the tests' receiver uses it): signature, then
 * timestamp within `windowSec` of `nowMs`, then the delivery id not seen within the window.
 * `seen` maps delivery id → expiry ms; it is pruned and updated on acceptance.
 */
export function verifyWebhook(
  key: string,
  headers: Readonly<Record<string, string | string[] | undefined>>,
  body: string,
  opts: { readonly nowMs: number; readonly windowSec: number; readonly seen: Map<string, number> },
): WebhookVerdict {
  const one = (h: string) => {
    const v = headers[h];
    return Array.isArray(v) ? v[0] : v;
  };
  const signature = one(signatureHeader);
  const stamp = one(timestampHeader);
  const delivery = one(deliveryHeader);
  if (signature === undefined || stamp === undefined || delivery === undefined || !/^\d{1,12}$/.test(stamp)) return 'missing-headers';
  const expected = Buffer.from(signWebhook(key, Number(stamp), body));
  const given = Buffer.from(signature);
  if (expected.length !== given.length || !timingSafeEqual(expected, given)) return 'bad-signature';
  if (Math.abs(opts.nowMs / 1000 - Number(stamp)) > opts.windowSec) return 'stale';
  for (const [id, expiry] of opts.seen) if (expiry < opts.nowMs) opts.seen.delete(id);
  if (opts.seen.has(delivery)) return 'replayed';
  opts.seen.set(delivery, opts.nowMs + 2 * opts.windowSec * 1000);
  return 'ok';
}
