import { test } from 'node:test';
import assert from 'node:assert/strict';
import { cefEvent } from './cef.ts';
import { leefEvent } from './leef.ts';
import { octetCountedFrame, syslogFrame, syslogMessage, syslogPayloadRoom } from './syslog-frame.ts';
import { syslogSeverity } from './siem-severity.ts';
import { parseCef, parseLeef, parseSyslog, unframeOctetCounted } from '../../test/helpers/siem-parse.ts';
import { awkwardNames, device, recordWith } from '../../test/helpers/siem-records.ts';

const origin = { hostname: 'nvr-01.example.org', procId: '4242' };

test('an RFC 5424 message carries PRI, version 1, the UTC millisecond time, host, app, process, MSGID and structured data', () => {
  const record = recordWith('x', 9, 'camera.auth.failed', { correlationId: 'req "a\\b] c' });
  const parsed = parseSyslog(syslogMessage(record, 'payload', origin));
  assert.equal(parsed.facility, 13);
  assert.equal(parsed.severity, syslogSeverity(record.severity_id));
  assert.equal(parsed.severity, 4, 'medium is Warning');
  assert.equal(parsed.version, '1');
  assert.equal(parsed.timestamp, '2026-12-07T03:04:05.678Z');
  assert.equal(parsed.hostname, 'nvr-01.example.org');
  assert.equal(parsed.appName, 'custos');
  assert.equal(parsed.procId, '4242');
  assert.equal(parsed.msgId, 'camera.auth.failed');
  assert.deepEqual(Object.fromEntries(parsed.structuredData.get('custos@32473')!), {
    eventId: record.id, leafIndex: '9', typeUid: String(record.type_uid), outcome: 'failure', correlationId: 'req "a\\b] c',
  });
  assert.equal(parsed.bom, true);
  assert.equal(parsed.msg, 'payload');
});

test('PRI is facility times eight plus the severity mapped from the record', () => {
  const types = ['camera.created', 'camera.deleted', 'camera.auth.failed', 'footage.damaged'] as const;
  for (const type of types) {
    const parsed = parseSyslog(syslogMessage(recordWith('x', 1, type), 'm', { ...origin, facility: 10 }));
    assert.equal(parsed.pri, 10 * 8 + parsed.severity);
  }
  assert.deepEqual([1, 2, 3, 4, 5].map(syslogSeverity), [6, 5, 4, 3, 2]);
  assert.throws(() => syslogMessage(recordWith('x'), 'm', { ...origin, facility: 24 }));
});

test('header fields keep only printable US-ASCII and fall back to the NILVALUE', () => {
  const parsed = parseSyslog(syslogMessage(recordWith('x'), 'm', { hostname: 'hôte caméra', procId: ' ', appName: 'custos\tedge' }));
  assert.equal(parsed.hostname, 'htecamra');
  assert.equal(parsed.procId, '-');
  assert.equal(parsed.appName, 'custosedge');
});

for (const [what, text] of awkwardNames) {
  test(`CEF and LEEF in octet-counted syslog frames parse back to the record when its names hold ${what}`, () => {
    const record = recordWith(text);
    const stream = Buffer.concat([
      octetCountedFrame(syslogMessage(record, cefEvent(record, device), origin)),
      octetCountedFrame(syslogMessage(record, leefEvent(record, device), origin)),
    ]);
    const [first, second] = unframeOctetCounted(stream);
    const cef = parseCef(parseSyslog(first!).msg);
    const leef = parseLeef(parseSyslog(second!).msg);
    for (const value of [cef.extension.get('reason'), cef.extension.get('flexString1'), leef.attributes.get('reason'), leef.attributes.get('targetName')]) {
      assert.equal(value, text);
    }
    assert.equal(cef.extension.get('cs4'), `req-${text}`);
    assert.equal(parseSyslog(first!).structuredData.get('custos@32473')!.get('correlationId'), `req-${text}`);
  });
}

test('CEF and LEEF sized to the syslog room drop whole trailing fields, keep every kept field true, and still parse', () => {
  const text = 'é\\=🎥\n|^'.repeat(60);
  const record = recordWith(text);
  const cases = [
    { encode: cefEvent, fields: (msg: string) => parseCef(msg).extension },
    { encode: leefEvent, fields: (msg: string) => parseLeef(msg).attributes },
  ];
  for (const { encode, fields } of cases) {
    const whole = fields(encode(record, device));
    const full = syslogMessage(record, encode(record, device), origin);
    const headLength = full.length - Buffer.byteLength(encode(record, device), 'utf8');
    let seen = 0;
    for (let max = headLength + 130; max <= full.length; max += 1) {
      const o = { ...origin, maxOctets: max };
      const message = syslogMessage(record, encode(record, device, syslogPayloadRoom(record, o)), o);
      assert.ok(message.length <= max, `${message.length} octets for ${max}`);
      const kept = [...fields(parseSyslog(message).msg)]; // strict UTF-8 and strict escapes
      kept.forEach(([key, value], n) => {
        const truth = whole.get(key)!;
        if (n < kept.length - 1) assert.equal(value, truth, `${key} is whole`);
        else assert.ok(truth.startsWith(value), `the last field ${key} is a prefix of the truth`);
      });
      seen = Math.max(seen, kept.length);
    }
    assert.equal(seen, whole.size, 'at full size every field is there');
    assert.throws(() => syslogMessage(record, 'x', { ...origin, maxOctets: 100 }));
  }
});

test('an opaque payload over the room is cut at a UTF-8 boundary and never after a dangling backslash', () => {
  const record = recordWith('x');
  const payload = '\\\\é🎥'.repeat(100);
  const room = syslogPayloadRoom(record, { ...origin, maxOctets: 2048 });
  for (let max = 2048 - room + 1; max < 2048 - room + 200; max += 1) {
    const message = syslogMessage(record, payload, { ...origin, maxOctets: max });
    assert.ok(message.length <= max && message.length >= max - 4);
    const msg = parseSyslog(message).msg;
    assert.ok(payload.startsWith(msg));
    assert.equal(/(?:^|[^\\])(?:\\\\)*\\$/.test(msg), false, 'no unpaired trailing backslash');
  }
});

test('an octet-counted frame is the decimal octet length, a space, and the message', () => {
  const message = syslogMessage(recordWith('🎥'), 'é', origin);
  const frame = octetCountedFrame(message);
  assert.equal(frame.toString('latin1').split(' ')[0], String(message.length));
  assert.deepEqual(unframeOctetCounted(Buffer.concat([frame, frame])), [message, message]);
});

test('syslogFrame gives the same bytes as syslogPayloadRoom, syslogMessage and octetCountedFrame together', () => {
  const small = { hostname: 'nvr-01', procId: '42', maxOctets: 2048 };
  for (const [, text] of awkwardNames) {
    const record = recordWith(text, 9);
    const payload = (room: number) => cefEvent(record, device, room);
    const expected = octetCountedFrame(syslogMessage(record, payload(syslogPayloadRoom(record, small)), small));
    assert.ok(syslogFrame(record, small, payload).equals(expected), text);
    const long = 'x'.repeat(5000);
    assert.ok(syslogFrame(record, small, () => long).equals(octetCountedFrame(syslogMessage(record, long, small))), 'a payload too long is cut the same way');
  }
});
