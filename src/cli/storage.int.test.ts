import { test } from 'node:test';
import assert from 'node:assert/strict';
import { execFile } from 'node:child_process';
import { writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { promisify } from 'node:util';
import { freePort, tempDir } from '../../test/helpers/harness.ts';
import { teardown } from '../../test/helpers/teardown.ts';

const run = promisify(execFile);
const cli = join(import.meta.dirname, '../../bin/custos.js');

async function custos(args: string[]): Promise<{ code: number; stdout: string; stderr: string }> {
  try {
    const { stdout, stderr } = await run(process.execPath, [cli, ...args], { env: { PATH: process.env.PATH ?? '' } });
    return { code: 0, stdout, stderr };
  } catch (e) {
    const err = e as { code: number; stdout: string; stderr: string };
    return { code: err.code, stdout: err.stdout, stderr: err.stderr };
  }
}

test('custos storage status shows the default zone, an S3 zone that does not answer as down, and refuses a placement without the recording zone in one line', async (t) => {
  const defer = teardown(t);
  const dir = await tempDir('storage-cli');
  defer(() => dir.remove());
  const plain = await custos(['storage', 'status', '--data-dir', dir.path, '--json']);
  assert.equal(plain.code, 0, plain.stderr);
  const status = JSON.parse(plain.stdout) as { zones: Array<{ id: string; kind: string; recording: boolean; health: string; backlog: { pending: number } }>; unacknowledged: number };
  assert.deepEqual(status.zones.map((z) => [z.id, z.kind, z.recording, z.health, z.backlog.pending]), [['default', 'local', true, 'ok', 0]]);

  const secret = join(dir.path, 's3-secret');
  await writeFile(secret, 'not-a-real-secret-value\n', { mode: 0o600 });
  const port = await freePort(); // nothing listens there
  const zones = `storage:
  zones:
    - { id: disk, kind: local, path: ${join(dir.path, 'segments')}, jurisdiction: DE }
    - { id: offsite, kind: s3, endpoint: "http://127.0.0.1:${port}", bucket: footage, accessKeyId: key, secretAccessKeyFile: ${secret}, forcePathStyle: true, jurisdiction: FR, requestTimeoutSeconds: 2 }
`;
  const good = join(dir.path, 'good.yaml');
  await writeFile(good, `${zones}  placement:\n    default: { zones: [disk, offsite], ack: 1 }\n`);
  const text = await custos(['storage', 'status', '--config', good, '--data-dir', dir.path]);
  assert.equal(text.code, 0, text.stderr);
  assert.match(text.stdout, /^disk \(recording\): local, jurisdiction DE, ok;/m);
  assert.match(text.stdout, /^offsite: s3, jurisdiction FR, down \(zone offsite cannot reach bucket footage/m);
  assert.doesNotMatch(text.stdout + text.stderr, /not-a-real-secret-value/);

  const bad = join(dir.path, 'bad.yaml');
  await writeFile(bad, `${zones}  placement:\n    default: { zones: [offsite], ack: 1 }\n`);
  const refused = await custos(['storage', 'status', '--config', bad, '--data-dir', dir.path]);
  assert.notEqual(refused.code, 0);
  assert.match(refused.stderr, /storage: placement.default must include the recording zone "disk"/);
  assert.equal(refused.stderr.trim().split('\n').length, 1, refused.stderr);

  const scrubbed = await custos(['storage', 'scrub', '--data-dir', dir.path]);
  assert.equal(scrubbed.code, 0, scrubbed.stderr);
  assert.match(scrubbed.stdout, /^0 segments, 0 copies/m);
});
