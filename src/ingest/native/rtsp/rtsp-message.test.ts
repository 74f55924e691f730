import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { isAppError } from '../../../lib/errors.ts';
import { writeFrame } from '../../../../tools/camsim/rtp-packetizer.ts';
import { RtspReader, serializeRequest, serializeResponse } from './rtsp-message.ts';
import type { RtspEvent } from './rtsp-message.ts';

/** Feeds chunks and drains; returns events and the error, if any. */
function read(chunks: Buffer[], limits = {}): { events: RtspEvent[]; error: unknown; reader: RtspReader } {
  const reader = new RtspReader(limits);
  const events: RtspEvent[] = [];
  try {
    for (const c of chunks) {
      reader.push(c);
      for (let e = reader.next(); e !== undefined; e = reader.next()) events.push(e);
    }
    return { events, error: undefined, reader };
  } catch (error) {
    return { events, error, reader };
  }
}

const bytes = (s: string): Buffer => Buffer.from(s, 'latin1');
const frame = (channel: number, payload: Buffer): Buffer => Buffer.concat([Buffer.from([0x24, channel, payload.length >> 8, payload.length & 0xff]), payload]);

/** A DESCRIBE answer exactly as tools/camsim/rtsp-server.ts `send` writes it. */
const camsimDescribe = (body: string): Buffer => bytes(
  ['RTSP/1.0 200 OK', 'CSeq: 2', 'Server: custos-camsim', 'Date: Thu, 01 Jan 2026 00:00:00 GMT', 'Content-Type: application/sdp',
    'Content-Base: rtsp://127.0.0.1:8554/cam1/', `Content-Length: ${Buffer.byteLength(body)}`].join('\r\n') + '\r\n\r\n' + body,
);

function malformedMessage(r: { error: unknown }): string {
  assert.ok(isAppError(r.error, 'MEDIA_MALFORMED'), `expected MEDIA_MALFORMED, got ${String(r.error)}`);
  return r.error.message;
}

describe('RTSP reader', () => {
  it('reads a camsim DESCRIBE answer with its body and case-insensitive headers', () => {
    const body = 'v=0\r\ns=cam1\r\n';
    const { events, error } = read([camsimDescribe(body)]);
    assert.equal(error, undefined);
    assert.equal(events.length, 1);
    const r = events[0];
    assert.ok(r?.kind === 'response');
    assert.equal(r.status, 200);
    assert.equal(r.reason, 'OK');
    assert.equal(r.version, 'RTSP/1.0');
    assert.equal(r.headers.get('content-base'), 'rtsp://127.0.0.1:8554/cam1/');
    assert.equal(r.headers.get('CONTENT-TYPE'), 'application/sdp');
    assert.equal(r.body.toString(), body);
  });

  it('reads interleaved RTP frames written by camsim between responses, as views when in one chunk', () => {
    const written: Buffer[] = [];
    const sink = { cork() {}, uncork() {}, write(c: Uint8Array) { written.push(Buffer.from(c)); return true; } };
    writeFrame(sink, { key: true, payloads: [Buffer.from([0x65, 1, 2, 3]), Buffer.from([0x65, 4])] }, { channel: 0, ssrc: 7, seq: 65535 }, 90_000);
    const stream = Buffer.concat([bytes('RTSP/1.0 200 OK\r\nCSeq: 4\r\nSession: abc\r\n\r\n'), ...written, bytes('RTSP/1.0 200 OK\r\nCSeq: 5\r\n\r\n')]);
    const { events, error } = read([stream]);
    assert.equal(error, undefined);
    assert.deepEqual(events.map((e) => e.kind), ['response', 'frame', 'frame', 'response']);
    const f = events[1];
    assert.ok(f?.kind === 'frame');
    assert.equal(f.channel, 0);
    assert.equal(f.payload.length, 16);
    assert.equal(f.payload.readUInt16BE(2), 65535, 'sequence number');
    assert.equal(f.payload.buffer, stream.buffer, 'a frame inside one chunk is not copied');
    const g = events[2];
    assert.ok(g?.kind === 'frame');
    assert.equal(g.payload.readUInt16BE(2), 0, 'sequence number wraps');
  });

  it('reassembles a frame split across chunks into one exact-size buffer', () => {
    const payload = Buffer.alloc(3000, 7);
    const all = frame(1, payload);
    const { events } = read([all.subarray(0, 2), all.subarray(2, 1000), all.subarray(1000)]);
    assert.equal(events.length, 1);
    assert.ok(events[0]?.kind === 'frame');
    assert.equal(events[0].channel, 1);
    assert.deepEqual(events[0].payload, payload);
  });

  it('accepts bare LF line ends, folded headers, a missing reason phrase and stray empty lines', () => {
    const { events, error } = read([bytes('\r\n\nRTSP/1.0 404\nCSeq: 1\nX-Long: a\n  b\n\n')]);
    assert.equal(error, undefined);
    const r = events[0];
    assert.ok(r?.kind === 'response');
    assert.equal(r.status, 404);
    assert.equal(r.reason, '');
    assert.equal(r.headers.get('x-long'), 'a b');
  });

  it('keeps repeated headers such as two WWW-Authenticate challenges', () => {
    const { events } = read([bytes('RTSP/1.0 401 Unauthorized\r\nCSeq: 1\r\nWWW-Authenticate: Basic realm="x"\r\nWWW-Authenticate: Digest realm="x", nonce="n"\r\n\r\n')]);
    assert.ok(events[0]?.kind === 'response');
    assert.deepEqual(events[0].headers.getAll('www-authenticate'), ['Basic realm="x"', 'Digest realm="x", nonce="n"']);
  });

  it('reads a request the server sends to the client', () => {
    const { events } = read([bytes('OPTIONS * RTSP/1.0\r\nCSeq: 9\r\n\r\n')]);
    assert.ok(events[0]?.kind === 'request');
    assert.equal(events[0].method, 'OPTIONS');
    assert.equal(events[0].uri, '*');
  });

  const refusals: [string, string, RegExp][] = [
    ['an HTTP status line', 'HTTP/1.1 200 OK\r\n\r\n', /malformed status line \(HTTP\/1\.1 200 OK\)/],
    ['a two-digit status', 'RTSP/1.0 20 OK\r\n\r\n', /malformed status line/],
    ['a status below 100', 'RTSP/1.0 099 Odd\r\n\r\n', /out of range/],
    ['a header without colon', 'RTSP/1.0 200 OK\r\nCSeq 1\r\n\r\n', /header line without a valid "name:"/],
    ['a header with an empty name', 'RTSP/1.0 200 OK\r\n: x\r\n\r\n', /header line without/],
    ['a negative Content-Length', 'RTSP/1.0 200 OK\r\nContent-Length: -5\r\n\r\n', /not a non-negative integer/],
    ['a non-numeric Content-Length', 'RTSP/1.0 200 OK\r\nContent-Length: 12abc\r\n\r\n', /not a non-negative integer/],
    ['a Content-Length over 1 MiB', 'RTSP/1.0 200 OK\r\nContent-Length: 10485760\r\n\r\n', /exceeds the 1048576-byte limit/],
    ['conflicting Content-Lengths', 'RTSP/1.0 200 OK\r\nContent-Length: 1\r\nContent-Length: 2\r\n\r\nxx', /conflicting/],
    ['a continuation line first', 'RTSP/1.0 200 OK\r\n folded\r\n\r\n', /continuation/],
    ['a binary first byte', '\u0000\u0001', /got byte 0x00/],
    ['a control character in a value', 'RTSP/1.0 200 OK\r\nX: a\u0000b\r\n\r\n', /control characters/],
  ];
  for (const [name, text, message] of refusals) {
    it(`refuses ${name} with MEDIA_MALFORMED`, () => {
      assert.match(malformedMessage(read([bytes(text)])), message);
    });
  }

  it('refuses a header block over 64 KiB without waiting for its end', () => {
    const r = read([bytes('RTSP/1.0 200 OK\r\nX: '), Buffer.alloc(70 * 1024, 0x61)]);
    assert.match(malformedMessage(r), /header block exceeds 65536 bytes/);
  });

  it('fails fast on a non-RTSP first line, before the header limit', () => {
    assert.match(malformedMessage(read([bytes('SSH-2.0-OpenSSH_9.2\r\n')])), /malformed status line \(SSH-2\.0/);
  });

  it('stays failed after an error, throwing the same error', () => {
    const r = read([bytes('HTTP/1.1 200 OK\r\n\r\n')]);
    r.reader.push(bytes('RTSP/1.0 200 OK\r\n\r\n'));
    assert.throws(() => r.reader.next(), (e) => e === r.error);
  });

  it('names what was cut short at end of stream', () => {
    assert.equal(read([bytes('RTSP/1.0 200 OK\r\n\r\n')]).reader.pendingDescription(), undefined);
    assert.equal(read([bytes('RTSP/1.0 200 OK\r\nContent-Length: 100\r\n\r\nhello')]).reader.pendingDescription(), 'a message body (5 of 100 bytes)');
    assert.equal(read([frame(0, Buffer.alloc(1400)).subarray(0, 16)]).reader.pendingDescription(), 'an interleaved frame (12 of 1400 bytes)');
    assert.equal(read([bytes('$\u0000')]).reader.pendingDescription(), 'an interleaved frame header (2 of 4 bytes)');
    assert.equal(read([bytes('RTSP/1.0 2')]).reader.pendingDescription(), 'a message header (10 bytes)');
  });

  it('holds no more than one partial message while streaming many large frames', () => {
    const reader = new RtspReader();
    const big = frame(0, Buffer.alloc(65_535, 1));
    let peak = 0;
    let delivered = 0;
    for (let i = 0; i < 160; i += 1) {
      // Odd chunk sizes so frames straddle chunks.
      for (let at = 0; at < big.length; at += 40_000) {
        reader.push(big.subarray(at, Math.min(big.length, at + 40_000)));
        peak = Math.max(peak, reader.bufferedBytes);
        for (let e = reader.next(); e !== undefined; e = reader.next()) if (e.kind === 'frame') delivered += e.payload.length;
      }
    }
    assert.equal(delivered, 160 * 65_535);
    assert.ok(peak <= 65_539 + 40_000, `peak ${peak}`);
  });
});

describe('RTSP request serializer', () => {
  it('writes the request line, CSeq, headers and Content-Length', () => {
    const out = serializeRequest({ method: 'SETUP', url: 'rtsp://h/cam1/trackID=0', cseq: 3, headers: [['Transport', 'RTP/AVP/TCP;unicast;interleaved=0-1']], body: bytes('x') });
    assert.equal(out.toString(), 'SETUP rtsp://h/cam1/trackID=0 RTSP/1.0\r\nCSeq: 3\r\nTransport: RTP/AVP/TCP;unicast;interleaved=0-1\r\nContent-Length: 1\r\n\r\nx');
  });

  it('refuses header injection, whitespace in the URL and a caller-set CSeq', () => {
    assert.throws(() => serializeRequest({ method: 'PLAY', url: 'rtsp://h/', cseq: 1, headers: [['Session', 'a\r\nEvil: 1']] }), (e) => isAppError(e, 'VALIDATION_FAILED'));
    assert.throws(() => serializeRequest({ method: 'PLAY', url: 'rtsp://h/ x', cseq: 1 }), (e) => isAppError(e, 'VALIDATION_FAILED'));
    assert.throws(() => serializeRequest({ method: 'PLAY', url: 'rtsp://h/', cseq: 1, headers: [['cseq', '2']] }), (e) => isAppError(e, 'VALIDATION_FAILED'));
    assert.throws(() => serializeRequest({ method: 'PL AY', url: 'rtsp://h/', cseq: 1 }), (e) => isAppError(e, 'VALIDATION_FAILED'));
  });

  it('round-trips through a reader that reads it as a request', () => {
    const { events } = read([serializeRequest({ method: 'GET_PARAMETER', url: 'rtsp://h/cam1/', cseq: 12, headers: [['Session', 'abc']] })]);
    assert.ok(events[0]?.kind === 'request');
    assert.equal(events[0].method, 'GET_PARAMETER');
    assert.equal(events[0].headers.get('cseq'), '12');
  });

  it('answers a server request with its numeric CSeq echoed and a bad one dropped', () => {
    assert.equal(serializeResponse(200, 'OK', '7').toString(), 'RTSP/1.0 200 OK\r\nCSeq: 7\r\n\r\n');
    assert.equal(serializeResponse(501, 'Not Implemented', 'x\r\n').toString(), 'RTSP/1.0 501 Not Implemented\r\n\r\n');
  });
});
