/**
 * Load probe for camsim: opens many RTSP sessions (DESCRIBE, SETUP TCP interleaved, PLAY) from
 * one process and counts the bytes received, so the simulator's CPU can be measured at scale
 * without running one ffmpeg per camera. No authentication: point it at a camsim without --user.
 *
 *   node tools/camsim/load-probe.ts --url rtsp://127.0.0.1:8554 --sessions 250 --seconds 30
 *
 * Session i plays `/cam((i mod cameras)+1)`; give `--cameras` when sessions > cameras.
 */
import { connect } from 'node:net';
import { parseArgs } from 'node:util';

/** Counters for one probe session. */
export interface ProbeSession {
  bytes: number;
  playing: boolean;
  error?: string;
  close(): void;
}

/**
 * Opens one session and counts every byte received after the PLAY response. Resolves once PLAY
 * is answered; rejects on any non-200 response or connection error before that.
 */
export function openProbeSession(url: string): Promise<ProbeSession> {
  const u = new URL(url);
  const socket = connect(Number(u.port || 554), u.hostname);
  const session: ProbeSession = { bytes: 0, playing: false, close: () => socket.destroy() };
  let buf = Buffer.alloc(0);
  let cseq = 0;
  let sessionId = '';
  const request = (method: 'DESCRIBE' | 'SETUP' | 'PLAY'): void => {
    cseq += 1;
    const target = method === 'SETUP' ? `${url}/trackID=0` : url;
    const extra = method === 'SETUP' ? 'Transport: RTP/AVP/TCP;unicast;interleaved=0-1\r\n'
      : method === 'PLAY' ? `Session: ${sessionId}\r\nRange: npt=0.000-\r\n` : 'Accept: application/sdp\r\n';
    socket.write(`${method} ${target} RTSP/1.0\r\nCSeq: ${cseq}\r\n${extra}\r\n`);
  };
  return new Promise((resolve, reject) => {
    socket.on('error', (err) => {
      session.error = err.message;
      reject(err);
    });
    socket.on('close', () => {
      session.playing = false;
    });
    socket.on('data', (chunk: Buffer) => {
      if (session.playing) {
        session.bytes += chunk.length;
        return;
      }
      buf = Buffer.concat([buf, chunk]);
      const end = buf.indexOf('\r\n\r\n');
      if (end < 0) return;
      const head = buf.subarray(0, end).toString('latin1');
      const length = Number(/\r\ncontent-length:\s*(\d+)/i.exec(head)?.[1] ?? 0);
      if (buf.length < end + 4 + length) return;
      const rest = buf.subarray(end + 4 + length);
      buf = Buffer.alloc(0);
      if (!head.startsWith('RTSP/1.0 200')) {
        reject(new Error(`${url}: ${head.split('\r\n')[0] ?? ''}`));
        socket.destroy();
        return;
      }
      sessionId = /\r\nsession:\s*([^;\r]+)/i.exec(head)?.[1] ?? sessionId;
      if (cseq === 1) request('SETUP');
      else if (cseq === 2) request('PLAY');
      else {
        session.playing = true;
        session.bytes += rest.length;
        resolve(session);
      }
    });
    socket.on('connect', () => request('DESCRIBE'));
  });
}

async function main(): Promise<void> {
  const { values } = parseArgs({
    options: {
      url: { type: 'string', default: 'rtsp://127.0.0.1:8554' },
      sessions: { type: 'string', default: '50' },
      cameras: { type: 'string' },
      seconds: { type: 'string', default: '20' },
    },
  });
  const sessions = Number(values.sessions);
  const cameras = Number(values.cameras ?? values.sessions);
  const seconds = Number(values.seconds);
  const base = values.url.replace(/\/+$/, '');
  const opened: ProbeSession[] = [];
  for (let i = 0; i < sessions; i += 1) opened.push(await openProbeSession(`${base}/cam${(i % cameras) + 1}`));
  console.log(`${sessions} sessions playing; measuring for ${seconds} s`);
  const before = opened.map((s) => s.bytes);
  const started = performance.now();
  await new Promise((r) => setTimeout(r, seconds * 1000));
  const elapsed = (performance.now() - started) / 1000;
  const rates = opened.map((s, i) => ((s.bytes - (before[i] ?? 0)) * 8) / elapsed / 1e6);
  const total = rates.reduce((a, b) => a + b, 0);
  const alive = opened.filter((s) => s.playing).length;
  console.log(JSON.stringify({
    sessions, alive, seconds: Number(elapsed.toFixed(1)), totalMbps: Number(total.toFixed(1)),
    minMbps: Number(Math.min(...rates).toFixed(2)), maxMbps: Number(Math.max(...rates).toFixed(2)),
  }));
  for (const s of opened) s.close();
}

if (import.meta.main) await main();
