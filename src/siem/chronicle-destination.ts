/**
 * Google SecOps (Chronicle) destination through the Chronicle API's **ImportLogs** method,
 * `POST <endpoint>/v1/projects/{project}/locations/{location}/instances/{instance}/logTypes/{logType}/logs:import`,
 * which Google documents as the replacement of the legacy Ingestion API's
 * `unstructuredlogentries:batchCreate` ("Chronicle API ingestion methods"). Body:
 * `{ inlineSource: { logs: [{ data, logEntryTime, collectionTime, environmentNamespace?, labels? }], forwarder? } }`
 * with `data` the base64 of the OCSF 1.8.0 JSON of one event; success is 200 with an empty body.
 *
 * Auth: a service-account key (JSON, from a file) signs a JWT that google-auth-library exchanges
 * for an access token (OAuth 2.0 JWT bearer grant, scope cloud-platform); the token endpoint is
 * the key's `token_uri` unless `tokenUri` overrides it. Tokens are cached by the library until
 * they near expiry. The key and the tokens are never put in a reason.
 *
 * UDM events (`events:import`) are not built: they need a UDM mapping of every event type.
 */
import type { Agent } from 'node:https';
import { JWT } from 'google-auth-library';
import type { Secret } from '../config/secret.ts';
import type { SendOutcome, SiemDestination } from './destination.ts';
import { groupBySize } from './byte-batches.ts';
import { outcomeOfStatus, retryAfterMs } from './http-outcome.ts';
import { httpsAgent, oneLine, postHttps, type HttpAnswer } from './http-post.ts';
import { toOcsf, type OcsfProduct } from './ocsf.ts';

/** The OAuth token URL google-auth-library posts to (its own constant, not configurable there). */
export const GOOGLE_TOKEN_URL = 'https://oauth2.googleapis.com/token';
export const CHRONICLE_SCOPE = 'https://www.googleapis.com/auth/cloud-platform';

/** Settings of one Chronicle destination (config: src/config/siem-http.schema.ts). */
export interface ChronicleSettings {
  readonly id: string;
  /** Regional endpoint, e.g. https://chronicle.eu.rep.googleapis.com. */
  readonly endpoint: URL;
  readonly project: string;
  readonly location: string;
  /** The SecOps instance (customer) id. */
  readonly instance: string;
  readonly logType: string;
  readonly forwarder?: string;
  readonly namespace?: string;
  readonly labels: Readonly<Record<string, string>>;
  /** The service-account key file's JSON text. */
  readonly serviceAccountKey: Secret;
  /** Token endpoint; defaults to the key's token_uri. */
  readonly tokenUri?: URL;
  readonly maxRequestBytes: number;
  readonly maxBatch: number;
  readonly timeoutMs: number;
  readonly ca?: string;
}

interface ServiceAccountKey {
  readonly client_email: string;
  readonly private_key: string;
  readonly token_uri?: string;
}

/** Parses the key file's JSON; the message never quotes the file. */
export function parseServiceAccountKey(text: string): ServiceAccountKey {
  let parsed: unknown;
  try {
    parsed = JSON.parse(text);
  } catch {
    throw new Error('the service-account key file is not JSON');
  }
  const key = parsed as Partial<ServiceAccountKey> & { type?: unknown };
  if (typeof key.client_email !== 'string' || typeof key.private_key !== 'string') {
    throw new Error('the service-account key file has no client_email or private_key (expected a Google service-account JSON key)');
  }
  return { client_email: key.client_email, private_key: key.private_key, ...(typeof key.token_uri === 'string' ? { token_uri: key.token_uri } : {}) };
}

/** The token error as one safe line: the OAuth error code and description, nothing of the request. */
function tokenFailure(error: unknown): SendOutcome {
  const e = error as { response?: { status?: number; data?: { error?: unknown; error_description?: unknown } }; code?: unknown; message?: unknown };
  const data = e.response?.data;
  const said = typeof data?.error === 'string' ? `${data.error}${typeof data.error_description === 'string' ? `: ${data.error_description}` : ''}` : '';
  const status = e.response?.status;
  const reason = `Google token request refused${status !== undefined ? ` (HTTP ${status})` : ''}: ${oneLine(said !== '' ? said : typeof e.code === 'string' ? e.code : 'no answer')}`;
  return { ok: false, retryable: true, reason };
}

/** `promise`, or a rejection as soon as `signal` aborts (the library takes no signal). */
function abortable<T>(promise: Promise<T>, signal: AbortSignal): Promise<T> {
  return new Promise((resolve, reject) => {
    const onAbort = (): void => reject(new Error('aborted'));
    if (signal.aborted) { onAbort(); return; }
    signal.addEventListener('abort', onAbort, { once: true });
    promise.then(
      (value) => { signal.removeEventListener('abort', onAbort); resolve(value); },
      (error: unknown) => { signal.removeEventListener('abort', onAbort); reject(error instanceof Error ? error : new Error(String(error))); },
    );
  });
}

/** Builds a Chronicle destination. */
export function chronicleDestination(settings: ChronicleSettings, product: OcsfProduct, now: () => number = Date.now): SiemDestination {
  const key = parseServiceAccountKey(settings.serviceAccountKey.reveal());
  const agent: Agent = httpsAgent(settings.ca);
  const tokenUri = settings.tokenUri?.href ?? key.token_uri ?? GOOGLE_TOKEN_URL;
  const jwt = new JWT({ email: key.client_email, key: key.private_key, scopes: [CHRONICLE_SCOPE], transporterOptions: { agent, retry: false, timeout: settings.timeoutMs } });
  // google-auth-library posts to its constant token URL; a key's token_uri (or the override) wins.
  jwt.transporter.interceptors.request.add({
    resolved: async (config) => {
      if (String(config.url) === GOOGLE_TOKEN_URL && tokenUri !== GOOGLE_TOKEN_URL) config.url = new URL(tokenUri);
      return config;
    },
  });
  const parent = ['projects', settings.project, 'locations', settings.location, 'instances', settings.instance, 'logTypes', settings.logType]
    .map(encodeURIComponent).join('/');
  const url = new URL(`/v1/${parent}/logs:import`, settings.endpoint);
  const labels = Object.fromEntries(Object.entries(settings.labels).map(([k, v]) => [k, { value: v }]));

  function failure(answer: HttpAnswer): SendOutcome {
    let detail = '';
    try {
      const error = (JSON.parse(answer.body) as { error?: { status?: unknown; message?: unknown } }).error;
      if (error !== undefined) detail = [error.status, error.message].filter((x) => typeof x === 'string').join(': ');
    } catch { /* not Google's JSON error: status only */ }
    return outcomeOfStatus('Chronicle', answer.status, detail, retryAfterMs(answer.headers['retry-after'], now()));
  }

  return {
    id: settings.id,
    maxBatch: settings.maxBatch,
    async send(batch, signal) {
      const sentAt = now();
      const logs = batch.map((event) => JSON.stringify({
        data: Buffer.from(JSON.stringify(toOcsf(event.record, product)), 'utf8').toString('base64'),
        logEntryTime: event.record.time,
        // Chronicle refuses a collectionTime before logEntryTime (a clock stepped back since).
        collectionTime: new Date(Math.max(sentAt, Date.parse(event.record.time))).toISOString(),
        ...(settings.namespace !== undefined ? { environmentNamespace: settings.namespace } : {}),
        ...(Object.keys(labels).length > 0 ? { labels } : {}),
      }));
      const head = `{"inlineSource":{${settings.forwarder !== undefined ? `"forwarder":${JSON.stringify(settings.forwarder)},` : ''}"logs":[`;
      const tail = ']}}';
      const split = groupBySize(logs, (l) => Buffer.byteLength(l), settings.maxRequestBytes, 1, Buffer.byteLength(head) + tail.length);
      if (split.tooLarge !== undefined) {
        return { ok: false, retryable: false, reason: `event ${batch[split.tooLarge]!.record.id} is larger than maxRequestBytes (${settings.maxRequestBytes}) as a Chronicle log` };
      }
      let token: string;
      try {
        const got = await abortable(jwt.getAccessToken(), signal);
        if (got.token === undefined || got.token === null) return { ok: false, retryable: true, reason: 'Google token endpoint gave no access token' };
        token = got.token;
      } catch (error) {
        if (signal.aborted) return { ok: false, retryable: true, reason: 'aborted while getting a Google access token' };
        return tokenFailure(error);
      }
      for (const group of split.groups) {
        const answer = await postHttps(agent, {
          url,
          headers: { authorization: `Bearer ${token}`, 'content-type': 'application/json' },
          body: `${head}${group.join(',')}${tail}`,
          signal,
          timeoutMs: settings.timeoutMs,
        });
        if (answer.kind === 'fault') return { ok: false, retryable: true, reason: answer.reason };
        if (answer.status !== 200) return failure(answer);
      }
      return { ok: true };
    },
    async close() {
      agent.destroy();
    },
  };
}
