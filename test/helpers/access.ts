import { randomBytes } from 'node:crypto';
import type { InjectOptions, LightMyRequestResponse } from 'fastify';
import { permissions, type Permission } from '../../src/access/permissions.ts';
import type { App } from '../../src/app.ts';
import type { User } from '../../src/identity/user.ts';
import { testActor } from './audit.ts';

/** A user made for a test, with an API token limited to `permissions`. */
export interface TestPrincipal {
  readonly user: User;
  /** The bearer secret. */
  readonly token: string;
  /** `{ authorization: 'Bearer …' }`. */
  readonly headers: { authorization: string };
  /** `app.server.inject` with this principal's token. */
  inject(opts: InjectOptions): Promise<LightMyRequestResponse>;
}

/**
 * A password that passes the policy for any user name a test uses: random digits after a fixed
 * prefix, so it can never contain a user name by chance (the policy refuses that).
 */
export function strongPassword(): string {
  return `Pw#${[...randomBytes(20)].map((b) => b % 10).join('')}`;
}

/**
 * Creates a user holding `roles` (on `scope`, default global) through the real services, and
 * an API token for them carrying `tokenPermissions` (default: every permission the roles give).
 * Grants are made by the test actor (CLI-like), as `custos user add` does.
 */
export async function testPrincipal(app: App, opts: { username?: string; roles: readonly string[]; scope?: string; tokenPermissions?: readonly Permission[] }): Promise<TestPrincipal> {
  const { identity } = app;
  const user = await identity.users.create({ username: opts.username ?? `t-${randomBytes(4).toString('hex')}`, password: strongPassword() }, testActor);
  for (const role of opts.roles) await identity.grants.grant(user, { role, scope: opts.scope ?? 'global' }, { audit: testActor, userId: null });
  const held = new Set<string>();
  for (const role of opts.roles) for (const p of identity.roles.require(role).permissions) held.add(p);
  const wanted = opts.tokenPermissions ?? ([...held] as Permission[]);
  const { secret } = await identity.tokens.create(user.id, (p) => held.has(p), { name: 'test', permissions: wanted, days: 1 }, testActor);
  const headers = { authorization: `Bearer ${secret}` };
  return {
    user,
    token: secret,
    headers,
    inject: (o) => app.server.inject({ ...o, headers: { ...(o.headers ?? {}), ...headers } }),
  };
}

/** Every default role, for a test principal that may do anything (tests of features, not access). */
export const everyRole = ['viewer', 'operator', 'investigator', 'admin', 'auditor', 'compliance-officer', 'management', 'key-custodian'] as const;

/** Every permission. */
export const everyPermission = Object.keys(permissions) as Permission[];
