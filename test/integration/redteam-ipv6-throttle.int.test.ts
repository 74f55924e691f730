/**
 * Red-team review of issue 11 items 5, 6 and 18 from IPv6: one host answers from any address of
 * its /64, so a login rate, lockout or summary keyed by the full address is a fresh one for
 * every request. Real: SQLite, the server (inject with the client's address), the audit ledger.
 */
import { after, before, describe, it } from 'node:test';
import assert from 'node:assert/strict';
import type { App } from '../../src/app.ts';
import { startDeferredTestApp } from '../helpers/harness.ts';
import { strongPassword, testPrincipal } from '../helpers/access.ts';
import { testActor } from '../helpers/audit.ts';
import { codeOf } from '../helpers/login.ts';
import { teardown } from '../helpers/teardown.ts';

describe('Red team: one IPv6 /64 is one client for the login throttle', () => {
  let app: App;
  const defer = teardown({ after });

  before(async () => {
    ({ app } = await startDeferredTestApp(defer, 'redteam-ipv6', { 'identity.addressAttemptsPerMinute': 10 }));
  });

  const login = (address: string, username: string, password: string) =>
    app.server.inject({ method: 'POST', url: '/api/v1/auth/login', remoteAddress: address, payload: { username, password } });

  it('logins from 40 addresses of one /64 share its rate: the rest are refused and summarised, not one ledger leaf each', async () => {
    const codes: (string | undefined)[] = [];
    for (let i = 1; i <= 40; i++) codes.push(codeOf(await login(`2001:db8:77:1::${i.toString(16)}`, `nobody-${i}`, 'wrong-password-123')));
    assert.equal(codes.filter((c) => c === 'LOGIN_FAILED').length, 10, codes.join(' '));
    assert.equal(codes.filter((c) => c === 'RATE_LIMITED').length, 30);
    await app.ledger.drain();
    const auditor = await testPrincipal(app, { roles: ['auditor'] });
    const res = await auditor.inject({ method: 'GET', url: '/api/v1/audit/events?type=auth.login.failed&limit=1000' });
    const events = res.json<{ events: unknown[] }>().events;
    assert.ok(events.length <= 11, `${events.length} ledger events for 40 refused logins`);
    // Another /64 is another client.
    assert.equal(codeOf(await login('2001:db8:77:2::1', 'nobody', 'wrong-password-123')), 'LOGIN_FAILED');
  });

  it('the lockout of a name is per /64, so guessing from fresh addresses of one host does not get five more tries each', async () => {
    await app.identity.users.create({ username: 'rt-v6-target', password: strongPassword() }, testActor);
    const codes: (string | undefined)[] = [];
    for (let i = 1; i <= 8; i++) codes.push(codeOf(await login(`2001:db8:99:5::${i}`, 'rt-v6-target', 'wrong-password-123')));
    assert.deepEqual(codes.slice(5), ['RATE_LIMITED', 'RATE_LIMITED', 'RATE_LIMITED'], codes.join(' '));
  });
});
