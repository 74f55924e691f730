import { test } from 'node:test';
import assert from 'node:assert/strict';
import { auditCatalogue, type AuditEventType } from '../audit/catalogue.ts';
import { canonicalJson, type JsonValue } from '../lib/canonical-json.ts';
import { cefEvent, cefLimits } from './cef.ts';
import { tenPointSeverity } from './siem-severity.ts';
import { limitChars } from './text-limit.ts';
import { parseCef } from '../../test/helpers/siem-parse.ts';
import { awkwardNames, device, recordWith } from '../../test/helpers/siem-records.ts';

for (const [what, text] of awkwardNames) {
  test(`a CEF line parses back to every field of the record when its names hold ${what}`, () => {
    const record = recordWith(text);
    const line = cefEvent(record, device);
    const cef = parseCef(line);
    assert.equal(cef.version, '0');
    assert.deepEqual([cef.vendor, cef.product, cef.deviceVersion], [device.vendor, device.product, device.version]);
    assert.equal(cef.signatureId, 'camera.updated');
    assert.equal(cef.name, 'Entity Management: Update');
    assert.equal(cef.severity, String(tenPointSeverity(record.severity_id)));
    const x = cef.extension;
    assert.equal(x.get('rt'), String(Date.parse(record.time)));
    assert.equal(x.get('externalId'), record.id);
    assert.equal(x.get('act'), 'Update');
    assert.equal(x.get('cat'), 'Entity Management');
    assert.equal(x.get('outcome'), 'failure');
    assert.equal(x.get('suser'), `user:${text}`);
    assert.equal(x.get('duser'), `user:${text}`);
    assert.equal(x.get('reason'), text);
    const labelled = (n: string) => [x.get(`${n}Label`), x.get(n)];
    assert.deepEqual(labelled('cs1'), ['eventId', record.id]);
    assert.deepEqual(labelled('cn1'), ['leafIndex', '41']);
    assert.deepEqual(labelled('cn2'), ['typeUid', String(record.type_uid)]);
    assert.deepEqual(labelled('cs2'), ['cameraId', `cam-${text}`]);
    assert.deepEqual(labelled('cs3'), ['target', `user:user:${text}`]);
    assert.deepEqual(labelled('cs4'), ['correlationId', `req-${text}`]);
    assert.deepEqual(labelled('cs5'), ['actorKind', 'user']);
    assert.deepEqual(labelled('cs6'), ['details', canonicalJson(record.details as JsonValue)]);
    assert.deepEqual(labelled('flexString1'), ['targetName', text]);
  });
}

test('CEF header fields escape pipe and backslash, and a CR or LF there becomes a space', () => {
  const record = recordWith('x');
  const cef = parseCef(cefEvent(record, { vendor: 'Acme\\Sec', product: 'Custos|Edge', version: '1.0\n2' }));
  assert.deepEqual([cef.vendor, cef.product, cef.deviceVersion], ['Acme\\Sec', 'Custos|Edge', '1.0 2']);
});

test('every catalogued event type gives a CEF line with its type as signature id and its mapped severity', () => {
  for (const type of Object.keys(auditCatalogue) as AuditEventType[]) {
    const record = recordWith('n', 7, type, { target: undefined, cameraId: undefined, reason: undefined, correlationId: undefined, details: undefined });
    const cef = parseCef(cefEvent(record, device));
    assert.equal(cef.signatureId, type);
    assert.equal(cef.severity, String(tenPointSeverity(auditCatalogue[type].severityId)));
    assert.ok(Number(cef.severity) >= 1 && Number(cef.severity) <= 10);
    assert.equal(cef.extension.get('cn1'), '7');
    assert.equal(cef.extension.has('cs3'), false, 'no target, no target field');
  }
});

test('CEF severity rises with the record severity: 1, 3, 5, 8, 10', () => {
  assert.deepEqual([1, 2, 3, 4, 5].map(tenPointSeverity), [1, 3, 5, 8, 10]);
});

test('CEF values longer than the dictionary allows are cut to its length without splitting an escape or a character', () => {
  const long = '\\=🎥\n'.repeat(2000);
  const record = recordWith(long);
  const line = cefEvent(record, device);
  assert.equal(Buffer.from(line, 'utf8').toString('utf8'), line, 'no lone surrogate');
  const x = parseCef(line).extension;
  assert.equal(x.get('reason'), limitChars(long, cefLimits.reason));
  assert.equal([...x.get('reason')!].length, cefLimits.reason);
  assert.equal(x.get('flexString1'), limitChars(long, cefLimits.flexString));
  assert.equal([...x.get('cs2')!].length, cefLimits.customString);
  assert.equal(x.get('act'), 'Update');
});
