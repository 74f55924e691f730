/**
 * Diagnostic: is the playlist's EXT-X-PROGRAM-DATE-TIME the wall-clock time of each fragment's
 * first frame? camsim (--stamp) puts each frame's send time in an SEI; the recording keeps it.
 * Per fragment of a playlist: its PDT (the segment's EXT-X-PROGRAM-DATE-TIME plus the EXTINF
 * before it) minus its first frame's stamp.
 *
 *   node bench/console-seek-pdt.ts [--record 30]
 */
import { parseArgs } from 'node:util';
import { request } from 'node:https';
import { startTestApp, startTestCamsim, tempDir, waitFor } from '../test/helpers/harness.ts';
import { testActor } from '../test/helpers/audit.ts';
import { strongPassword } from '../test/helpers/access.ts';
import { readStampSei } from '../tools/camsim/sei-stamp.ts';

const { values } = parseArgs({ options: { record: { type: 'string' } } });
const recordSeconds = Number(values.record ?? 30);

function get(url: string, headers: Record<string, string>, method = 'GET', body?: string): Promise<{ status: number; headers: Record<string, unknown>; body: Buffer }> {
  return new Promise((resolve, reject) => {
    const req = request(url, { method, headers, rejectUnauthorized: false }, (res) => {
      const chunks: Buffer[] = [];
      res.on('data', (c: Buffer) => chunks.push(c));
      res.on('end', () => resolve({ status: res.statusCode ?? 0, headers: res.headers, body: Buffer.concat(chunks) }));
    });
    req.on('error', reject);
    req.end(body);
  });
}

/** The first stamp in a fragment's mdat (the first sample's SEI). */
function firstStamp(bytes: Buffer): number | null {
  for (let o = 0; o + 8 <= bytes.length; ) {
    const size = bytes.readUInt32BE(o);
    if (bytes.toString('latin1', o + 4, o + 8) === 'mdat') {
      for (let n = o + 8; n + 4 <= o + size; ) {
        const len = bytes.readUInt32BE(n);
        const s = readStampSei(bytes.subarray(n + 4, n + 4 + len));
        if (s !== null) return s;
        n += 4 + len;
      }
      return null;
    }
    if (size < 8) return null;
    o += size;
  }
  return null;
}

const dir = await tempDir('bench-seek-pdt');
const sim = await startTestCamsim({ cameras: 1, stamp: true });
const app = await startTestApp(dir.path, { 'recording.segmentSeconds': 10 });
try {
  const camera = await app.cameras.add({ name: 'Bench', url: sim.urls[0]! }, testActor);
  const password = strongPassword();
  const user = await app.identity.users.create({ username: 'bench', password }, testActor);
  await app.identity.grants.grant(user, { role: 'investigator', scope: 'global' }, { audit: testActor, userId: null });
  const login = await get(`${app.url}/api/v1/auth/login`, { 'content-type': 'application/json' }, 'POST', JSON.stringify({ username: 'bench', password }));
  const cookie = String((login.headers['set-cookie'] as string[])[0]).split(';')[0]!;
  await waitFor(`${recordSeconds} s recorded`, (recordSeconds + 30) * 1000, async () => {
    const t = await app.playback.timeline(camera.id, Date.now() - 3_600_000, Date.now());
    const span = t.spans.at(-1);
    return span && span.endMs - span.startMs >= recordSeconds * 1000;
  });
  const from = new Date(Date.now() - 3_600_000).toISOString();
  const base = `${app.url}/api/v1/cameras/${camera.id}/`;
  const playlist = (await get(`${base}playback.m3u8?from=${from}&to=${new Date().toISOString()}`, { cookie })).body.toString();
  let pdt = 0;
  let segment = 0;
  const rows: string[] = [];
  const all: number[] = [];
  let firstOfSegment = true;
  let duration = 0;
  for (const line of playlist.split('\n')) {
    if (line.startsWith('#EXT-X-PROGRAM-DATE-TIME:')) {
      pdt = Date.parse(line.slice(25));
      segment += 1;
      firstOfSegment = true;
    } else if (line.startsWith('#EXTINF:')) duration = Number(line.slice(8).replace(',', '')) * 1000;
    else if (line.startsWith('#EXT-X-BYTERANGE:')) {
      const [len, off] = line.slice(17).split('@').map(Number);
      (globalThis as { range?: string }).range = `bytes=${off}-${off! + len! - 1}`;
    } else if (line.startsWith('segments/')) {
      const bytes = (await get(`${base}${line}`, { cookie, range: (globalThis as { range?: string }).range! })).body;
      const stamp = firstStamp(bytes);
      const off = stamp === null ? NaN : Math.round(pdt - stamp);
      all.push(off);
      rows.push(`${firstOfSegment ? `segment ${segment}` : "  "}: ${off}`);
      firstOfSegment = false;
      pdt += duration;
    }
  }
  console.log(rows.join('\n'));
  const sorted = [...all].sort((a, b) => a - b);
  console.log(`every fragment (${all.length}): min ${sorted[0]} ms, median ${sorted[Math.floor(sorted.length / 2)]} ms, max ${sorted.at(-1)} ms`);
} finally {
  await app.close();
  await sim.close();
  await dir.remove();
}
