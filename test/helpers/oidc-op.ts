/**
 * A real OpenID Provider (oidc-provider) for tests, on an ephemeral 127.0.0.1 port over HTTPS
 * with a self-signed certificate (its PEM is the relying party's caFile). Accounts, their claims
 * and how they authenticated (amr, acr) are set by the test. Its own minimal interaction pages
 * (login, consent, abort) replace oidc-provider's devInteractions, which cannot set amr/acr.
 * A test may rewrite the token endpoint's response to play a forging provider or a
 * man-in-the-middle; `signIdToken` signs with the provider's own key or a foreign one.
 */
import { generateKeyPairSync, randomUUID, sign, type KeyObject } from 'node:crypto';
import { writeFile } from 'node:fs/promises';
import { createServer, type Server } from 'node:https';
import type { IncomingMessage, ServerResponse } from 'node:http';
import type { AddressInfo } from 'node:net';
import { join } from 'node:path';
import Provider from 'oidc-provider';
import { loadOrMakeSelfSigned } from '../../src/lib/self-signed-cert.ts';
import { inMemoryAdapter } from './oidc-op-adapter.ts';

/** A user of the test provider. */
export interface TestAccount {
  /** Claims beyond `sub` (email, name, groups, preferred_username…). */
  readonly claims: Readonly<Record<string, unknown>>;
  /** Claims that the userinfo endpoint alone serves, over `claims` (to tell the two sources apart). */
  readonly userinfoClaims?: Readonly<Record<string, unknown>>;
  /** Authentication methods the provider asserts for the login (ID token `amr`). */
  readonly amr?: readonly string[];
  /** Authentication context class the provider asserts (ID token `acr`). */
  readonly acr?: string;
}

/** A client registered at the test provider. */
export interface TestClient {
  readonly clientId: string;
  /** Null: a public client (token_endpoint_auth_method none). */
  readonly clientSecret: string | null;
  readonly redirectUris: readonly string[];
}

/** Options of `startTestOp`. */
export interface TestOpOptions {
  /** Directory for the TLS certificate, key and CA file. */
  readonly dir: string;
  readonly clients: readonly TestClient[];
  /** Accounts by `sub`; the test may add more later. */
  readonly accounts?: Readonly<Record<string, TestAccount>>;
  /** oidc-provider's `conformIdTokenClaims` (default true: profile claims only at userinfo). */
  readonly conformIdTokenClaims?: boolean;
}

/** A running test provider. */
export interface TestOp {
  /** `https://127.0.0.1:<port>`. */
  readonly issuer: string;
  /** PEM file of the provider's self-signed certificate, for the relying party's caFile. */
  readonly caFile: string;
  /** PEM of the same certificate, for the test's browser. */
  readonly caPem: string;
  readonly accounts: Map<string, TestAccount>;
  /** When set, rewrites each successful token endpoint response body. */
  tamperTokenResponse: ((body: Record<string, unknown>) => Record<string, unknown>) | null;
  /** An RS256 JWT over `payload`, signed by the provider's own key or by a foreign one under the same `kid`. */
  signIdToken(payload: Record<string, unknown>, signer: 'provider' | 'foreign'): string;
  close(): Promise<void>;
}

/** The payload of a JWT, decoded without verification (tests only). */
export function jwtPayload(jwt: string): Record<string, unknown> {
  return JSON.parse(Buffer.from(jwt.split('.')[1] ?? '', 'base64url').toString('utf8')) as Record<string, unknown>;
}

/** Starts a provider on 127.0.0.1 with PKCE required for every client. */
export async function startTestOp(options: TestOpOptions): Promise<TestOp> {
  const tls = await loadOrMakeSelfSigned(options.dir, 'oidc-op', 'CN=custos-test-op');
  const caFile = join(options.dir, 'oidc-op-ca.pem');
  await writeFile(caFile, tls.cert);
  const kid = randomUUID();
  const own = generateKeyPairSync('rsa', { modulusLength: 2048 });
  const foreign = generateKeyPairSync('rsa', { modulusLength: 2048 });
  const accounts = new Map(Object.entries(options.accounts ?? {}));

  // The issuer names the port, which is known only once listening: listen first, then build.
  let handler: ((req: IncomingMessage, res: ServerResponse) => void) | null = null;
  const server: Server = createServer({ cert: tls.cert, key: tls.key }, (req, res) => {
    if (handler) handler(req, res);
    else res.writeHead(503).end();
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const issuer = `https://127.0.0.1:${(server.address() as AddressInfo).port}`;

  const provider = new Provider(issuer, {
    clients: options.clients.map((c) => ({
      client_id: c.clientId,
      ...(c.clientSecret === null ? { token_endpoint_auth_method: 'none' } : { client_secret: c.clientSecret, token_endpoint_auth_method: 'client_secret_basic' }),
      redirect_uris: [...c.redirectUris],
      grant_types: ['authorization_code'],
      response_types: ['code'],
    })),
    jwks: { keys: [{ ...own.privateKey.export({ format: 'jwk' }), kid, alg: 'RS256', use: 'sig' }] },
    adapter: inMemoryAdapter(),
    cookies: { keys: [randomUUID()] },
    // Explicit lifetimes (seconds), also so oidc-provider does not print a notice for each default.
    ttl: { AccessToken: 600, AuthorizationCode: 60, IdToken: 3600, Interaction: 600, Session: 3600, Grant: 3600 },
    claims: {
      // Real providers put amr and acr in every ID token; oidc-provider does when the openid scope names them.
      openid: ['sub', 'amr', 'acr', 'auth_time'],
      profile: ['name', 'preferred_username', 'groups'],
      email: ['email', 'email_verified'],
      acr: null,
      amr: null,
      auth_time: null,
      sid: null,
      iss: null,
    },
    conformIdTokenClaims: options.conformIdTokenClaims ?? true,
    features: { devInteractions: { enabled: false } },
    interactions: { url: (_ctx: unknown, interaction: { uid: string }) => `/interaction/${interaction.uid}` },
    pkce: { required: () => true },
    findAccount: (_ctx: unknown, sub: string) => {
      const account = accounts.get(sub);
      if (!account) return undefined;
      return { accountId: sub, claims: (use: string) => ({ ...account.claims, ...(use === 'userinfo' ? account.userinfoClaims : {}), sub }) };
    },
  });
  provider.on('server_error', (_ctx, err) => {
    if (process.env.CUSTOS_TEST_LOG) console.error('test OP server_error', err);
  });

  const op: TestOp = {
    issuer,
    caFile,
    caPem: tls.cert,
    accounts,
    tamperTokenResponse: null,
    signIdToken: (payload, signer) => signJwt(payload, kid, signer === 'provider' ? own.privateKey : foreign.privateKey),
    close: () =>
      new Promise<void>((resolve) => {
        server.closeAllConnections();
        server.close(() => resolve());
      }),
  };

  provider.use(async (ctx, next) => {
    await next();
    if (ctx.path === '/token' && ctx.status === 200 && op.tamperTokenResponse && typeof ctx.body === 'object' && ctx.body !== null) {
      ctx.body = op.tamperTokenResponse({ ...(ctx.body as Record<string, unknown>) });
    }
  });
  const providerHandler = provider.callback();
  handler = (req, res) => {
    const match = /^\/interaction\/([\w-]+)(?:\/(login|confirm|abort))?$/.exec(new URL(req.url ?? '/', issuer).pathname);
    if (!match) {
      providerHandler(req, res);
      return;
    }
    interaction(provider, accounts, req, res, match[2]).catch((err: unknown) => {
      if (process.env.CUSTOS_TEST_LOG) console.error('test OP interaction failed', err);
      if (!res.headersSent) res.writeHead(400, { 'content-type': 'text/plain' });
      res.end('interaction failed');
    });
  };
  return op;
}

/** The provider's login and consent pages: GET shows a form, POST to login/confirm/abort answers it. */
async function interaction(provider: Provider, accounts: Map<string, TestAccount>, req: IncomingMessage, res: ServerResponse, action: string | undefined): Promise<void> {
  const details = await provider.interactionDetails(req, res);
  if (req.method === 'GET' && action === undefined) {
    const next = details.prompt.name === 'login' ? 'login' : 'confirm';
    res.writeHead(200, { 'content-type': 'text/html; charset=utf-8' });
    res.end(
      `<!doctype html><form method="post" data-prompt="${details.prompt.name}" action="/interaction/${details.uid}/${next}">` +
        `${next === 'login' ? '<input name="login">' : ''}<button>Continue</button></form>` +
        `<form method="post" action="/interaction/${details.uid}/abort"><button>Cancel</button></form>`,
    );
    return;
  }
  if (req.method !== 'POST') throw new Error('unexpected interaction request');
  const form = new URLSearchParams(await readBody(req));
  switch (action) {
    case 'login': {
      const accountId = form.get('login') ?? '';
      const account = accounts.get(accountId);
      if (!account) throw new Error('unknown test account');
      await provider.interactionFinished(
        req,
        res,
        { login: { accountId, ...(account.amr ? { amr: [...account.amr] } : {}), ...(account.acr ? { acr: account.acr } : {}) } },
        { mergeWithLastSubmission: false },
      );
      return;
    }
    case 'confirm': {
      if (!details.session) throw new Error('consent without a session');
      const grant = (details.grantId ? await provider.Grant.find(details.grantId) : undefined) ?? new provider.Grant({ accountId: details.session.accountId, clientId: details.params.client_id });
      if (details.prompt.details.missingOIDCScope) grant.addOIDCScope(details.prompt.details.missingOIDCScope.join(' '));
      if (details.prompt.details.missingOIDCClaims) grant.addOIDCClaims(details.prompt.details.missingOIDCClaims);
      await provider.interactionFinished(req, res, { consent: { grantId: await grant.save() } }, { mergeWithLastSubmission: true });
      return;
    }
    case 'abort':
      await provider.interactionFinished(req, res, { error: 'access_denied', error_description: 'End-User aborted interaction' }, { mergeWithLastSubmission: false });
      return;
    case undefined:
    default:
      throw new Error('unexpected interaction action');
  }
}

async function readBody(req: IncomingMessage): Promise<string> {
  const chunks: Buffer[] = [];
  for await (const chunk of req) chunks.push(chunk as Buffer);
  return Buffer.concat(chunks).toString('utf8');
}

function signJwt(payload: Record<string, unknown>, kid: string, key: KeyObject): string {
  const part = (value: unknown): string => Buffer.from(JSON.stringify(value)).toString('base64url');
  const input = `${part({ alg: 'RS256', typ: 'JWT', kid })}.${part(payload)}`;
  return `${input}.${sign('sha256', Buffer.from(input), key).toString('base64url')}`;
}
