import assert from 'node:assert/strict';
import { test } from 'node:test';
import { prohibitedOuis } from './prohibited-oui.ts';
import { prohibitedVendors } from './prohibited-vendors.ts';
import { vetVendor } from './vendor-flags.ts';

const clean = { manufacturer: 'Axis Communications AB', model: 'M3045-V', mac: 'ac:cc:8e:00:00:01' };

test('a clean vendor with its own OUI is not flagged', () => {
  assert.deepEqual(vetVendor(clean), { flagged: false, likelyRelabel: false, matches: [] });
});

test('each §889 company is flagged by its manufacturer name, case and punctuation aside', () => {
  for (const m of ['HIKVISION', 'Hangzhou Hikvision Digital Technology Co., Ltd.', 'Dahua', 'Huawei Technologies', 'ZTE Corporation', 'Hytera']) {
    const v = vetVendor({ manufacturer: m, model: 'X', mac: null });
    assert.ok(v.flagged, m);
    assert.equal(v.likelyRelabel, false, m);
  }
});

test('a name containing a vendor as part of another word is not flagged', () => {
  assert.equal(vetVendor({ manufacturer: 'Dahuatech-free Optics', model: 'X', mac: null }).flagged, false);
  assert.equal(vetVendor({ manufacturer: 'Hyterability', model: 'X', mac: null }).flagged, false);
});

test('an "Acme" camera with a Hikvision OUI is flagged as a likely relabel, naming the OUI', () => {
  const v = vetVendor({ manufacturer: 'Acme Security', model: 'AC-100', mac: '44:19:B6:12:34:56' });
  assert.ok(v.flagged && v.likelyRelabel);
  assert.deepEqual(v.matches.map((m) => [m.by, m.entryId, m.value]), [['oui', 'hikvision', '44:19:b6']]);
});

test('a Hikvision model series under another name is a likely relabel; a Hikvision subsidiary with a Hikvision OUI is not', () => {
  const relabel = vetVendor({ manufacturer: 'Acme', model: 'DS-2CD2143G2-I', mac: null });
  assert.ok(relabel.flagged && relabel.likelyRelabel);
  assert.equal(relabel.matches[0]?.by, 'model');
  const ezviz = vetVendor({ manufacturer: 'EZVIZ', model: 'C6N', mac: '28:57:be:00:00:01' });
  assert.ok(ezviz.flagged);
  assert.equal(ezviz.likelyRelabel, false, 'EZVIZ belongs to the Hikvision group');
});

test('a reported OEM relabel is flagged by name with its reported relation', () => {
  const v = vetVendor({ manufacturer: 'Amcrest', model: 'IP8M', mac: null });
  assert.equal(v.matches[0]?.relation, 'reported OEM relabel');
  assert.equal(v.matches[0]?.group, 'dahua');
});

test('every entry has a unique id, a source and ISO dates; every OUI points at an entry', () => {
  const ids = new Set(prohibitedVendors.map((v) => v.id));
  assert.equal(ids.size, prohibitedVendors.length);
  for (const v of prohibitedVendors) {
    assert.ok(v.source.length > 10, v.id);
    assert.match(v.sourceDate, /^\d{4}-\d{2}-\d{2}$/);
    assert.match(v.reviewed, /^\d{4}-\d{2}-\d{2}$/);
  }
  for (const [oui, id] of prohibitedOuis) {
    assert.match(oui, /^[0-9a-f]{2}:[0-9a-f]{2}:[0-9a-f]{2}$/);
    assert.ok(ids.has(id), oui);
  }
  for (const g of ['hikvision', 'dahua', 'huawei', 'zte', 'hytera']) assert.ok([...prohibitedOuis.values()].includes(g), `${g} has OUIs`);
});
