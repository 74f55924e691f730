// The cosignature store against real SQLite and PostgreSQL.
import assert from 'node:assert/strict';
import { describe, test } from 'node:test';
import { createTestDatabase, engines } from '../../test/helpers/databases.ts';
import { teardown } from '../../test/helpers/teardown.ts';
import { createCosignatureStore } from './cosignature.store.ts';

describe('cosignature store', { concurrency: true }, () => {
  for (const engine of engines) {
    test(`${engine}: keeps one line per checkpoint size and witness, lists a size's lines and a witness's largest size`, async (t) => {
      const defer = teardown(t);
      const db = await createTestDatabase(engine);
      defer(() => db.close());
      const store = createCosignatureStore(db.db);
      assert.equal(await store.latestSizeOf('w1'), 0);
      const line = (w: string, size: number) => `\u2014 ${w} line-of-${size}\n`;
      for (const [w, size] of [['w1', 10], ['w2', 10], ['w1', 2 ** 40]] as const) await store.insert({ size, witness: w, line: line(w, size), timeS: 1_800_000_000, receivedMs: 1_800_000_000_123 });
      // A second cosignature of the same size by the same witness is ignored (the first is kept).
      await store.insert({ size: 10, witness: 'w1', line: 'other\n', timeS: 1, receivedMs: 2 });
      assert.deepEqual(
        (await store.forSize(10)).map((c) => [c.witness, c.line, c.timeS, c.receivedMs]),
        [
          ['w1', line('w1', 10), 1_800_000_000, 1_800_000_000_123],
          ['w2', line('w2', 10), 1_800_000_000, 1_800_000_000_123],
        ],
      );
      assert.equal(await store.latestSizeOf('w1'), 2 ** 40);
      assert.equal(await store.latestSizeOf('w2'), 10);
    });
  }
});
