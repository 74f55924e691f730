import assert from 'node:assert/strict';
import { test } from 'node:test';
import { isAppError } from '../lib/errors.ts';
import { seededRandom, testSeed } from '../../test/helpers/seeded-random.ts';
import { parseSafeXml } from './safe-xml.ts';

const refused = (e: unknown): boolean => isAppError(e, 'XML_REFUSED');

const envelope =
  '<?xml version="1.0" encoding="UTF-8"?><s:Envelope xmlns:s="http://www.w3.org/2003/05/soap-envelope" xmlns:tds="http://www.onvif.org/ver10/device/wsdl">' +
  '<s:Body><tds:GetDeviceInformationResponse><tds:Manufacturer>Acme &amp; Co</tds:Manufacturer><tds:Model><![CDATA[M<1>]]></tds:Model>' +
  '<!-- a comment --></tds:GetDeviceInformationResponse></s:Body></s:Envelope>';

test('a SOAP envelope parses into namespaced elements with entity-decoded and CDATA text', () => {
  const root = parseSafeXml(envelope);
  assert.equal(root.localName, 'Envelope');
  assert.equal(root.namespace, 'http://www.w3.org/2003/05/soap-envelope');
  const info = root.children[0]?.children[0];
  assert.equal(info?.namespace, 'http://www.onvif.org/ver10/device/wsdl');
  assert.deepEqual(info?.children.map((c) => c.text), ['Acme & Co', 'M<1>']);
});

test('XXE (an external entity in a DOCTYPE) is refused before parsing', () => {
  const xxe = '<?xml version="1.0"?><!DOCTYPE r [<!ENTITY x SYSTEM "file:///etc/passwd">]><r>&x;</r>';
  assert.throws(() => parseSafeXml(xxe), (e) => refused(e) && /markup declaration/.test((e as Error).message));
});

test('a billion-laughs document is refused at once, without expanding anything', () => {
  const lol = '<?xml version="1.0"?><!DOCTYPE lolz [<!ENTITY lol "lol">' +
    Array.from({ length: 9 }, (_, i) => `<!ENTITY lol${i + 1} "${`&lol${i === 0 ? '' : i};`.repeat(10)}">`).join('') + ']><lolz>&lol9;</lolz>';
  const t0 = performance.now();
  assert.throws(() => parseSafeXml(lol), refused);
  assert.ok(performance.now() - t0 < 50, 'refused without work proportional to the expansion');
});

test('a DOCTYPE in any case, a bare ENTITY, or a DOCTYPE after the root is refused', () => {
  for (const doc of ['<!doctype r><r/>', '<r><!ENTITY x "y"></r>', '<r/><!DOCTYPE r>', '<r><!ELEMENT r ANY></r>']) {
    assert.throws(() => parseSafeXml(doc), refused, doc);
  }
});

test('an undeclared entity reference is refused rather than left in the text', () => {
  assert.throws(() => parseSafeXml('<r>&nbsp;</r>'), refused);
});

test('processing instructions other than the leading XML declaration are refused', () => {
  assert.throws(() => parseSafeXml('<r><?php evil ?></r>'), refused);
  assert.throws(() => parseSafeXml('<r/><?xml-stylesheet href="x"?>'), refused);
  assert.throws(() => parseSafeXml(' <r/><?xml version="1.0"?>'), refused);
  assert.equal(parseSafeXml('\ufeff<?xml version="1.0"?>\n<r/>').localName, 'r');
});

test('size, depth and element-count bounds refuse a document just past them and accept one at them', () => {
  assert.throws(() => parseSafeXml(`<r>${'a'.repeat(100)}</r>`, { maxBytes: 100 }), refused);
  assert.equal(parseSafeXml(`<r>${'a'.repeat(93)}</r>`, { maxBytes: 100 }).text.length, 93);
  const nest = (n: number): string => '<a>'.repeat(n) + '</a>'.repeat(n);
  assert.throws(() => parseSafeXml(nest(33)), refused);
  assert.equal(parseSafeXml(nest(32)).localName, 'a');
  assert.throws(() => parseSafeXml(`<r>${'<b/>'.repeat(5000)}</r>`), refused);
  assert.equal(parseSafeXml(`<r>${'<b/>'.repeat(4999)}</r>`).children.length, 4999);
  // A deep document is refused from the text, before xmldom's recursive builder sees it.
  assert.throws(() => parseSafeXml(nest(100_000), { maxBytes: 10_000_000 }), refused);
});

test('malformed XML, two roots and invalid UTF-8 are refused', () => {
  for (const doc of ['<a><b></a>', '<a/><b/>', '', 'just text', '<a x="1" x="2"/>']) {
    assert.throws(() => parseSafeXml(doc), refused, JSON.stringify(doc));
  }
  assert.throws(() => parseSafeXml(new Uint8Array([0x3c, 0x61, 0x3e, 0xff, 0x3c, 0x2f, 0x61, 0x3e])), refused);
});

test('fuzz: random mutations of an envelope either parse or are refused with XML_REFUSED, never another error', () => {
  const seed = testSeed();
  const rnd = seededRandom(seed);
  const pieces = ['<', '>', '&', ';', '<!DOCTYPE x>', '<!ENTITY', ']]>', '<![CDATA[', '"', "'", '/', '<?', '?>', '\u0000', '&#0;', '&#x110000;', 'xmlns:=""', '\ud800'];
  for (let i = 0; i < 800; i++) {
    let doc = envelope;
    for (let k = rnd.int(1, 4); k > 0; k--) {
      const at = rnd.int(0, doc.length);
      doc = rnd.next() < 0.5 ? doc.slice(0, at) + rnd.pick(pieces) + doc.slice(at) : doc.slice(0, at) + doc.slice(at + rnd.int(1, 8));
    }
    try {
      parseSafeXml(doc);
    } catch (e) {
      assert.ok(refused(e), `seed ${seed}, case ${i}: ${String(e)} for ${JSON.stringify(doc)}`);
    }
  }
});
