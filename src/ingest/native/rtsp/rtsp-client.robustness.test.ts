/**
 * The RTSP client against small scripted servers written here (node:net on loopback): hostile or
 * broken cameras (malformed answers, lying Content-Length, truncated frames, closing mid-frame,
 * redirect loops, silence), 10 MB of large frames, and protocol behaviour camsim cannot show
 * (redirects across hosts, Basic-only challenges, stale nonces, OPTIONS keep-alives, requests
 * from the server, audio set-up). These fakes test our client's protocol handling; camsim
 * (rtsp-client.int.test.ts) is the real counterpart.
 */
import assert from 'node:assert/strict';
import { createServer } from 'node:net';
import type { AddressInfo, Socket } from 'node:net';
import { setTimeout as sleep } from 'node:timers/promises';
import { after, describe, it } from 'node:test';
import { AppError, isAppError } from '../../../lib/errors.ts';
import { createDigestAuth } from '../../../../tools/camsim/rtsp-digest.ts';
import { RtspRequestParser } from '../../../../tools/camsim/rtsp-request-parser.ts';
import type { RtspRequest } from '../../../../tools/camsim/rtsp-request-parser.ts';
import { parseRtpPacket } from '../rtp/rtp-packet.ts';

/** The sequence number of a valid RTP packet (the test fails on an invalid one). */
function sequenceOf(payload: Buffer): number {
  const p = parseRtpPacket(payload);
  if (!p.ok) throw new Error(`invalid RTP packet: ${p.error}`);
  return p.packet.sequence;
}
import { openRtspSession } from './rtsp-client.ts';
import type { RtspFrame, RtspSession, RtspSessionOptions } from './rtsp-client.ts';

// ---------- a scripted camera ----------

interface FakeConn {
  readonly socket: Socket;
  /** Everything the client sent on this connection (latin1). */
  raw: string;
  send(bytes: string | Buffer): void;
  reply(req: RtspRequest, status: number, headers?: Record<string, string>, body?: string | Buffer): void;
}

interface FakeCamera {
  readonly port: number;
  url(path?: string): string;
  readonly requests: RtspRequest[];
  close(): Promise<void>;
}

type Handler = (req: RtspRequest, c: FakeConn) => void;
const cameras: FakeCamera[] = [];
after(async () => {
  await Promise.all(cameras.map((c) => c.close()));
});

async function fakeCamera(handler: Handler, host = '127.0.0.1'): Promise<FakeCamera> {
  const sockets = new Set<Socket>();
  const requests: RtspRequest[] = [];
  const server = createServer((socket) => {
    sockets.add(socket);
    socket.on('close', () => sockets.delete(socket));
    socket.on('error', () => undefined);
    const parser = new RtspRequestParser();
    const c: FakeConn = {
      socket, raw: '',
      send: (bytes) => {
        if (!socket.destroyed) socket.write(bytes);
      },
      reply: (req, status, headers = {}, body) => {
        const b = body === undefined ? undefined : Buffer.from(body);
        const lines = [`RTSP/1.0 ${status} ${status === 200 ? 'OK' : status === 401 ? 'Unauthorized' : 'Status'}`, `CSeq: ${req.headers.get('cseq') ?? '0'}`];
        for (const [k, v] of Object.entries(headers)) lines.push(`${k}: ${v}`);
        if (b !== undefined) lines.push(`Content-Length: ${b.length}`);
        c.send(Buffer.concat([Buffer.from(`${lines.join('\r\n')}\r\n\r\n`), b ?? Buffer.alloc(0)]));
      },
    };
    socket.on('data', (chunk: Buffer) => {
      c.raw += chunk.toString('latin1');
      for (const ev of parser.push(chunk)) {
        if (ev.kind !== 'request') continue;
        requests.push(ev.request);
        handler(ev.request, c);
      }
    });
  });
  await new Promise<void>((resolve) => server.listen(0, host, resolve));
  const port = (server.address() as AddressInfo).port;
  const cam: FakeCamera = {
    port, requests,
    url: (path = '/cam') => `rtsp://${host}:${port}${path}`,
    close: () => new Promise<void>((resolve) => {
      for (const s of sockets) s.destroy();
      server.close(() => resolve());
    }),
  };
  cameras.push(cam);
  return cam;
}

const h264Sdp = ['v=0', 'o=- 1 1 IN IP4 127.0.0.1', 's=fake', 't=0 0', 'a=control:*', 'm=video 0 RTP/AVP 96', 'a=rtpmap:96 H264/90000',
  'a=fmtp:96 packetization-mode=1;sprop-parameter-sets=Z2QAHqw=,aO88sA==', 'a=control:trackID=0', ''].join('\r\n');
const withAac = `${h264Sdp}m=audio 0 RTP/AVP 97\r\na=rtpmap:97 MPEG4-GENERIC/16000/1\r\na=fmtp:97 mode=AAC-hbr;config=1408;sizelength=13;indexlength=3;indexdeltalength=3\r\na=control:trackID=1\r\n`;

/** A well-behaved camera; `over` replaces the answer to a method (return true when it answered). */
function standard(over: Partial<Record<string, (req: RtspRequest, c: FakeConn) => boolean | void>> = {}, sdp = h264Sdp): Handler {
  return (req, c) => {
    if (over[req.method]?.(req, c) === true) return;
    switch (req.method) {
      case 'OPTIONS':
        return c.reply(req, 200, { Public: 'OPTIONS, DESCRIBE, SETUP, PLAY, TEARDOWN, GET_PARAMETER' });
      case 'DESCRIBE':
        return c.reply(req, 200, { 'Content-Type': 'application/sdp', 'Content-Base': `${req.uri}/` }, sdp);
      case 'SETUP':
        return c.reply(req, 200, { Session: 'S1;timeout=60', Transport: req.headers.get('transport') ?? '' });
      default:
        return c.reply(req, 200, { Session: 'S1' });
    }
  };
}

/** An override that answers with a fixed status and headers. */
const answer = (status: number, headers?: Record<string, string>, body?: string) => (req: RtspRequest, c: FakeConn): boolean => {
  c.reply(req, status, headers, body);
  return true;
};

/** An interleaved RTP packet. */
function rtpFrame(channel: number, seq: number, payload: Buffer, marker = false): Buffer {
  const head = Buffer.from([0x24, channel, 0, 0, 0x80, (marker ? 0x80 : 0) | 96, seq >> 8, seq & 0xff, 0, 0, 0, 0, 0, 0, 0, 1]);
  head.writeUInt16BE(12 + payload.length, 2);
  return Buffer.concat([head, payload]);
}

const open = (url: string, o: Partial<RtspSessionOptions> = {}, signal = new AbortController().signal) =>
  openRtspSession({ url, username: 'admin', password: 'Secret-123', requestTimeoutMs: 2_000, ...o }, signal);

async function mustOpen(url: string, o: Partial<RtspSessionOptions> = {}): Promise<RtspSession> {
  const s = await open(url, o);
  assert.ok(s !== undefined);
  return s;
}

function rejectsWith(code: AppError['code'], message: RegExp): (e: unknown) => boolean {
  return (e) => {
    assert.ok(isAppError(e, code), `expected ${code}, got ${String(e)}`);
    assert.match(e.message, message);
    assert.ok(!e.message.includes('Secret-123'));
    return true;
  };
}

// ---------- tests ----------

describe('RTSP client against a broken or hostile camera', () => {
  it('reports a malformed status line (an HTTP server on the port) as MEDIA_MALFORMED', async () => {
    const cam = await fakeCamera((_req, c) => c.send('HTTP/1.1 200 OK\r\nContent-Length: 0\r\n\r\n'));
    await assert.rejects(open(cam.url()), rejectsWith('MEDIA_MALFORMED', /malformed status line \(HTTP\/1\.1 200 OK\)/));
  });

  it('reports a header line without a colon as MEDIA_MALFORMED', async () => {
    const cam = await fakeCamera((req, c) => c.send(`RTSP/1.0 200 OK\r\nCSeq: ${req.headers.get('cseq')}\r\nPublic OPTIONS\r\n\r\n`));
    await assert.rejects(open(cam.url()), rejectsWith('MEDIA_MALFORMED', /header line without a valid "name:" \(Public OPTIONS\)/));
  });

  it('reports a Content-Length larger than the body, then a close, as a truncated answer', async () => {
    const cam = await fakeCamera(standard({
      DESCRIBE: (req, c) => {
        c.send(`RTSP/1.0 200 OK\r\nCSeq: ${req.headers.get('cseq')}\r\nContent-Type: application/sdp\r\nContent-Length: 500\r\n\r\nv=0\r\ns=only twenty!!`);
        c.socket.end();
        return true;
      },
    }));
    await assert.rejects(open(cam.url()), rejectsWith('CAMERA_UNREACHABLE', /^camera closed the connection in the middle of a message body \(20 of 500 bytes\)$/));
  });

  it('refuses a 10 MB Content-Length without reading the body', async () => {
    const cam = await fakeCamera(standard({
      DESCRIBE: (req, c) => {
        c.send(`RTSP/1.0 200 OK\r\nCSeq: ${req.headers.get('cseq')}\r\nContent-Length: 10485760\r\n\r\n`);
        return true;
      },
    }));
    await assert.rejects(open(cam.url()), rejectsWith('MEDIA_MALFORMED', /Content-Length 10485760 exceeds the 1048576-byte limit/));
  });

  it('reports a camera that closes in the middle of an answer header', async () => {
    const cam = await fakeCamera((_req, c) => {
      c.send('RTSP/1.0 200 OK\r\nCSe');
      c.socket.end();
    });
    await assert.rejects(open(cam.url()), rejectsWith('CAMERA_UNREACHABLE', /in the middle of a message header/));
  });

  it('delivers whole frames, then reports an interleaved frame truncated by the camera closing', async () => {
    const cam = await fakeCamera(standard({
      PLAY: (req, c) => {
        c.reply(req, 200, { Session: 'S1' });
        c.send(Buffer.concat([rtpFrame(0, 1, Buffer.alloc(100)), rtpFrame(0, 2, Buffer.alloc(100)), rtpFrame(0, 3, Buffer.alloc(1400)).subarray(0, 600)]));
        setTimeout(() => c.socket.end(), 20);
        return true;
      },
    }));
    const session = await mustOpen(cam.url());
    const seqs: number[] = [];
    await assert.rejects(session.play((f) => void seqs.push(sequenceOf(f.payload))),
      rejectsWith('CAMERA_UNREACHABLE', /^camera closed the connection in the middle of an interleaved frame \(596 of 1412 bytes\)$/));
    assert.deepEqual(seqs, [1, 2]);
  });

  it('streams a 10 MB NAL unit sent as FU-A packets in 64 KiB frames through a slow sink with bounded memory', { timeout: 30_000 }, async () => {
    const nalSize = 10 * 1024 * 1024;
    const chunk = 65_535 - 12 - 2; // largest FU-A fragment in one interleaved frame
    const cam = await fakeCamera(standard({
      PLAY: (req, c) => {
        c.reply(req, 200, { Session: 'S1' });
        void (async () => {
          let seq = 0;
          for (let offset = 1; offset < nalSize; offset += chunk) {
            const end = Math.min(nalSize, offset + chunk);
            const fu = Buffer.alloc(2 + end - offset, seq & 0xff);
            fu[0] = 0x7c; // FU indicator: NRI 3, type 28
            fu[1] = (offset === 1 ? 0x80 : 0) | (end === nalSize ? 0x40 : 0) | 5; // S, E, IDR
            if (!c.socket.write(rtpFrame(0, seq, fu, end === nalSize))) await new Promise((r) => c.socket.once('drain', r));
            seq += 1;
          }
        })();
        return true;
      },
    }));
    const session = await mustOpen(cam.url());
    let fuBytes = 0;
    let packets = 0;
    let sawStart = false;
    await session.play(async (f: RtspFrame) => {
      assert.equal(sequenceOf(f.payload), packets & 0xffff);
      const parsed = parseRtpPacket(f.payload);
      if (!parsed.ok) throw new Error(parsed.error);
      const p = parsed.packet;
      assert.ok(p.payload.every((b, i) => i < 2 || b === (packets & 0xff)), 'payload intact');
      if (((p.payload[1] ?? 0) & 0x80) !== 0) sawStart = true;
      fuBytes += p.payload.length - 2;
      packets += 1;
      await sleep(1); // a slow consumer: back-pressure pauses the socket
      if (((p.payload[1] ?? 0) & 0x40) !== 0) void session.close();
    });
    assert.ok(sawStart);
    assert.equal(fuBytes, nalSize - 1, 'every byte of the NAL but its header');
    assert.equal(packets, Math.ceil((nalSize - 1) / chunk));
    const peak = session.stats().peakBufferedBytes;
    assert.ok(peak < 256 * 1024, `the reader held at most ${peak} bytes at once`);
  });

  it('stops a redirect loop with a clear error', async () => {
    const cam = await fakeCamera(standard({
      DESCRIBE: (req, c) => {
        c.reply(req, 302, { Location: req.uri.endsWith('/a') ? '/b' : '/a' });
        return true;
      },
    }));
    await assert.rejects(open(cam.url('/a')), rejectsWith('CAMERA_UNREACHABLE', /^redirect loop: the camera redirected \(302\) back to a URL it had already sent$/));
  });

  it('gives up after 3 redirects', async () => {
    const cam = await fakeCamera(standard({
      DESCRIBE: (req, c) => {
        c.reply(req, 301, { Location: `${req.uri}x` });
        return true;
      },
    }));
    await assert.rejects(open(cam.url('/r')), rejectsWith('CAMERA_UNREACHABLE', /^too many redirects \(more than 3\)$/));
    assert.equal(cam.requests.filter((r) => r.method === 'DESCRIBE').length, 4);
  });

  it('times a silent camera out per request, naming the method', async () => {
    const cam = await fakeCamera(() => undefined);
    await assert.rejects(open(cam.url(), { requestTimeoutMs: 300 }), rejectsWith('CAMERA_UNREACHABLE', /^OPTIONS got no answer within 0\.3 s$/));
  });

  it('reports a refused SETUP with step and status, and a SETUP answer without Session as malformed', async () => {
    const refusing = await fakeCamera(standard({ SETUP: answer(461) }));
    await assert.rejects(open(refusing.url()), (e) => rejectsWith('CAMERA_UNREACHABLE', /^SETUP refused: 461 Status \(video\)$/)(e) && isAppError(e) && e.detail?.status === 461);
    const sessionless = await fakeCamera(standard({ SETUP: answer(200, { Transport: 'RTP/AVP/TCP;interleaved=0-1' }) }));
    await assert.rejects(open(sessionless.url()), rejectsWith('MEDIA_MALFORMED', /SETUP answer has no Session header/));
    const udp = await fakeCamera(standard({ SETUP: answer(200, { Session: 'S', Transport: 'RTP/AVP;unicast;client_port=5000-5001' }) }));
    await assert.rejects(open(udp.url()), rejectsWith('CAMERA_UNREACHABLE', /does not offer RTP over the RTSP connection/));
  });

  it('names an unsupported video codec so the caller can fall back to ffmpeg', async () => {
    const cam = await fakeCamera(standard({}, 'v=0\r\ns=mjpeg\r\nm=video 0 RTP/AVP 26\r\na=control:track1\r\n'));
    await assert.rejects(open(cam.url()), (e) => {
      assert.ok(isAppError(e, 'CAMERA_UNREACHABLE'));
      assert.match(e.message, /video codec JPEG is not supported/);
      assert.equal(e.detail?.unsupportedCodec, 'JPEG');
      return true;
    });
  });

  it('reports a binary SDP and a non-SDP Content-Type as MEDIA_MALFORMED', async () => {
    const binary = await fakeCamera(standard({}, '\u0000\u0001\u0002garbage'));
    await assert.rejects(open(binary.url()), rejectsWith('MEDIA_MALFORMED', /binary data/));
    const html = await fakeCamera(standard({ DESCRIBE: answer(200, { 'Content-Type': 'text/html' }, '<html></html>') }));
    await assert.rejects(open(html.url()), rejectsWith('MEDIA_MALFORMED', /DESCRIBE answered text\/html, not application\/sdp/));
  });

  it('ends play() with the sink\'s own error and closes the connection', async () => {
    const cam = await fakeCamera(standard({
      PLAY: (req, c) => {
        c.reply(req, 200, { Session: 'S1' });
        c.send(rtpFrame(0, 1, Buffer.alloc(10)));
        return true;
      },
    }));
    const session = await mustOpen(cam.url());
    await assert.rejects(session.play(() => Promise.reject(new AppError('STORAGE_FAILED', 'disk full'))), (e) => isAppError(e, 'STORAGE_FAILED'));
  });
});

describe('RTSP client protocol behaviour', () => {
  it('follows a redirect to another host, without sending it the credentials', async () => {
    const digest = createDigestAuth({ username: 'admin', password: 'Secret-123', secret: Buffer.alloc(32, 2), clock: { now: () => Date.now() } });
    const open2 = await fakeCamera(standard(), '127.0.0.2');
    const guarded = await fakeCamera(standard({
      DESCRIBE: (req, c) => {
        if (digest.check(req.method, req.uri, req.headers.get('authorization')) === 'ok') return false;
        c.reply(req, 401, { 'WWW-Authenticate': digest.challenge(false) });
        return true;
      },
    }), '127.0.0.2');
    const front = await fakeCamera(standard({
      DESCRIBE: (req, c) => {
        c.reply(req, 302, { Location: req.uri.endsWith('/open') ? open2.url('/live') : guarded.url('/live') });
        return true;
      },
    }));
    const session = await mustOpen(front.url('/open'));
    assert.equal(session.url, open2.url('/live'));
    assert.equal(session.tracks[0]?.controlUrl, `${open2.url('/live')}/trackID=0`);
    await session.close();
    await assert.rejects(open(front.url('/guarded')), rejectsWith('CAMERA_UNREACHABLE', /^DESCRIBE refused: 401 Unauthorized \(credentials are not sent to another host the camera redirected to\)$/));
    assert.ok(guarded.requests.every((r) => r.headers.get('authorization') === undefined));
  });

  it('follows a redirect to another port of the same host with the credentials', async () => {
    const digest = createDigestAuth({ username: 'admin', password: 'Secret-123', secret: Buffer.alloc(32, 3), clock: { now: () => Date.now() } });
    const target = await fakeCamera((req, c) => {
      if (req.method !== 'OPTIONS' && digest.check(req.method, req.uri, req.headers.get('authorization')) !== 'ok') {
        c.reply(req, 401, { 'WWW-Authenticate': digest.challenge(false) });
        return;
      }
      standard()(req, c);
    });
    const front = await fakeCamera(standard({ OPTIONS: answer(301, { Location: target.url('/moved') }) }));
    const session = await mustOpen(front.url('/old'));
    assert.equal(session.url, target.url('/moved'));
    assert.deepEqual(front.requests.map((r) => r.method), ['OPTIONS'], 'a redirect answering OPTIONS is followed at once');
    await session.close();
    assert.deepEqual(target.requests.map((r) => r.method), ['OPTIONS', 'DESCRIBE', 'DESCRIBE', 'SETUP', 'TEARDOWN']);
  });

  it('refuses a Basic-only challenge over plain rtsp:// unless allowed, then sends Basic', async () => {
    const cam = await fakeCamera(standard({
      DESCRIBE: (req, c) => {
        if (req.headers.get('authorization') === `Basic ${Buffer.from('admin:Secret-123').toString('base64')}`) return false;
        c.reply(req, 401, { 'WWW-Authenticate': 'Basic realm="cam"' });
        return true;
      },
    }));
    await assert.rejects(open(cam.url()), rejectsWith('CAMERA_UNREACHABLE', /offers only Basic authentication, which would send the password in clear/));
    const session = await mustOpen(cam.url(), { allowBasicOverPlaintext: true });
    await session.close();
  });

  it('answers a stale nonce on PLAY with the new nonce, without failing', async () => {
    let now = 0;
    let expired = false;
    const digest = createDigestAuth({ username: 'admin', password: 'Secret-123', secret: Buffer.alloc(32, 4), clock: { now: () => now }, nonceTtlMs: 1_000 });
    const cam = await fakeCamera((req, c) => {
      if (req.method === 'PLAY' && !expired) {
        expired = true;
        now += 5_000; // the nonce in use expires before PLAY
      }
      if (req.method !== 'OPTIONS') {
        const verdict = digest.check(req.method, req.uri, req.headers.get('authorization'));
        if (verdict !== 'ok') {
          c.reply(req, 401, { 'WWW-Authenticate': digest.challenge(verdict === 'stale') });
          return;
        }
      }
      standard({ PLAY: (r, conn) => {
        conn.reply(r, 200, { Session: 'S1' });
        conn.send(rtpFrame(0, 9, Buffer.alloc(4)));
        return true;
      } })(req, c);
    });
    const session = await mustOpen(cam.url());
    let seq: number | undefined;
    await session.play((f) => {
      seq = sequenceOf(f.payload);
      void session.close();
    });
    assert.equal(seq, 9);
    assert.deepEqual(cam.requests.map((r) => r.method), ['OPTIONS', 'DESCRIBE', 'DESCRIBE', 'SETUP', 'PLAY', 'PLAY', 'TEARDOWN']);
  });

  it('keeps alive with OPTIONS every timeout/2 when GET_PARAMETER is not public, carrying the Session', { timeout: 10_000 }, async () => {
    // camsim lists GET_PARAMETER (rtsp-client.int.test.ts checks that path); this checks the fallback.
    const cam = await fakeCamera(standard({
      OPTIONS: answer(200, { Public: 'OPTIONS, DESCRIBE, SETUP, PLAY, TEARDOWN' }),
      SETUP: answer(200, { Session: 'S1;timeout=1', Transport: 'RTP/AVP/TCP;unicast;interleaved=0-1' }),
    }));
    const session = await mustOpen(cam.url());
    assert.equal(session.keepaliveMethod, 'OPTIONS');
    setTimeout(() => void session.close(), 1_700);
    await session.play(() => undefined);
    const keepalives = cam.requests.slice(cam.requests.findIndex((r) => r.method === 'PLAY') + 1).filter((r) => r.method === 'OPTIONS');
    assert.ok(keepalives.length >= 2 && keepalives.length <= 4, `${keepalives.length} keep-alives in 1.7 s`);
    assert.ok(keepalives.every((r) => r.headers.get('session') === 'S1'));
  });

  it('answers an OPTIONS request from the server during play and sends TEARDOWN on abort', async () => {
    let conn: FakeConn | undefined;
    const cam = await fakeCamera(standard({
      PLAY: (req, c) => {
        conn = c;
        c.reply(req, 200, { Session: 'S1' });
        c.send('OPTIONS * RTSP/1.0\r\nCSeq: 77\r\nSession: S1\r\n\r\n');
        c.send(rtpFrame(0, 1, Buffer.alloc(8)));
        return true;
      },
    }));
    const ac = new AbortController();
    // camsim's request parser stops at our answer, so TEARDOWN gets no reply: wait 0.5 s at most.
    const session = await open(cam.url(), { requestTimeoutMs: 500 }, ac.signal);
    assert.ok(session !== undefined);
    await session.play(() => ac.abort());
    assert.match(conn?.raw ?? '', /RTSP\/1\.0 200 OK\r\nCSeq: 77\r\nSession: S1\r\n\r\n/);
    assert.match(conn?.raw ?? '', /TEARDOWN rtsp:\/\/127\.0\.0\.1:\d+\/cam\/ RTSP\/1\.0\r\nCSeq: \d+\r\nSession: S1\r\n/);
  });

  it('sets up AAC audio on the next channels the camera grants and routes frames by channel', async () => {
    const cam = await fakeCamera(standard({
      SETUP: (req, c) => {
        const audio = req.uri.endsWith('trackID=1');
        c.reply(req, 200, { Session: 'S1;timeout=30', Transport: `RTP/AVP/TCP;unicast;interleaved=${audio ? '8-9' : '6-7'};ssrc=0000ABCD` });
        return true;
      },
      PLAY: (req, c) => {
        c.reply(req, 200, { Session: 'S1', 'RTP-Info': `url=${req.uri}trackID=0;seq=5;rtptime=100,url=${req.uri}trackID=1;seq=7;rtptime=200` });
        c.send(Buffer.concat([rtpFrame(6, 5, Buffer.alloc(2)), rtpFrame(8, 7, Buffer.alloc(2)), rtpFrame(9, 0, Buffer.alloc(2)), rtpFrame(3, 0, Buffer.alloc(2))]));
        return true;
      },
    }, withAac));
    const session = await mustOpen(cam.url());
    assert.deepEqual(session.tracks.map((t) => [t.kind, t.rtpChannel, t.rtcpChannel, t.ssrc]), [['video', 6, 7, 0xabcd], ['audio', 8, 9, 0xabcd]]);
    const seen: string[] = [];
    await session.play((f) => {
      seen.push(`${f.track}/${f.kind}/${f.channel}`);
      if (seen.length === 3) void session.close();
    });
    assert.deepEqual(seen, ['video/rtp/6', 'audio/rtp/8', 'audio/rtcp/9']);
    assert.deepEqual(session.rtpInfo.map((i) => i.seq), [5, 7]);
    assert.ok(session.stats().framesDropped <= 1);
    const audioSetup = cam.requests.filter((r) => r.method === 'SETUP')[1];
    assert.equal(audioSetup?.headers.get('transport'), 'RTP/AVP/TCP;unicast;interleaved=8-9');
    assert.equal(audioSetup?.headers.get('session'), 'S1');
  });

  it('keeps a video-only session when the camera refuses the audio SETUP', async () => {
    const cam = await fakeCamera(standard({ SETUP: (req, c) => req.uri.endsWith('trackID=1') && answer(461)(req, c) }, withAac));
    const session = await mustOpen(cam.url());
    assert.deepEqual(session.tracks.map((t) => t.kind), ['video']);
    assert.match(session.warnings.join(), /audio not set up: SETUP refused: 461/);
    await session.close();
  });
});
