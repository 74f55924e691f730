import { X509Certificate, randomBytes } from 'node:crypto';
import { readFile } from 'node:fs/promises';
import { SAML, SamlStatusError, ValidateInResponseTo, type SamlConfig } from '@node-saml/node-saml';
import { DOMParser } from '@xmldom/xmldom';
import type { SamlProviderConfig } from '../../config/identity.schema.ts';
import type { Clock } from '../../lib/clock.ts';
import { AppError } from '../../lib/errors.ts';
import { mapRoles, type ExternalIdentity } from '../external-identity.ts';
import type { AssertionReplayStore } from './assertion-replay.store.ts';

/**
 * The SAML 2.0 service provider of one configured IdP: SP-initiated Web Browser SSO
 * (saml-profiles §4.1), AuthnRequest by HTTP-Redirect, Response by HTTP-POST.
 *
 * Split of work with @node-saml/node-saml: the library verifies the XML signature and hands
 * back the bytes that were signed (it refuses a second assertion, an unsigned assertion, a
 * reference that is not the signature's parent, and a duplicated ID). Everything this class
 * decides is then read from those signed bytes only: issuer, audience, recipient,
 * InResponseTo, validity window, NameID, attributes and AuthnContext. The library's own
 * wall-clock checks are switched off (acceptedClockSkewMs -1, it cannot take a clock) and
 * done here against the injected Clock; its InResponseTo cache is off too, the caller passes
 * the request id it kept. The signed bytes are read with @xmldom/xmldom (node-saml's own
 * parser), namespace-aware and by direct children only.
 */

const assertionNs = 'urn:oasis:names:tc:SAML:2.0:assertion';
const protocolNs = 'urn:oasis:names:tc:SAML:2.0:protocol';
const dsigNs = 'http://www.w3.org/2000/09/xmldsig#';
const successStatus = 'urn:oasis:names:tc:SAML:2.0:status:Success';
const bearerMethod = 'urn:oasis:names:tc:SAML:2.0:cm:bearer';
/** A browser-posted response larger than this is refused unparsed. */
const maxResponseChars = 512 * 1024;
/** Attributes read for the display name and e-mail when present (the config names neither). */
const displayNameAttributes = ['displayName', 'urn:oid:2.16.840.1.113730.3.1.241', 'http://schemas.microsoft.com/identity/claims/displayname', 'cn'];
const emailAttributes = ['email', 'mail', 'urn:oid:0.9.2342.19200300.100.1.3', 'http://schemas.xmlsoap.org/ws/2005/05/identity/claims/emailaddress'];

/** What a SamlServiceProvider is built from. */
export interface SamlServiceProviderOptions {
  readonly config: SamlProviderConfig;
  /** Where users reach Custos (identity.publicUrl); a trailing slash is ignored. */
  readonly publicUrl: string;
  /** PEM of the IdP signing certificate(s); an assertion MUST be signed by one of them. */
  readonly idpCertPem: string;
  readonly replay: AssertionReplayStore;
  readonly clock: Clock;
}

/** The service provider side of SAML 2.0 Web Browser SSO for one IdP of `identity.saml`. */
export class SamlServiceProvider {
  /** Our entity id: the audience every assertion MUST name. */
  readonly entityId: string;
  /** The AssertionConsumerService URL: every assertion MUST name it as Recipient. */
  readonly acsUrl: string;
  readonly #config: SamlProviderConfig;
  readonly #replay: AssertionReplayStore;
  readonly #clock: Clock;
  readonly #samlConfig: SamlConfig;
  readonly #saml: SAML;
  /** The same, for a Response that carries its own signature: that one must verify too. */
  readonly #samlSignedResponse: SAML;

  constructor(options: SamlServiceProviderOptions) {
    const { config } = options;
    const base = options.publicUrl.replace(/\/+$/, '');
    this.entityId = config.spEntityId ?? `${base}/api/v1/auth/saml/${config.id}/metadata`;
    this.acsUrl = `${base}/api/v1/auth/saml/${config.id}/acs`;
    this.#config = config;
    this.#replay = options.replay;
    this.#clock = options.clock;
    const certs = options.idpCertPem.match(/-----BEGIN CERTIFICATE-----[^-]+-----END CERTIFICATE-----/g) ?? [];
    if (certs.length === 0) throw new AppError('CONFIG_INVALID', `identity.saml ${config.id}: the IdP certificate file holds no PEM certificate`);
    for (const pem of certs) {
      try {
        new X509Certificate(pem);
      } catch {
        throw new AppError('CONFIG_INVALID', `identity.saml ${config.id}: the IdP certificate file holds an unreadable certificate`);
      }
    }
    this.#samlConfig = {
      entryPoint: config.entryPoint,
      callbackUrl: this.acsUrl,
      issuer: this.entityId,
      audience: this.entityId,
      idpIssuer: config.idpIssuer,
      idpCert: certs,
      wantAssertionsSigned: true,
      // The assertion's signature is what counts: a signed Response alone is not enough, and
      // an unsigned Response around a signed assertion is fine (see #samlSignedResponse).
      wantAuthnResponseSigned: false,
      acceptedClockSkewMs: -1,
      validateInResponseTo: ValidateInResponseTo.never,
      // Let the IdP pick the NameID format, and do not ask for a given AuthnContext: a request
      // for PasswordProtectedTransport (the library default) can make an IdP refuse MFA users.
      identifierFormat: null,
      disableRequestedAuthnContext: true,
    };
    this.#saml = new SAML(this.#samlConfig);
    this.#samlSignedResponse = new SAML({ ...this.#samlConfig, wantAuthnResponseSigned: true });
  }

  /** Builds the provider of `config`, reading the IdP certificate from `config.idpCertFile`. */
  static async open(config: SamlProviderConfig, publicUrl: string, replay: AssertionReplayStore, clock: Clock): Promise<SamlServiceProvider> {
    let idpCertPem: string;
    try {
      idpCertPem = await readFile(config.idpCertFile, 'utf8');
    } catch {
      throw new AppError('CONFIG_INVALID', `identity.saml ${config.id}: cannot read idpCertFile ${config.idpCertFile}`);
    }
    return new SamlServiceProvider({ config, publicUrl, idpCertPem, replay, clock });
  }

  /**
   * Starts a login: the IdP URL carrying a fresh AuthnRequest (HTTP-Redirect binding) and its
   * id. The caller MUST keep `requestId` bound to the browser (e.g. in its state cookie) and
   * pass it to `finish`: a response to any other request is refused.
   */
  async start(relayState: string): Promise<{ url: string; requestId: string }> {
    // An xs:ID is an NCName: it must not start with a digit.
    const requestId = `_${randomBytes(20).toString('hex')}`;
    const saml = new SAML({ ...this.#samlConfig, generateUniqueId: () => requestId });
    const url = await saml.getAuthorizeUrlAsync(relayState, undefined, {});
    return { url, requestId };
  }

  /**
   * Verifies a base64 SAMLResponse posted to the ACS and returns who logged in. Throws
   * AppError SSO_REFUSED with a short reason for every refusal. The assertion id is consumed:
   * the same response MUST NOT log in twice.
   */
  async finish(samlResponseBase64: string, expectedRequestId: string): Promise<ExternalIdentity> {
    if (typeof samlResponseBase64 !== 'string' || samlResponseBase64.length === 0 || samlResponseBase64.length > maxResponseChars) {
      throw refused('response malformed');
    }
    if (expectedRequestId.length === 0) throw refused('no login in progress');
    const envelope = parseXml(Buffer.from(samlResponseBase64, 'base64').toString('utf8'));
    if (envelope.namespaceURI !== protocolNs || envelope.localName !== 'Response') throw refused('response malformed');
    // A Response that carries a signature MUST carry a valid one, though only the assertion's is required.
    const saml = children(envelope, dsigNs, 'Signature').length > 0 ? this.#samlSignedResponse : this.#saml;
    let signedAssertionXml: string | undefined;
    try {
      const { profile } = await saml.validatePostResponseAsync({ SAMLResponse: samlResponseBase64 });
      signedAssertionXml = profile?.getAssertionXml?.();
    } catch (e) {
      throw refused(libraryReason(e));
    }
    if (signedAssertionXml === undefined) throw refused('response carries no assertion');
    const assertion = parseXml(signedAssertionXml);
    if (assertion.namespaceURI !== assertionNs || assertion.localName !== 'Assertion') throw refused('response malformed');
    return this.#accept(envelope, assertion, expectedRequestId);
  }

  /** Our SP metadata (entity id, ACS, WantAssertionsSigned) for the IdP administrator. */
  metadata(): string {
    return this.#saml.generateServiceProviderMetadata(null, null);
  }

  /** Applies every rule to the signed assertion; `envelope` is only ever a further reason to refuse. */
  async #accept(envelope: Element, assertion: Element, expectedRequestId: string): Promise<ExternalIdentity> {
    const config = this.#config;
    const now = this.#clock.now();
    const skewMs = config.clockSkewSeconds * 1000;

    // The envelope may be unsigned: it can add refusals, never facts. node-saml reads the
    // assertion whatever the status says, so a non-success status is refused here.
    const status = child(envelope, protocolNs, 'Status');
    const code = status ? child(status, protocolNs, 'StatusCode') : undefined;
    if (code?.getAttribute('Value') !== successStatus) throw refused('identity provider refused the login');
    const envelopeIssuer = child(envelope, assertionNs, 'Issuer');
    if (envelopeIssuer && text(envelopeIssuer) !== config.idpIssuer) throw refused('issuer mismatch');
    const destination = envelope.getAttribute('Destination');
    if (destination && destination !== this.acsUrl) throw refused('destination mismatch');
    const envelopeInResponseTo = envelope.getAttribute('InResponseTo');
    if (envelopeInResponseTo && envelopeInResponseTo !== expectedRequestId) throw refused('InResponseTo mismatch');

    const issuer = child(assertion, assertionNs, 'Issuer');
    if (!issuer || text(issuer) !== config.idpIssuer) throw refused('issuer mismatch');

    const conditions = children(assertion, assertionNs, 'Conditions');
    if (conditions.length !== 1) throw refused('assertion has no conditions');
    const restrictions = children(conditions[0]!, assertionNs, 'AudienceRestriction');
    const audienceOk = (r: Element) => children(r, assertionNs, 'Audience').some((a) => text(a) === this.entityId);
    if (restrictions.length === 0 || !restrictions.every(audienceOk)) throw refused('audience mismatch');
    const conditionsEnd = checkWindow(conditions[0]!, now, skewMs);

    const subject = child(assertion, assertionNs, 'Subject');
    const confirmations = subject ? children(subject, assertionNs, 'SubjectConfirmation').filter((c) => c.getAttribute('Method') === bearerMethod) : [];
    if (confirmations.length === 0) throw refused('no bearer subject confirmation');
    let confirmationEnd: number | undefined;
    let firstReason: string | undefined;
    for (const confirmation of confirmations) {
      try {
        confirmationEnd = this.#checkConfirmation(confirmation, expectedRequestId, now, skewMs);
        break;
      } catch (e) {
        firstReason ??= e instanceof AppError ? e.message : 'subject confirmation invalid';
      }
    }
    if (confirmationEnd === undefined) throw refused(firstReason ?? 'subject confirmation invalid');

    const nameId = subject ? child(subject, assertionNs, 'NameID') : undefined;
    const subjectName = nameId ? text(nameId) : '';
    if (subjectName === '') throw refused('assertion has no NameID');
    const attributes = readAttributes(assertion);
    let username = subjectName;
    if (config.usernameAttribute !== null) {
      username = attributes.get(config.usernameAttribute)?.[0] ?? '';
      if (username === '') throw refused('user name attribute missing');
    }
    const authnContext = children(assertion, assertionNs, 'AuthnStatement').flatMap((statement) =>
      children(statement, assertionNs, 'AuthnContext').flatMap((c) => children(c, assertionNs, 'AuthnContextClassRef').map(text)),
    );

    const id = assertion.getAttribute('ID') ?? '';
    if (id === '') throw refused('assertion has no ID');
    // Remembered for as long as the assertion could be accepted (its earliest end, plus skew).
    const expiresMs = Math.min(conditionsEnd ?? Infinity, confirmationEnd) + skewMs;
    if (!(await this.#replay.claim(id, expiresMs))) throw refused('assertion replayed');

    return {
      provider: config.id,
      protocol: 'saml',
      subject: subjectName,
      username,
      displayName: firstOf(attributes, displayNameAttributes),
      email: firstOf(attributes, emailAttributes),
      grants: mapRoles(config.roleMap, attributes.get(config.roleAttribute)),
      mfa: authnContext.some((c) => config.mfaAuthnContexts.includes(c)),
      authnContext,
    };
  }

  /** Checks one bearer SubjectConfirmation (saml-profiles §4.1.4.2); returns its NotOnOrAfter. */
  #checkConfirmation(confirmation: Element, expectedRequestId: string, now: number, skewMs: number): number {
    const data = child(confirmation, assertionNs, 'SubjectConfirmationData');
    if (!data) throw refused('subject confirmation has no data');
    if (data.getAttribute('Recipient') !== this.acsUrl) throw refused('recipient mismatch');
    const inResponseTo = data.getAttribute('InResponseTo');
    if (!inResponseTo) throw refused('unsolicited response');
    if (inResponseTo !== expectedRequestId) throw refused('InResponseTo mismatch');
    const end = checkWindow(data, now, skewMs);
    if (end === undefined) throw refused('subject confirmation has no expiry');
    return end;
  }
}

/** The refusal every failed check throws. */
function refused(reason: string): AppError {
  return new AppError('SSO_REFUSED', reason);
}

/**
 * A short, fixed reason for a node-saml failure. The library's message can quote
 * attacker-chosen XML, so it is never passed on.
 */
function libraryReason(e: unknown): string {
  if (e instanceof SamlStatusError) return 'identity provider refused the login';
  const message = e instanceof Error ? e.message : '';
  if (/multiple assertions/i.test(message)) return 'more than one assertion';
  if (/Invalid document signature/i.test(message)) return 'response signature invalid';
  if (/audience/i.test(message)) return 'audience mismatch';
  if (/decrypt|EncryptedAssertion/i.test(message)) return 'encrypted assertions are not supported';
  if (/signature|ID cannot refer|Referenced node/i.test(message)) return 'assertion signature invalid';
  if (/Missing SAML assertion/i.test(message)) return 'response carries no assertion';
  return 'response malformed';
}

/**
 * Checks NotBefore/NotOnOrAfter of `el` against `now` with `skewMs` tolerance; returns
 * NotOnOrAfter (epoch ms) when present.
 */
function checkWindow(el: Element, now: number, skewMs: number): number | undefined {
  const notBefore = readInstant(el, 'NotBefore');
  const notOnOrAfter = readInstant(el, 'NotOnOrAfter');
  if (notBefore !== undefined && now + skewMs < notBefore) throw refused('assertion not yet valid');
  if (notOnOrAfter !== undefined && now - skewMs >= notOnOrAfter) throw refused('response expired');
  return notOnOrAfter;
}

function readInstant(el: Element, name: string): number | undefined {
  const value = el.getAttribute(name);
  if (!value) return undefined;
  // xs:dateTime in UTC (saml-core §1.3.3); anything Date.parse cannot read is refused.
  const ms = Date.parse(value);
  if (Number.isNaN(ms)) throw refused('response malformed');
  return ms;
}

/** Attribute name → its string values, from every AttributeStatement of the assertion. */
function readAttributes(assertion: Element): Map<string, string[]> {
  const out = new Map<string, string[]>();
  for (const statement of children(assertion, assertionNs, 'AttributeStatement')) {
    for (const attribute of children(statement, assertionNs, 'Attribute')) {
      const name = attribute.getAttribute('Name');
      if (!name) continue;
      // Values with element content (e.g. a nested NameID) are not strings: skipped.
      const values = children(attribute, assertionNs, 'AttributeValue')
        .filter((v) => elements(v).length === 0)
        .map(text);
      out.set(name, [...(out.get(name) ?? []), ...values]);
    }
  }
  return out;
}

function firstOf(attributes: Map<string, string[]>, names: readonly string[]): string | null {
  for (const name of names) {
    const value = attributes.get(name)?.find((v) => v !== '');
    if (value !== undefined) return value;
  }
  return null;
}

/** Parses XML whose signature node-saml already checked; any parse error is a refusal. */
function parseXml(xml: string): Element {
  let failed = false;
  const doc = new DOMParser({
    errorHandler: { warning: () => undefined, error: () => (failed = true), fatalError: () => (failed = true) },
  }).parseFromString(xml, 'text/xml');
  if (failed || !doc?.documentElement) throw refused('response malformed');
  return doc.documentElement;
}

function elements(el: Element): Element[] {
  const out: Element[] = [];
  for (let node = el.firstChild; node; node = node.nextSibling) {
    if (node.nodeType === 1) out.push(node as Element);
  }
  return out;
}

/** Direct children with this namespace and local name (never descendants: no wrapped elements). */
function children(el: Element, ns: string, localName: string): Element[] {
  return elements(el).filter((c) => c.namespaceURI === ns && c.localName === localName);
}

function child(el: Element, ns: string, localName: string): Element | undefined {
  const found = children(el, ns, localName);
  if (found.length > 1) throw refused(`more than one ${localName}`);
  return found[0];
}

function text(el: Element): string {
  return (el.textContent ?? '').trim();
}
