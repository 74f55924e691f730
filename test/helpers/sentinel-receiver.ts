/**
 * TEST DOUBLES of Microsoft Entra ID (token endpoint) and an Azure Monitor data collection
 * endpoint (Logs Ingestion API), because no Azure service can run here. The real
 * @azure/identity and @azure/monitor-ingestion SDKs talk to them over HTTPS. They check what
 * Microsoft documents:
 * - Entra: `GET /<tenant>/v2.0/.well-known/openid-configuration` (authority metadata MSAL reads),
 *   `POST /<tenant>/oauth2/v2.0/token` with `grant_type=client_credentials`, `client_id`,
 *   `client_secret`, `scope=<audience>/.default`; a wrong secret answers 401 `invalid_client`
 *   with an AADSTS7000215 description, as Entra does;
 * - Logs Ingestion: `POST /dataCollectionRules/<dcr id>/streams/<stream>?api-version=2023-01-01`,
 *   `Authorization: Bearer <token issued above>`, `Content-Type: application/json`,
 *   `Content-Encoding: gzip`, a JSON array of rows whose columns the stream declares, at most
 *   1 MB per call (compressed and uncompressed); 204 on success, 413 over the limit.
 */
import { randomBytes } from 'node:crypto';
import { gunzipSync } from 'node:zlib';
import { json, startHttpsReceiver, type HttpsReceiver } from './https-receiver.ts';

export const LOGS_INGESTION_MAX_BYTES = 1_048_576;

export interface SentinelDoubles {
  readonly entra: HttpsReceiver;
  readonly dce: HttpsReceiver;
  /** Rows accepted, in order of arrival. */
  readonly rows: Record<string, unknown>[];
  /** Uncompressed sizes of accepted calls. */
  readonly callSizes: number[];
  close(): Promise<void>;
}

export interface SentinelExpect {
  readonly tenantId: string;
  readonly clientId: string;
  readonly clientSecret: string;
  readonly ruleId: string;
  readonly streamName: string;
  /** Columns every row must have (the stream declaration). */
  readonly columns: readonly string[];
}

export async function startSentinelDoubles(tls: { cert: string; key: string }, expect: SentinelExpect): Promise<SentinelDoubles> {
  const issued = new Set<string>();
  const rows: Record<string, unknown>[] = [];
  const callSizes: number[] = [];
  let entraUrl = '';
  const entra = await startHttpsReceiver(tls, (request) => {
    const url = new URL(request.path, 'https://x');
    const base = `${entraUrl}${expect.tenantId}`;
    if (request.method === 'GET' && url.pathname === `/${expect.tenantId}/v2.0/.well-known/openid-configuration`) {
      return json(200, {
        token_endpoint: `${base}/oauth2/v2.0/token`,
        authorization_endpoint: `${base}/oauth2/v2.0/authorize`,
        end_session_endpoint: `${base}/oauth2/v2.0/logout`,
        jwks_uri: `${base}/discovery/v2.0/keys`,
        issuer: `${base}/v2.0`,
        response_types_supported: ['code', 'id_token', 'code id_token', 'id_token token'],
        token_endpoint_auth_methods_supported: ['client_secret_post', 'private_key_jwt', 'client_secret_basic'],
      });
    }
    if (request.method === 'POST' && url.pathname === `/${expect.tenantId}/oauth2/v2.0/token`) {
      const form = new URLSearchParams(request.body.toString('utf8'));
      if (form.get('grant_type') !== 'client_credentials') return json(400, { error: 'unsupported_grant_type', error_description: 'AADSTS70003: grant type not supported' });
      if (form.get('scope') !== 'https://monitor.azure.com/.default') return json(400, { error: 'invalid_scope', error_description: `AADSTS70011: The provided value for scope ${form.get('scope')} is not valid.` });
      if (form.get('client_id') !== expect.clientId || form.get('client_secret') !== expect.clientSecret) {
        return json(401, { error: 'invalid_client', error_description: `AADSTS7000215: Invalid client secret provided. Ensure the secret being sent in the request is the client secret value, not the client secret ID.\r\nTrace ID: 0f1e2d3c\r\nCorrelation ID: 4b5a6978\r\nTimestamp: 2026-12-07 05:00:00Z`, error_codes: [7000215] });
      }
      const token = randomBytes(24).toString('base64url');
      issued.add(token);
      return json(200, { token_type: 'Bearer', expires_in: 3599, ext_expires_in: 3599, access_token: token });
    }
    return json(404, { error: 'not_found' });
  });
  entraUrl = entra.url.href;
  const dce = await startHttpsReceiver(tls, (request) => {
    const url = new URL(request.path, 'https://x');
    if (request.method !== 'POST' || url.pathname !== `/dataCollectionRules/${expect.ruleId}/streams/${expect.streamName}`) {
      return json(404, { error: { code: 'NotFound', message: 'Data collection rule or stream not found.' } });
    }
    if (url.searchParams.get('api-version') !== '2023-01-01') return json(400, { error: { code: 'InvalidApiVersion', message: 'unsupported api-version' } });
    const auth = request.headers.authorization ?? '';
    if (!auth.startsWith('Bearer ') || !issued.has(auth.slice(7))) return json(401, { error: { code: 'InvalidToken', message: 'The authentication token is not valid.' } });
    if (request.headers['content-type'] !== 'application/json') return json(415, { error: { code: 'UnsupportedMediaType', message: 'application/json expected' } });
    if (request.body.length > LOGS_INGESTION_MAX_BYTES) return json(413, { error: { code: 'ContentLengthLimitExceeded', message: 'Maximum allowed content length: 1048576 bytes (1 MB).' } });
    const raw = request.headers['content-encoding'] === 'gzip' ? gunzipSync(request.body) : request.body;
    if (raw.length > LOGS_INGESTION_MAX_BYTES) return json(413, { error: { code: 'ContentLengthLimitExceeded', message: 'Maximum allowed content length: 1048576 bytes (1 MB).' } });
    let body: unknown;
    try { body = JSON.parse(raw.toString('utf8')); } catch { return json(400, { error: { code: 'InvalidJson', message: 'The body is not JSON.' } }); }
    if (!Array.isArray(body)) return json(400, { error: { code: 'InvalidPayload', message: 'The body must be a JSON array.' } });
    for (const row of body as Record<string, unknown>[]) {
      const missing = expect.columns.filter((c) => !(c in row));
      if (missing.length > 0) return json(400, { error: { code: 'InvalidPayload', message: `Missing columns ${missing.join(', ')}` } });
    }
    rows.push(...(body as Record<string, unknown>[]));
    callSizes.push(raw.length);
    return { status: 204 };
  });
  return {
    entra, dce, rows, callSizes,
    async close() {
      await dce.close();
      await entra.close();
    },
  };
}
