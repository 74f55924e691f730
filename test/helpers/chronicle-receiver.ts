/**
 * TEST DOUBLES of Google's OAuth 2.0 token endpoint and the Chronicle API's ImportLogs method,
 * because no Google service can run here. The real google-auth-library signs a JWT with the test
 * service-account key and exchanges it here. They check what Google documents:
 * - token: `POST` form `grant_type=urn:ietf:params:oauth:grant-type:jwt-bearer` and `assertion`,
 *   an RS256 JWT signed by the service account's key, `iss` = client_email, `aud` =
 *   https://oauth2.googleapis.com/token, `scope` including cloud-platform, `exp` within an hour
 *   of `iat`; a bad signature answers 400 `invalid_grant` "Invalid JWT Signature." as Google does;
 * - `POST /v1/projects/{p}/locations/{l}/instances/{i}/logTypes/{t}/logs:import` with
 *   `Authorization: Bearer <token issued above>` and `{ inlineSource: { logs: [Log…], forwarder? } }`,
 *   each Log with base64 `data`, RFC 3339 `logEntryTime` and `collectionTime` (not before
 *   logEntryTime); 200 `{}` on success; errors in Google's `{ error: { code, message, status } }`
 *   form. Request size: at most 1,000,000 bytes. We found no Google statement of ImportLogs'
 *   own limit; 1 MB is what other shippers apply to Chronicle ingestion (e.g. Tenzir's default
 *   `max_request_size`), so the double enforces it and the destination defaults to it.
 */
import { createVerify, generateKeyPairSync, randomBytes } from 'node:crypto';
import { json, startHttpsReceiver, type HttpsReceiver } from './https-receiver.ts';

export const CHRONICLE_MAX_REQUEST_BYTES = 1_000_000;

export interface ChronicleLog {
  readonly data: string;
  readonly logEntryTime: string;
  readonly collectionTime: string;
  readonly environmentNamespace?: string;
  readonly labels?: Record<string, { value: string }>;
}

export interface ChronicleDoubles {
  readonly token: HttpsReceiver;
  readonly api: HttpsReceiver;
  readonly logs: ChronicleLog[];
  readonly forwarders: (string | undefined)[];
  close(): Promise<void>;
}

/** A service-account key as Google issues it (JSON), with a fresh RSA key. */
export function testServiceAccount(tokenUri: string): { json: string; publicKey: string; email: string } {
  const { privateKey, publicKey } = generateKeyPairSync('rsa', { modulusLength: 2048 });
  const email = 'custos-shipper@custos-test.iam.gserviceaccount.com';
  const key = {
    type: 'service_account',
    project_id: 'custos-test',
    private_key_id: randomBytes(20).toString('hex'),
    private_key: privateKey.export({ type: 'pkcs8', format: 'pem' }).toString(),
    client_email: email,
    client_id: '123456789012345678901',
    auth_uri: 'https://accounts.google.com/o/oauth2/auth',
    token_uri: tokenUri,
  };
  return { json: JSON.stringify(key, null, 2), publicKey: publicKey.export({ type: 'spki', format: 'pem' }).toString(), email };
}

const RFC3339 = /^\d{4}-\d{2}-\d{2}T\d{2}:\d{2}:\d{2}(\.\d{1,9})?(Z|[+-]\d{2}:\d{2})$/;

function googleError(code: number, status: string, message: string) {
  return json(code, { error: { code, message, status } });
}

export async function startChronicleDoubles(
  tls: { cert: string; key: string },
  expect: { publicKey: string; email: string; parent: string },
): Promise<ChronicleDoubles> {
  const issued = new Set<string>();
  const logs: ChronicleLog[] = [];
  const forwarders: (string | undefined)[] = [];
  const token = await startHttpsReceiver(tls, (request) => {
    if (request.method !== 'POST' || new URL(request.path, 'https://x').pathname !== '/token') return json(404, { error: 'not_found' });
    const form = new URLSearchParams(request.body.toString('utf8'));
    if (form.get('grant_type') !== 'urn:ietf:params:oauth:grant-type:jwt-bearer') return json(400, { error: 'unsupported_grant_type', error_description: 'Invalid grant_type' });
    const [h, p, s] = (form.get('assertion') ?? '').split('.');
    if (h === undefined || p === undefined || s === undefined) return json(400, { error: 'invalid_request', error_description: 'Invalid assertion' });
    const header = JSON.parse(Buffer.from(h, 'base64url').toString()) as { alg?: string };
    const claims = JSON.parse(Buffer.from(p, 'base64url').toString()) as { iss?: string; aud?: string; scope?: string; iat?: number; exp?: number };
    const verifier = createVerify('RSA-SHA256');
    verifier.update(`${h}.${p}`);
    if (header.alg !== 'RS256' || !verifier.verify(expect.publicKey, Buffer.from(s, 'base64url'))) {
      return json(400, { error: 'invalid_grant', error_description: 'Invalid JWT Signature.' });
    }
    if (claims.iss !== expect.email) return json(400, { error: 'invalid_grant', error_description: 'Invalid issuer' });
    if (claims.aud !== 'https://oauth2.googleapis.com/token') return json(400, { error: 'invalid_grant', error_description: 'Invalid JWT: audience' });
    if (!(claims.scope ?? '').split(' ').includes('https://www.googleapis.com/auth/cloud-platform')) return json(400, { error: 'invalid_scope', error_description: 'scope' });
    const now = Date.now() / 1000;
    if (claims.iat === undefined || claims.exp === undefined || claims.exp - claims.iat > 3600 || claims.exp < now || claims.iat > now + 300) {
      return json(400, { error: 'invalid_grant', error_description: 'Invalid JWT: Token must be a short-lived token (60 minutes) and in a reasonable timeframe.' });
    }
    const access = `ya29.${randomBytes(24).toString('base64url')}`;
    issued.add(access);
    return json(200, { access_token: access, expires_in: 3599, token_type: 'Bearer' });
  });
  const api = await startHttpsReceiver(tls, (request) => {
    if (request.method !== 'POST' || request.path !== `/v1/${expect.parent}/logs:import`) return googleError(404, 'NOT_FOUND', `Method not found: ${request.path}`);
    const auth = request.headers.authorization ?? '';
    if (!auth.startsWith('Bearer ') || !issued.has(auth.slice(7))) return googleError(401, 'UNAUTHENTICATED', 'Request had invalid authentication credentials.');
    if (request.body.length > CHRONICLE_MAX_REQUEST_BYTES) return googleError(400, 'INVALID_ARGUMENT', 'Request payload size exceeds the limit: 1000000 bytes.');
    let body: { inlineSource?: { logs?: ChronicleLog[]; forwarder?: string } };
    try { body = JSON.parse(request.body.toString('utf8')) as typeof body; } catch { return googleError(400, 'INVALID_ARGUMENT', 'Invalid JSON payload received.'); }
    const got = body.inlineSource?.logs;
    if (!Array.isArray(got) || got.length === 0) return googleError(400, 'INVALID_ARGUMENT', 'inline_source.logs is required');
    for (const log of got) {
      if (typeof log.data !== 'string' || !/^[A-Za-z0-9+/]*={0,2}$/.test(log.data)) return googleError(400, 'INVALID_ARGUMENT', 'data must be base64');
      if (!RFC3339.test(log.logEntryTime) || !RFC3339.test(log.collectionTime)) return googleError(400, 'INVALID_ARGUMENT', 'Invalid timestamp');
      if (Date.parse(log.collectionTime) < Date.parse(log.logEntryTime)) return googleError(400, 'INVALID_ARGUMENT', 'collection_time must be after log_entry_time');
    }
    logs.push(...got);
    forwarders.push(body.inlineSource?.forwarder);
    return json(200, {});
  });
  return {
    token, api, logs, forwarders,
    async close() {
      await api.close();
      await token.close();
    },
  };
}
