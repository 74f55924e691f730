import { test } from 'node:test';
import assert from 'node:assert/strict';
import { isAppError } from '../lib/errors.ts';
import { isPermission } from './permissions.ts';
import { defaultRoles, Roles } from './roles.ts';

test('the default roles split duties: the administrator cannot export, read the ledger or touch keys, and the auditor sees no video', () => {
  const roles = new Roles();
  const admin = roles.require('admin');
  for (const p of ['recording.export', 'audit.read', 'key.manage', 'privacy.unmask'] as const) assert.ok(!admin.permissions.has(p), `admin must not hold ${p}`);
  const auditor = roles.require('auditor');
  for (const p of ['live.view', 'recording.play', 'recording.export'] as const) assert.ok(!auditor.permissions.has(p), `auditor must not hold ${p}`);
  assert.deepEqual(roles.list().filter((r) => r.mfa).map((r) => r.name), ['admin', 'auditor', 'management', 'key-custodian']);
  const management = roles.require('management');
  assert.deepEqual([...management.permissions].sort(), ['governance.approve', 'governance.read'], 'the management body approves and reads governance, nothing else');
  for (const r of roles.list()) if (r.name !== 'management') assert.ok(!r.permissions.has('governance.approve'), `${r.name} must not approve for the management body`);
  for (const r of defaultRoles) for (const p of r.permissions) assert.ok(isPermission(p), `${r.name}: ${p} is a permission`);
});

test('the config can make a role require MFA, change its permissions, or add a role', () => {
  const roles = new Roles({ operator: { mfa: true }, viewer: { permissions: ['live.view'] }, 'night-guard': { permissions: ['live.view', 'camera.read'], description: 'Nights only' } });
  assert.equal(roles.require('operator').mfa, true);
  assert.ok(roles.require('operator').permissions.has('recording.play'));
  assert.deepEqual([...roles.require('viewer').permissions], ['live.view']);
  assert.equal(roles.require('night-guard').description, 'Nights only');
  assert.equal(roles.require('night-guard').mfa, false);
});

test('a new role without permissions, or with an unknown permission, is a configuration error; an unknown role is refused', () => {
  assert.throws(() => new Roles({ intern: {} }), (e) => isAppError(e, 'CONFIG_INVALID') && /needs its permissions/.test(e.message));
  assert.throws(() => new Roles({ viewer: { permissions: ['live.watch'] } }), (e) => isAppError(e, 'CONFIG_INVALID') && /unknown permission live.watch/.test(e.message));
  for (const inherited of ['toString', 'constructor', '__proto__', 'hasOwnProperty']) {
    assert.throws(() => new Roles({ viewer: { permissions: [inherited] } }), (e) => isAppError(e, 'CONFIG_INVALID') && e.message.includes(`unknown permission ${inherited}`), `${inherited} is not a permission`);
  }
  assert.throws(() => new Roles().require('root'), (e) => isAppError(e, 'VALIDATION_FAILED'));
  assert.equal(new Roles().get('root'), undefined);
});
