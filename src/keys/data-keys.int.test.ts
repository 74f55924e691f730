import { test, describe, before, after } from 'node:test';
import assert from 'node:assert/strict';
import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { createTestDatabase, engines, type TestDatabase } from '../../test/helpers/databases.ts';
import { isAppError } from '../lib/errors.ts';
import type { KeyProvider } from './key-provider.ts';
import { openFileKeyProvider } from './file-key-provider.ts';
import { createDataKeyStore } from './data-keys.store.ts';
import { DataKeys } from './data-keys.ts';
import { teardown } from '../../test/helpers/teardown.ts';

const hour = 3_600_000;
const t0 = 1_700_000_000_000 - (1_700_000_000_000 % hour);

/** The real file provider, counting unwraps (a test-local wrapper, not a mock). */
function counting(provider: KeyProvider): KeyProvider & { unwraps: number } {
  const counted = {
    unwraps: 0,
    kind: provider.kind,
    currentVersion: () => provider.currentVersion(),
    versions: () => provider.versions(),
    wrap: (k: Buffer) => provider.wrap(k),
    unwrap: (v: number, w: Buffer) => {
      counted.unwraps++;
      return provider.unwrap(v, w);
    },
    rotate: () => provider.rotate(),
    retire: (v: number) => provider.retire(v),
    close: () => provider.close(),
  };
  return counted;
}

for (const engine of engines) {
  describe(`data keys on ${engine}`, () => {
    let database: TestDatabase;
    let dir: string;
    let provider: KeyProvider & { unwraps: number };
    let now = t0;
    const clock = { now: () => now };
    const make = (cacheMs = 600_000) => new DataKeys({ provider, store: createDataKeyStore(database.db), clock, monotonic: clock, hours: 1, cacheMs });
    before(async () => {
      database = await createTestDatabase(engine);
      dir = await mkdtemp(join(tmpdir(), 'custos-dk-'));
      provider = counting(await openFileKeyProvider({ path: join(dir, 'master.key'), passphrase: null }));
    });
    const defer = teardown({ after });
    defer(() => rm(dir, { recursive: true, force: true }));
    defer(() => database.close());
    defer(() => provider.close());

    test('the same camera window gives the same key, the next hour a new one, and concurrent callers share one', async () => {
      const keys = make();
      const [a, b, c] = await Promise.all([keys.keyFor('cam-1', t0 + 5), keys.keyFor('cam-1', t0 + 10), make().keyFor('cam-1', t0 + 20)]);
      assert.equal(a.key.length, 32);
      assert.equal(b.id, a.id);
      assert.equal(c.id, a.id);
      assert.deepEqual(b.key, a.key);
      assert.deepEqual(c.key, a.key);
      const next = await keys.keyFor('cam-1', t0 + hour);
      assert.notEqual(next.id, a.id);
      assert.notDeepEqual(next.key, a.key);
      assert.notEqual((await keys.keyFor('cam-2', t0 + 5)).id, a.id);
      const rows = await database.db.selectFrom('data_keys').selectAll().where('camera_id', '=', 'cam-1').execute();
      assert.equal(rows.length, 2);
    });

    test('the database holds only the wrapped key, and a fresh service unwraps it by id', async () => {
      const { id, key } = await make().keyFor('cam-3', t0);
      const row = await database.db.selectFrom('data_keys').selectAll().where('id', '=', id).executeTakeFirstOrThrow();
      const wrapped = Buffer.from(row.wrapped, 'base64');
      assert.equal(wrapped.includes(key), false);
      assert.equal(row.wrapped.includes(key.toString('base64')), false);
      assert.equal(Number(row.hour_ms), t0);
      assert.equal(row.kek_version, provider.currentVersion());
      assert.deepEqual(await make().keyById(id), key);
      await assert.rejects(make().keyById('00000000-0000-0000-0000-000000000000'), (e) => isAppError(e, 'KEY_UNAVAILABLE'));
    });

    test('a cached key is served without asking the provider to unwrap again, until its time to live passes', async () => {
      const writer = make();
      const { id } = await writer.keyFor('cam-4', t0);
      const keys = make(60_000);
      const before = provider.unwraps;
      await keys.keyById(id);
      await keys.keyById(id);
      await keys.keyFor('cam-4', t0 + 1);
      assert.equal(provider.unwraps, before + 1);
      now += 60_000;
      await keys.keyById(id);
      assert.equal(provider.unwraps, before + 2);
      now = t0;
    });

    test('destroyBefore shreds keys whose window has ended, and they stay unavailable after the cache is cleared', async () => {
      const keys = make();
      const h0 = await keys.keyFor('cam-5', t0);
      const h1 = await keys.keyFor('cam-5', t0 + hour);
      const h2 = await keys.keyFor('cam-5', t0 + 2 * hour);
      const other = await keys.keyFor('cam-6', t0);
      assert.equal(await keys.destroyBefore('cam-5', t0 + 2 * hour - 1), 1);
      assert.equal(await keys.destroyBefore('cam-5', t0 + 2 * hour), 1);
      assert.equal(await keys.destroyBefore('cam-5', t0 + 2 * hour), 0);
      for (const k of [h0, h1]) await assert.rejects(keys.keyById(k.id), (e) => isAppError(e, 'KEY_UNAVAILABLE') && /destroyed/.test(e.message));
      keys.clearCache();
      for (const k of [h0, h1]) await assert.rejects(make().keyById(k.id), (e) => isAppError(e, 'KEY_UNAVAILABLE'));
      assert.deepEqual(await keys.keyById(h2.id), h2.key);
      assert.deepEqual(await keys.keyById(other.id), other.key);
      const row = await database.db.selectFrom('data_keys').selectAll().where('id', '=', h0.id).executeTakeFirstOrThrow();
      assert.equal(row.wrapped, '');
      assert.equal(Number(row.destroyed_ms), now);
      const counts = await keys.counts();
      assert.ok(counts.destroyed >= 2 && counts.live >= 4);
    });

    test('a window whose key was destroyed gives a fresh key of the next generation, and the destroyed one stays unavailable', async () => {
      // The wall clock stepped back into shredded time: recording MUST NOT wait for the next window.
      const keys = make();
      const first = await keys.keyFor('cam-8', t0);
      assert.equal(await keys.destroyBefore('cam-8', t0 + hour), 1);
      const fresh = await keys.keyFor('cam-8', t0 + 10);
      assert.notEqual(fresh.id, first.id);
      assert.notDeepEqual(fresh.key, first.key);
      const [again, elsewhere] = await Promise.all([keys.keyFor('cam-8', t0 + 20), make().keyFor('cam-8', t0 + 30)]);
      assert.equal(again.id, fresh.id, 'the fresh key serves the rest of the window');
      assert.equal(elsewhere.id, fresh.id, 'another process finds the same fresh key');
      await assert.rejects(make().keyById(first.id), (e) => isAppError(e, 'KEY_UNAVAILABLE') && /destroyed/.test(e.message));
      assert.equal(await keys.destroyBefore('cam-8', t0 + hour), 1, 'retention shreds the fresh key with its window');
      await assert.rejects(make().keyById(fresh.id), (e) => isAppError(e, 'KEY_UNAVAILABLE'));
      const rows = await database.db.selectFrom('data_keys').select(['generation', 'destroyed_ms']).where('camera_id', '=', 'cam-8').orderBy('generation').execute();
      assert.deepEqual(rows.map((r) => Number(r.generation)), [0, 1]);
    });

    test('rewrapAll moves every live key to a new master key version, retires the old, and every key still resolves', async () => {
      const keys = make();
      const live = [];
      for (let h = 0; h < 3; h++) live.push(await keys.keyFor('cam-7', t0 + h * hour));
      const secret = await keys.sealSecret('camera password');
      const oldVersion = provider.currentVersion();
      const progress: Array<[number, number]> = [];
      const count = await keys.rewrapAll((done, total) => progress.push([done, total]));
      const newVersion = provider.currentVersion();
      assert.equal(newVersion, oldVersion + 1);
      assert.deepEqual(provider.versions(), [newVersion]);
      const liveRows = await database.db.selectFrom('data_keys').selectAll().where('destroyed_ms', 'is', null).execute();
      assert.equal(count, liveRows.length);
      assert.ok(liveRows.every((r) => r.kek_version === newVersion));
      assert.deepEqual(progress.at(0), [0, count]);
      assert.deepEqual(progress.at(-1), [count, count]);
      const fresh = make();
      for (const k of live) assert.deepEqual(await fresh.keyById(k.id), k.key);
      assert.equal(await fresh.openSecret(secret), 'camera password');
    });

    test('a sealed secret opens to its plain text, and tampering or garbage is refused', async () => {
      const keys = make();
      const sealed = await keys.sealSecret('s3cr3t pässword');
      assert.match(sealed, /^v1:[0-9a-f-]{36}:[A-Za-z0-9+/=]+$/);
      assert.equal(sealed.includes('s3cr3t'), false);
      assert.notEqual(await keys.sealSecret('s3cr3t pässword'), sealed);
      assert.equal(await keys.openSecret(sealed), 's3cr3t pässword');
      assert.equal(await make().openSecret(sealed), 's3cr3t pässword');
      const [, id, body] = sealed.split(':');
      const bytes = Buffer.from(body!, 'base64');
      bytes[14]! ^= 1;
      await assert.rejects(keys.openSecret(`v1:${id}:${bytes.toString('base64')}`), (e) => isAppError(e, 'KEY_UNAVAILABLE'));
      const otherKey = (await keys.keyFor('cam-8', t0)).id;
      await assert.rejects(keys.openSecret(`v1:${otherKey}:${body}`), (e) => isAppError(e, 'KEY_UNAVAILABLE'));
      await assert.rejects(keys.openSecret('plain text'), (e) => isAppError(e, 'VALIDATION_FAILED'));
      await assert.rejects(keys.keyFor('__secrets__', 0), (e) => isAppError(e, 'VALIDATION_FAILED'));
      await assert.rejects(keys.destroyBefore('__secrets__', t0), (e) => isAppError(e, 'VALIDATION_FAILED'));
    });
  });
}
