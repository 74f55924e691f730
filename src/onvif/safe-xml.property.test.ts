/**
 * Property tests of parseSafeXml over generated inputs (deterministic seed, printed with every
 * failure; replay with CUSTOS_TEST_SEED). Complements the mutation fuzz in safe-xml.test.ts:
 * - a generated well-formed tree round-trips exactly (the parser is safe AND correct);
 * - generated XXE, parameter-entity, entity-expansion and DTD documents, in any casing, spacing
 *   and position, as UTF-8, UTF-8 with BOM or UTF-16, are refused with XML_REFUSED, and no
 *   external entity is ever resolved (a local HTTP server and a marker file watch for it);
 * - size, depth and element bounds hold at and past generated limits;
 * - any mutation of any of those either parses or is refused with XML_REFUSED, never another
 *   error; a parsed tree never holds more text than its input (nothing expands); each case ends
 *   within a generous bound (a hang or blow-up is what it catches, not speed).
 */
import assert from 'node:assert/strict';
import { mkdtemp, rm, writeFile } from 'node:fs/promises';
import { createServer } from 'node:http';
import type { AddressInfo } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { performance } from 'node:perf_hooks';
import { pathToFileURL } from 'node:url';
import { test } from 'node:test';
import { isAppError } from '../lib/errors.ts';
import { seededRandom, testSeed, type SeededRandom } from '../../test/helpers/seeded-random.ts';
import { teardown } from '../../test/helpers/teardown.ts';
import { escapeXml, parseSafeXml } from './safe-xml.ts';
import type { XmlElement, XmlLimits } from './safe-xml.ts';

const refused = (e: unknown): boolean => isAppError(e, 'XML_REFUSED');
/** A generous per-document bound: a blow-up takes seconds or forever, a parse takes microseconds. */
const perCaseMs = 1_000;

/** The model of a generated element (what parseSafeXml must give back). */
interface Model {
  readonly namespace: string | null;
  readonly localName: string;
  readonly attributes: Record<string, string>;
  readonly children: Model[];
  readonly text: string;
}

const namespaces = ['http://www.w3.org/2003/05/soap-envelope', 'http://www.onvif.org/ver10/device/wsdl', 'http://www.onvif.org/ver10/schema', 'urn:example:ß'];
const names = ['Envelope', 'Body', 'Manufacturer', 'Model', 'a', 'b-c', 'd.e', 'Ünïcødé', 'x_1'];
const textPieces = ['Acme', ' & Co ', '<1>', '"q"', "'", ']]', 'Ω', '𝄞', '\t', '%x;', '&amp;', 'ZZ'];

/** A random tree and its serialisation, using escapes, CDATA, comments and namespace prefixes. */
function generateTree(rnd: SeededRandom, depth: number, budget: { elements: number }): { xml: string; model: Model } {
  budget.elements--;
  const nsIndex = rnd.int(-1, namespaces.length);
  const namespace = nsIndex < 0 ? null : (namespaces[nsIndex] ?? null);
  const localName = rnd.pick(names);
  const prefix = namespace === null ? '' : `p${nsIndex}`;
  const qname = prefix === '' ? localName : `${prefix}:${localName}`;
  const attributes: Record<string, string> = {};
  let attrXml = namespace === null ? '' : ` xmlns:${prefix}="${escapeXml(namespace)}"`;
  for (let i = rnd.int(0, 3); i > 0; i--) {
    const name = `at${rnd.int(0, 5)}`;
    if (name in attributes) continue;
    const value = Array.from({ length: rnd.int(0, 4) }, () => rnd.pick(textPieces)).join('');
    attributes[name] = value.replace(/\t/g, ' ');
    attrXml += ` ${name}="${escapeXml(value.replace(/\t/g, ' '))}"`;
  }
  const children: Model[] = [];
  let inner = '';
  let text = '';
  for (let i = depth > 0 ? rnd.int(0, 4) : 0; i > 0 && budget.elements > 0; i--) {
    const r = rnd.next();
    if (r < 0.45) {
      const c = generateTree(rnd, depth - 1, budget);
      children.push(c.model);
      inner += c.xml;
    } else if (r < 0.75) {
      const t = rnd.pick(textPieces);
      text += t;
      inner += escapeXml(t);
    } else if (r < 0.9) {
      const t = rnd.pick(textPieces).replace(']]', '] ]');
      text += t;
      inner += `<![CDATA[${t}]]>`;
    } else {
      inner += `<!-- ${rnd.pick(['note', '<b>not an element</b>', '&entity;'])} -->`;
    }
  }
  const xml = inner === '' && rnd.next() < 0.5 ? `<${qname}${attrXml}/>` : `<${qname}${attrXml}>${inner}</${qname}>`;
  return { xml, model: { namespace, localName, attributes, children, text: text.trim() } };
}

function sameTree(got: XmlElement, want: Model, path = want.localName): void {
  assert.equal(got.localName, want.localName, path);
  assert.equal(got.namespace, want.namespace, path);
  assert.deepEqual({ ...got.attributes }, want.attributes, path);
  assert.equal(got.text, want.text, path);
  assert.equal(got.children.length, want.children.length, path);
  got.children.forEach((c, i) => sameTree(c, want.children[i] as Model, `${path}/${c.localName}`));
}

function textOf(el: XmlElement): number {
  return el.text.length + Object.values(el.attributes).reduce((n, v) => n + v.length, 0) + el.children.reduce((n, c) => n + textOf(c), 0);
}

/** Parses under the contract: a tree or XML_REFUSED, within the bound, never more text than given. */
function outcome(input: string | Uint8Array, limits: XmlLimits | undefined, context: string): XmlElement | 'refused' {
  const started = performance.now();
  try {
    const tree = parseSafeXml(input, limits);
    const size = typeof input === 'string' ? input.length : input.byteLength;
    assert.ok(textOf(tree) <= size, `${context}: the tree holds more text than the input (expansion)`);
    return tree;
  } catch (e) {
    assert.ok(refused(e), `${context}: ${String(e)}`);
    return 'refused';
  } finally {
    assert.ok(performance.now() - started < perCaseMs, `${context}: took ${Math.round(performance.now() - started)} ms`);
  }
}

/** A hostile document: a DTD of one of many kinds, placed, cased and encoded at random. */
function hostile(rnd: SeededRandom, httpUrl: string, fileUrl: string): { text: string; bytes: Uint8Array } {
  const doctype = rnd.pick(['DOCTYPE', 'doctype', 'DocType', 'DOCtype']);
  const entity = rnd.pick(['ENTITY', 'entity', 'Entity']);
  const sp = () => rnd.pick([' ', '  ', '\t', '\n', '\r\n']);
  const root = rnd.pick(['r', 's:Envelope', 'tds:Model']);
  const lol = (): string => {
    const levels = rnd.int(2, 10);
    const fan = rnd.int(2, 12);
    let dtd = `<!${entity}${sp()}l0${sp()}"lol">`;
    for (let i = 1; i < levels; i++) dtd += `<!${entity}${sp()}l${i}${sp()}"${`&l${i - 1};`.repeat(fan)}">`;
    return dtd;
  };
  const kinds: [string, () => { dtd: string; use: string }][] = [
    ['external http', () => ({ dtd: `<!${entity}${sp()}x${sp()}SYSTEM${sp()}"${httpUrl}/${rnd.int(0, 1e6)}">`, use: '&x;' })],
    ['external file', () => ({ dtd: `<!${entity}${sp()}x${sp()}SYSTEM${sp()}"${fileUrl}">`, use: '&x;' })],
    ['public id', () => ({ dtd: `<!${entity}${sp()}x${sp()}PUBLIC${sp()}"-//X//Y"${sp()}"${httpUrl}/pub">`, use: '&x;' })],
    ['parameter entity', () => ({ dtd: `<!${entity}${sp()}%${sp()}p${sp()}SYSTEM${sp()}"${httpUrl}/p.dtd">%p;`, use: '&x;' })],
    ['billion laughs', () => ({ dtd: lol(), use: `&l${rnd.int(1, 9)};` })],
    ['quadratic blow-up', () => ({ dtd: `<!${entity}${sp()}a${sp()}"${'a'.repeat(rnd.int(1_000, 50_000))}">`, use: '&a;'.repeat(rnd.int(10, 500)) })],
    ['element decl', () => ({ dtd: `<!ELEMENT${sp()}r${sp()}ANY><!ATTLIST${sp()}r${sp()}x${sp()}CDATA${sp()}"&#60;">`, use: 'plain' })],
    ['external DTD', () => ({ dtd: '', use: 'plain' })],
  ];
  const [kind, make] = rnd.pick(kinds);
  const { dtd, use } = make();
  const declaration = kind === 'external DTD'
    ? `<!${doctype}${sp()}${root}${sp()}SYSTEM${sp()}"${rnd.pick([httpUrl + '/ext.dtd', fileUrl])}">`
    : `<!${doctype}${sp()}${root}${sp()}[${sp()}${dtd}${sp()}]>`;
  const body = `<${root} xmlns:s="urn:s" xmlns:tds="urn:t">${use}<v a="${use.startsWith('&') ? use : 'ok'}">${use}</v></${root}>`;
  const lead = rnd.pick(['', '<?xml version="1.0"?>', '<?xml version="1.0" encoding="UTF-16"?>', '<!-- c -->', '\n']);
  const text = rnd.next() < 0.85 ? `${lead}${declaration}${body}` : `${lead}${body.replace('</v>', `</v>${declaration}`)}`;
  const encoding = rnd.pick(['utf8', 'utf8-bom', 'utf16le-bom', 'utf16be-bom']);
  const utf8 = Buffer.from(text, 'utf8');
  const bytes = encoding === 'utf8' ? utf8
    : encoding === 'utf8-bom' ? Buffer.concat([Buffer.from([0xef, 0xbb, 0xbf]), utf8])
      : encoding === 'utf16le-bom' ? Buffer.concat([Buffer.from([0xff, 0xfe]), Buffer.from(text, 'utf16le')])
        : Buffer.concat([Buffer.from([0xfe, 0xff]), Buffer.from(text, 'utf16le').swap16()]);
  return { text: `${kind} as ${encoding}`, bytes };
}

test('properties of the safe XML parser over generated documents', async (t) => {
  const defer = teardown(t);
  const seed = testSeed();
  const rnd = seededRandom(seed);
  const at = (what: string, i: number) => `seed ${seed}, ${what} ${i}`;

  // Watchers for external resolution: any request to this server, or the marker in any output.
  let hits = 0;
  const server = createServer((req, res) => {
    hits++;
    res.end('<!ENTITY leaked "LEAKED-OVER-HTTP">');
  });
  await new Promise<void>((r) => server.listen(0, '127.0.0.1', r));
  defer(() => new Promise<void>((r) => server.close(() => r())));
  const httpUrl = `http://127.0.0.1:${(server.address() as AddressInfo).port}`;
  const dir = await mkdtemp(join(tmpdir(), 'custos-xxe-'));
  defer(() => rm(dir, { recursive: true, force: true }));
  const marker = 'SECRET-MARKER-FROM-DISK';
  const secret = join(dir, 'secret.txt');
  await writeFile(secret, marker);
  const fileUrl = pathToFileURL(secret).href;

  // 1. Well-formed generated trees round-trip exactly.
  for (let i = 0; i < 300; i++) {
    const { xml, model } = generateTree(rnd, rnd.int(0, 6), { elements: 60 });
    const doc = rnd.next() < 0.5 ? `<?xml version="1.0" encoding="UTF-8"?>${xml}` : xml;
    const got = outcome(doc, undefined, at('tree', i));
    assert.notEqual(got, 'refused', `${at('tree', i)}: a well-formed document was refused: ${doc}`);
    if (got !== 'refused') sameTree(got, model);
  }

  // Conservative by design: "<!" inside a comment or CDATA is refused too. The raw check does not
  // work out where comments and CDATA end, so a "<!--" inside CDATA cannot hide a DOCTYPE from it.
  for (const doc of ['<r><!-- <!DOCTYPE x> --></r>', '<r><![CDATA[<!ENTITY]]></r>', '<r><![CDATA[<!--]]><!DOCTYPE r [<!ENTITY x SYSTEM "file:///etc/passwd">]><!-- --></r>']) {
    assert.equal(outcome(doc, undefined, doc), 'refused', doc);
  }

  // 2. Hostile documents are refused, whatever their form; nothing is fetched or read.
  const hostileDocs: Uint8Array[] = [];
  for (let i = 0; i < 400; i++) {
    const h = hostile(rnd, httpUrl, fileUrl);
    hostileDocs.push(h.bytes);
    assert.equal(outcome(h.bytes, { maxBytes: 10_000_000 }, `${at('hostile', i)} (${h.text})`), 'refused', `${at('hostile', i)}: ${h.text} was not refused`);
  }

  // 3. Bounds at and past generated limits.
  for (let i = 0; i < 100; i++) {
    const maxDepth = rnd.int(1, 40);
    const maxElements = rnd.int(1, 300);
    const maxBytes = rnd.int(64, 5_000);
    const depth = rnd.int(1, maxDepth + 3);
    const nested = '<a>'.repeat(depth) + '</a>'.repeat(depth);
    const deep = outcome(nested, { maxDepth, maxElements: 10_000, maxBytes: 1_000_000 }, at('depth', i));
    assert.equal(deep === 'refused', depth > maxDepth, `${at('depth', i)}: depth ${depth} against ${maxDepth}`);
    const count = rnd.int(1, maxElements + 3);
    const wide = `<r>${'<b/>'.repeat(count - 1)}</r>`;
    const many = outcome(wide, { maxElements, maxDepth: 32, maxBytes: 1_000_000 }, at('elements', i));
    assert.equal(many === 'refused', count > maxElements, `${at('elements', i)}: ${count} elements against ${maxElements}`);
    const len = rnd.int(8, maxBytes + 50);
    const sized = `<r>${'é'.repeat(Math.max(0, Math.floor((len - 7) / 2)))}</r>`;
    const big = outcome(sized, { maxBytes }, at('bytes', i));
    assert.equal(big === 'refused', Buffer.byteLength(sized) > maxBytes, `${at('bytes', i)}: ${Buffer.byteLength(sized)} bytes against ${maxBytes}`);
  }

  // 4. Mutations of all of the above: a tree or XML_REFUSED, bounded, never an expansion.
  const seeds = [...hostileDocs.slice(0, 50), ...Array.from({ length: 50 }, () => Buffer.from(generateTree(rnd, 4, { elements: 30 }).xml))];
  const bytesToInsert = [0x3c, 0x3e, 0x26, 0x21, 0x00, 0xff, 0xfe, 0x5d, 0x25, 0x3b, 0x22, 0xc3, 0xe2];
  for (let i = 0; i < 1_000; i++) {
    const base = Buffer.from(rnd.pick(seeds));
    const mutated: number[] = [...base];
    for (let k = rnd.int(1, 6); k > 0; k--) {
      const pos = rnd.int(0, mutated.length + 1);
      const r = rnd.next();
      if (r < 0.4) mutated.splice(pos, 0, rnd.pick(bytesToInsert));
      else if (r < 0.7) mutated.splice(pos, rnd.int(1, 10));
      else mutated[pos] = rnd.int(0, 256);
    }
    const input = Uint8Array.from(mutated.filter((b) => b !== undefined));
    const got = outcome(rnd.next() < 0.5 ? input : Buffer.from(input).toString('utf8'), { maxBytes: 10_000_000 }, at('mutation', i));
    if (got !== 'refused') assert.ok(!JSON.stringify(got).includes(marker) && !JSON.stringify(got).includes('LEAKED'), at('mutation', i));
  }

  assert.equal(hits, 0, `seed ${seed}: an external entity or DTD was fetched over HTTP`);
});
