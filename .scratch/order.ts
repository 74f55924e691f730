import { createTestDatabase } from '../test/helpers/databases.ts';
import { createTestDataKeys } from '../test/helpers/keys.ts';
import { createTestLedger, testActor } from '../test/helpers/audit.ts';
for (const engine of ['sqlite', 'postgres'] as const) {
  const database = await createTestDatabase(engine);
  const keys = await createTestDataKeys(database.db);
  const l = await createTestLedger(database.db, keys.dataKeys);
  const t0 = performance.now();
  const ps = [];
  for (let i = 0; i < 2000; i++) {
    ps.push(l.ledger.record(i % 50 === 7 ? { type: 'auth.login.failed', actor: { kind: 'user', id: `user:${i % 3}`, name: 'Ann' }, source: { address: '10.0.0.1' }, outcome: 'failure' } : { type: 'footage.played', ...testActor, outcome: 'success', details: { i } }));
  }
  const r = await Promise.all(ps);
  const bad = r.map((e, i) => e.seq === i ? -1 : i).filter((i) => i >= 0);
  console.log(engine, 'ms', (performance.now() - t0).toFixed(0), 'out of order', bad.length, bad.slice(0, 5));
  await l.close(); await keys.close(); await database.close();
}
