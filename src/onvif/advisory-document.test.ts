import assert from 'node:assert/strict';
import { test } from 'node:test';
import { csafAdvisory, osvAdvisory } from '../../test/helpers/advisory-documents.ts';
import { seededRandom, testSeed } from '../../test/helpers/seeded-random.ts';
import { isAppError } from '../lib/errors.ts';
import { MAX_ADVISORY_BYTES } from './advisory.ts';
import { readAdvisoryBytes, readAdvisoryValue } from './advisory-document.ts';
import { matchAdvisories, modelFits, sameVendor } from './advisory-match.ts';

const bytes = (v: unknown) => Buffer.from(JSON.stringify(v, null, 2));
const csaf = () =>
  csafAdvisory({
    trackingId: 'ACME-SA-2026-0042',
    cve: 'CVE-2026-41234',
    affected: [{ id: 'AO200-le-573', vendor: 'Acme Optics', model: 'AO-200', range: 'vers:generic/>=2.0|<2.4.2' }],
    fixed: [{ id: 'AO200-242', vendor: 'Acme Optics', model: 'AO-200', version: '2.4.2' }],
  });

/** The refusal reason of `fn`, or a failure when it does not refuse. */
function reason(fn: () => unknown): string {
  try {
    fn();
  } catch (e) {
    assert.ok(isAppError(e) && e.code === 'ADVISORY_REFUSED', String(e));
    return String(e.detail?.reason);
  }
  assert.fail('not refused');
}

test('a CSAF 2.0 security advisory is read: id, CVEs, severity, products with ranges and fixing versions', () => {
  const a = readAdvisoryBytes(bytes(csaf()));
  assert.equal(a.id, 'csaf:https://psirt.acme-optics.example:ACME-SA-2026-0042');
  assert.deepEqual([a.format, a.documentId, a.publisher, a.severity, a.cvssScore], ['csaf', 'ACME-SA-2026-0042', 'Acme Optics PSIRT', 'critical', 9.8]);
  assert.deepEqual(a.cves, ['CVE-2026-41234']);
  assert.equal(a.products.length, 1);
  assert.deepEqual(a.products[0]?.fixedIn, ['2.4.2']);
  assert.match(a.sha256, /^[0-9a-f]{64}$/);
});

test('whitespace does not change the hash: a file and an API body of the same document agree', () => {
  assert.equal(readAdvisoryBytes(bytes(csaf())).sha256, readAdvisoryValue(csaf()).sha256);
});

test('an OSV record is read with the vendor from database_specific and the model from the package', () => {
  const a = readAdvisoryValue(osvAdvisory({ id: 'OSV-2026-77', aliases: ['CVE-2026-5555', 'GHSA-xxxx-yyyy-zzzz'], vendor: 'Acme Optics', model: 'AO-300', events: [{ introduced: '0' }, { fixed: '3.1.0' }] }));
  assert.deepEqual([a.id, a.format, a.severity, a.cvssScore], ['osv:OSV-2026-77', 'osv', 'high', 9.1]);
  const unrated = osvAdvisory({ id: 'OSV-2026-78', aliases: [], vendor: 'Acme Optics', model: 'AO-300', events: [{ introduced: '0' }] });
  delete ((unrated.affected as Record<string, unknown>[])[0]!.database_specific as Record<string, unknown>).severity;
  assert.equal(readAdvisoryValue(unrated).severity, 'critical', 'without a rating, the CVSS v3 vector (9.1) decides');
  assert.deepEqual(a.cves, ['CVE-2026-5555']);
  assert.deepEqual(a.products.map((p) => [p.vendor, p.model, p.fixedIn]), [['Acme Optics', 'AO-300', ['3.1.0']]]);
});

test('bad documents are refused with a stable reason', () => {
  const big = Buffer.alloc(MAX_ADVISORY_BYTES + 1, 0x20);
  const noCategory = csaf();
  (noCategory.document as Record<string, unknown>).category = 'csaf_vex';
  const badCve = csaf();
  (badCve.vulnerabilities as Record<string, unknown>[])[0]!.cve = 'CVE-26-1';
  const noTracking = csaf();
  delete (noTracking.document as Record<string, unknown>).tracking;
  const deep: Record<string, unknown> = { category: 'vendor', name: 'x', product: { product_id: 'p' } };
  let nest = deep;
  for (let i = 0; i < 40; i += 1) nest = { category: 'product_family', name: `f${i}`, branches: [nest] };
  const tooDeep = { ...csaf(), product_tree: { branches: [nest] } };
  const freeText = csafAdvisory({ trackingId: 'X', cve: 'CVE-2026-10001', affected: [{ id: 'p', vendor: 'Acme', model: 'AO-1', range: 'all builds since spring' }] });
  const osvNoVendor = osvAdvisory({ id: 'OSV-1', aliases: [], vendor: 'Acme', model: 'AO-1', events: [{ introduced: '0' }] });
  delete ((osvNoVendor.affected as Record<string, unknown>[])[0]!.database_specific as Record<string, unknown>).vendor;
  const osvNoIntroduced = osvAdvisory({ id: 'OSV-2', aliases: [], vendor: 'Acme', model: 'AO-1', events: [{ fixed: '1.0' }] });
  const osvTwoKeys = osvAdvisory({ id: 'OSV-3', aliases: [], vendor: 'Acme', model: 'AO-1', events: [{ introduced: '0', fixed: '1.0' }] });
  const cases: [string, () => unknown][] = [
    ['too-large', () => readAdvisoryBytes(big)],
    ['not-json', () => readAdvisoryBytes(Buffer.from('{"document":'))],
    ['not-json', () => readAdvisoryBytes(Buffer.from([0x7b, 0xff, 0x7d]))],
    ['not-json', () => readAdvisoryValue([1, 2])],
    ['unknown-format', () => readAdvisoryValue({ bomFormat: 'CycloneDX' })],
    ['invalid-csaf', () => readAdvisoryValue(noCategory)],
    ['invalid-csaf', () => readAdvisoryValue(badCve)],
    ['invalid-csaf', () => readAdvisoryValue(noTracking)],
    ['invalid-csaf', () => readAdvisoryValue(tooDeep)],
    ['no-products', () => readAdvisoryValue(freeText)],
    ['no-products', () => readAdvisoryValue(osvNoVendor)],
    ['invalid-osv', () => readAdvisoryValue(osvNoIntroduced)],
    ['invalid-osv', () => readAdvisoryValue(osvTwoKeys)],
    ['invalid-osv', () => readAdvisoryValue({ ...osvAdvisory({ id: 'OSV-4', aliases: [], vendor: 'A', model: 'B', events: [{ introduced: '0' }] }), modified: 'yesterday' })],
  ];
  for (const [want, fn] of cases) assert.equal(reason(fn), want, fn.toString());
});

test('vendor names match on whole words without company forms, models without separators or case', () => {
  const vendors: [string, string, boolean][] = [
    ['Hikvision', 'Hangzhou Hikvision Digital Technology Co., Ltd.', true],
    ['Acme', 'Acme Optics', true],
    ['ACME OPTICS GmbH', 'Acme Optics', true],
    ['Acme', 'Acmesoft', false],
    ['Acme Optics', 'Globex', false],
    ['Co., Ltd.', 'Acme Co., Ltd.', false],
  ];
  for (const [a, b, want] of vendors) assert.equal(sameVendor(a, b), want, `${a} / ${b}`);
  const models: [string, string, boolean][] = [
    ['AO-200', 'ao 200', true],
    ['AO-200', 'AO-2000', false],
    ['AO-2*', 'AO-210', true],
    ['AO-2*', 'AO-300', false],
    ['*', 'anything', true],
  ];
  for (const [p, m, want] of models) assert.equal(modelFits(p, m), want, `${p} / ${m}`);
});

test('an advisory matches the camera in its firmware range and none of another model, a fixed version or another vendor', () => {
  const advisory = readAdvisoryValue(csaf());
  const cams = [
    { cameraId: 'in-range', vendor: 'Acme Optics', model: 'AO-200', firmware: 'V2.4.1 build 260101' },
    { cameraId: 'fixed', vendor: 'Acme Optics', model: 'AO-200', firmware: '2.4.2' },
    { cameraId: 'other-model', vendor: 'Acme Optics', model: 'AO-300', firmware: '2.4.1' },
    { cameraId: 'other-vendor', vendor: 'Globex', model: 'AO-200', firmware: '2.4.1' },
    { cameraId: 'too-old', vendor: 'Acme Optics', model: 'AO-200', firmware: '1.9.9' },
  ];
  const matches = matchAdvisories([advisory], cams);
  assert.deepEqual(matches.map((m) => m.cameraId), ['in-range']);
  assert.deepEqual(matches[0]?.product, { vendor: 'Acme Optics', model: 'AO-200', range: '>=2.0 <2.4.2', fixedIn: ['2.4.2'] });
  assert.deepEqual(matchAdvisories([{ ...advisory, withdrawn: '2026-12-01T00:00:00Z' }], cams), []);
});

test('a seeded fuzz of CSAF and OSV documents: every outcome is an advisory or ADVISORY_REFUSED, never another error', () => {
  const seed = testSeed();
  const rnd = seededRandom(seed);
  const junk: unknown[] = [null, 0, -1, 1e308, '', ' ', 'x'.repeat(600), [], {}, [[]], { a: 1 }, true, '\u0000', 'CVE-2026-1', '<', 'vers:generic/', 'vers:generic/>=|<', '0'];
  const osv = () => osvAdvisory({ id: 'OSV-2026-1', aliases: ['CVE-2026-12345'], vendor: 'Acme', model: 'AO-1', events: [{ introduced: '1.0' }, { fixed: '2.0' }] });
  /** Replaces, deletes or nests a random node of `v`. */
  const mutate = (v: unknown, depth: number): unknown => {
    if (depth > 0 && rnd.next() < 0.25) return rnd.pick(junk);
    if (Array.isArray(v)) return rnd.next() < 0.2 ? [] : v.map((x) => (rnd.next() < 0.5 ? mutate(x, depth + 1) : x));
    if (typeof v === 'object' && v !== null) {
      const out: Record<string, unknown> = {};
      for (const [k, x] of Object.entries(v)) {
        if (rnd.next() < 0.08) continue;
        out[k] = rnd.next() < 0.5 ? mutate(x, depth + 1) : x;
      }
      return out;
    }
    return v;
  };
  let read = 0;
  for (let i = 0; i < 600; i += 1) {
    const doc = mutate(i % 2 === 0 ? csaf() : osv(), 0);
    try {
      const a = readAdvisoryValue(doc);
      read += 1;
      matchAdvisories([a], [{ cameraId: 'c', vendor: 'Acme Optics', model: 'AO-200', firmware: '2.4.1' }]);
    } catch (e) {
      assert.ok(isAppError(e, 'ADVISORY_REFUSED'), `seed ${seed}, case ${i}: ${String(e)} for ${JSON.stringify(doc).slice(0, 400)}`);
    }
  }
  assert.ok(read > 0, `seed ${seed}: some mutations still read`);
});
