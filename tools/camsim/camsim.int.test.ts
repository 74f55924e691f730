/**
 * Real clients (ffprobe, ffmpeg, raw TCP) against a real camsim on an ephemeral loopback port,
 * small profile. Needs ffmpeg/ffprobe on PATH.
 */
import assert from 'node:assert/strict';
import { spawn } from 'node:child_process';
import { connect } from 'node:net';
import type { Socket } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { after, before, describe, it } from 'node:test';
import type { Camsim } from './camsim.ts';
import { startCamsim } from './camsim.ts';

const cacheDir = join(tmpdir(), 'custos-camsim-test-cache');

function run(cmd: string, args: string[]): Promise<{ code: number | null; stdout: Buffer; stderr: string }> {
  return new Promise((resolve, reject) => {
    const child = spawn(cmd, args, { stdio: ['ignore', 'pipe', 'pipe'] });
    const out: Buffer[] = [];
    let stderr = '';
    child.stdout.on('data', (b: Buffer) => out.push(b));
    child.stderr.on('data', (b: Buffer) => { stderr += b.toString(); });
    child.on('error', reject);
    child.on('close', (code) => resolve({ code, stdout: Buffer.concat(out), stderr }));
  });
}

const probe = (url: string) =>
  run('ffprobe', ['-v', 'error', '-rtsp_transport', 'tcp', '-show_entries', 'stream=codec_name,width,height', '-of', 'json', url]);

const record = (url: string) =>
  run('ffmpeg', ['-nostdin', '-v', 'error', '-rtsp_transport', 'tcp', '-i', url, '-t', '3', '-c', 'copy',
    '-f', 'mp4', '-movflags', '+frag_keyframe+empty_moov', 'pipe:1']);

async function countFrames(mp4: Buffer): Promise<number> {
  const child = spawn('ffprobe', ['-v', 'error', '-count_frames', '-select_streams', 'v', '-show_entries',
    'stream=nb_read_frames', '-of', 'csv=p=0', '-i', 'pipe:0'], { stdio: ['pipe', 'pipe', 'pipe'] });
  let out = '';
  child.stdout.on('data', (b: Buffer) => { out += b.toString(); });
  child.stdin.end(mp4);
  await new Promise((r) => child.on('close', r));
  return Number(out.trim());
}

function withCredentials(url: string, user: string, password: string): string {
  const u = new URL(url);
  u.username = encodeURIComponent(user);
  u.password = encodeURIComponent(password);
  return u.toString();
}

/** A raw RTSP connection: send a request, read the next response (headers + body). */
class RawRtsp {
  readonly socket: Socket;
  #buf = Buffer.alloc(0);
  #waiters: (() => void)[] = [];
  closed = false;

  constructor(port: number) {
    this.socket = connect(port, '127.0.0.1');
    this.socket.on('data', (b: Buffer) => { this.#buf = Buffer.concat([this.#buf, b]); this.#wake(); });
    this.socket.on('close', () => { this.closed = true; this.#wake(); });
    this.socket.on('error', () => undefined);
  }

  #wake(): void { for (const w of this.#waiters.splice(0)) w(); }

  async #more(): Promise<void> {
    if (this.closed) throw new Error('connection closed');
    await new Promise<void>((r) => this.#waiters.push(r));
  }

  async request(text: string): Promise<{ status: number; headers: Map<string, string>; body: string }> {
    this.socket.write(text);
    return this.response();
  }

  async response(): Promise<{ status: number; headers: Map<string, string>; body: string }> {
    for (;;) {
      // Skip interleaved media frames that precede the response.
      while (this.#buf[0] === 0x24 && this.#buf.length >= 4 && this.#buf.length >= 4 + this.#buf.readUInt16BE(2)) {
        this.#buf = this.#buf.subarray(4 + this.#buf.readUInt16BE(2));
      }
      const end = this.#buf[0] === 0x24 ? -1 : this.#buf.indexOf('\r\n\r\n');
      if (end >= 0) {
        const lines = this.#buf.subarray(0, end).toString().split('\r\n');
        const headers = new Map(lines.slice(1).map((l) => [l.slice(0, l.indexOf(':')).toLowerCase(), l.slice(l.indexOf(':') + 1).trim()] as const));
        const length = Number(headers.get('content-length') ?? 0);
        if (this.#buf.length >= end + 4 + length) {
          const body = this.#buf.subarray(end + 4, end + 4 + length).toString();
          this.#buf = this.#buf.subarray(end + 4 + length);
          return { status: Number(lines[0]?.split(' ')[1]), headers, body };
        }
      }
      await this.#more();
    }
  }

  /** Reads interleaved bytes until at least n are buffered, and returns them. */
  async interleaved(n: number): Promise<Buffer> {
    while (this.#buf.length < n) await this.#more();
    return this.#buf;
  }

  async waitClosed(ms: number): Promise<boolean> {
    const deadline = Date.now() + ms;
    while (!this.closed && Date.now() < deadline) await new Promise((r) => setTimeout(r, 20));
    return this.closed;
  }
}

describe('camsim with real clients', () => {
  let sim: Camsim;
  before(async () => {
    sim = await startCamsim({ cameras: 3, port: 0, profile: 'small', cacheDir, sessionTimeoutMs: 1500 });
  });
  after(() => sim.close());

  it('returns one URL per camera on the real port, without credentials', () => {
    assert.equal(sim.urls.length, 3);
    assert.notEqual(sim.port, 0);
    assert.deepEqual(sim.urls, [1, 2, 3].map((k) => `rtsp://127.0.0.1:${sim.port}/cam${k}`));
  });

  it('lets ffprobe read H.264 640x360 from every camera with no errors', async () => {
    for (const url of sim.urls) {
      const r = await probe(url);
      assert.equal(r.stderr, '', url);
      assert.equal(r.code, 0);
      const streams = (JSON.parse(r.stdout.toString()) as { streams: { codec_name: string; width: number; height: number }[] }).streams;
      assert.deepEqual(streams, [{ codec_name: 'h264', width: 640, height: 360 }]);
    }
  });

  it('lets ffmpeg record 3 s silently into fMP4 holding about 75 frames', async () => {
    const r = await record(sim.urls[0] ?? '');
    assert.equal(r.stderr, '');
    assert.equal(r.code, 0);
    assert.ok(r.stdout.length > 10_000, `${r.stdout.length} bytes`);
    const frames = await countFrames(r.stdout);
    assert.ok(Math.abs(frames - 75) <= 25, `${frames} frames`);
  });

  it('serves two clients on the same camera at once, both cleanly', async () => {
    const url = sim.urls[1] ?? '';
    const [a, b] = await Promise.all([record(url), record(url)]);
    for (const r of [a, b]) {
      assert.equal(r.stderr, '');
      assert.equal(r.code, 0);
      assert.ok(Math.abs((await countFrames(r.stdout)) - 75) <= 25);
    }
  });

  it('answers an unknown camera with 404 and a UDP-only SETUP with 461, echoing CSeq', async () => {
    const c = new RawRtsp(sim.port);
    const d = await c.request(`DESCRIBE rtsp://127.0.0.1:${sim.port}/cam4 RTSP/1.0\r\nCSeq: 7\r\n\r\n`);
    assert.equal(d.status, 404);
    assert.equal(d.headers.get('cseq'), '7');
    const s = await c.request(`SETUP /cam1/trackID=0 RTSP/1.0\r\nCSeq: 8\r\nTransport: RTP/AVP;unicast;client_port=5000-5001\r\n\r\n`);
    assert.equal(s.status, 461);
    assert.equal(s.headers.get('cseq'), '8');
    c.socket.destroy();
  });

  it('answers a request without CSeq with 400 and closes the connection', async () => {
    const c = new RawRtsp(sim.port);
    const r = await c.request('OPTIONS * RTSP/1.0\r\n\r\n');
    assert.equal(r.status, 400);
    assert.ok(await c.waitClosed(1000));
  });

  it('plays a live, non-seekable stream that starts with parameter sets and a key frame', async () => {
    const c = new RawRtsp(sim.port);
    const base = `rtsp://127.0.0.1:${sim.port}/cam3`;
    const d = await c.request(`DESCRIBE ${base} RTSP/1.0\r\nCSeq: 1\r\nAccept: application/sdp\r\n\r\n`);
    assert.equal(d.status, 200);
    assert.equal(d.headers.get('content-base'), `${base}/`);
    assert.match(d.body, /a=range:npt=now-/);
    const s = await c.request(`SETUP ${base}/trackID=0 RTSP/1.0\r\nCSeq: 2\r\nTransport: RTP/AVP/TCP;unicast;interleaved=0-1\r\n\r\n`);
    assert.equal(s.status, 200);
    assert.match(s.headers.get('transport') ?? '', /^RTP\/AVP\/TCP;unicast;interleaved=0-1;ssrc=[0-9A-F]{8}$/);
    const session = (s.headers.get('session') ?? '').split(';')[0] ?? '';
    assert.match(s.headers.get('session') ?? '', /;timeout=\d+$/);
    // A client's seek request on a live stream is answered with the live range, not an error.
    const p = await c.request(`PLAY ${base}/ RTSP/1.0\r\nCSeq: 3\r\nSession: ${session}\r\nRange: npt=0.000-\r\n\r\n`);
    assert.equal(p.status, 200);
    assert.equal(p.headers.get('range'), 'npt=now-');
    const info = /^url=(\S+);seq=(\d+);rtptime=(\d+)$/.exec(p.headers.get('rtp-info') ?? '');
    assert.ok(info, p.headers.get('rtp-info'));
    const data = await c.interleaved(20);
    assert.equal(data[0], 0x24);
    assert.equal(data[1], 0);
    assert.equal(data.readUInt16BE(4 + 2), Number(info[2]), 'first packet carries the announced seq');
    assert.equal(data.readUInt32BE(4 + 4), Number(info[3]), 'and the announced timestamp');
    assert.equal((data[16] ?? 0) & 0x1f, 7, 'first NAL unit is the SPS');
    // RTCP from the client and a pipelined keep-alive are both handled mid-stream.
    c.socket.write(Buffer.from([0x24, 1, 0, 4, 0x81, 0xc9, 0, 1]));
    c.socket.write(`GET_PARAMETER ${base}/ RTSP/1.0\r\nCSeq: 4\r\nSession: ${session}\r\n\r\n`);
    c.socket.write(`TEARDOWN ${base}/ RTSP/1.0\r\nCSeq: 5\r\nSession: ${session}\r\n\r\n`);
    const g = await c.response();
    assert.deepEqual([g.status, g.headers.get('cseq')], [200, '4']);
    const t = await c.response();
    assert.deepEqual([t.status, t.headers.get('cseq')], [200, '5']);
    c.socket.destroy();
  });

  it('closes a connection that sends no keep-alive within the session timeout', async () => {
    const c = new RawRtsp(sim.port);
    const s = await c.request(`SETUP /cam1 RTSP/1.0\r\nCSeq: 1\r\nTransport: RTP/AVP/TCP;unicast;interleaved=0-1\r\n\r\n`);
    assert.equal(s.status, 200);
    assert.ok(await c.waitClosed(4000), 'server closed the idle connection');
  });
});

describe('camsim with Digest authentication', () => {
  let sim: Camsim;
  const logs: string[] = [];
  before(async () => {
    sim = await startCamsim({
      cameras: 1, port: 0, profile: 'small', cacheDir, username: 'alice', password: 'p@ss word:1', log: (m) => logs.push(m),
    });
  });
  after(() => sim.close());

  it('refuses a client without credentials with 401', async () => {
    const r = await probe(sim.urls[0] ?? '');
    assert.notEqual(r.code, 0);
    assert.match(r.stderr, /401/);
  });

  it('serves a client with the right credentials in the URL', async () => {
    const r = await probe(withCredentials(sim.urls[0] ?? '', 'alice', 'p@ss word:1'));
    assert.equal(r.stderr, '');
    assert.equal(r.code, 0);
  });

  it('refuses wrong credentials and never logs the password', async () => {
    const r = await probe(withCredentials(sim.urls[0] ?? '', 'alice', 'wrong'));
    assert.notEqual(r.code, 0);
    assert.match(r.stderr, /401/);
    assert.ok(logs.every((l) => !l.includes('p@ss') && !l.includes('wrong')));
  });

  it('lets ffmpeg record silently with the right credentials', async () => {
    const r = await record(withCredentials(sim.urls[0] ?? '', 'alice', 'p@ss word:1'));
    assert.equal(r.stderr, '');
    assert.ok(r.stdout.length > 10_000);
  });
});

describe('camsim shutdown', () => {
  it('ends playing sessions on close', async () => {
    const sim = await startCamsim({ cameras: 1, port: 0, profile: 'small', cacheDir });
    const c = new RawRtsp(sim.port);
    await c.request(`SETUP /cam1 RTSP/1.0\r\nCSeq: 1\r\nTransport: RTP/AVP/TCP;unicast;interleaved=0-1\r\n\r\n`);
    const s = await c.request(`PLAY /cam1 RTSP/1.0\r\nCSeq: 2\r\n\r\n`);
    assert.equal(s.status, 200);
    await c.interleaved(100);
    await sim.close();
    assert.ok(await c.waitClosed(1000));
  });
});
