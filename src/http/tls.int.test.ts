import { test } from 'node:test';
import assert from 'node:assert/strict';
import { X509Certificate } from 'node:crypto';
import { stat, writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { tempDir } from '../../test/helpers/harness.ts';
import { isAppError } from '../lib/errors.ts';
import { loadTlsMaterial } from './tls.ts';

test('a self-signed certificate for localhost is made once, its key private to the owner, and reused', async (t) => {
  const dir = await tempDir('tls-cert');
  t.after(() => dir.remove());
  const first = await loadTlsMaterial({ certFile: null, keyFile: null, dataDir: dir.path });
  assert.equal(first.selfSigned, true);
  const cert = new X509Certificate(first.cert);
  assert.match(cert.subjectAltName ?? '', /DNS:localhost/);
  assert.match(cert.subjectAltName ?? '', /IP Address:127\.0\.0\.1/);
  assert.ok(cert.checkPrivateKey((await import('node:crypto')).createPrivateKey(first.key)));
  assert.equal((await stat(join(dir.path, 'tls', 'self-signed.key'))).mode & 0o777, 0o600);
  const second = await loadTlsMaterial({ certFile: null, keyFile: null, dataDir: dir.path });
  assert.equal(second.cert, first.cert, 'the certificate is kept across starts');
});

test('a configured certificate is used as given, and a half-configured one is refused', async (t) => {
  const dir = await tempDir('tls-config');
  t.after(() => dir.remove());
  const made = await loadTlsMaterial({ certFile: null, keyFile: null, dataDir: join(dir.path, 'other') });
  await writeFile(join(dir.path, 'c.pem'), made.cert);
  await writeFile(join(dir.path, 'k.pem'), made.key);
  const loaded = await loadTlsMaterial({ certFile: join(dir.path, 'c.pem'), keyFile: join(dir.path, 'k.pem'), dataDir: dir.path });
  assert.deepEqual(loaded, { cert: made.cert, key: made.key, selfSigned: false });
  await assert.rejects(loadTlsMaterial({ certFile: join(dir.path, 'c.pem'), keyFile: null, dataDir: dir.path }), (e) => isAppError(e, 'CONFIG_INVALID'));
  await assert.rejects(loadTlsMaterial({ certFile: join(dir.path, 'nope.pem'), keyFile: join(dir.path, 'k.pem'), dataDir: dir.path }), (e) => isAppError(e, 'CONFIG_INVALID') && e.message.includes('server.tls.certFile'));
});
