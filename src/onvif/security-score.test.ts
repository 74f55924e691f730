import assert from 'node:assert/strict';
import { test } from 'node:test';
import { defaultCredentials, defaultCredentialsReviewed } from './default-credentials.ts';
import { matchingDefault, securityScore, type ScoreFacts } from './security-score.ts';

const now = Date.parse('2026-12-07T12:00:00Z');
const good: ScoreFacts = {
  cameraId: 'cam-1',
  url: 'rtsps://cam1.example:322/main',
  username: 'viewer',
  password: 'long-and-unique-73',
  asset: { vendor: 'Acme Optics', vetting: 'clear', likelyRelabel: false, firmware: '2.4.1', firmwareVerdict: 'vetted', onvifClockOffsetMs: 120, identifiedMs: now - 1000 },
  advisories: [],
  recorder: { state: 'recording', sinceMs: now - 60_000, clockOffsetMs: null },
  nowMs: now,
};
const points = (f: ScoreFacts) => Object.fromEntries(securityScore(f, defaultCredentials).factors.map((x) => [x.id, x.points]));

test('a camera good on every factor scores 100 and grade A, each factor with its evidence', () => {
  const s = securityScore(good, defaultCredentials);
  assert.deepEqual([s.total, s.grade, s.cappedBy], [100, 'A', null]);
  assert.deepEqual(s.factors.map((f) => f.id), ['transport', 'credentials', 'firmware', 'vendor', 'advisories', 'clock', 'last-seen']);
  assert.ok(s.factors.every((f) => f.state === 'pass' && f.evidence.length > 0));
});

test('each factor loses its points on its own evidence', () => {
  const cases: [string, Partial<ScoreFacts>, string, number][] = [
    ['plaintext RTSP', { url: 'rtsp://cam1.example/main' }, 'transport', 0],
    ['no credentials', { username: null, password: null }, 'credentials', 0],
    ['Axis default', { username: 'root', password: 'pass', asset: { ...good.asset!, vendor: 'Axis Communications AB' } }, 'credentials', 0],
    ['common default for any vendor', { username: 'ADMIN', password: 'admin' }, 'credentials', 0],
    ['case matters in passwords', { username: 'admin', password: 'ADMIN' }, 'credentials', 20],
    ['vendor default of another vendor is not this one', { username: 'root', password: 'camera' }, 'credentials', 20],
    ['firmware not vetted', { asset: { ...good.asset!, firmwareVerdict: 'not vetted' } }, 'firmware', 0],
    ['no releases for the vendor', { asset: { ...good.asset!, firmwareVerdict: 'no releases for this vendor' } }, 'firmware', 5],
    ['flagged vendor', { asset: { ...good.asset!, vetting: 'flagged' } }, 'vendor', 0],
    ['high advisory', { advisories: [{ documentId: 'ACME-SA-1', severity: 'high' }] }, 'advisories', 5],
    ['medium and low advisories', { advisories: [{ documentId: 'A', severity: 'low' }, { documentId: 'B', severity: 'medium' }] }, 'advisories', 10],
    ['clock 11 s off (RTCP wins over ONVIF)', { recorder: { ...good.recorder, clockOffsetMs: -11_000 } }, 'clock', 0],
    ['retrying for 10 minutes', { recorder: { state: 'retrying', sinceMs: now - 600_000, clockOffsetMs: null } }, 'last-seen', 5],
    ['retrying for two hours', { recorder: { state: 'retrying', sinceMs: now - 7_200_000, clockOffsetMs: null } }, 'last-seen', 0],
  ];
  for (const [name, change, factor, want] of cases) assert.equal(points({ ...good, ...change })[factor], want, name);
});

test('a camera never identified scores 0 on firmware, vendor, advisories (and clock without RTCP), marked unknown', () => {
  const s = securityScore({ ...good, asset: null }, defaultCredentials);
  assert.deepEqual(s.factors.filter((f) => f.state === 'unknown').map((f) => f.id), ['firmware', 'vendor', 'advisories', 'clock']);
  assert.equal(s.total, 45);
  assert.equal(s.grade, 'D');
});

test('a default password, a prohibited vendor or an open critical advisory caps the grade at D', () => {
  const def = securityScore({ ...good, username: 'admin', password: '12345' }, defaultCredentials);
  assert.deepEqual([def.total, def.grade, def.cappedBy], [80, 'D', 'a known default password']);
  const crit = securityScore({ ...good, advisories: [{ documentId: 'ACME-SA-2026-0042', severity: 'critical' }] }, defaultCredentials);
  assert.deepEqual([crit.total, crit.grade, crit.cappedBy], [80, 'D', 'an open critical advisory']);
  assert.equal(securityScore({ ...good, asset: { ...good.asset!, vetting: 'flagged' } }, defaultCredentials).grade, 'D');
});

test('the default-password finding names the vendor and source, never the password or the username', () => {
  const s = securityScore({ ...good, username: 'service', password: 'service' }, defaultCredentials);
  const text = JSON.stringify(s);
  const cred = s.factors.find((f) => f.id === 'credentials');
  assert.match(cred?.evidence ?? '', /^matches a known default for vendor any/);
  assert.ok(!text.includes('"service"') && !/\bservice\/service\b/.test(text));
  const blank = securityScore({ ...good, username: 'root', password: '', asset: { ...good.asset!, vendor: 'VIVOTEK Inc.' } }, defaultCredentials);
  assert.match(blank.factors.find((f) => f.id === 'credentials')?.evidence ?? '', /vendor Vivotek/);
});

test('a camera of unknown vendor is checked against every vendor default', () => {
  assert.equal(matchingDefault(defaultCredentials, null, 'root', 'camera')?.vendor, 'Canon');
  assert.equal(matchingDefault(defaultCredentials, 'Acme Optics', 'root', 'camera'), undefined);
});

test('every default credential entry has a vendor, a source and a date', () => {
  assert.match(defaultCredentialsReviewed, /^\d{4}-\d{2}-\d{2}$/);
  for (const e of defaultCredentials) {
    assert.ok(e.vendor.length > 0 && e.username.length > 0, JSON.stringify(e.vendor));
    assert.ok(e.source.length > 10, e.vendor);
    assert.match(e.sourceDate, /^(c\. )?\d{4}(-\d{2}(-\d{2})?)?$/, e.vendor);
  }
});
