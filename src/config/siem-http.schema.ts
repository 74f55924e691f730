import { z } from 'zod';
import { destinationCommon } from './siem-common.schema.ts';

/**
 * Config of the HTTP SIEM destinations (issue 16): Splunk HEC, Microsoft Sentinel (Logs
 * Ingestion API), Google SecOps (Chronicle) and a signed webhook. Secrets are never inline:
 * each is read from the file a `*File` key names (a mounted secret, mode 0600), when the
 * destination is built (src/siem/build-http-destination.ts).
 *
 * Each kind spreads `destinationCommon` (siem-common.schema.ts) and joins the `siem.destinations`
 * union through {@link httpDestinations}.
 * Reference: docs/reference/siem-destinations-http.md.
 */

const httpsUrl = z
  .url({ protocol: /^https$/, error: 'expected an https:// URL' })
  .describe('HTTPS URL.');

const secretFile = (what: string) =>
  z.string().min(1).describe(`Path of a file holding ${what} (read at start; never inline, never logged).`);

const transport = {
  caFile: z
    .string()
    .nullable()
    .default(null)
    .describe('PEM CA the receiver\'s certificate must chain to, instead of the system store (a private CA). Verification cannot be turned off.'),
  timeoutSeconds: z.number().min(1).max(300).default(30).describe('A request with no answer within this is a retryable failure.'),
  maxBatch: z.number().int().min(1).max(10000).default(500).describe('Most events handed to one send (split further by size).'),
};

/** Splunk HTTP Event Collector. */
export const splunkHecDestination = z.strictObject({
  kind: z.literal('splunk-hec').describe('Splunk HTTP Event Collector (JSON events to /services/collector/event).'),
  ...destinationCommon,
  url: httpsUrl.describe('Base URL of the collector, e.g. https://splunk.example.org:8088 (the path is added).'),
  tokenFile: secretFile('the HEC token (a GUID)'),
  source: z.string().min(1).default('custos').describe('HEC `source` of every event.'),
  sourcetype: z.string().min(1).default('custos:ocsf').describe('HEC `sourcetype` of every event (the event is OCSF 1.8.0 JSON).'),
  index: z.string().min(1).nullable().default(null).describe('HEC `index`; null: the token\'s default index.'),
  maxRequestBytes: z
    .number()
    .int()
    .min(4096)
    .default(1_000_000)
    .describe('Largest request body: at most the collector\'s max_content_length (limits.conf [http_input]).'),
  ack: z
    .strictObject({
      enabled: z.boolean().default(false).describe('Indexer acknowledgement: a batch counts as delivered only once the indexers acknowledge it. Must match the token\'s useACK.'),
      channel: z.uuid().nullable().default(null).describe('The X-Splunk-Request-Channel (a GUID); null: a new one at each start.'),
      pollSeconds: z.number().min(0.05).max(60).default(1).describe('How often /services/collector/ack is asked.'),
      timeoutSeconds: z.number().min(1).max(3600).default(120).describe('A batch not acknowledged within this is a retryable failure (sent again).'),
    })
    .prefault({})
    .describe('HEC indexer acknowledgement.'),
  ...transport,
});

/** Microsoft Sentinel through the Azure Monitor Logs Ingestion API. */
export const sentinelDestination = z.strictObject({
  kind: z.literal('sentinel').describe('Microsoft Sentinel via the Azure Monitor Logs Ingestion API (DCR stream).'),
  ...destinationCommon,
  endpoint: httpsUrl.describe('Logs ingestion endpoint of the data collection endpoint (DCE) or rule (DCR).'),
  ruleId: z.string().regex(/^dcr-[0-9a-f]{32}$/, 'expected the DCR immutable id, dcr-<32 hex>').describe('Immutable id of the data collection rule (dcr-…).'),
  streamName: z.string().regex(/^Custom-[A-Za-z0-9_]+$/, 'expected a custom stream name, Custom-<name>').describe('Stream declared in the DCR, e.g. Custom-CustosAudit_CL.'),
  tenantId: z.string().min(1).describe('Entra tenant (directory) id.'),
  clientId: z.string().min(1).describe('Application (client) id of the app registration with Monitoring Metrics Publisher on the DCR.'),
  clientSecretFile: secretFile('the app registration\'s client secret'),
  authorityHost: httpsUrl.default('https://login.microsoftonline.com').describe('Entra authority host (another for sovereign clouds).'),
  audience: httpsUrl.default('https://monitor.azure.com').describe('Token audience of the ingestion API (another for sovereign clouds).'),
  ...transport,
});

/** Google SecOps (Chronicle) through the Chronicle API's logs:import. */
export const chronicleDestination = z.strictObject({
  kind: z.literal('chronicle').describe('Google SecOps (Chronicle) via the Chronicle API ImportLogs (logs:import).'),
  ...destinationCommon,
  endpoint: httpsUrl.describe('Regional Chronicle API endpoint, e.g. https://chronicle.eu.rep.googleapis.com.'),
  project: z.string().min(1).describe('Google Cloud project of the SecOps instance.'),
  location: z.string().min(1).describe('Location (region) of the instance, e.g. eu.'),
  instance: z.string().min(1).describe('SecOps instance (customer) id.'),
  logType: z.string().regex(/^[A-Z0-9_]+$/, 'a log type is upper-case letters, digits and _').describe('Log type the logs are imported as (a custom log type with an OCSF JSON parser).'),
  forwarder: z.string().min(1).nullable().default(null).describe('Forwarder resource name (projects/…/forwarders/…) the logs are attributed to; null: none.'),
  namespace: z.string().min(1).nullable().default(null).describe('Environment namespace (data domain) of the logs; null: none.'),
  labels: z.record(z.string(), z.string()).default({}).describe('Custom labels on every log.'),
  serviceAccountKeyFile: secretFile('the service account\'s JSON key (role Chronicle API Editor or a role with chronicle.logs.import)'),
  tokenUri: httpsUrl.nullable().default(null).describe('OAuth token endpoint; null: the key\'s token_uri.'),
  maxRequestBytes: z.number().int().min(4096).default(1_000_000).describe('Largest request body (1 MB: the bound other shippers apply to Chronicle ingestion).'),
  ...transport,
});

/** A signed webhook. */
export const webhookDestination = z.strictObject({
  kind: z.literal('webhook').describe('HTTPS POST of a JSON array of OCSF events, HMAC-SHA256 signed with a timestamp.'),
  ...destinationCommon,
  url: httpsUrl.describe('URL the events are posted to.'),
  hmacKeyFile: secretFile('the HMAC-SHA256 key shared with the receiver (at least 32 bytes)'),
  maxRequestBytes: z.number().int().min(4096).default(1_048_576).describe('Largest request body the receiver accepts.'),
  ...transport,
});

/** Any HTTP SIEM destination. */
/** The HTTP kinds, in the order the `siem.destinations` union lists them. */
export const httpDestinations = [splunkHecDestination, sentinelDestination, chronicleDestination, webhookDestination] as const;
export const httpDestination = z.discriminatedUnion('kind', [...httpDestinations]);

export type SplunkHecDestinationConfig = z.infer<typeof splunkHecDestination>;
export type SentinelDestinationConfig = z.infer<typeof sentinelDestination>;
export type ChronicleDestinationConfig = z.infer<typeof chronicleDestination>;
export type WebhookDestinationConfig = z.infer<typeof webhookDestination>;
export type HttpDestinationConfig = z.infer<typeof httpDestination>;
