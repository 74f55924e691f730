import { test } from 'node:test';
import assert from 'node:assert/strict';
import { createHash, randomBytes } from 'node:crypto';
import { writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { CreateBucketCommand, S3Client } from '@aws-sdk/client-s3';
import { tempDir } from '../../test/helpers/harness.ts';
import { startSwiftS3, swiftAccessKeyId, swiftSecret } from '../../test/helpers/swift-s3.ts';
import { teardown } from '../../test/helpers/teardown.ts';
import { isAppError } from '../lib/errors.ts';
import { S3Zone } from './s3-zone.ts';
import { zoneDigest } from './zone.ts';

// Real OpenStack Swift with its S3 API (test/helpers/swift-s3.ts), not a mock.
test('the S3 zone puts (single and multipart), heads, gets, lists and deletes on a real Swift s3api, and names the zone when it is down', async (t) => {
  const defer = teardown(t);
  const dir = await tempDir('s3-zone');
  defer(() => dir.remove());
  const swift = await startSwiftS3(join(dir.path, 'swift'));
  defer(() => swift.stop());
  const admin = new S3Client({ endpoint: swift.endpoint, region: swift.region, forcePathStyle: true, credentials: { accessKeyId: swiftAccessKeyId, secretAccessKey: swiftSecret } });
  await admin.send(new CreateBucketCommand({ Bucket: 'zone-test' }));
  admin.destroy();
  const zone = new S3Zone({
    id: 'offsite', jurisdiction: 'DE', endpoint: swift.endpoint, region: swift.region, bucket: 'zone-test', accessKeyId: swiftAccessKeyId, secretAccessKey: swiftSecret,
    forcePathStyle: true, caFile: null, prefix: 'custos/', requestTimeoutMs: 5000, multipartThresholdBytes: 6 << 20, partSizeBytes: 5 << 20,
  });
  defer(() => zone.close());
  const small = randomBytes(100_000);
  const large = randomBytes(12 << 20); // three parts of a multipart upload
  await writeFile(join(dir.path, 'small'), small);
  await writeFile(join(dir.path, 'large'), large);
  await zone.probe();
  await zone.put('v1/aa/small', join(dir.path, 'small'), small.length);
  await zone.put('v1/bb/large', join(dir.path, 'large'), large.length);
  assert.equal(await zone.head('v1/aa/small'), small.length);
  assert.equal(await zone.head('v1/bb/large'), large.length);
  assert.equal(await zone.head('v1/cc/none'), null);
  assert.equal(await zone.get('v1/cc/none'), null);
  assert.deepEqual(await zoneDigest(zone, 'v1/bb/large'), { sha256: createHash('sha256').update(large).digest('hex'), size: large.length });
  const keys: string[] = [];
  for await (const k of zone.list()) keys.push(k);
  assert.deepEqual(keys.sort(), ['v1/aa/small', 'v1/bb/large']);
  await zone.remove('v1/aa/small');
  await zone.remove('v1/aa/small'); // a missing object is not an error
  assert.equal(await zone.head('v1/aa/small'), null);

  await swift.stopProxy();
  const down = await zone.put('v1/aa/small', join(dir.path, 'small'), small.length).then(() => null, (e: unknown) => e);
  assert.ok(isAppError(down, 'STORAGE_FAILED'), String(down));
  assert.match(down.message, /zone offsite/);
  assert.doesNotMatch(down.message, /testing/);
  await swift.startProxy();
  await zone.put('v1/aa/small', join(dir.path, 'small'), small.length);
  assert.equal(await zone.head('v1/aa/small'), small.length);
});
