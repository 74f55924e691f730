/**
 * CPU of one S3 zone put (issue 14 profiling): the same sealed-size object put again and again
 * into a real OpenStack Swift with s3api (test/helpers/swift-s3.ts, needs root) by S3Zone,
 * measured with process.cpuUsage() in this process (Swift runs in its own). Two variants,
 * alternating: `before` (the SDK's `Expect: 100-continue`, a new body buffer per put: the S3 zone
 * until 2026-12-07) and `now` (no 100-continue, body buffers reused). Reports CPU ms and wall ms
 * per object and their ratios.
 *
 *   node bench/s3-put-cpu.ts [--objects 40] [--size-mb 5] [--rounds 3]
 */
import { randomBytes } from 'node:crypto';
import { mkdtemp, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { parseArgs } from 'node:util';
import { CreateBucketCommand, S3Client } from '@aws-sdk/client-s3';
import { S3Zone } from '../src/storage/s3-zone.ts';
import { startSwiftS3, swiftAccessKeyId, swiftSecret } from '../test/helpers/swift-s3.ts';

const { values } = parseArgs({ options: { objects: { type: 'string', default: '40' }, 'size-mb': { type: 'string', default: '5' }, rounds: { type: 'string', default: '3' } } });
const objects = Number(values.objects);
const size = Math.round(Number(values['size-mb']) * 2 ** 20);
const rounds = Number(values.rounds);

const work = await mkdtemp(join(tmpdir(), 'custos-bench-s3put-'));
const swift = await startSwiftS3(join(work, 'swift'));
try {
  const admin = new S3Client({ endpoint: swift.endpoint, region: swift.region, forcePathStyle: true, credentials: { accessKeyId: swiftAccessKeyId, secretAccessKey: swiftSecret } });
  await admin.send(new CreateBucketCommand({ Bucket: 'bench' }));
  admin.destroy();
  const file = join(work, 'object');
  await writeFile(file, randomBytes(size));
  const zone = (before: boolean) =>
    new S3Zone({
      id: 'offsite', jurisdiction: 'FR', endpoint: swift.endpoint, region: swift.region, bucket: 'bench', accessKeyId: swiftAccessKeyId, secretAccessKey: swiftSecret,
      forcePathStyle: true, caFile: null, prefix: '', requestTimeoutMs: 30_000, multipartThresholdBytes: 16 << 20, partSizeBytes: 8 << 20, expectContinue: before, reuseBuffers: !before,
    });
  const results: Record<string, { cpu: number[]; wall: number[] }> = { before: { cpu: [], wall: [] }, now: { cpu: [], wall: [] } };
  for (let r = 0; r < rounds; r++) {
    for (const before of r % 2 === 0 ? [true, false] : [false, true]) {
      const z = zone(before);
      await z.put('warm', file, size);
      const c0 = process.cpuUsage();
      const t0 = performance.now();
      for (let i = 0; i < objects; i++) await z.put(`v1/${r}/${i}`, file, size);
      const c = process.cpuUsage(c0);
      const wall = performance.now() - t0;
      await z.close();
      const name = before ? 'before' : 'now';
      results[name]!.cpu.push((c.user + c.system) / 1000 / objects);
      results[name]!.wall.push(wall / objects);
      console.log(`round ${r + 1} ${name.padEnd(6)} ${((c.user + c.system) / 1000 / objects).toFixed(1)} CPU ms/object, ${(wall / objects).toFixed(1)} ms wall/object`);
    }
  }
  const mean = (xs: number[]) => xs.reduce((a, b) => a + b, 0) / xs.length;
  const a = results['before']!;
  const b = results['now']!;
  console.log(`mean ${(size / 2 ** 20).toFixed(1)} MiB objects: before ${mean(a.cpu).toFixed(1)} CPU ms, ${mean(a.wall).toFixed(1)} ms wall; now ${mean(b.cpu).toFixed(1)} CPU ms, ${mean(b.wall).toFixed(1)} ms wall; CPU ratio ${(mean(b.cpu) / mean(a.cpu)).toFixed(2)}, wall ratio ${(mean(b.wall) / mean(a.wall)).toFixed(2)}`);
} finally {
  await swift.stop();
  await rm(work, { recursive: true, force: true });
}
