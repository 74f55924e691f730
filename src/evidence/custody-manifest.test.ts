import assert from 'node:assert/strict';
import { test } from 'node:test';
import { isAppError } from '../lib/errors.ts';
import { custodyBytes, custodyProblems, parseCustody, type CustodyRecord } from './custody-record.ts';
import { manifestBytes, parseManifest } from './manifest.ts';

const custody: CustodyRecord = {
  v: 1,
  exportId: 'e1',
  cameraId: 'c1',
  cameraName: 'Gate',
  from: '2025-01-15T10:00:00.000Z',
  to: '2025-01-15T10:01:00.000Z',
  requestedBy: { kind: 'user', id: 'user:1', name: 'Alice' },
  requestedAt: '2025-01-15T11:00:00.000Z',
  reason: 'Theft, case 17',
  requestedFor: 'Police Lyon',
  producedAt: '2025-01-15T11:02:00.000Z',
  producer: 'custos 0.1.0',
};

test('a custody record round-trips through its canonical bytes', () => {
  const bytes = custodyBytes(custody);
  assert.equal(
    bytes.toString(),
    '{"cameraId":"c1","cameraName":"Gate","exportId":"e1","from":"2025-01-15T10:00:00.000Z","producedAt":"2025-01-15T11:02:00.000Z","producer":"custos 0.1.0",' +
      '"reason":"Theft, case 17","requestedAt":"2025-01-15T11:00:00.000Z","requestedBy":{"id":"user:1","kind":"user","name":"Alice"},"requestedFor":"Police Lyon",' +
      '"to":"2025-01-15T10:01:00.000Z","v":1}',
  );
  assert.deepEqual(parseCustody(bytes), { ok: true, record: custody });
});

test('a custody record must say who, when, why and for whom, over a real range', () => {
  const broken: Array<[Record<string, unknown>, RegExp]> = [
    [{ reason: '  ' }, /reason \(why\)/],
    [{ requestedFor: '' }, /requestedFor \(for whom\)/],
    [{ requestedBy: undefined }, /requestedBy \(who\)/],
    [{ requestedBy: { kind: 'robot', id: 'x' } }, /requestedBy\.kind/],
    [{ requestedAt: 'yesterday' }, /requestedAt \(when\)/],
    [{ from: '2025-01-15T12:00:00+02:00' }, /from must be an RFC 3339 UTC/],
    [{ to: '2025-01-15T09:00:00.000Z' }, /to must be after from/],
    [{ producer: 'vlc' }, /producer/],
    [{ requestSeq: 4 }, /unknown field "requestSeq"/],
    [{ v: 2 }, /v must be 1/],
  ];
  for (const [change, reason] of broken) {
    const record = { ...custody, ...change };
    assert.match(custodyProblems(record).join('; '), reason, JSON.stringify(change));
    assert.throws(() => custodyBytes(record), (e: unknown) => isAppError(e, 'VALIDATION_FAILED'));
  }
  assert.deepEqual(parseCustody(Buffer.from('{"v":1}')).ok, false);
});

test('a manifest lists the required files and pairs every event with its proof', () => {
  const hash = 'a'.repeat(64);
  const files = new Map([['export.mp4', hash], ['custody.json', hash], ['checkpoint.txt', hash], ['events/3.json', hash], ['proofs/3.tlog-proof', hash]]);
  const bytes = manifestBytes(files);
  assert.match(bytes.toString(), /^\{"files":\{"checkpoint\.txt":"a{64}","custody\.json".*\},"format":"custos-evidence\/v1"\}$/);
  const parsed = parseManifest(bytes);
  assert.ok(parsed.ok);
  assert.deepEqual(parsed.files, files);
  const problems = (m: Map<string, string>): string => {
    const r = parseManifest(manifestBytes(m));
    return r.ok ? '' : r.problems.join('; ');
  };
  assert.match(problems(new Map([...files].filter(([p]) => p !== 'proofs/3.tlog-proof'))), /lists events\/3\.json without proofs\/3\.tlog-proof/);
  assert.match(problems(new Map([...files].filter(([p]) => p !== 'custody.json'))), /does not list custody\.json/);
  assert.match(problems(new Map([...files, ['../x', hash]])), /lists "\.\.\/x", which is not a file of the format/);
  assert.match(problems(new Map([...files, ['events/03.json', hash]])), /not a file of the format/);
  assert.match(problems(new Map([...files, ['manifest.json', hash]])), /not a file of the format/);
  assert.match(problems(new Map([...files, ['export.mp4', hash.toUpperCase()]])), /export\.mp4 a hash that is not 64 lowercase hex/);
});
