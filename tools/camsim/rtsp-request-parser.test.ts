import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import type { ParseEvent } from './rtsp-request-parser.ts';
import { RtspRequestParser } from './rtsp-request-parser.ts';

const options = 'OPTIONS rtsp://127.0.0.1:8554/cam1 RTSP/1.0\r\nCSeq: 1\r\nUser-Agent: test\r\n\r\n';
const setParam = 'SET_PARAMETER rtsp://127.0.0.1:8554/cam1 RTSP/1.0\r\nCSeq: 2\r\nContent-Length: 5\r\n\r\na: b\n';
const rtcp = Buffer.from([0x24, 1, 0, 3, 0x81, 0xc9, 0x00]);

const summary = (events: ParseEvent[]): string[] =>
  events.map((e) =>
    e.kind === 'request' ? `${e.request.method} ${e.request.headers.get('cseq')} body=${e.request.body.toString()}`
      : e.kind === 'interleaved' ? `$${e.channel}:${e.length}` : `error ${e.reason}`);

describe('RTSP request parser', () => {
  it('parses a request with lowercased header names', () => {
    const [ev] = new RtspRequestParser().push(Buffer.from(options));
    assert.equal(ev?.kind, 'request');
    if (ev?.kind !== 'request') return;
    assert.equal(ev.request.method, 'OPTIONS');
    assert.equal(ev.request.uri, 'rtsp://127.0.0.1:8554/cam1');
    assert.equal(ev.request.version, 'RTSP/1.0');
    assert.equal(ev.request.headers.get('user-agent'), 'test');
  });

  it('yields the same messages whatever the TCP chunking', () => {
    const stream = Buffer.concat([Buffer.from(options), rtcp, Buffer.from(setParam), Buffer.from('\r\n'), Buffer.from(options)]);
    const whole = summary(new RtspRequestParser().push(stream));
    assert.deepEqual(whole, ['OPTIONS 1 body=', '$1:3', 'SET_PARAMETER 2 body=a: b\n', 'OPTIONS 1 body=']);
    for (const size of [1, 2, 3, 7, 50]) {
      const p = new RtspRequestParser();
      const events: ParseEvent[] = [];
      for (let i = 0; i < stream.length; i += size) events.push(...p.push(stream.subarray(i, i + size)));
      assert.deepEqual(summary(events), whole, `chunk size ${size}`);
    }
  });

  it('parses pipelined requests delivered in one chunk', () => {
    const events = new RtspRequestParser().push(Buffer.from(options + options.replace('CSeq: 1', 'CSeq: 9')));
    assert.deepEqual(summary(events), ['OPTIONS 1 body=', 'OPTIONS 9 body=']);
  });

  it('skips interleaved frames from the client, such as RTCP receiver reports', () => {
    const events = new RtspRequestParser().push(Buffer.concat([rtcp, rtcp, Buffer.from(options)]));
    assert.deepEqual(summary(events), ['$1:3', '$1:3', 'OPTIONS 1 body=']);
  });

  it('reports a malformed request line as an error and then stops parsing', () => {
    const p = new RtspRequestParser();
    assert.deepEqual(summary(p.push(Buffer.from('HELLO\r\n\r\n'))), ['error malformed request line']);
    assert.deepEqual(p.push(Buffer.from(options)), []);
  });

  it('reports an endless header as an error instead of buffering it', () => {
    const p = new RtspRequestParser({ maxHeaderBytes: 100 });
    assert.deepEqual(summary(p.push(Buffer.from(`OPTIONS * RTSP/1.0\r\nX: ${'a'.repeat(200)}`))), ['error header too large']);
  });

  it('rejects an oversized or non-numeric Content-Length', () => {
    const big = 'SET_PARAMETER * RTSP/1.0\r\nCSeq: 1\r\nContent-Length: 999999\r\n\r\n';
    assert.deepEqual(summary(new RtspRequestParser().push(Buffer.from(big))), ['error body too large']);
    const bad = 'SET_PARAMETER * RTSP/1.0\r\nCSeq: 1\r\nContent-Length: -1\r\n\r\n';
    assert.deepEqual(summary(new RtspRequestParser().push(Buffer.from(bad))), ['error bad Content-Length']);
  });
});
