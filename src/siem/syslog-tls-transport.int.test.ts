import { test } from 'node:test';
import assert from 'node:assert/strict';
import { cefEvent } from './cef.ts';
import { leefEvent } from './leef.ts';
import { octetCountedFrame, syslogMessage, syslogPayloadRoom } from './syslog-frame.ts';
import { SyslogTlsTransport } from './syslog-tls-transport.ts';
import { parseCef, parseLeef, parseSyslog } from '../../test/helpers/siem-parse.ts';
import { awkwardNames, device, recordWith } from '../../test/helpers/siem-records.ts';
import { makeTestPki, startRsyslog } from '../../test/helpers/rsyslog.ts';
import { tempDir, waitFor } from '../../test/helpers/harness.ts';
import { teardown } from '../../test/helpers/teardown.ts';

// Real parts: Debian's rsyslogd with rsyslog-gnutls, a test CA made by openssl, TLS over loopback.
test('rsyslog receives CEF and LEEF over TLS in octet-counted frames and every field parses back to the record', async (t) => {
  const defer = teardown(t);
  const dir = await tempDir('custos-rsyslog-');
  defer(() => dir.remove());
  const pki = await makeTestPki(dir.path);
  const rsyslog = await startRsyslog(dir.path);
  defer(() => rsyslog.stop());
  const origin = { hostname: 'nvr-01', procId: String(process.pid) };

  const transport = await SyslogTlsTransport.open({
    host: '127.0.0.1', port: rsyslog.port, ca: pki.ca, cert: pki.clientCert, key: pki.clientKey,
  });
  defer(() => transport.close());
  assert.equal(transport.protocol, 'TLSv1.3', 'TLS 1.3 is preferred');

  const records = awkwardNames.map(([, text], n) => recordWith(text, n));
  const sent: Buffer[] = [];
  for (const record of records) {
    const room = syslogPayloadRoom(record, origin);
    sent.push(syslogMessage(record, cefEvent(record, device, room), origin), syslogMessage(record, leefEvent(record, device, room), origin));
  }
  for (const message of sent) await transport.send(octetCountedFrame(message));
  const expected = records.length * 2;
  const raw = await waitFor(`${expected} messages in rsyslog's file`, 30_000, async () => {
    const got = await rsyslog.rawMessages();
    return got.length >= expected ? got : undefined;
  });
  assert.equal(raw.length, expected);
  raw.forEach((message, n) => {
    assert.ok(message.equals(sent[n]!), `message ${n} arrived byte for byte`);
    const record = records[Math.floor(n / 2)]!;
    const text = awkwardNames[Math.floor(n / 2)]![1];
    const syslog = parseSyslog(message);
    assert.equal(syslog.msgId, record.type);
    assert.equal(syslog.timestamp, record.time);
    assert.equal(syslog.structuredData.get('custos@32473')!.get('eventId'), record.id);
    assert.equal(syslog.structuredData.get('custos@32473')!.get('correlationId'), `req-${text}`);
    if (n % 2 === 0) {
      const cef = parseCef(syslog.msg).extension;
      assert.deepEqual([cef.get('reason'), cef.get('flexString1'), cef.get('cs4'), cef.get('cn1'), cef.get('cs1')], [text, text, `req-${text}`, String(record.seq), record.id]);
    } else {
      const leef = parseLeef(syslog.msg).attributes;
      assert.deepEqual([leef.get('reason'), leef.get('targetName'), leef.get('correlationId'), leef.get('leafIndex'), leef.get('eventId')], [text, text, `req-${text}`, String(record.seq), record.id]);
    }
  });
  // rsyslog's own RFC 5424 parser agrees on the header and structured data.
  const parsed = await rsyslog.parsedMessages();
  assert.equal(parsed.length, expected);
  parsed.forEach((p, n) => {
    const record = records[Math.floor(n / 2)]!;
    assert.deepEqual([p.hostname, p.appname, p.procid, p.msgid], ['nvr-01', 'custos', String(process.pid), record.type]);
    assert.ok(p.sd!.startsWith(`[custos@32473 eventId="${record.id}"`), p.sd);
    assert.ok(p.msg!.replace(/^\uFEFF/, '').startsWith(n % 2 === 0 ? 'CEF:0|' : 'LEEF:2.0|'));
  });
});

test('the syslog TLS transport refuses a collector whose certificate does not chain to the configured CA', async (t) => {
  const defer = teardown(t);
  const dir = await tempDir('custos-rsyslog-');
  defer(() => dir.remove());
  const pki = await makeTestPki(dir.path);
  const rsyslog = await startRsyslog(dir.path);
  defer(() => rsyslog.stop());
  await assert.rejects(
    SyslogTlsTransport.open({ host: '127.0.0.1', port: rsyslog.port, ca: pki.otherCa, cert: pki.clientCert, key: pki.clientKey }),
    (error: NodeJS.ErrnoException) => /UNABLE_TO_VERIFY|SELF_SIGNED|CERT/.test(error.code ?? error.message),
  );
  await assert.rejects(
    SyslogTlsTransport.open({ host: '127.0.0.1', port: rsyslog.port, ca: pki.ca, servername: 'elsewhere.example', cert: pki.clientCert, key: pki.clientKey }),
    /elsewhere|altnames|Hostname/i,
  );
});
