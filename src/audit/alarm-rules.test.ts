import { test } from 'node:test';
import assert from 'node:assert/strict';
import { AlarmRules, alarmRules, type AlarmRuleId } from './alarm-rules.ts';
import { leafRecordOf, type AuditInput, type LeafRecord } from './audit-event.ts';
import { isAuditEventType, type AuditEventType } from './catalogue.ts';

const minute = 60_000;
const hour = 60 * minute;
const t0 = Date.UTC(2025, 0, 1, 12, 0, 0);

/** Feeds records to one AlarmRules, numbering them in order as the ledger would. */
function feeder() {
  const rules = new AlarmRules();
  let seq = 0;
  return (type: AuditEventType, atMs: number, extra: Partial<AuditInput> = {}): AuditInput[] => {
    const input: AuditInput = { type, actor: { kind: 'system', id: 'system' }, outcome: 'success', ...extra };
    const record: LeafRecord = leafRecordOf(input, { id: `id-${seq}`, timeMs: t0 + atMs }, seq);
    seq += 1;
    return rules.evaluate(record);
  };
}

const user = (id: string) => ({ target: { kind: 'user', id: `user:${id}`, name: `Person ${id}` } });
const camera = (id: string) => ({ cameraId: id, target: { kind: 'camera', id } });
const privileged = (id: string) => ({ ...user(id), details: { role: 'admin', privileged: true } });

function rulesOf(alarms: readonly AuditInput[]): unknown[] {
  return alarms.map((a) => a.details?.rule);
}

test('every rule id is documented, and every watched type is catalogued', () => {
  for (const [id, rule] of Object.entries(alarmRules)) {
    assert.match(id, /^[a-z]+(-[a-z]+)+$/);
    assert.ok(rule.title.length > 5 && rule.description.length > 20, `${id} lacks a title or description`);
    for (const type of rule.on) assert.ok(isAuditEventType(type), `${id} watches ${type}`);
  }
});

test('two lockouts in 15 minutes raise nothing; the third raises lockouts-burst with all three', () => {
  const feed = feeder();
  assert.deepEqual(feed('auth.lockout', 0, user('a')), []);
  assert.deepEqual(feed('auth.lockout', 5 * minute, user('b')), []);
  const alarms = feed('auth.lockout', 10 * minute, user('c'));
  assert.deepEqual(alarms, [
    {
      type: 'alarm.raised',
      actor: { kind: 'system', id: 'system:alarm-rules' },
      outcome: 'success',
      details: { rule: 'lockouts-burst', title: alarmRules['lockouts-burst'].title, triggeredBy: [0, 1, 2], windowMinutes: 15 },
    },
  ]);
});

test('a lockout burst of one account names that account, without its display name', () => {
  const feed = feeder();
  feed('auth.lockout', 0, user('a'));
  feed('auth.lockout', minute, user('a'));
  const [alarm] = feed('auth.lockout', 2 * minute, user('a'));
  assert.deepEqual(alarm?.target, { kind: 'user', id: 'user:a' });
});

test('three lockouts spanning exactly 15 minutes raise; 15 minutes and 1 ms do not', () => {
  const exact = feeder();
  exact('auth.lockout', 0, user('a'));
  exact('auth.lockout', 7 * minute, user('b'));
  assert.deepEqual(rulesOf(exact('auth.lockout', 15 * minute, user('c'))), ['lockouts-burst']);

  const over = feeder();
  over('auth.lockout', 0, user('a'));
  over('auth.lockout', 7 * minute, user('b'));
  assert.deepEqual(over('auth.lockout', 15 * minute + 1, user('c')), []);
});

test('a burst raises once, and again only after the window held fewer than 3', () => {
  const feed = feeder();
  feed('auth.lockout', 0, user('a'));
  feed('auth.lockout', minute, user('b'));
  assert.equal(feed('auth.lockout', 2 * minute, user('c')).length, 1);
  assert.deepEqual(feed('auth.lockout', 3 * minute, user('d')), [], 'a fourth lockout is the same burst');
  assert.deepEqual(feed('auth.lockout', 4 * minute, user('e')), []);
  // Other records in between move time on: at 30 min the window is empty.
  assert.deepEqual(feed('camera.created', 30 * minute, camera('c1')), []);
  assert.deepEqual(feed('auth.lockout', 31 * minute, user('f')), []);
  assert.deepEqual(feed('auth.lockout', 32 * minute, user('g')), []);
  const [again] = feed('auth.lockout', 33 * minute, user('h'));
  assert.deepEqual(again?.details?.triggeredBy, [6, 7, 8]);
});

test('a sustained burst re-raises once the oldest lockouts slide out of the window', () => {
  const feed = feeder();
  feed('auth.lockout', 0, user('a'));
  feed('auth.lockout', minute, user('b'));
  assert.equal(feed('auth.lockout', 2 * minute, user('c')).length, 1);
  // At 16 min the lockouts at 0 and 1 min are out: 1 left (2 min), so the rule re-arms.
  assert.deepEqual(feed('auth.lockout', 16 * minute + 1, user('d')), []);
  assert.deepEqual(rulesOf(feed('auth.lockout', 16 * minute + 2, user('e'))), ['lockouts-burst']);
});

test('every successful grant raises privilege-assigned at once, naming the principal', () => {
  const feed = feeder();
  const first = feed('access.grant.created', 0, { ...user('a'), details: { role: 'viewer', privileged: false } });
  assert.deepEqual(first, [
    {
      type: 'alarm.raised',
      actor: { kind: 'system', id: 'system:alarm-rules' },
      outcome: 'success',
      target: { kind: 'user', id: 'user:a' },
      details: { rule: 'privilege-assigned', title: alarmRules['privilege-assigned'].title, triggeredBy: [0] },
    },
  ]);
  assert.deepEqual(rulesOf(feed('access.grant.created', 1, user('a'))), ['privilege-assigned']);
  assert.deepEqual(feed('access.grant.created', 2, { ...user('a'), outcome: 'failure' }), [], 'a refused grant assigned nothing');
});

test('every account reset raises account-reset at once, naming the account', () => {
  const feed = feeder();
  const alarms = feed('account.reset', 0, user('r'));
  assert.deepEqual(rulesOf(alarms), ['account-reset']);
  assert.deepEqual(alarms[0]?.target, { kind: 'user', id: 'user:r' });
  assert.deepEqual(rulesOf(feed('account.reset', 1, user('r'))), ['account-reset'], 'every one, not once per window');
});

test('two privileged grants to one principal within 24 hours raise privilege-elevations', () => {
  const feed = feeder();
  assert.deepEqual(rulesOf(feed('access.grant.created', 0, privileged('a'))), ['privilege-assigned']);
  const alarms = feed('access.grant.created', 24 * hour, privileged('a'));
  assert.deepEqual(rulesOf(alarms), ['privilege-assigned', 'privilege-elevations']);
  assert.deepEqual(alarms[1]?.details, { rule: 'privilege-elevations', title: alarmRules['privilege-elevations'].title, triggeredBy: [0, 1], windowMinutes: 1440 });
  assert.deepEqual(alarms[1]?.target, { kind: 'user', id: 'user:a' });
});

test('privileged grants 24 hours and 1 ms apart, to different principals, or unprivileged do not raise privilege-elevations', () => {
  const late = feeder();
  late('access.grant.created', 0, privileged('a'));
  assert.deepEqual(rulesOf(late('access.grant.created', 24 * hour + 1, privileged('a'))), ['privilege-assigned']);

  const others = feeder();
  others('access.grant.created', 0, privileged('a'));
  assert.deepEqual(rulesOf(others('access.grant.created', minute, privileged('b'))), ['privilege-assigned']);

  const plain = feeder();
  plain('access.grant.created', 0, privileged('a'));
  assert.deepEqual(rulesOf(plain('access.grant.created', minute, { ...user('a'), details: { privileged: 'yes' } })), ['privilege-assigned']);
});

test('privilege-elevations raises once per burst of a principal', () => {
  const feed = feeder();
  feed('access.grant.created', 0, privileged('a'));
  assert.ok(rulesOf(feed('access.grant.created', hour, privileged('a'))).includes('privilege-elevations'));
  assert.deepEqual(rulesOf(feed('access.grant.created', 2 * hour, privileged('a'))), ['privilege-assigned']);
  // At 24 h 30 min the grant at 0 h is out but those at 1 h and 2 h remain: still the same burst.
  assert.deepEqual(rulesOf(feed('access.grant.created', 24.5 * hour, privileged('a'))), ['privilege-assigned']);
  // At 26 h 1 ms only the grant at 24 h 30 min remains: the rule re-arms and this one raises.
  assert.ok(rulesOf(feed('access.grant.created', 26 * hour + 1, privileged('a'))).includes('privilege-elevations'));
  // At 50 h the window has emptied: two new grants make a new burst.
  feed('access.grant.created', 50 * hour, privileged('a'));
  assert.ok(rulesOf(feed('access.grant.created', 51 * hour, privileged('a'))).includes('privilege-elevations'));
});

test('camera-auth-failure raises at most once per camera per 15 minutes', () => {
  const feed = feeder();
  const [first] = feed('camera.auth.failed', 0, { ...camera('c1'), outcome: 'failure' });
  assert.deepEqual(first, {
    type: 'alarm.raised',
    actor: { kind: 'system', id: 'system:alarm-rules' },
    outcome: 'success',
    target: { kind: 'camera', id: 'c1' },
    cameraId: 'c1',
    details: { rule: 'camera-auth-failure', title: alarmRules['camera-auth-failure'].title, triggeredBy: [0], windowMinutes: 15 },
  });
  assert.deepEqual(feed('camera.auth.failed', minute, camera('c1')), []);
  assert.deepEqual(rulesOf(feed('camera.auth.failed', minute, camera('c2'))), ['camera-auth-failure'], 'another camera is alarmed on its own');
  assert.deepEqual(feed('camera.auth.failed', 15 * minute, camera('c1')), [], 'exactly 15 minutes later is still suppressed');
  assert.deepEqual(rulesOf(feed('camera.auth.failed', 15 * minute + 1, camera('c1'))), ['camera-auth-failure']);
});

test('a camera named only by its target is still the camera concerned', () => {
  const feed = feeder();
  const [alarm] = feed('camera.auth.failed', 0, { target: { kind: 'camera', id: 'c9' } });
  assert.equal(alarm?.cameraId, 'c9');
});

test('every camera tamper report raises camera-tamper', () => {
  const feed = feeder();
  assert.deepEqual(rulesOf(feed('camera.tamper', 0, camera('c1'))), ['camera-tamper']);
  const [again] = feed('camera.tamper', 1, camera('c1'));
  assert.deepEqual(again?.details, { rule: 'camera-tamper', title: alarmRules['camera-tamper'].title, triggeredBy: [1] });
  assert.equal(again?.cameraId, 'c1');
});

test('recording-gap raises once per camera until recording resumes', () => {
  const feed = feeder();
  assert.deepEqual(rulesOf(feed('recording.interrupted', 0, camera('c1'))), ['recording-gap']);
  assert.deepEqual(feed('recording.interrupted', hour, camera('c1')), []);
  assert.deepEqual(rulesOf(feed('recording.interrupted', hour, camera('c2'))), ['recording-gap']);
  assert.deepEqual(feed('recording.resumed', 2 * hour, camera('c1')), []);
  assert.deepEqual(rulesOf(feed('recording.interrupted', 2 * hour + 1, camera('c1'))), ['recording-gap']);
  assert.deepEqual(feed('recording.interrupted', 3 * hour, camera('c2')), [], 'c2 never resumed');
});

test('alarm.raised records are ignored, so alarms never loop', () => {
  const feed = feeder();
  const alarms = feed('camera.tamper', 0, camera('c1'));
  for (const alarm of alarms) assert.deepEqual(feed(alarm.type, 0, alarm), []);
  // Not even counted towards a burst: three alarm.raised about lockouts are not lockouts.
  for (let i = 0; i < 3; i++) assert.deepEqual(feed('alarm.raised', i, user('a')), []);
});

test('other records raise nothing', () => {
  const feed = feeder();
  const quiet: AuditEventType[] = ['camera.created', 'footage.segment.sealed', 'auth.login.failed', 'access.grant.revoked', 'recording.resumed'];
  for (const type of quiet) assert.deepEqual(feed(type, 0, camera('c1')), [], type);
});

test('a clock stepped backwards cannot reopen a window', () => {
  const feed = feeder();
  feed('camera.auth.failed', 20 * minute, camera('c1'));
  // The record is stamped earlier than one already seen: it counts at 20 min, so it is suppressed.
  assert.deepEqual(feed('camera.auth.failed', 0, camera('c1')), []);
});

test('window entries older than their window are dropped, so memory stays bounded', () => {
  const rules = new AlarmRules();
  let seq = 0;
  const feed = (type: AuditEventType, atMs: number, extra: Partial<AuditInput>) =>
    rules.evaluate(leafRecordOf({ type, actor: { kind: 'system', id: 'system' }, outcome: 'success', ...extra }, { id: `${seq}`, timeMs: t0 + atMs }, seq++));
  for (let i = 0; i < 1000; i++) {
    feed('access.grant.created', i * minute, privileged(`p${i}`));
    feed('camera.auth.failed', i * minute, camera(`c${i}`));
    feed('auth.lockout', i * minute, user(`u${i}`));
  }
  // 24 h window at one privileged grant a minute: all 1000 are inside (1 each); the last 16
  // camera alarms are inside 15 minutes inclusive; lockouts keep only their latest 3.
  assert.equal(rules.heldEntries, 1000 + 16 + 3);
  feed('footage.segment.sealed', 1000 * minute + 24 * hour, camera('c0'));
  assert.equal(rules.heldEntries, 0);
});

test('alarm rule ids are stable', () => {
  const ids: AlarmRuleId[] = ['lockouts-burst', 'privilege-assigned', 'privilege-elevations', 'camera-auth-failure', 'camera-tamper', 'recording-gap', 'account-reset', 'clock-step', 'footage-loss', 'witness-refused', 'camera-quarantined', 'camera-clock-offset', 'camera-advisory'];
  assert.deepEqual(Object.keys(alarmRules), ids);
});

test('a witness refusal raises the witness-refused alarm naming the witness', () => {
  const rules = new AlarmRules();
  const refused = { v: 1, seq: 3, id: 'e3', time: new Date(1_795_000_000_000).toISOString(), type: 'audit.witness.refused', class_uid: 1008, activity_id: 99, type_uid: 100899, severity_id: 4, actor: { kind: 'system', id: 'system:witness-client' }, target: { kind: 'witness', id: 'witness.example/w1' }, outcome: 'failure', details: { status: 422 } } as const;
  const alarms = rules.evaluate(refused);
  assert.equal(alarms.length, 1);
  assert.equal(alarms[0]!.details?.rule, 'witness-refused');
  assert.equal(alarms[0]!.target?.id, 'witness.example/w1');
});

test('every wall-clock step raises an alarm at once', () => {
  const rules = new AlarmRules();
  const step = (seq: number) => ({ v: 1, seq, id: `e${seq}`, time: new Date(1_795_000_000_000 + seq).toISOString(), type: 'clock.stepped', class_uid: 1008, activity_id: 99, type_uid: 100899, severity_id: 4, actor: { kind: 'system', id: 'system:clock-watch' }, outcome: 'success', details: { stepMs: 7_200_000 } }) as const;
  for (const seq of [1, 2]) {
    const alarms = rules.evaluate(step(seq));
    assert.equal(alarms.length, 1);
    assert.equal(alarms[0]!.details?.rule, 'clock-step');
  }
});

test('footage damaged, quarantined, re-indexed or deleted other than by retention raises footage-loss each time; retention does not', () => {
  const feed = feeder();
  for (const type of ['footage.damaged', 'footage.quarantined', 'footage.reindexed'] as const) {
    assert.deepEqual(rulesOf(feed(type, 0, camera('c1'))), ['footage-loss'], type);
    assert.deepEqual(rulesOf(feed(type, 1, camera('c1'))), ['footage-loss'], `${type} again`);
  }
  assert.deepEqual(rulesOf(feed('footage.deleted', 2, { ...camera('c1'), actor: { kind: 'system', id: 'system:recovery' } })), ['footage-loss']);
  assert.deepEqual(rulesOf(feed('footage.deleted', 3, { ...camera('c1'), actor: { kind: 'system', id: 'system:retention' } })), []);
});

test('a snapshot restored after a restart keeps every window: bursts, per-principal elevations, camera suppression and open gaps', () => {
  const rules = new AlarmRules();
  let seq = 0;
  const feed = (r: AlarmRules, type: AuditEventType, atMs: number, extra: Partial<AuditInput> = {}) =>
    rulesOf(r.evaluate(leafRecordOf({ type, actor: { kind: 'system', id: 'system' }, outcome: 'success', ...extra }, { id: `id-${seq}`, timeMs: t0 + atMs }, seq++)));
  feed(rules, 'auth.lockout', 0, user('a'));
  feed(rules, 'auth.lockout', minute, user('b'));
  feed(rules, 'access.grant.created', minute, privileged('p'));
  feed(rules, 'camera.auth.failed', minute, camera('cam-1'));
  feed(rules, 'recording.interrupted', minute, camera('cam-2'));

  const restored = AlarmRules.restore(rules.snapshot());
  assert.equal(restored.heldEntries, rules.heldEntries);
  assert.deepEqual(feed(restored, 'auth.lockout', 2 * minute, user('c')), ['lockouts-burst']);
  assert.deepEqual(feed(restored, 'access.grant.created', 2 * minute, privileged('p')), ['privilege-assigned', 'privilege-elevations']);
  assert.deepEqual(feed(restored, 'camera.auth.failed', 2 * minute, camera('cam-1')), [], 'still suppressed');
  assert.deepEqual(feed(restored, 'recording.interrupted', 2 * minute, camera('cam-2')), [], 'the gap is still open');
  // A clock stepped back after the restart still cannot reopen a window.
  assert.deepEqual(feed(restored, 'camera.auth.failed', -hour, camera('cam-1')), []);
  assert.throws(() => AlarmRules.restore('{"v":2}'));
});

test('every camera quarantine at onboarding raises camera-quarantined at once, naming the camera', () => {
  const rules = new AlarmRules();
  const q = (seq: number) => ({ v: 1, seq, id: `q${seq}`, time: new Date(1_795_000_000_000 + seq).toISOString(), type: 'camera.quarantined', class_uid: 2004, activity_id: 1, type_uid: 200401, severity_id: 4, actor: { kind: 'user', id: 'user:a' }, camera_id: 'cam-7', outcome: 'success', reason: 'likely relabel' }) as const;
  for (const seq of [1, 2]) {
    const alarms = rules.evaluate(q(seq));
    assert.equal(alarms.length, 1);
    assert.equal(alarms[0]!.details?.rule, 'camera-quarantined');
    assert.equal(alarms[0]!.cameraId, 'cam-7');
  }
});

test('a camera identified with its clock more than 10 s off raises camera-clock-offset; 10 s or a failed identification does not', () => {
  const rules = new AlarmRules();
  const identified = (seq: number, offset: number, outcome: 'success' | 'failure' = 'success') => ({ v: 1, seq, id: `i${seq}`, time: new Date(1_795_000_000_000 + seq).toISOString(), type: 'camera.identified', class_uid: 3004, activity_id: 3, type_uid: 300403, severity_id: 2, actor: { kind: 'user', id: 'user:a' }, camera_id: 'cam-8', outcome, details: { clockOffsetMs: offset } }) as const;
  assert.deepEqual(rules.evaluate(identified(1, 10_000)), []);
  assert.deepEqual(rules.evaluate(identified(2, -10_000)), []);
  assert.deepEqual(rules.evaluate(identified(3, 60_000, 'failure')), []);
  const alarms = rules.evaluate(identified(4, -10_001));
  assert.equal(alarms.length, 1);
  assert.equal(alarms[0]!.details?.rule, 'camera-clock-offset');
  assert.equal(alarms[0]!.cameraId, 'cam-8');
});

test('every camera an advisory newly affects raises camera-advisory at once, naming the camera; a cleared match does not', () => {
  const rules = new AlarmRules();
  const base = { v: 1, class_uid: 2004, severity_id: 4, actor: { kind: 'system', id: 'system:advisories' }, camera_id: 'cam-9', outcome: 'success' } as const;
  const matched = rules.evaluate({ ...base, seq: 1, id: 'm1', time: new Date(1_795_000_000_000).toISOString(), type: 'camera.advisory.matched', activity_id: 1, type_uid: 200401, reason: 'ACME-SA-2026-0042 affects Acme Optics AO-200 firmware 2.4.1' });
  assert.equal(matched.length, 1);
  assert.equal(matched[0]!.details?.rule, 'camera-advisory');
  assert.equal(matched[0]!.cameraId, 'cam-9');
  assert.deepEqual(rules.evaluate({ ...base, seq: 2, id: 'c2', time: new Date(1_795_000_000_001).toISOString(), type: 'camera.advisory.cleared', activity_id: 2, type_uid: 200402, severity_id: 1 }), []);
});
