/**
 * Webhook destination: an HTTPS POST of a JSON array of OCSF 1.8.0 events, signed with
 * HMAC-SHA256 over `timestamp.body` (src/siem/webhook-signature.ts states the scheme a receiver
 * verifies). A 2xx answer accepts the whole request; see http-outcome.ts for the rest.
 * The HMAC key is a {@link Secret}: it signs, and is never sent or put in a reason.
 */
import type { Secret } from '../config/secret.ts';
import type { SiemDestination } from './destination.ts';
import { groupBySize } from './byte-batches.ts';
import { outcomeOfStatus, retryAfterMs } from './http-outcome.ts';
import { httpsAgent, oneLine, postHttps } from './http-post.ts';
import { toOcsf, type OcsfProduct } from './ocsf.ts';
import { SIGNATURE_HEADER, TIMESTAMP_HEADER, webhookSignature } from './webhook-signature.ts';

/** Settings of one webhook destination (config: src/config/siem-http.schema.ts). */
export interface WebhookSettings {
  readonly id: string;
  readonly url: URL;
  readonly hmacKey: Secret;
  readonly maxRequestBytes: number;
  readonly maxBatch: number;
  readonly timeoutMs: number;
  readonly ca?: string;
}

/** Builds a webhook destination; `now` is the clock the timestamp is read from. */
export function webhookDestination(settings: WebhookSettings, product: OcsfProduct, now: () => number = Date.now): SiemDestination {
  const agent = httpsAgent(settings.ca);
  return {
    id: settings.id,
    maxBatch: settings.maxBatch,
    async send(batch, signal) {
      const events = batch.map((event) => Buffer.from(JSON.stringify(toOcsf(event.record, product)), 'utf8'));
      const split = groupBySize(events, (e) => e.length, settings.maxRequestBytes, 1, 2);
      if (split.tooLarge !== undefined) {
        return { ok: false, retryable: false, reason: `event ${batch[split.tooLarge]!.record.id} is larger than maxRequestBytes (${settings.maxRequestBytes})` };
      }
      for (const group of split.groups) {
        const body = Buffer.concat([Buffer.from('['), ...group.flatMap((e, i) => (i === 0 ? [e] : [Buffer.from(','), e])), Buffer.from(']')]);
        const timestamp = Math.floor(now() / 1000);
        const key = Buffer.from(settings.hmacKey.reveal(), 'utf8');
        const answer = await postHttps(agent, {
          url: settings.url,
          headers: {
            'content-type': 'application/json',
            [TIMESTAMP_HEADER]: String(timestamp),
            [SIGNATURE_HEADER]: webhookSignature(key, timestamp, body),
          },
          body,
          signal,
          timeoutMs: settings.timeoutMs,
        });
        if (answer.kind === 'fault') return { ok: false, retryable: true, reason: answer.reason };
        const outcome = outcomeOfStatus('webhook receiver', answer.status, oneLine(answer.body.slice(0, 200)), retryAfterMs(answer.headers['retry-after'], now()));
        if (!outcome.ok) return outcome;
      }
      return { ok: true };
    },
    async close() {
      agent.destroy();
    },
  };
}
