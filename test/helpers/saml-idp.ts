import { createServer, type IncomingMessage, type ServerResponse } from 'node:http';
import { randomBytes } from 'node:crypto';
import type { AddressInfo } from 'node:net';
import { Constants, IdentityProvider, ServiceProvider, SamlLib, setSchemaValidator, type IdentityProviderInstance } from 'samlify';
import { makeRsaSigningPair, type RsaSigningPair } from './saml-keys.ts';

/**
 * A real SAML 2.0 IdP for tests: samlify's IdentityProvider behind a node:http server on
 * 127.0.0.1. Its SSO endpoint takes an HTTP-Redirect AuthnRequest, "logs in" the user of the
 * browser session and answers with the auto-posting form carrying a signed SAMLResponse,
 * exactly as a browser would see it. Test knobs (`SamlResponseShape`) let a test make the
 * IdP sign differently or assert other values, still signed by the IdP's key.
 */

/** The user a test logs in at the IdP. */
export interface SamlTestUser {
  readonly nameId: string;
  readonly attributes?: Readonly<Record<string, string | readonly string[]>>;
  /** AuthnContextClassRef of the login; default PasswordProtectedTransport. */
  readonly authnContextClassRef?: string;
}

/** How the IdP builds one response. Every default gives a correct response. */
export interface SamlResponseShape {
  /** What the IdP signs: the assertion (default), Response and assertion, or the Response only. */
  readonly signing?: 'assertion' | 'response-and-assertion' | 'response-only';
  readonly issuer?: string;
  readonly audience?: string;
  readonly recipient?: string;
  /** Top-level StatusCode of the Response; default Success. */
  readonly statusCode?: string;
  /** Destination of the Response envelope; default the SP's ACS. */
  readonly destination?: string;
  /** Default: the AuthnRequest's ID. null: an unsolicited response without InResponseTo. */
  readonly inResponseTo?: string | null;
  /** NotOnOrAfter of Conditions and SubjectConfirmationData, from now; default 300 s. */
  readonly lifetimeSeconds?: number;
}

/** What the IdP's page auto-posts to the SP. */
export interface PostedSamlResponse {
  /** The form action: the SP's ACS from its metadata. */
  readonly action: string;
  readonly samlResponse: string;
  readonly relayState: string | null;
  /** `samlResponse` decoded, for tests that forge a variant. */
  readonly xml: string;
}

/** A running test IdP. */
export interface TestSamlIdp {
  readonly entityId: string;
  /** SingleSignOnService URL (HTTP-Redirect). */
  readonly ssoUrl: string;
  /** PEM of the IdP's signing certificate. */
  readonly certPem: string;
  /** Registers an SP by its metadata; AuthnRequests from an unregistered issuer get 403. */
  trust(spMetadataXml: string): void;
  /** `http://127.0.0.1:<port>`: where a real browser gets the `idp_session` cookie of {@link openSession}. */
  readonly base: string;
  /** Logs `user` in for a real browser: returns the value of the `idp_session` cookie to give it. */
  openSession(user: SamlTestUser, shape?: SamlResponseShape): string;
  /** Follows the SP's redirect as a browser logged in as `user`; returns the auto-posted form. */
  login(redirectUrl: string, user: SamlTestUser, shape?: SamlResponseShape): Promise<PostedSamlResponse>;
  close(): Promise<void>;
}

interface Session {
  readonly user: SamlTestUser;
  readonly shape: SamlResponseShape;
}

/** Starts an IdP on a free loopback port; `entityId` defaults to its own URL. */
export async function startSamlIdp(opts: { entityId?: string; keys?: RsaSigningPair } = {}): Promise<TestSamlIdp> {
  // samlify refuses to parse without a schema validator. Accepting everything is fine for a
  // test IdP: it only reads AuthnRequests from the SP under test, and the SP side (node-saml)
  // does its own strict parsing.
  setSchemaValidator({ validate: async () => 'skipped: test IdP' });
  const keys = opts.keys ?? (await makeRsaSigningPair('CN=Custos test IdP'));
  const sessions = new Map<string, Session>();
  /** Trusted SP metadata by entity id. */
  const trusted = new Map<string, string>();
  let idp: IdentityProviderInstance | null = null;

  const server = createServer((req, res) => {
    handle(req, res).catch((e: unknown) => {
      res.writeHead(500, { 'content-type': 'text/plain' }).end(e instanceof Error ? e.message : String(e));
    });
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const base = `http://127.0.0.1:${(server.address() as AddressInfo).port}`;
  const ssoUrl = `${base}/sso`;
  const entityId = opts.entityId ?? `${base}/metadata`;
  idp = IdentityProvider({
    entityID: entityId,
    signingCert: keys.cert,
    privateKey: keys.key,
    isAssertionEncrypted: false,
    nameIDFormat: ['urn:oasis:names:tc:SAML:1.1:nameid-format:unspecified'],
    singleSignOnService: [{ Binding: Constants.namespace.binding.redirect, Location: ssoUrl }],
    // Never used; declared because samlify warns about an IdP without one.
    singleLogoutService: [{ Binding: Constants.namespace.binding.redirect, Location: `${base}/slo` }],
  });

  async function handle(req: IncomingMessage, res: ServerResponse): Promise<void> {
    const url = new URL(req.url ?? '/', base);
    if (url.pathname !== '/sso' || req.method !== 'GET') return void res.writeHead(404).end();
    const session = sessions.get(/(?:^|;\s*)idp_session=([^;]+)/.exec(req.headers.cookie ?? '')?.[1] ?? '');
    if (!session) return void res.writeHead(401, { 'content-type': 'text/plain' }).end('login page: no session');
    const anySp = trusted.values().next().value;
    if (anySp === undefined || !idp) return void res.writeHead(403).end('no trusted SP');
    // Request signatures are not checked (wantAuthnRequestsSigned false), so any trusted SP
    // entity parses the request; the SP that answers is then looked up by its Issuer.
    const parsed = await idp.parseLoginRequest(ServiceProvider({ metadata: anySp }), 'redirect', { query: Object.fromEntries(url.searchParams) });
    const request = parsed.extract.request as Record<string, string> | undefined;
    const spMetadata = trusted.get(String(parsed.extract.issuer));
    if (spMetadata === undefined || !request?.id) return void res.writeHead(403).end('unknown SP');
    const sp = spForSigning(spMetadata, session.shape.signing ?? 'assertion');
    const relayState = url.searchParams.get('RelayState');
    const response = await idp.createLoginResponse(sp, { extract: parsed.extract }, 'post', {}, {
      customTagReplacement: (template) => ({
        id: '',
        context: fillTemplate(template, {
          idpEntityId: entityId,
          spEntityId: sp.entityMeta.getEntityID(),
          acsUrl: sp.entityMeta.getAssertionConsumerService('post') as string,
          requestId: request.id!,
          user: session.user,
          shape: session.shape,
        }),
      }),
    });
    if (!('entityEndpoint' in response)) throw new Error('samlify returned no POST binding context');
    const fields: Record<string, string> = { SAMLResponse: response.context };
    if (relayState !== null) fields.RelayState = relayState;
    res.writeHead(200, { 'content-type': 'text/html; charset=utf-8' }).end(autoPostForm(response.entityEndpoint, fields));
  }

  return {
    entityId,
    ssoUrl,
    base,
    certPem: keys.cert,
    openSession(user, shape = {}) {
      const token = randomBytes(16).toString('hex');
      sessions.set(token, { user, shape });
      return token;
    },
    trust(xml) {
      trusted.set(ServiceProvider({ metadata: xml }).entityMeta.getEntityID(), xml);
    },
    async login(redirectUrl, user, shape = {}) {
      const token = randomBytes(16).toString('hex');
      sessions.set(token, { user, shape });
      try {
        const res = await fetch(redirectUrl, { headers: { cookie: `idp_session=${token}` }, redirect: 'manual' });
        const body = await res.text();
        if (res.status !== 200) throw new Error(`test IdP answered ${res.status}: ${body}`);
        return readAutoPostForm(body);
      } finally {
        sessions.delete(token);
      }
    },
    close: () => new Promise<void>((resolve, reject) => server.close((e) => (e ? reject(e) : resolve()))),
  };
}

/**
 * The SP entity as samlify sees it for one response: samlify signs the assertion when the
 * SP metadata says WantAssertionsSigned, and the Response when `wantMessageSigned` is set
 * (or when the assertion is not signed).
 */
function spForSigning(metadata: string, signing: NonNullable<SamlResponseShape['signing']>) {
  switch (signing) {
    case 'assertion':
      return ServiceProvider({ metadata });
    case 'response-and-assertion':
      return ServiceProvider({ metadata, wantMessageSigned: true });
    case 'response-only':
      return ServiceProvider({ metadata: metadata.replace('WantAssertionsSigned="true"', 'WantAssertionsSigned="false"'), wantMessageSigned: true });
  }
}

function fillTemplate(
  template: string,
  p: { idpEntityId: string; spEntityId: string; acsUrl: string; requestId: string; user: SamlTestUser; shape: SamlResponseShape },
): string {
  const now = Date.now();
  const iso = (ms: number) => new Date(ms).toISOString();
  const end = iso(now + (p.shape.lifetimeSeconds ?? 300) * 1000);
  const authnContext = p.user.authnContextClassRef ?? 'urn:oasis:names:tc:SAML:2.0:ac:classes:PasswordProtectedTransport';
  const sessionIndex = `_${randomBytes(8).toString('hex')}`;
  const authnStatement =
    `<saml:AuthnStatement AuthnInstant="${iso(now)}" SessionIndex="${sessionIndex}">` +
    `<saml:AuthnContext><saml:AuthnContextClassRef>${escapeXml(authnContext)}</saml:AuthnContextClassRef></saml:AuthnContext></saml:AuthnStatement>`;
  const attributes = Object.entries(p.user.attributes ?? {}).map(([name, value]) => {
    const values = (typeof value === 'string' ? [value] : value).map((v) => `<saml:AttributeValue xsi:type="xs:string">${escapeXml(v)}</saml:AttributeValue>`);
    return `<saml:Attribute Name="${escapeXml(name)}" NameFormat="urn:oasis:names:tc:SAML:2.0:attrname-format:basic">${values.join('')}</saml:Attribute>`;
  });
  const attributeStatement = attributes.length > 0 ? `<saml:AttributeStatement>${attributes.join('')}</saml:AttributeStatement>` : '';
  // Raw XML first (replaceTagsByValue escapes values), then samlify fills and escapes the rest.
  const withStatements = template.replace('{AuthnStatement}', authnStatement).replace('{AttributeStatement}', attributeStatement);
  return SamlLib.replaceTagsByValue(withStatements, {
    ID: `_${randomBytes(16).toString('hex')}`,
    AssertionID: `_${randomBytes(16).toString('hex')}`,
    Destination: p.shape.destination ?? p.acsUrl,
    Audience: p.shape.audience ?? p.spEntityId,
    SubjectRecipient: p.shape.recipient ?? p.acsUrl,
    Issuer: p.shape.issuer ?? p.idpEntityId,
    IssueInstant: iso(now),
    StatusCode: p.shape.statusCode ?? Constants.StatusCode.Success,
    ConditionsNotBefore: iso(now),
    ConditionsNotOnOrAfter: end,
    SubjectConfirmationDataNotOnOrAfter: end,
    NameIDFormat: 'urn:oasis:names:tc:SAML:1.1:nameid-format:unspecified',
    NameID: p.user.nameId,
    // undefined drops the attribute from Response and SubjectConfirmationData alike.
    InResponseTo: p.shape.inResponseTo === null ? undefined : (p.shape.inResponseTo ?? p.requestId),
  });
}

function autoPostForm(action: string, fields: Record<string, string>): string {
  const inputs = Object.entries(fields)
    .map(([name, value]) => `<input type="hidden" name="${escapeXml(name)}" value="${escapeXml(value)}"/>`)
    .join('');
  return `<!DOCTYPE html><html><body onload="document.forms[0].submit()"><form method="post" action="${escapeXml(action)}">${inputs}<noscript><button>Continue</button></noscript></form></body></html>`;
}

/** What a browser would post: the form's action and hidden fields. */
function readAutoPostForm(html: string): PostedSamlResponse {
  const unescape = (s: string) => s.replace(/&quot;/g, '"').replace(/&apos;/g, "'").replace(/&lt;/g, '<').replace(/&gt;/g, '>').replace(/&amp;/g, '&');
  const action = /<form method="post" action="([^"]*)"/.exec(html)?.[1];
  const fields = new Map([...html.matchAll(/<input type="hidden" name="([^"]*)" value="([^"]*)"\/>/g)].map((m) => [unescape(m[1]!), unescape(m[2]!)]));
  const samlResponse = fields.get('SAMLResponse');
  if (action === undefined || samlResponse === undefined) throw new Error('test IdP page has no SAMLResponse form');
  return { action: unescape(action), samlResponse, relayState: fields.get('RelayState') ?? null, xml: Buffer.from(samlResponse, 'base64').toString('utf8') };
}

function escapeXml(s: string): string {
  return s.replace(/&/g, '&amp;').replace(/</g, '&lt;').replace(/>/g, '&gt;').replace(/"/g, '&quot;').replace(/'/g, '&apos;');
}
