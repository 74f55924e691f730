import { test } from 'node:test';
import assert from 'node:assert/strict';
import { AppError } from '../lib/errors.ts';
import type { AuditInput } from '../audit/audit-event.ts';
import type { AuditSink, RecordedEvent } from '../audit/ledger.ts';
import type { Principal } from '../access/principal.ts';
import type { Segment } from '../media/segment.ts';
import { assertStreamable } from './four-eyes-stream.ts';
import { PlaybackAudit } from './playback-audit.ts';
import { sensitiveCameraPatch } from '../approvals/sensitive-change.ts';
import { coversFourEyesSite } from '../access/four-eyes-scope.ts';

const segment: Segment = {
  id: 's',
  cameraId: 'c',
  objectKey: 'c/s',
  startMs: 0,
  endMs: 3_000,
  bytes: 100 + 3 * 1000,
  initSize: 100,
  codec: 'avc1.640028',
  timescale: 12800,
  fragments: [0, 1, 2].map((i) => ({ offset: 100 + i * 1000, size: 1000, durationMs: 1000, keyframe: true })),
  state: 'closed',
};
const principal = (via: 'session' | 'token'): Principal => ({ via, userId: 'u', username: 'u', displayName: 'U', tokenId: via === 'token' ? 't' : null, limit: null, mfaRequired: false, mfaSatisfied: true, hasFactor: false, grants: [] });
const code = (f: () => void) => {
  try {
    f();
    return 'served';
  } catch (e) {
    return e instanceof AppError ? e.code : 'thrown';
  }
};

test('a four-eyes site streams a session exactly the init or one fragment, and nothing to a token', () => {
  const session = principal('session');
  const cases: [string, { start: number; end: number } | undefined, string][] = [
    ['the init section', { start: 0, end: 99 }, 'served'],
    ['the first fragment', { start: 100, end: 1099 }, 'served'],
    ['the last fragment', { start: 2100, end: 3099 }, 'served'],
    ['no Range: the whole segment', undefined, 'EXPORT_REQUIRED'],
    ['the whole segment as a range', { start: 0, end: 3099 }, 'EXPORT_REQUIRED'],
    ['init and first fragment', { start: 0, end: 1099 }, 'EXPORT_REQUIRED'],
    ['two fragments', { start: 100, end: 2099 }, 'EXPORT_REQUIRED'],
    ['half a fragment', { start: 100, end: 599 }, 'EXPORT_REQUIRED'],
  ];
  for (const [what, range, expected] of cases) assert.equal(code(() => assertStreamable(session, segment, range)), expected, what);
  assert.equal(code(() => assertStreamable(principal('token'), segment, { start: 0, end: 99 })), 'EXPORT_REQUIRED', 'a token');
  assert.equal(code(() => assertStreamable(principal('token'), null, undefined)), 'EXPORT_REQUIRED', 'a token asking for a playlist');
  assert.equal(code(() => assertStreamable(session, null, undefined)), 'served', 'a session asking for a playlist');
});

/** A sink that keeps what it is given (a plain value standing in for the ledger's interface). */
function sink(fail = false): AuditSink & { events: AuditInput[]; release(): void } {
  let release = () => undefined as void;
  const gate = new Promise<void>((r) => (release = r));
  const events: AuditInput[] = [];
  return {
    events,
    release: () => release(),
    async record(input) {
      events.push(input);
      await gate;
      if (fail) throw new AppError('AUDIT_UNAVAILABLE', 'down');
      return { seq: events.length } as unknown as RecordedEvent;
    },
  };
}
const by = (id: string) => ({ actor: { kind: 'user' as const, id } });

test('concurrent first views of a range share one ledger commit; repeats within the window add none; after it, one more', async () => {
  let now = 1_000_000;
  const s = sink();
  const audit = new PlaybackAudit(s, { now: () => now });
  const camera = { id: 'c', name: 'C' };
  const first = Array.from({ length: 20 }, () => audit.playlist(by('user:a'), camera, 0, 60_000));
  s.release();
  await Promise.all(first);
  for (let i = 0; i < 20; i++) await audit.playlist(by('user:a'), camera, 0, 60_000);
  assert.equal(s.events.length, 1);
  await audit.playlist(by('user:a'), camera, 0, 30_000);
  await audit.playlist(by('user:b'), camera, 0, 60_000);
  await audit.segment(by('user:a'), 'c', 'seg');
  assert.equal(s.events.length, 4, 'another range, another viewer, a segment');
  now += 10 * 60_000 + 1;
  await audit.playlist(by('user:a'), camera, 0, 60_000);
  assert.equal(s.events.length, 5, 'a view after the window is a new playback');
});

test('a view the ledger could not record fails and is not remembered', async () => {
  const s = sink(true);
  s.release();
  const audit = new PlaybackAudit(s, { now: () => 0 });
  await assert.rejects(audit.segment(by('user:a'), 'c', 'seg'), /down/);
  await assert.rejects(audit.segment(by('user:a'), 'c', 'seg'), /down/);
  assert.equal(s.events.length, 2);
});

test('memory is bounded: past 10,000 remembered views the oldest is forgotten and recorded again', async () => {
  const s = sink();
  s.release();
  const audit = new PlaybackAudit(s, { now: () => 0 });
  for (let i = 0; i <= 10_000; i++) await audit.segment(by('user:a'), 'c', `seg-${i}`);
  assert.equal(s.events.length, 10_001);
  await audit.segment(by('user:a'), 'c', 'seg-10000');
  assert.equal(s.events.length, 10_001, 'the newest is remembered');
  await audit.segment(by('user:a'), 'c', 'seg-0');
  assert.equal(s.events.length, 10_002, 'the oldest was forgotten');
});

test('weakening a four-eyes camera is sensitive and must come alone; strengthening it, or any change elsewhere, is not', () => {
  const camera = { id: 'c', siteId: 'vault', retentionHours: 72, minRetentionHours: 48 };
  const fourEyes = { current: true, target: true };
  assert.deepEqual(sensitiveCameraPatch(camera, { retentionHours: 24 }, fourEyes), { change: 'camera.retention', cameraId: 'c', retentionHours: 24, beforeHours: 72 });
  assert.equal(sensitiveCameraPatch(camera, { retentionHours: 100 }, fourEyes), null);
  assert.equal(sensitiveCameraPatch(camera, { retentionHours: 24 }, { current: false, target: false }), null);
  assert.deepEqual(sensitiveCameraPatch(camera, { siteId: 'yard' }, { current: true, target: false }), { change: 'camera.move', cameraId: 'c', siteId: 'yard', fromSiteId: 'vault' });
  assert.equal(sensitiveCameraPatch(camera, { siteId: 'vault2' }, { current: true, target: true }), null, 'to another four-eyes site');
  assert.throws(() => sensitiveCameraPatch(camera, { retentionHours: 24, password: 'x' }, fourEyes), /send it alone, without password/);
  assert.equal(sensitiveCameraPatch(camera, { name: 'New', enabled: true }, fourEyes), null);
  // The minimum retention is what the disk-full policy may never delete: lowering it weakens too.
  assert.deepEqual(sensitiveCameraPatch(camera, { minRetentionHours: 0 }, fourEyes), { change: 'camera.minRetention', cameraId: 'c', minRetentionHours: 0, beforeHours: 48 });
  assert.equal(sensitiveCameraPatch(camera, { minRetentionHours: 60 }, fourEyes), null);
  assert.throws(() => sensitiveCameraPatch(camera, { minRetentionHours: 0, name: 'x' }, fourEyes), /lower minimum retention needs a second person's approval: send it alone, without name/);
});

test('a scope covers a four-eyes site when global, the site, or a group or camera placed there', () => {
  const sites = new Set(['vault']);
  const placements = [
    { id: 'v1', siteId: 'vault', groupIds: ['doors'] },
    { id: 'y1', siteId: 'yard', groupIds: ['gates'] },
  ];
  assert.equal(coversFourEyesSite({ kind: 'global' }, sites, placements), true);
  assert.equal(coversFourEyesSite({ kind: 'global' }, new Set(), placements), false, 'no four-eyes site');
  assert.equal(coversFourEyesSite({ kind: 'site', id: 'vault' }, sites, placements), true);
  assert.equal(coversFourEyesSite({ kind: 'site', id: 'yard' }, sites, placements), false);
  assert.equal(coversFourEyesSite({ kind: 'group', id: 'doors' }, sites, placements), true);
  assert.equal(coversFourEyesSite({ kind: 'group', id: 'gates' }, sites, placements), false);
  assert.equal(coversFourEyesSite({ kind: 'camera', id: 'v1' }, sites, placements), true);
  assert.equal(coversFourEyesSite({ kind: 'camera', id: 'y1' }, sites, placements), false);
});
