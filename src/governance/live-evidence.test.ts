// Live-evidence rules over plain values (the SystemFacts port filled by the test, no database):
// the thresholds, and that what never ran or is not built is never reported as ok.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { measureLiveEvidence, KEY_ROTATION_MAX_DAYS, VERIFICATION_MAX_DAYS, type EvidenceMetric, type LiveEvidenceDeps } from './live-evidence.ts';
import type { CameraFacts, LedgerFact, SystemFacts, UserFacts } from './system-facts.ts';

const DAY = 86_400_000;
const NOW = Date.parse('2026-12-07T12:00:00Z');

function leaf(seq: number, timeMs: number, outcome: 'success' | 'failure'): LedgerFact {
  return { seq, timeMs, record: JSON.stringify({ seq, outcome, details: { events: 10 } }) };
}

function deps(opts: { users?: UserFacts[]; cameras?: CameraFacts[]; events?: Record<string, LedgerFact[]>; justified?: Map<string, string>; steady?: boolean } = {}): LiveEvidenceDeps {
  const events = opts.events ?? {};
  const facts: SystemFacts = {
    users: async () => opts.users ?? [],
    cameras: async () => opts.cameras ?? [],
    liveDataKeysByKek: async () => new Map([[1, 3], [2, 5]]),
    segmentCount: async () => 42,
    latestEvent: async (type, outcome) =>
      (events[type] ?? [])
        .filter((e) => outcome === undefined || (JSON.parse(e.record) as { outcome: string }).outcome === outcome)
        .sort((a, b) => b.seq - a.seq)[0],
    firstEvent: async () => ({ seq: 0, timeMs: NOW - 10 * DAY, record: '{}' }),
  };
  return {
    facts,
    privileged: (role) => role === 'admin',
    kek: { kind: 'file', currentVersion: () => 2, versions: () => [1, 2] },
    justifications: async () => opts.justified ?? new Map(),
    clock: { now: () => NOW },
    ...(opts.steady === undefined ? {} : { clockTrust: () => ({ steady: opts.steady as boolean, waitMs: opts.steady ? 0 : 5000 }) }),
  };
}

async function metric(d: LiveEvidenceDeps, id: string): Promise<EvidenceMetric> {
  const m = (await measureLiveEvidence(d)).metrics.find((x) => x.id === id);
  assert.ok(m, id);
  return m;
}

const camera = (name: string, scheme: string, retentionHours: number, credentials = 0, sealed = 0): CameraFacts => ({ id: `id-${name}`, name, scheme, retentionHours, enabled: true, credentials, sealedCredentials: sealed });

test('what never ran or is not built is no-record or not-built, never ok', async () => {
  const all = await measureLiveEvidence(deps());
  const by = new Map(all.metrics.map((m) => [m.id, m.state]));
  assert.equal(by.get('audit-verify'), 'no-record');
  assert.equal(by.get('vault-fsck'), 'no-record');
  assert.equal(by.get('backup-restore-tests'), 'no-record');
  assert.equal(by.get('firmware-vetting'), 'not-built');
  assert.equal(by.get('camera-advisories'), 'not-built', 'without the onboarding module, advisories are not built here');
  assert.equal(by.get('siem-lag'), 'not-built');
  assert.equal(by.get('clock-health'), 'no-record', 'outside the server the clock is not measured');
  assert.equal(by.get('key-rotation-age'), 'no-record');
  assert.equal(by.get('mfa-coverage'), 'attention', 'no privileged account is not a pass');
});

test('a verification is ok within the window, attention when older or when a later run failed', async () => {
  const ok = await metric(deps({ events: { 'audit.verified': [leaf(5, NOW - 2 * DAY, 'success')] } }), 'audit-verify');
  assert.equal(ok.state, 'ok');
  const old = await metric(deps({ events: { 'audit.verified': [leaf(5, NOW - (VERIFICATION_MAX_DAYS + 1) * DAY, 'success')] } }), 'audit-verify');
  assert.equal(old.state, 'attention');
  const failedSince = await metric(deps({ events: { 'vault.fsck.completed': [leaf(5, NOW - DAY, 'success'), leaf(9, NOW - 1000, 'failure')] } }), 'vault-fsck');
  assert.equal(failedSince.state, 'attention');
  assert.match(failedSince.summary, /FAILED/);
});

test('key rotation age turns to attention past the limit', async () => {
  const recent = await metric(deps({ events: { 'key.rotated': [leaf(3, NOW - 30 * DAY, 'success')] } }), 'key-rotation-age');
  assert.equal(recent.state, 'ok');
  const stale = await metric(deps({ events: { 'key.rotated': [leaf(3, NOW - (KEY_ROTATION_MAX_DAYS + 1) * DAY, 'success')] } }), 'key-rotation-age');
  assert.equal(stale.state, 'attention');
});

test('MFA coverage counts privileged accounts only; plaintext cameras, unsealed credentials and unjustified long retention are named', async () => {
  const users: UserFacts[] = [
    { id: 'a', username: 'alice', kind: 'local', roles: ['admin'], totp: true, passkeys: 0 },
    { id: 'b', username: 'bob', kind: 'local', roles: ['admin'], totp: false, passkeys: 0 },
    { id: 'c', username: 'carol', kind: 'local', roles: ['viewer'], totp: false, passkeys: 0 },
  ];
  const mfa = await metric(deps({ users }), 'mfa-coverage');
  assert.deepEqual(mfa.value, { privileged: 2, covered: 1, without: ['bob'] });
  const cameras = [camera('gate', 'rtsps', 72, 2, 2), camera('yard', 'rtsp', 96, 2, 1)];
  assert.deepEqual((await metric(deps({ cameras }), 'plaintext-cameras')).value, { cameras: 2, plaintext: [{ id: 'id-yard', name: 'yard' }] });
  assert.equal((await metric(deps({ cameras }), 'encryption-coverage')).state, 'attention');
  assert.equal((await metric(deps({ cameras }), 'retention-compliance')).state, 'attention', '96 h without a justification');
  assert.equal((await metric(deps({ cameras, justified: new Map([['id-yard', 'court order']]) }), 'retention-compliance')).state, 'ok', '72 h exactly needs none');
  assert.equal((await metric(deps({ steady: false }), 'clock-health')).state, 'attention');
  assert.equal((await metric(deps({ steady: true }), 'clock-health')).state, 'ok');
});

test('camera advisories: none imported is no-record, imported without affected cameras ok, an affected camera attention naming the advisory', async () => {
  const facts = (imported: number, open: { advisoryId: string; documentId: string; title: string; cves: string[]; severity: string; cameraIds: string[] }[]) => ({ ...deps(), cameraAdvisories: async () => ({ imported, open, acceptances: [] }) });
  assert.equal((await metric(facts(0, []), 'camera-advisories')).state, 'no-record');
  assert.equal((await metric(facts(2, []), 'camera-advisories')).state, 'ok');
  const hit = await metric(facts(2, [{ advisoryId: 'csaf:x:ACME-SA-1', documentId: 'ACME-SA-1', title: 't', cves: ['CVE-2026-41234'], severity: 'critical', cameraIds: ['cam-1'] }]), 'camera-advisories');
  assert.equal(hit.state, 'attention');
  assert.match(hit.summary, /1 camera affected by 1 of 2 imported advisories: ACME-SA-1 \(critical\)/);
});
