import { createTestDatabase } from '../test/helpers/databases.ts';
import { createTestDataKeys } from '../test/helpers/keys.ts';
import { createTestLedger } from '../test/helpers/audit.ts';
import { createHash } from 'node:crypto';
const n = Number(process.argv[2] ?? 20000);
const personal = process.argv[3] !== 'nopersonal';
const database = await createTestDatabase('sqlite');
const keys = await createTestDataKeys(database.db);
const l = await createTestLedger(database.db, keys.dataKeys, { checkpointEntries: 1000 });
const ev = (i: number) => personal && i % 10 === 9 ? { type: 'auth.login.failed' as const, actor: { kind: 'user' as const, id: `user:${i % 7}`, name: 'Bench User' }, source: { address: '192.0.2.7' }, outcome: 'failure' as const } :
  { type: 'footage.segment.sealed' as const, actor: { kind: 'system' as const, id: 'system:recorder' }, cameraId: `cam-${i % 16}`, target: { kind: 'segment', id: `seg-${i}` }, outcome: 'success' as const, details: { fromMs: 1_800_000_000_000 + i * 6000, bytes: 3_000_000 + i, sha256: createHash('sha256').update(String(i)).digest('hex') } };
await Promise.all(Array.from({ length: 1000 }, (_, i) => l.ledger.record(ev(i))));
for (let r = 0; r < 2; r++) {
const t0 = performance.now();
await Promise.all(Array.from({ length: n }, (_, i) => l.ledger.record(ev(i))));
console.log('appends/s', Math.round(n / (performance.now() - t0) * 1000));
}
await l.ledger.drain();
console.log('checkpoints', (await l.store.allCheckpoints()).map((c) => c.size).join(','));
await l.close(); await keys.close(); await database.close();
