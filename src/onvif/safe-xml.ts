/**
 * The one way Custos parses XML from a camera or the network (ONVIF SOAP, WS-Discovery).
 *
 * Contract: a document MUST be refused before parsing when it is larger than `maxBytes`, carries a
 * DOCTYPE or any other markup declaration (`<!ENTITY`, `<!ELEMENT`, …: XXE and "billion laughs"
 * need one), or contains a processing instruction other than the leading XML declaration. After
 * parsing, any xmldom warning or error (unknown entity, unclosed tag, two roots) refuses it, and
 * the tree MUST NOT be deeper than `maxDepth` nor hold more than `maxElements` elements.
 * @xmldom/xmldom 0.8 accepts a DOCTYPE silently and leaves undeclared entities unexpanded, so the
 * refusal is ours, made on the raw text, not a parser option.
 */
import { DOMParser } from '@xmldom/xmldom';
import { AppError } from '../lib/errors.ts';

/** Bounds of one document. */
export interface XmlLimits {
  /** UTF-8 bytes; 256 KiB by default (an ONVIF answer is a few KiB). */
  readonly maxBytes?: number;
  /** Nesting depth of elements; 32 by default. */
  readonly maxDepth?: number;
  /** Elements in the whole document; 5,000 by default. */
  readonly maxElements?: number;
}

/** Defaults of {@link XmlLimits}. */
export const defaultXmlLimits = { maxBytes: 256 * 1024, maxDepth: 32, maxElements: 5_000 } as const;

/** A parsed element: only what our readers need, so xmldom's types stay in this file. */
export interface XmlElement {
  readonly namespace: string | null;
  readonly localName: string;
  /** Attributes by local name (namespaced attributes too, by local name). */
  readonly attributes: Readonly<Record<string, string>>;
  readonly children: readonly XmlElement[];
  /** Concatenated text of this element's own text and CDATA children, trimmed. */
  readonly text: string;
}

function refuse(reason: string): never {
  throw new AppError('XML_REFUSED', `XML document refused: ${reason}`);
}

/** Refuses markup declarations and processing instructions in the raw text (before any parsing). */
function checkRawText(text: string): void {
  // Any "<!" that does not open a comment or a CDATA section is a markup declaration.
  for (const m of text.matchAll(/<!(?!--|\[CDATA\[)/g)) {
    refuse(`markup declaration at offset ${m.index} (DOCTYPE and ENTITY are not accepted)`);
  }
  for (const m of text.matchAll(/<\?([^\s?]*)/g)) {
    const isLeadingDecl = m[1] === 'xml' && text.slice(0, m.index).trim() === '' && !text.slice(0, m.index).includes('<');
    if (!isLeadingDecl) refuse(`processing instruction at offset ${m.index}`);
  }
}

/**
 * Parses `input` under the contract above; throws AppError XML_REFUSED. The returned tree holds
 * elements only (comments and processing instructions are dropped).
 */
export function parseSafeXml(input: string | Uint8Array, limits: XmlLimits = {}): XmlElement {
  const maxBytes = limits.maxBytes ?? defaultXmlLimits.maxBytes;
  const maxDepth = limits.maxDepth ?? defaultXmlLimits.maxDepth;
  const maxElements = limits.maxElements ?? defaultXmlLimits.maxElements;
  const size = typeof input === 'string' ? Buffer.byteLength(input, 'utf8') : input.byteLength;
  if (size > maxBytes) refuse(`${size} bytes is over the limit of ${maxBytes}`);
  let text: string;
  try {
    text = typeof input === 'string' ? input : new TextDecoder('utf-8', { fatal: true }).decode(input);
  } catch {
    refuse('not valid UTF-8');
  }
  if (text.charCodeAt(0) === 0xfeff) text = text.slice(1);
  checkRawText(text);
  // Nesting is checked on the text too: xmldom's tree builder recurses, and an attacker's depth
  // MUST NOT reach it. Counting '<' that open a tag bounds both depth and element count cheaply.
  checkShape(text, maxDepth, maxElements);

  const problems: string[] = [];
  const record = (level: string) => (msg: string) => problems.push(`${level}: ${msg.split('\n')[0] ?? ''}`);
  let doc;
  try {
    doc = new DOMParser({ errorHandler: { warning: record('warning'), error: record('error'), fatalError: record('fatal') } })
      .parseFromString(text, 'text/xml');
  } catch (err) {
    // xmldom throws (rather than reports) some structural errors: still a refusal, never a crash.
    refuse(`malformed: ${(err as Error).message.split('\n')[0] ?? ''}`);
  }
  if (problems.length > 0) refuse(problems[0] ?? 'parse error');
  const root = doc.documentElement;
  if (root === null || root === undefined) refuse('no root element');
  return convert(root);
}

/** Depth and element count from the raw text: start tags open, end tags and `/>` close. */
function checkShape(text: string, maxDepth: number, maxElements: number): void {
  let depth = 0;
  let elements = 0;
  // Comments and CDATA cannot hold tags that count; drop them first.
  const bare = text.replace(/<!--[\s\S]*?-->/g, '').replace(/<!\[CDATA\[[\s\S]*?\]\]>/g, '');
  for (const m of bare.matchAll(/<(\/?)[^<>?!]*?(\/?)>/g)) {
    if (m[1] === '/') {
      depth -= 1;
    } else {
      elements += 1;
      if (elements > maxElements) refuse(`more than ${maxElements} elements`);
      if (m[2] !== '/') {
        depth += 1;
        if (depth > maxDepth) refuse(`nesting deeper than ${maxDepth}`);
      }
    }
  }
}

/** The part of xmldom's DOM node we read. */
interface DomNode {
  readonly nodeType: number;
  readonly namespaceURI?: string | null;
  readonly localName?: string | null;
  readonly nodeName: string;
  readonly nodeValue?: string | null;
  readonly childNodes: { readonly length: number; item(i: number): DomNode | null };
  readonly attributes?: { readonly length: number; item(i: number): DomNode | null };
}

const ELEMENT = 1;
const TEXT = 3;
const CDATA = 4;

function convert(node: DomNode): XmlElement {
  const children: XmlElement[] = [];
  let text = '';
  for (let i = 0; i < node.childNodes.length; i++) {
    const c = node.childNodes.item(i);
    if (c === null) continue;
    if (c.nodeType === ELEMENT) children.push(convert(c));
    else if (c.nodeType === TEXT || c.nodeType === CDATA) text += c.nodeValue ?? '';
  }
  const attributes: Record<string, string> = {};
  const attrs = node.attributes;
  if (attrs !== undefined) {
    for (let i = 0; i < attrs.length; i++) {
      const a = attrs.item(i);
      if (a === null || a.nodeName === 'xmlns' || a.nodeName.startsWith('xmlns:')) continue;
      attributes[a.localName ?? a.nodeName] = a.nodeValue ?? '';
    }
  }
  return { namespace: node.namespaceURI ?? null, localName: node.localName ?? node.nodeName, attributes, children, text: text.trim() };
}

/** The first child element with this namespace and local name, or undefined. */
export function child(el: XmlElement | undefined, namespace: string, localName: string): XmlElement | undefined {
  return el?.children.find((c) => c.namespace === namespace && c.localName === localName);
}

/** Every child element with this namespace and local name. */
export function childrenOf(el: XmlElement | undefined, namespace: string, localName: string): XmlElement[] {
  return el?.children.filter((c) => c.namespace === namespace && c.localName === localName) ?? [];
}

/** Follows a path of (namespace, localName) steps; undefined when a step is missing. */
export function pathOf(el: XmlElement | undefined, ...steps: readonly (readonly [string, string])[]): XmlElement | undefined {
  let cur = el;
  for (const [ns, name] of steps) cur = child(cur, ns, name);
  return cur;
}

/** Escapes text for an XML text node or attribute value. */
export function escapeXml(s: string): string {
  return s.replace(/&/g, '&amp;').replace(/</g, '&lt;').replace(/>/g, '&gt;').replace(/"/g, '&quot;').replace(/'/g, '&apos;');
}
