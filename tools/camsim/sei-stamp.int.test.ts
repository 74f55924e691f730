/**
 * camsim `stamp`: ffmpeg reads the stamped stream over RTSP and decodes it without a warning, and
 * every access unit carries one send-time SEI whose time is when it was sent. Real ffmpeg.
 */
import assert from 'node:assert/strict';
import { execFile } from 'node:child_process';
import { readFile } from 'node:fs/promises';
import { join } from 'node:path';
import { after, test } from 'node:test';
import { promisify } from 'node:util';
import { startTestCamsim, tempDir } from '../../test/helpers/harness.ts';
import { teardown } from '../../test/helpers/teardown.ts';
import { splitNalUnits } from './h264-annexb.ts';
import { readStampSei } from './sei-stamp.ts';

const run = promisify(execFile);
const defer = teardown({ after });

test('a stamped stream decodes cleanly and each frame has its send time', { timeout: 60_000 }, async () => {
  const dir = await tempDir('camsim-stamp');
  defer(() => dir.remove());
  const sim = await startTestCamsim({ cameras: 1, stamp: true });
  defer(() => sim.close());
  const out = join(dir.path, 'stamped.h264');
  const before = Date.now();
  await run('ffmpeg', ['-v', 'error', '-y', '-rtsp_transport', 'tcp', '-i', sim.urls[0]!, '-frames:v', '50', '-c', 'copy', '-f', 'h264', out]);
  const afterMs = Date.now();
  const decode = await run('ffmpeg', ['-v', 'warning', '-i', out, '-f', 'null', '-']);
  assert.equal(decode.stderr.trim(), '', 'ffmpeg decodes the stamped stream without a warning');
  const nals = splitNalUnits(await readFile(out));
  const stamps = nals.map((n) => readStampSei(n)).filter((t): t is number => t !== null);
  const slices = nals.filter((n) => [1, 5].includes((n[0] ?? 0) & 0x1f)).length;
  assert.equal(stamps.length, slices, 'one stamp per frame (one slice per frame in the clip)');
  assert.ok(stamps.every((t) => t >= before - 1000 && t <= afterMs), 'stamps are wall-clock send times');
  assert.ok(stamps.every((t, i) => i === 0 || t >= (stamps[i - 1] ?? 0)), 'stamps do not go back');
});
