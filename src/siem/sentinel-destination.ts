/**
 * Microsoft Sentinel destination through the Azure Monitor **Logs Ingestion API**, with the
 * real SDKs: `LogsIngestionClient` (@azure/monitor-ingestion) posts to
 * `<endpoint>/dataCollectionRules/<ruleId>/streams/<streamName>?api-version=2023-01-01`, gzip,
 * in chunks of at most 1,000,000 bytes of JSON (the API's documented 1 MB per call), with a
 * bearer token from `ClientSecretCredential` (@azure/identity; Entra client credentials, scope
 * `<audience>/.default`).
 *
 * One row per event, for a DCR stream declared with these columns (docs list the declaration):
 * `TimeGenerated` (datetime), `EventId`, `EventType` (string), `LeafIndex`, `SeverityId`,
 * `TypeUid` (long), `Status`, `Message` (string), `Ocsf` (dynamic: the OCSF 1.8.0 event).
 *
 * The SDKs' own retries are off (`maxRetries: 0`): the delivery loop owns retries and backoff,
 * and a 429's `Retry-After` comes back as `retryAfterMs`. A chunk that failed makes the whole
 * batch fail; chunks that succeeded are sent again with it (at-least-once; `EventId` dedupes).
 * The client secret goes only to the credential; reasons carry Entra's error code, never it.
 */
import type { Agent } from 'node:https';
import { ClientSecretCredential, type ClientSecretCredentialOptions } from '@azure/identity';
import { isAggregateLogsUploadError, LogsIngestionClient } from '@azure/monitor-ingestion';
import type { Secret } from '../config/secret.ts';
import type { SendOutcome, SiemDestination } from './destination.ts';
import { outcomeOfStatus, retryAfterMs } from './http-outcome.ts';
import { httpsAgent, oneLine } from './http-post.ts';
import { toOcsf, type OcsfProduct } from './ocsf.ts';

/** Settings of one Sentinel destination (config: src/config/siem-http.schema.ts). */
export interface SentinelSettings {
  readonly id: string;
  /** The DCE's (or DCR's) logs ingestion endpoint. */
  readonly endpoint: URL;
  /** The DCR's immutable id (dcr-…). */
  readonly ruleId: string;
  /** The DCR stream, e.g. Custom-CustosAudit_CL. */
  readonly streamName: string;
  readonly tenantId: string;
  readonly clientId: string;
  readonly clientSecret: Secret;
  /** Entra authority host; https://login.microsoftonline.com unless a sovereign cloud. */
  readonly authorityHost: URL;
  /** Token audience; https://monitor.azure.com unless a sovereign cloud. */
  readonly audience: string;
  readonly maxBatch: number;
  /** One upload (every chunk) gives up after this long: a retryable failure. */
  readonly timeoutMs: number;
  readonly ca?: string;
}

/** The row of one event, as the DCR stream declares it. */
export function sentinelRow(record: Parameters<typeof toOcsf>[0], product: OcsfProduct): Record<string, unknown> {
  const ocsf = toOcsf(record, product);
  return {
    TimeGenerated: record.time,
    EventId: record.id,
    EventType: record.type,
    LeafIndex: record.seq,
    SeverityId: ocsf.severity_id,
    TypeUid: ocsf.type_uid,
    Status: ocsf.status,
    Message: ocsf.message,
    Ocsf: ocsf,
  };
}

type PolicyConfig = NonNullable<ClientSecretCredentialOptions['additionalPolicies']>[number];

/** Pipeline policy: every request of the SDKs goes through `agent` (the configured CA). */
function agentPolicy(agent: Agent): PolicyConfig {
  return {
    policy: {
      name: 'custosTlsAgent',
      sendRequest: (request, next) => {
        request.agent = agent;
        return next(request);
      },
    },
    position: 'perCall',
  };
}

interface ErrorLike {
  readonly name?: string;
  readonly message?: string;
  readonly statusCode?: number;
  readonly code?: string;
  readonly errorResponse?: { readonly error?: string; readonly errorDescription?: string };
  readonly response?: { readonly headers?: { get(name: string): string | undefined }; readonly bodyAsText?: string | null };
}

const CREDENTIAL_ERRORS = new Set(['AuthenticationError', 'AuthenticationRequiredError', 'CredentialUnavailableError', 'AggregateAuthenticationError']);

/**
 * Entra's error code and AADSTS line, e.g. `invalid_client: AADSTS7000215: Invalid client secret
 * provided.`, else MSAL's error code (`endpoints_resolution_error`: the authority could not be
 * reached or its certificate was refused). Entra never echoes the secret; trace ids are dropped.
 */
function entraSaid(error: ErrorLike): string {
  const text = `${error.errorResponse?.error ?? ''}: ${error.errorResponse?.errorDescription ?? ''} ${error.message ?? ''}`;
  const code = /\b([a-z]+(?:_[a-z]+)+)\b/.exec(text)?.[1];
  const aadsts = /AADSTS\d+: [^.\r\n]*\./.exec(text)?.[0];
  return oneLine([code, aadsts].filter((x) => x !== undefined).join(': ')) || 'no detail';
}

function outcomeOf(cause: unknown, now: number): SendOutcome {
  const error = cause as ErrorLike;
  if (error.name !== undefined && CREDENTIAL_ERRORS.has(error.name)) {
    return { ok: false, retryable: true, reason: `Entra token request refused (client credentials): ${entraSaid(error)}` };
  }
  if (typeof error.statusCode === 'number') {
    const headers = error.response?.headers;
    const ms = headers?.get('retry-after-ms') ?? headers?.get('x-ms-retry-after-ms');
    const after = ms !== undefined && /^\d+$/.test(ms) ? Number(ms) : retryAfterMs(headers?.get('retry-after'), now);
    // RestError: `code` and `message` are the service's JSON error, when it sent one.
    const detail = error.code !== undefined ? `${error.code}: ${error.message ?? ''}` : '';
    return outcomeOfStatus('Logs Ingestion API', error.statusCode, detail, after);
  }
  return { ok: false, retryable: true, reason: `Logs Ingestion upload failed: ${oneLine(`${error.code ?? error.name ?? 'Error'}: ${error.message ?? ''}`)}` };
}

/** Builds a Sentinel (Logs Ingestion API) destination. */
export function sentinelDestination(settings: SentinelSettings, product: OcsfProduct, now: () => number = Date.now): SiemDestination {
  const agent = httpsAgent(settings.ca);
  const pipeline = { retryOptions: { maxRetries: 0 }, additionalPolicies: [agentPolicy(agent)] };
  const credential = new ClientSecretCredential(settings.tenantId, settings.clientId, settings.clientSecret.reveal(), {
    ...pipeline,
    authorityHost: settings.authorityHost.href.replace(/\/$/, ''),
    disableInstanceDiscovery: settings.authorityHost.hostname !== 'login.microsoftonline.com',
  });
  const client = new LogsIngestionClient(settings.endpoint.href.replace(/\/$/, ''), credential, { ...pipeline, audience: settings.audience });
  return {
    id: settings.id,
    maxBatch: settings.maxBatch,
    async send(batch, signal) {
      const rows = batch.map((event) => sentinelRow(event.record, product));
      try {
        const abortSignal = AbortSignal.any([signal, AbortSignal.timeout(settings.timeoutMs)]);
        await client.upload(settings.ruleId, settings.streamName, rows, { abortSignal, maxConcurrency: 1 });
        return { ok: true };
      } catch (error) {
        if (isAggregateLogsUploadError(error)) {
          // The first failed chunk says why; chunks go in order with concurrency 1.
          return outcomeOf(error.errors[0]?.cause, now());
        }
        return outcomeOf(error, now());
      }
    },
    async close() {
      agent.destroy();
    },
  };
}
