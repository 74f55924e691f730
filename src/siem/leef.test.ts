import { test } from 'node:test';
import assert from 'node:assert/strict';
import { auditCatalogue, type AuditEventType } from '../audit/catalogue.ts';
import { canonicalJson, type JsonValue } from '../lib/canonical-json.ts';
import { leefEvent, leefValueLimit } from './leef.ts';
import { tenPointSeverity } from './siem-severity.ts';
import { limitChars } from './text-limit.ts';
import { parseLeef } from '../../test/helpers/siem-parse.ts';
import { awkwardNames, device, recordWith } from '../../test/helpers/siem-records.ts';

for (const [what, text] of awkwardNames) {
  test(`a LEEF 2.0 line parses back to every field of the record when its names hold ${what}`, () => {
    const record = recordWith(text);
    const leef = parseLeef(leefEvent(record, device));
    assert.equal(leef.version, '2.0');
    assert.deepEqual([leef.vendor, leef.product, leef.productVersion], [device.vendor, device.product, device.version]);
    assert.equal(leef.eventId, 'camera.updated');
    assert.equal(leef.delimiter, '^');
    assert.deepEqual(Object.fromEntries(leef.attributes), {
      devTimeFormat: "yyyy-MM-dd'T'HH:mm:ss.SSSZ",
      devTime: '2026-12-07T03:04:05.678+0000',
      cat: 'Entity Management',
      sev: String(tenPointSeverity(record.severity_id)),
      usrName: `user:${text}`,
      actorKind: 'user',
      action: 'Update',
      outcome: 'failure',
      eventId: record.id,
      leafIndex: '41',
      typeUid: String(record.type_uid),
      targetKind: 'user',
      targetId: `user:${text}`,
      targetName: text,
      cameraId: `cam-${text}`,
      correlationId: `req-${text}`,
      reason: text,
      details: canonicalJson(record.details as JsonValue),
    });
  });
}

test('LEEF devTime names the same instant as the record time', () => {
  const record = recordWith('x');
  const devTime = parseLeef(leefEvent(record, device)).attributes.get('devTime')!;
  assert.equal(Date.parse(devTime.replace(/\+0000$/, 'Z')), Date.parse(record.time));
});

test('LEEF header fields escape pipe and backslash', () => {
  const leef = parseLeef(leefEvent(recordWith('x'), { vendor: 'Acme\\Sec', product: 'Custos|Edge', version: '1^0' }));
  assert.deepEqual([leef.vendor, leef.product, leef.productVersion], ['Acme\\Sec', 'Custos|Edge', '1^0']);
});

test('every catalogued event type gives a LEEF line with its type as event id and sev between 1 and 10', () => {
  for (const type of Object.keys(auditCatalogue) as AuditEventType[]) {
    const record = recordWith('n', 3, type, { target: undefined, cameraId: undefined, reason: undefined, correlationId: undefined, details: undefined });
    const leef = parseLeef(leefEvent(record, device));
    assert.equal(leef.eventId, type);
    assert.equal(leef.attributes.get('sev'), String(tenPointSeverity(auditCatalogue[type].severityId)));
    assert.equal(leef.attributes.get('leafIndex'), '3');
    assert.equal(leef.attributes.has('targetId'), false);
  }
});

test('LEEF values longer than the limit are cut to it without splitting an escape or a character', () => {
  const long = '^\\🎥\r'.repeat(3000);
  const line = leefEvent(recordWith(long), device);
  assert.equal(Buffer.from(line, 'utf8').toString('utf8'), line, 'no lone surrogate');
  const attributes = parseLeef(line).attributes;
  assert.equal(attributes.get('reason'), limitChars(long, leefValueLimit));
  assert.equal([...attributes.get('targetName')!].length, leefValueLimit);
});
