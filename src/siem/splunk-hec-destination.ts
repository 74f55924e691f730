/**
 * Splunk HTTP Event Collector (HEC) destination: OCSF events as HEC JSON events.
 *
 * Wire (Splunk docs, "Format events for HTTP Event Collector" and "HTTP Event Collector
 * indexer acknowledgment"):
 * - `POST <url>/services/collector/event`, `Authorization: Splunk <token>`, a body of
 *   concatenated JSON objects, one per event: `{ time, host, source, sourcetype, index?, event }`
 *   where `time` is epoch seconds with milliseconds and `event` the OCSF 1.8.0 object;
 * - a batch is split into requests of at most `maxRequestBytes` (HEC's `max_content_length`);
 * - with indexer acknowledgement, every request carries `X-Splunk-Request-Channel: <uuid>`, the
 *   answer holds an `ackId`, and `send` resolves ok only when `POST /services/collector/ack?channel=…`
 *   with `{"acks":[…]}` answers `true` for every ackId; until then the batch is not accepted.
 * - errors: HEC's `{ text, code }` is the reason; 400 (bad data, index, channel) is not retryable,
 *   401/403 (token missing, invalid or disabled) and 429/5xx are, `Retry-After` honoured.
 *
 * The token is a {@link Secret}: it goes only into the Authorization header, never a reason.
 */
import { randomUUID } from 'node:crypto';
import type { Agent } from 'node:https';
import type { Secret } from '../config/secret.ts';
import type { SendOutcome, ShippedEvent, SiemDestination } from './destination.ts';
import { groupBySize } from './byte-batches.ts';
import { outcomeOfStatus, retryAfterMs } from './http-outcome.ts';
import { httpsAgent, oneLine, postHttps, type HttpAnswer } from './http-post.ts';
import { toOcsf, type OcsfProduct } from './ocsf.ts';

/** Settings of one HEC destination (config: src/config/siem-http.schema.ts). */
export interface SplunkHecSettings {
  readonly id: string;
  /** Base URL of the collector, e.g. https://splunk.example:8088 (no path). */
  readonly url: URL;
  readonly token: Secret;
  readonly source: string;
  readonly sourcetype: string;
  readonly index?: string;
  /** HEC's max_content_length: the largest request body sent. */
  readonly maxRequestBytes: number;
  readonly maxBatch: number;
  /** Indexer acknowledgement: the channel to use (a UUID), or undefined when off. */
  readonly ack?: { readonly channel: string; readonly pollMs: number; readonly timeoutMs: number };
  readonly timeoutMs: number;
  /** PEM CA the collector's certificate must chain to; the system store when undefined. */
  readonly ca?: string;
}

/** Epoch seconds with milliseconds, as HEC's `time` wants it. */
export function hecTime(rfc3339: string): number {
  return Math.round(Date.parse(rfc3339)) / 1000;
}

/** A HEC JSON event for one shipped event. */
export function hecEvent(event: ShippedEvent, product: OcsfProduct, settings: Pick<SplunkHecSettings, 'source' | 'sourcetype' | 'index'>): Record<string, unknown> {
  return {
    time: hecTime(event.record.time),
    host: product.hostname,
    source: settings.source,
    sourcetype: settings.sourcetype,
    ...(settings.index !== undefined ? { index: settings.index } : {}),
    event: toOcsf(event.record, product),
  };
}

/** HEC's own error text and code from an answer body, if it is HEC JSON. */
function hecSaid(answer: HttpAnswer): { text: string; code?: number; ackId?: number } {
  try {
    const parsed = JSON.parse(answer.body) as { text?: unknown; code?: unknown; ackId?: unknown };
    const text = typeof parsed.text === 'string' ? parsed.text : '';
    return {
      text,
      ...(typeof parsed.code === 'number' ? { code: parsed.code } : {}),
      ...(typeof parsed.ackId === 'number' ? { ackId: parsed.ackId } : {}),
    };
  } catch {
    return { text: '' };
  }
}

function sleep(ms: number, signal: AbortSignal): Promise<void> {
  return new Promise((resolve) => {
    if (signal.aborted) { resolve(); return; }
    const timer = setTimeout(done, ms);
    function done(): void {
      clearTimeout(timer);
      signal.removeEventListener('abort', done);
      resolve();
    }
    signal.addEventListener('abort', done, { once: true });
  });
}

/** Builds a HEC destination. */
export function splunkHecDestination(settings: SplunkHecSettings, product: OcsfProduct, now: () => number = Date.now): SiemDestination {
  const agent: Agent = httpsAgent(settings.ca);
  const eventUrl = new URL('/services/collector/event', settings.url);
  const headers = (): Record<string, string> => ({
    authorization: `Splunk ${settings.token.reveal()}`,
    'content-type': 'application/json',
    ...(settings.ack !== undefined ? { 'x-splunk-request-channel': settings.ack.channel } : {}),
  });

  function failure(answer: HttpAnswer): SendOutcome {
    const said = hecSaid(answer);
    const detail = said.text === '' ? '' : `${said.text}${said.code !== undefined ? ` (code ${said.code})` : ''}`;
    return outcomeOfStatus('Splunk HEC', answer.status, detail, retryAfterMs(answer.headers['retry-after'], now()));
  }

  /** Polls until every ackId is true, or the timeout. */
  async function awaitAcks(ackIds: number[], signal: AbortSignal): Promise<SendOutcome> {
    const ack = settings.ack!;
    const ackUrl = new URL('/services/collector/ack', settings.url);
    ackUrl.searchParams.set('channel', ack.channel);
    const pending = new Set(ackIds);
    const deadline = now() + ack.timeoutMs;
    for (;;) {
      const answer = await postHttps(agent, {
        url: ackUrl, headers: headers(), body: JSON.stringify({ acks: [...pending] }), signal, timeoutMs: settings.timeoutMs,
      });
      if (answer.kind === 'fault') return { ok: false, retryable: true, reason: answer.reason };
      if (answer.status !== 200) return failure(answer);
      try {
        const acks = (JSON.parse(answer.body) as { acks?: Record<string, unknown> }).acks ?? {};
        for (const [id, done] of Object.entries(acks)) if (done === true) pending.delete(Number(id));
      } catch {
        return { ok: false, retryable: true, reason: `Splunk HEC ack answer is not JSON: ${oneLine(answer.body)}` };
      }
      if (pending.size === 0) return { ok: true };
      if (now() >= deadline || signal.aborted) {
        return { ok: false, retryable: true, reason: `Splunk HEC indexers did not acknowledge ${pending.size} request(s) within ${ack.timeoutMs} ms` };
      }
      await sleep(ack.pollMs, signal);
    }
  }

  return {
    id: settings.id,
    maxBatch: settings.maxBatch,
    async send(batch, signal) {
      const bodies = batch.map((event) => Buffer.from(JSON.stringify(hecEvent(event, product, settings)), 'utf8'));
      const split = groupBySize(bodies.map((b, n) => ({ b, n })), (x) => x.b.length, settings.maxRequestBytes, 1);
      if (split.tooLarge !== undefined) {
        return { ok: false, retryable: false, reason: `event ${batch[split.tooLarge]!.record.id} is larger than maxRequestBytes (${settings.maxRequestBytes}) as a HEC event` };
      }
      const ackIds: number[] = [];
      for (const group of split.groups) {
        const body = Buffer.concat(group.flatMap((x, i) => (i === 0 ? [x.b] : [Buffer.from('\n'), x.b])));
        const answer = await postHttps(agent, { url: eventUrl, headers: headers(), body, signal, timeoutMs: settings.timeoutMs });
        if (answer.kind === 'fault') return { ok: false, retryable: true, reason: answer.reason };
        if (answer.status !== 200) return failure(answer);
        const said = hecSaid(answer);
        if (settings.ack !== undefined) {
          if (said.ackId === undefined) {
            return { ok: false, retryable: false, reason: 'Splunk HEC answered without an ackId: indexer acknowledgement is off for this token; set ack.enabled false or turn it on in Splunk' };
          }
          ackIds.push(said.ackId);
        }
      }
      return settings.ack !== undefined && ackIds.length > 0 ? awaitAcks(ackIds, signal) : { ok: true };
    },
    async close() {
      agent.destroy();
    },
  };
}

/** A new HEC channel id (a UUID, as HEC requires). */
export function newHecChannel(): string {
  return randomUUID();
}
