/**
 * A Splunk HTTP Event Collector TEST DOUBLE (no Splunk can run here). It checks what Splunk
 * documents for `POST /services/collector/event` ("Format events for HTTP Event Collector",
 * "HTTP Event Collector REST API endpoints", "Troubleshoot HTTP Event Collector" status codes):
 * - `Authorization: Splunk <token>`: missing → 401 code 2 "Token is required", wrong → 403
 *   code 4 "Invalid token";
 * - body: concatenated JSON event objects, at most `maxContentLength` bytes (413 otherwise);
 *   each needs `event` (400 code 12 "Event field is required"), a numeric `time` if present
 *   (400 code 6 "Invalid data format");
 * - with acknowledgement on: `X-Splunk-Request-Channel` required (400 code 10 "Data channel is
 *   missing"), each answer `{"text":"Success","code":0,"ackId":n}`, and
 *   `POST /services/collector/ack?channel=<uuid>` with `{"acks":[…]}` answers
 *   `{"acks":{"n":true|false}}`, true only after `ackAfterPolls` polls.
 */
import { json, startHttpsReceiver, type HttpsReceiver, type ReceivedRequest, type ReceiverAnswer } from './https-receiver.ts';

export interface HecEvent {
  readonly time?: number;
  readonly host?: string;
  readonly source?: string;
  readonly sourcetype?: string;
  readonly index?: string;
  readonly event: Record<string, unknown>;
}

export interface HecReceiver extends HttpsReceiver {
  /** Events accepted, in order of arrival. */
  readonly events: HecEvent[];
  /** Request bodies' sizes of accepted event requests. */
  readonly bodySizes: number[];
}

/** Splits concatenated JSON objects (HEC batch format), or throws on malformed JSON. */
export function splitConcatenatedJson(text: string): unknown[] {
  const values: unknown[] = [];
  let depth = 0;
  let start = -1;
  let inString = false;
  for (let i = 0; i < text.length; i++) {
    const c = text[i];
    if (inString) {
      if (c === '\\') i++;
      else if (c === '"') inString = false;
      continue;
    }
    if (c === '"') inString = true;
    else if (c === '{') { if (depth++ === 0) start = i; }
    else if (c === '}') { if (--depth === 0) values.push(JSON.parse(text.slice(start, i + 1))); }
    else if (depth === 0 && !/\s/.test(c!)) throw new Error(`unexpected ${c} between events`);
  }
  if (depth !== 0) throw new Error('unterminated event');
  return values;
}

export async function startHecReceiver(tls: { cert: string; key: string }, options: { token: string; ack?: boolean; ackAfterPolls?: number; maxContentLength?: number }): Promise<HecReceiver> {
  const events: HecEvent[] = [];
  const bodySizes: number[] = [];
  const maxContentLength = options.maxContentLength ?? 1_000_000;
  let nextAck = 0;
  const ackPolls = new Map<number, number>();
  const pendingEvents = new Map<number, HecEvent[]>();

  function auth(request: ReceivedRequest): ReceiverAnswer | undefined {
    const header = request.headers.authorization;
    if (header === undefined) return json(401, { text: 'Token is required', code: 2 });
    if (header !== `Splunk ${options.token}`) return json(403, { text: 'Invalid token', code: 4 });
    return undefined;
  }

  const receiver = await startHttpsReceiver(tls, (request) => {
    const url = new URL(request.path, 'https://x');
    if (request.method !== 'POST') return json(405, { text: 'Method not allowed' });
    const refused = auth(request);
    if (refused !== undefined) return refused;
    const channel = request.headers['x-splunk-request-channel'];
    if (url.pathname === '/services/collector/ack') {
      if (options.ack !== true) return json(400, { text: 'ACK is disabled', code: 14 });
      if (url.searchParams.get('channel') === null && channel === undefined) return json(400, { text: 'Data channel is missing', code: 10 });
      const asked = (JSON.parse(request.body.toString('utf8')) as { acks: number[] }).acks;
      const acks: Record<string, boolean> = {};
      for (const id of asked) {
        const polls = (ackPolls.get(id) ?? 0) + 1;
        ackPolls.set(id, polls);
        const done = polls > (options.ackAfterPolls ?? 0);
        acks[String(id)] = done;
        if (done && pendingEvents.has(id)) {
          events.push(...pendingEvents.get(id)!);
          pendingEvents.delete(id);
        }
      }
      return json(200, { acks });
    }
    if (url.pathname !== '/services/collector/event') return json(404, { text: 'The requested URL was not found on this server.', code: 404 });
    if (request.body.length > maxContentLength) return json(413, { text: 'Content too large' });
    if (options.ack === true && channel === undefined) return json(400, { text: 'Data channel is missing', code: 10 });
    let parsed: unknown[];
    try {
      parsed = splitConcatenatedJson(request.body.toString('utf8'));
    } catch {
      return json(400, { text: 'Invalid data format', code: 6 });
    }
    if (parsed.length === 0) return json(400, { text: 'No data', code: 5 });
    for (const p of parsed) {
      const e = p as Partial<HecEvent>;
      if (e.event === undefined) return json(400, { text: 'Event field is required', code: 12 });
      if (e.time !== undefined && typeof e.time !== 'number') return json(400, { text: 'Invalid data format', code: 6 });
    }
    bodySizes.push(request.body.length);
    if (options.ack === true) {
      const ackId = nextAck++;
      // Indexed (searchable) only once acknowledged: kept aside until the ack says true.
      pendingEvents.set(ackId, parsed as HecEvent[]);
      return json(200, { text: 'Success', code: 0, ackId });
    }
    events.push(...(parsed as HecEvent[]));
    return json(200, { text: 'Success', code: 0 });
  });
  return Object.assign(receiver, { events, bodySizes });
}
