import { test } from 'node:test';
import assert from 'node:assert/strict';
import { loadConfig } from '../config/load.ts';
import { isAppError } from '../lib/errors.ts';
import { collectLocations, configLocations, type Location } from './locations.ts';
import { assertResidency, residencyHash, residencyViolations } from './residency-check.ts';
import { buildResidencyReport } from './residency-report.ts';

const oidc = { id: 'corp', name: 'Corp', issuer: 'https://login.example.com/tenant', clientId: 'custos' };
const saml = { id: 'gov', name: 'Gov', entryPoint: 'https://idp.example.fr/sso', idpIssuer: 'https://idp.example.fr', idpCertFile: '/nonexistent.pem' };

async function config(overrides: Record<string, unknown>) {
  return loadConfig({ file: null, env: {}, overrides: { dataDir: '/srv/custos', ...overrides } });
}

test('the locations of a configuration: data directory, SQLite and the file key inherit residency.dataDir; identity providers declare their own and name their host only', async () => {
  const c = await config({ 'residency.dataDir': 'DE', 'identity.oidc': [{ ...oidc, jurisdiction: 'IE' }], 'identity.saml': [saml] });
  const byId = new Map(configLocations(c).map((l) => [`${l.kind}:${l.id}`, l]));
  assert.equal(byId.get('data-dir:local')?.jurisdiction, 'DE');
  assert.equal(byId.get('database:sqlite')?.jurisdiction, 'DE');
  assert.equal(byId.get('key-provider:file')?.jurisdiction, 'DE');
  assert.deepEqual(byId.get('identity-provider:oidc:corp'), { kind: 'identity-provider', id: 'oidc:corp', jurisdiction: 'IE', declaredBy: 'identity.oidc[0].jurisdiction', outbound: true, detail: 'login.example.com' });
  assert.equal(byId.get('identity-provider:saml:gov')?.jurisdiction, null);
  assert.equal(byId.get('identity-provider:saml:gov')?.detail, 'idp.example.fr');
});

test('PostgreSQL and an HSM do not inherit the data directory\'s jurisdiction, and the database URL\'s credentials never reach a location', async () => {
  const c = await config({ 'residency.dataDir': 'DE', 'database.url': 'postgres://custos:s3cret@db.example.nl:5432/custos', 'keys.provider': 'pkcs11' });
  const locations = configLocations(c);
  const db = locations.find((l) => l.kind === 'database');
  assert.deepEqual([db?.id, db?.jurisdiction, db?.detail], ['postgresql', null, 'db.example.nl:5432']);
  assert.equal(locations.find((l) => l.kind === 'key-provider')?.jurisdiction, null);
  assert.doesNotMatch(JSON.stringify(locations), /s3cret/);
});

test('residency.allowed: EU admits member states only, an undeclared location is refused, an empty list enforces nothing', async () => {
  const zone = (id: string, j: string | null): Location => ({ kind: 'storage-zone', id, jurisdiction: j, declaredBy: `storage.zones.${id}.jurisdiction`, outbound: false, detail: id });
  const c = await config({ 'residency.dataDir': 'FR', 'residency.allowed': ['EU'] });
  const locations = collectLocations(c, [zone('s3-paris', 'FR'), zone('s3-virginia', 'US'), zone('nowhere', null), zone('oslo', 'NO')]);
  const found = residencyViolations(c.residency.allowed, locations).map((v) => `${v.location.id}:${v.problem}`);
  assert.deepEqual(found, ['s3-virginia:outside', 'nowhere:undeclared', 'oslo:outside']);
  assert.deepEqual(residencyViolations(['NO'], [zone('oslo', 'NO')]), []);
  assert.deepEqual(residencyViolations([], locations), []);
  let error: unknown;
  try {
    assertResidency(c.residency.allowed, locations);
  } catch (e) {
    error = e;
  }
  assert.ok(isAppError(error, 'RESIDENCY_REFUSED'));
  const message = (error as Error).message;
  assert.equal(message.split('\n').length, 1, 'one line');
  assert.match(message, /^RESIDENCY_REFUSED: residency: storage zone s3-virginia is in US, outside residency\.allowed \[EU\] \(storage\.zones\.s3-virginia\.jurisdiction\); storage zone nowhere declares no jurisdiction/);
  assert.doesNotThrow(() => assertResidency(['EU'], collectLocations(c)));
});

test('the residency hash changes with any jurisdiction, location or the allow-list, and not with their order', async () => {
  const c = await config({ 'residency.dataDir': 'DE', 'identity.oidc': [{ ...oidc, jurisdiction: 'IE' }] });
  const locations = configLocations(c);
  const h = residencyHash(['EU'], locations);
  assert.equal(residencyHash(['EU'], [...locations].reverse()), h);
  assert.notEqual(residencyHash(['EU', 'CH'], locations), h);
  assert.notEqual(residencyHash(['EU'], locations.map((l) => (l.kind === 'identity-provider' ? { ...l, jurisdiction: 'US' } : l))), h);
  assert.notEqual(residencyHash(['EU'], locations.slice(1)), h);
});

test('the report puts each camera\'s footage in its zone\'s jurisdiction, its keys with the key provider and the database, and lists removed cameras and every outbound destination', async () => {
  const c = await config({ 'residency.dataDir': 'DE', 'residency.allowed': ['EU'], 'identity.oidc': [{ ...oidc, jurisdiction: 'US' }] });
  const report = buildResidencyReport({
    allowed: c.residency.allowed,
    locations: configLocations(c),
    cameras: [{ id: 'cam-a', name: 'Gate' }, { id: 'cam-b', name: 'Yard' }],
    footage: [
      { cameraId: 'cam-a', stream: 'main', zone: 'local', segments: 3, bytes: 3000, firstMs: 0, lastMs: 60_000 },
      { cameraId: 'cam-gone', stream: 'main', zone: 'local', segments: 1, bytes: 10, firstMs: 0, lastMs: 1000 },
    ],
    nowMs: 0,
  });
  const gate = report.cameras.find((x) => x.id === 'cam-a');
  assert.deepEqual(gate?.footage, [{ zone: 'local', stream: 'main', kind: 'data-dir', jurisdiction: 'DE', segments: 3, bytes: 3000, from: '1970-01-01T00:00:00.000Z', to: '1970-01-01T00:01:00.000Z' }]);
  assert.equal(gate?.keys.masterKey.jurisdiction, 'DE');
  assert.equal(gate?.keys.dataKeys.id, 'sqlite');
  assert.deepEqual(report.cameras.find((x) => x.id === 'cam-b')?.footage, []);
  assert.equal(report.cameras.find((x) => x.id === 'cam-gone')?.name, '(removed camera)');
  assert.equal(report.auditLog.jurisdiction, 'DE');
  assert.deepEqual(report.outbound.map((o) => [o.id, o.jurisdiction, o.allowed]), [['oidc:corp', 'US', false]]);
  assert.equal(report.violations.length, 1);
  assert.match(report.violations[0] ?? '', /oidc:corp is in US/);
});

test('every SIEM destination, witness, notification webhook and SMTP server is a location, and one outside residency.allowed is refused by name', async () => {
  const c = await config({
    'residency.dataDir': 'DE',
    'residency.allowed': ['EU'],
    'siem.destinations': [
      { kind: 'syslog', id: 'soc', jurisdiction: 'FR', host: 'siem.example.fr', caFile: '/etc/ca.pem' },
      { kind: 'webhook', id: 'us-hook', jurisdiction: 'US', url: 'https://hooks.example.com/custos', hmacKeyFile: '/etc/hook.key' },
      { kind: 'replica', id: 'copy', jurisdiction: 'DE', path: '/mnt/replica' },
    ],
    witnesses: [{ url: 'https://witness.example.se/', key: 'w1+01234567+AAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAA=', jurisdiction: 'SE' }],
    'notifications.smtp': { host: 'mail.example.at', from: 'custos@example.at', jurisdiction: 'AT' },
    'notifications.webhooks': [{ name: 'pager', url: 'https://pager.example.com/hook', secretFile: '/etc/pager.key' }],
  });
  const locations = configLocations(c);
  const byId = new Map(locations.map((l) => [`${l.kind}:${l.id}`, l]));
  assert.deepEqual([byId.get('siem-destination:soc')?.detail, byId.get('siem-destination:soc')?.outbound], ['syslog siem.example.fr:6514', true]);
  assert.deepEqual([byId.get('siem-destination:copy')?.detail, byId.get('siem-destination:copy')?.outbound], ['replica /mnt/replica', false]);
  assert.equal(byId.get('witness:witness.example.se')?.jurisdiction, 'SE');
  const found = residencyViolations(c.residency.allowed, locations).map((v) => `${v.location.kind}:${v.location.id}`);
  assert.equal(byId.get('notification:smtp')?.detail, 'mail.example.at:587');
  assert.deepEqual(found, ['siem-destination:us-hook', 'notification:webhook:pager'], 'a notification webhook that declares no jurisdiction is refused too');
  assert.throws(() => assertResidency(c.residency.allowed, locations), (e) => isAppError(e, 'RESIDENCY_REFUSED') && /us-hook is in US/.test((e as Error).message));
});
