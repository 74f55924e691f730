/**
 * Property and fuzz tests of the RTSP reader, the SDP, RTP and challenge parsers, with a
 * deterministic seeded PRNG (fixed seed; CUSTOS_TEST_SEED=<n> replays another). Properties:
 * valid input parses to what was generated, whatever the chunking (every split point of a
 * stream, and random chunkings); random, truncated and mutated input only ever yields the typed
 * AppError, in bounded steps, and the same result however it is chunked.
 */
import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { AppError } from '../../../lib/errors.ts';
import type { ErrorCode } from '../../../lib/errors.ts';
import { seededRandom, testSeed } from '../../../../test/helpers/seeded-random.ts';
import type { SeededRandom } from '../../../../test/helpers/seeded-random.ts';
import { chooseChallenge, parseChallenges } from './rtsp-auth.ts';
import { parseRtpPacket } from '../rtp/rtp-packet.ts';
import { RtspReader } from './rtsp-message.ts';
import type { RtspEvent } from './rtsp-message.ts';
import { parseSdp } from './sdp.ts';

const seed = process.env.CUSTOS_TEST_SEED === undefined ? 0x2326_7826 : testSeed();
const at = (what: string, i: number): string => `${what} #${i} (seed ${seed}; replay with CUSTOS_TEST_SEED=${seed})`;

/** Runs `f`; an AppError with `code` is an allowed outcome, anything else thrown fails the test. */
function typedOnly<T>(code: ErrorCode, f: () => T, where: string): T | AppError {
  try {
    return f();
  } catch (e) {
    assert.ok(e instanceof AppError && e.code === code, `${where}: threw ${String(e)}`);
    return e;
  }
}

// ---------- RTSP stream generation ----------

/** A plain, comparable form of an event. */
type Plain = { kind: string; head: string; headers: [string, string[]][]; body: string };

function plain(e: RtspEvent): Plain {
  if (e.kind === 'frame') return { kind: 'frame', head: String(e.channel), headers: [], body: e.payload.toString('hex') };
  const head = e.kind === 'response' ? `${e.version} ${e.status} ${e.reason}` : `${e.method} ${e.uri} ${e.version}`;
  return { kind: e.kind, head, headers: [...e.headers.entries()].sort(([a], [b]) => a.localeCompare(b)), body: e.body.toString('hex') };
}

const tokenChars = 'abcdefghijklmnopqrstuvwxyzABCDEFGHIJKLMNOPQRSTUVWXYZ0123456789-_.!';
const word = (r: SeededRandom, min = 1, max = 8): string => Array.from({ length: r.int(min, max + 1) }, () => r.pick([...tokenChars])).join('');
const bytesOf = (r: SeededRandom, n: number): Buffer => Buffer.from(Array.from({ length: n }, () => r.int(0, 256)));

/** One random valid message or frame, and the event it must parse to. */
function genItem(r: SeededRandom): { bytes: Buffer; expected: Plain } {
  const eol = r.next() < 0.8 ? '\r\n' : '\n';
  const kind = r.int(0, 10);
  if (kind < 5) {
    const payload = bytesOf(r, r.next() < 0.1 ? 0 : r.int(1, 300));
    const channel = r.int(0, 256);
    return {
      bytes: Buffer.concat([Buffer.from([0x24, channel, payload.length >> 8, payload.length & 0xff]), payload]),
      expected: { kind: 'frame', head: String(channel), headers: [], body: payload.toString('hex') },
    };
  }
  const headers = new Map<string, string[]>();
  const lines: string[] = [];
  const add = (name: string, value: string): void => {
    lines.push(`${name}:${r.next() < 0.5 ? ' ' : ''}${value}`);
    const key = name.toLowerCase();
    headers.set(key, [...(headers.get(key) ?? []), value]);
  };
  add('CSeq', String(r.int(0, 100_000)));
  for (let i = r.int(0, 5); i > 0; i -= 1) add(`X-${word(r)}`, `${word(r, 0)}${r.next() < 0.3 ? ` ${word(r)}` : ''}`.trim());
  const body = r.next() < 0.4 ? bytesOf(r, r.int(0, 200)) : Buffer.alloc(0);
  if (body.length > 0 || r.next() < 0.2) add('Content-Length', String(body.length));
  let head: string;
  let kindName: string;
  if (kind < 9) {
    const status = r.int(100, 600);
    const reason = r.next() < 0.2 ? '' : `${word(r)} ${word(r)}`;
    head = `RTSP/1.0 ${status} ${reason}`;
    lines.unshift(r.next() < 0.1 && reason === '' ? `RTSP/1.0 ${status}` : head);
    kindName = 'response';
  } else {
    const method = r.pick(['OPTIONS', 'GET_PARAMETER', 'ANNOUNCE', 'SET_PARAMETER']);
    head = `${method} rtsp://h/${word(r)} RTSP/1.0`;
    lines.unshift(head);
    kindName = 'request';
  }
  const prefix = r.next() < 0.1 ? eol : '';
  const text = `${prefix}${lines.join(eol)}${eol}${eol}`;
  return {
    bytes: Buffer.concat([Buffer.from(text, 'latin1'), body]),
    expected: { kind: kindName, head, headers: [...headers.entries()].sort(([a], [b]) => a.localeCompare(b)), body: body.toString('hex') },
  };
}

function genStream(r: SeededRandom, items: number): { bytes: Buffer; expected: Plain[] } {
  const parts = Array.from({ length: items }, () => genItem(r));
  return { bytes: Buffer.concat(parts.map((p) => p.bytes)), expected: parts.map((p) => p.expected) };
}

/** Random cut points: 1 to 12 chunks, sometimes 1-byte chunks. */
function chunk(r: SeededRandom, b: Buffer): Buffer[] {
  if (b.length > 0 && r.next() < 0.05) return Array.from(b, (_, i) => b.subarray(i, i + 1));
  const cuts = [...new Set(Array.from({ length: r.int(0, 12) }, () => r.int(0, b.length + 1)))].sort((x, y) => x - y);
  const out: Buffer[] = [];
  let prev = 0;
  for (const c of [...cuts, b.length]) {
    out.push(b.subarray(prev, c));
    prev = c;
  }
  return out;
}

/** Reads chunks to the end: events, the error message if any, and what was left pending. */
function readAll(chunks: Buffer[], where: string): { events: Plain[]; error: string | undefined; pending: string | undefined } {
  const reader = new RtspReader();
  const events: Plain[] = [];
  const total = chunks.reduce((n, c) => n + c.length, 0);
  let steps = 0;
  const outcome = typedOnly('MEDIA_MALFORMED', () => {
    for (const c of chunks) {
      reader.push(c);
      for (let e = reader.next(); e !== undefined; e = reader.next()) {
        steps += 1;
        assert.ok(steps <= total + 1, `${where}: more events than bytes: the reader loops`);
        events.push(plain(e));
      }
    }
  }, where);
  return { events, error: outcome instanceof AppError ? outcome.message : undefined, pending: outcome instanceof AppError ? undefined : reader.pendingDescription() };
}

/** A random single-byte mutation, drawn to hit the structure often. */
function mutate(r: SeededRandom, b: Buffer): Buffer {
  const out = Buffer.from(b);
  if (out.length === 0) return out;
  const i = r.int(0, out.length);
  out[i] = r.next() < 0.5 ? r.pick([0x24, 0x0d, 0x0a, 0x3a, 0x20, 0x30, 0x39, 0x2d, 0x00, 0xff]) : r.int(0, 256);
  return out;
}

describe('RTSP reader properties', () => {
  const r = seededRandom(seed);

  it('parses generated streams to exactly the generated events, split at every byte boundary', () => {
    for (let n = 0; n < 20; n += 1) {
      const s = genStream(r, r.int(1, 6));
      const whole = readAll([s.bytes], at('stream', n));
      assert.deepEqual(whole, { events: s.expected, error: undefined, pending: undefined }, at('stream', n));
      for (let k = 0; k <= s.bytes.length; k += 1) {
        assert.deepEqual(readAll([s.bytes.subarray(0, k), s.bytes.subarray(k)], at('split', n)), whole, `${at('stream', n)} split at ${k}`);
      }
    }
  });

  it('parses generated streams identically in random chunkings', () => {
    for (let n = 0; n < 600; n += 1) {
      const s = genStream(r, r.int(1, 10));
      assert.deepEqual(readAll(chunk(r, s.bytes), at('stream', n)), { events: s.expected, error: undefined, pending: undefined }, at('stream', n));
    }
  });

  it('meets random bytes with events or MEDIA_MALFORMED only, the same however chunked', () => {
    const alphabet = [...Buffer.from('RTSP/1.0 200 OK\r\n:$Content-Length: 99-\t ')];
    for (let n = 0; n < 2000; n += 1) {
      const b = r.next() < 0.5 ? bytesOf(r, r.int(0, 200)) : Buffer.from(Array.from({ length: r.int(0, 200) }, () => r.pick(alphabet)));
      if (r.next() < 0.5 && b.length > 0) b[0] = r.pick([0x24, 0x52]);
      assert.deepEqual(readAll(chunk(r, b), at('random', n)), readAll([b], at('random', n)), at('random', n));
    }
  });

  it('meets truncated and single-byte-mutated valid streams with typed errors only, the same however chunked', () => {
    for (let n = 0; n < 2000; n += 1) {
      const s = genStream(r, r.int(1, 6)).bytes;
      const b = r.next() < 0.3 ? s.subarray(0, r.int(0, s.length)) : mutate(r, s);
      const whole = readAll([b], at('mutation', n));
      assert.deepEqual(readAll(chunk(r, b), at('mutation', n)), whole, at('mutation', n));
    }
  });
});

// ---------- SDP ----------

const b64 = (b: Buffer): string => b.toString('base64');
const h264Sdp = (r: SeededRandom): { text: string; sps: Buffer; pps: Buffer } => {
  const sps = Buffer.concat([Buffer.from([0x67]), bytesOf(r, r.int(3, 30))]);
  const pps = Buffer.concat([Buffer.from([0x68]), bytesOf(r, r.int(1, 10))]);
  const eol = r.pick(['\r\n', '\n']);
  const text = ['v=0', `o=- ${r.int(0, 1e9)} 1 IN IP4 127.0.0.1`, `s=${word(r)}`, 't=0 0', 'a=control:*',
    `m=video 0 RTP/AVP ${r.int(96, 128)}`].join(eol);
  const pt = Number(/RTP\/AVP (\d+)/.exec(text)?.[1]);
  return {
    text: [text, `a=rtpmap:${pt} H264/90000`, `a=fmtp:${pt} packetization-mode=1;sprop-parameter-sets=${b64(sps)},${b64(pps)}`,
      `a=control:${word(r)}`, 'm=audio 0 RTP/AVP 97', 'a=rtpmap:97 MPEG4-GENERIC/48000/2',
      'a=fmtp:97 streamtype=5;mode=AAC-hbr;config=1190;sizelength=13;indexlength=3;indexdeltalength=3', ''].join(eol),
    sps, pps,
  };
};

describe('SDP parser properties', () => {
  const r = seededRandom(seed + 1);

  it('returns exactly the generated parameter sets for generated descriptions', () => {
    for (let n = 0; n < 500; n += 1) {
      const g = h264Sdp(r);
      const d = parseSdp(g.text);
      assert.ok(d.video?.codec === 'h264', at('sdp', n));
      assert.deepEqual([d.video.sps, d.video.pps], [[g.sps], [g.pps]], at('sdp', n));
      assert.equal(d.audio?.codec, 'aac', at('sdp', n));
    }
  });

  it('meets mutated, truncated and shuffled descriptions with a result or MEDIA_MALFORMED only', () => {
    for (let n = 0; n < 2000; n += 1) {
      const g = Buffer.from(h264Sdp(r).text);
      const choice = r.int(0, 4);
      let b: Buffer;
      if (choice === 0) b = g.subarray(0, r.int(0, g.length));
      else if (choice === 1) b = mutate(r, g);
      else if (choice === 2) {
        const lines = g.toString().split('\n');
        const i = r.int(0, lines.length);
        lines.splice(r.int(0, lines.length), 0, lines[i] ?? '');
        lines.splice(r.int(0, lines.length), 1);
        b = Buffer.from(lines.join('\n'));
      } else b = bytesOf(r, r.int(0, 300));
      typedOnly('MEDIA_MALFORMED', () => parseSdp(b), at('sdp mutation', n));
    }
  });
});

// ---------- RTP ----------

describe('RTP parser properties', () => {
  const r = seededRandom(seed + 2);

  it('reads back every field of generated packets', () => {
    for (let n = 0; n < 1000; n += 1) {
      const csrcs = Array.from({ length: r.int(0, 16) }, () => r.int(0, 2 ** 32));
      const ext = r.next() < 0.3 ? bytesOf(r, 4 * r.int(0, 5)) : undefined;
      const payload = bytesOf(r, r.int(0, 200));
      const padding = r.next() < 0.2 ? r.int(1, 20) : 0;
      const head = Buffer.alloc(12);
      head[0] = 0x80 | (padding > 0 ? 0x20 : 0) | (ext !== undefined ? 0x10 : 0) | csrcs.length;
      const marker = r.next() < 0.5;
      const pt = r.int(0, 128);
      head[1] = (marker ? 0x80 : 0) | pt;
      const seq = r.int(0, 0x10000);
      const ts = r.int(0, 2 ** 32);
      const ssrc = r.int(0, 2 ** 32);
      head.writeUInt16BE(seq, 2);
      head.writeUInt32BE(ts, 4);
      head.writeUInt32BE(ssrc, 8);
      const c = Buffer.alloc(4 * csrcs.length);
      csrcs.forEach((v, i) => c.writeUInt32BE(v, 4 * i));
      const e = ext === undefined ? Buffer.alloc(0) : Buffer.concat([Buffer.from([0xbe, 0xde, 0, ext.length / 4]), ext]);
      const pad = padding === 0 ? Buffer.alloc(0) : Buffer.concat([Buffer.alloc(padding - 1), Buffer.from([padding])]);
      const parsed = parseRtpPacket(Buffer.concat([head, c, e, payload, pad]));
      assert.ok(parsed.ok, at('rtp', n));
      const p = parsed.packet;
      assert.deepEqual([p.marker, p.payloadType, p.sequence, p.timestamp, p.ssrc, p.csrcs, p.payload],
        [marker, pt, seq, ts, ssrc, csrcs, payload], at('rtp', n));
    }
  });

  it('meets random bytes with a packet inside the input or an error value, never a throw', () => {
    for (let n = 0; n < 3000; n += 1) {
      const b = bytesOf(r, r.int(0, 80));
      if (b.length > 0 && r.next() < 0.7) b[0] = 0x80 | ((b[0] ?? 0) & 0x3f);
      const parsed = parseRtpPacket(b);
      if (parsed.ok) {
        const p = parsed.packet;
        assert.ok(p.payload.byteOffset >= b.byteOffset + 12 && p.payload.byteOffset + p.payload.length <= b.byteOffset + b.length, at('rtp random', n));
      }
    }
  });
});

// ---------- WWW-Authenticate ----------

describe('challenge parser properties', () => {
  const r = seededRandom(seed + 3);

  it('reads back generated challenges with quoting, escapes and odd spacing', () => {
    for (let n = 0; n < 1000; n += 1) {
      const expected: { scheme: string; params: [string, string][] }[] = [];
      const texts: string[] = [];
      for (let c = r.int(1, 4); c > 0; c -= 1) {
        const scheme = r.pick(['Digest', 'Basic', 'Custom']);
        const params: [string, string][] = [];
        const parts: string[] = [];
        const names = new Set<string>();
        for (let p = r.int(1, 5); p > 0; p -= 1) {
          const name = word(r, 1, 6).toLowerCase();
          if (names.has(name)) continue;
          names.add(name);
          const value = r.next() < 0.5 ? word(r) : Array.from({ length: r.int(0, 10) }, () => r.pick([...'ab ,="\\;'])).join('');
          params.push([name, value]);
          const quoted = value === '' || /[^A-Za-z0-9\-_.!]/.test(value) || r.next() < 0.5;
          parts.push(`${name}${r.pick(['=', ' = '])}${quoted ? `"${value.replace(/["\\]/g, (x) => `\\${x}`)}"` : value}`);
        }
        expected.push({ scheme: scheme.toLowerCase(), params });
        texts.push(`${scheme} ${parts.join(r.pick([', ', ',', ' ,  ']))}`);
      }
      const got = parseChallenges([texts.join(', ')]).map((c) => ({ scheme: c.scheme, params: [...c.params] }));
      assert.deepEqual(got, expected, `${at('challenge', n)}: ${texts.join(', ')}`);
    }
  });

  it('never throws on random header values', () => {
    for (let n = 0; n < 2000; n += 1) {
      const text = Array.from({ length: r.int(0, 80) }, () => r.pick([...'Digest Basic realm="x", nonce=\\=,;\t\u0000\u00ff'])).join('');
      const cs = parseChallenges([text]);
      chooseChallenge(cs, r.next() < 0.5);
    }
  });
});
