import { randomUUID } from 'node:crypto';
import type { AuditContext } from '../audit/audit-event.ts';
import type { AuditSink } from '../audit/ledger.ts';
import type { Clock } from '../lib/clock.ts';
import { ConcurrencyLimit } from '../lib/concurrency-limit.ts';
import { AppError } from '../lib/errors.ts';
import type { Permission } from './permissions.ts';
import type { EffectiveGrant } from './principal.ts';
import type { Roles } from './roles.ts';
import { parseScope, scopeText, type CameraPlacement, type Scope } from './scope.ts';
import type { Grant, GrantStore } from './grant.ts';
import { footagePermissions, newlyCoveringFourEyes } from './four-eyes-scope.ts';

/** Which grants made by a person through the API wait for a second person (`identity.grantApproval`). */
export type GrantApproval = 'none' | 'sensitive' | 'all';

/** Permissions that make a role sensitive to grant (besides requiring MFA). */
const sensitivePermissions: readonly Permission[] = ['recording.export', 'privacy.unmask', 'audit.read', 'user.manage', 'key.manage', 'system.configure'];

/** Who grants or revokes: the audit context and, for a person, their user id (null: CLI, system). */
export interface Granter {
  readonly audit: AuditContext;
  readonly userId: string | null;
}

/** What the grants service needs to know about the grantee. */
export interface Grantee {
  readonly id: string;
  readonly username: string;
  readonly external: boolean;
  readonly expiresMs: number | null;
}

/** A new grant. */
export interface GrantRequest {
  readonly role: string;
  readonly scope: string;
  readonly expiresMs?: number | null | undefined;
}

/**
 * Grants: principal × role × scope, with optional expiry and who granted it (IAM-4/5).
 * Rules: the role and the scope MUST exist; nobody grants to themselves; a grant to an
 * external (third-party) user MUST expire within `externalMaxMs`; every grant and revocation
 * is an audit event (`access.grant.created`, `.revoked`), refused ones included.
 */
export class GrantsService {
  readonly #store: GrantStore;
  readonly #roles: Roles;
  readonly #audit: AuditSink;
  readonly #clock: Clock;
  readonly #externalMaxMs: number;
  readonly #elevated: (userId: string, by: AuditContext) => Promise<void>;
  readonly #approval: GrantApproval;
  readonly #coversFourEyes: (scope: Scope) => Promise<boolean>;
  readonly #fourEyesMap: () => Promise<{ sites: ReadonlySet<string>; placements: readonly CameraPlacement[] }>;
  readonly #reach = new ConcurrencyLimit(1);

  /**
   * `elevated` runs after a grant is made: it ends the grantee's sessions, so that more
   * privilege is only ever used from a session id issued after it (no session is promoted).
   * `coversFourEyes` tells whether a scope covers a camera of a four-eyes site; `fourEyesMap`
   * gives the four-eyes sites and where every camera sits now.
   */
  constructor(deps: {
    store: GrantStore;
    roles: Roles;
    audit: AuditSink;
    clock: Clock;
    externalMaxMs: number;
    elevated: (userId: string, by: AuditContext) => Promise<void>;
    approval: GrantApproval;
    coversFourEyes: (scope: Scope) => Promise<boolean>;
    fourEyesMap: () => Promise<{ sites: ReadonlySet<string>; placements: readonly CameraPlacement[] }>;
  }) {
    this.#store = deps.store;
    this.#roles = deps.roles;
    this.#audit = deps.audit;
    this.#clock = deps.clock;
    this.#externalMaxMs = deps.externalMaxMs;
    this.#elevated = deps.elevated;
    this.#approval = deps.approval;
    this.#coversFourEyes = deps.coversFourEyes;
    this.#fourEyesMap = deps.fourEyesMap;
  }

  /** Grants a role on a scope to a user. */
  async grant(grantee: Grantee, request: GrantRequest, by: Granter, source = 'manual'): Promise<Grant> {
    const { grant, privileged } = await this.check(grantee, request, by, source);
    // Audited first: a grant the ledger cannot record is not made (fail closed).
    await this.#audit.record({
      type: 'access.grant.created',
      ...by.audit,
      target: { kind: 'user', id: `user:${grantee.id}` },
      outcome: 'success',
      details: { grantId: grant.id, role: grant.role, scope: scopeText(grant.scope), privileged, expiresMs: grant.expiresMs, source, external: grantee.external },
    });
    await this.#store.insert(grant);
    await this.#elevated(grantee.id, by.audit);
    return grant;
  }

  /**
   * The grant `grant` would make, after every rule (a refusal is audited and thrown); nothing is
   * stored. Used to refuse a request before it is filed for a second person's approval.
   */
  async check(grantee: Grantee, request: GrantRequest, by: Granter, source = 'manual'): Promise<{ grant: Grant; privileged: boolean }> {
    const now = this.#clock.now();
    const target = { kind: 'user', id: `user:${grantee.id}` };
    const fail = async (e: AppError): Promise<never> => {
      await this.#audit.record({ type: 'access.grant.created', ...by.audit, target, outcome: 'failure', reason: e.message, details: { role: request.role, scope: request.scope } });
      throw e;
    };
    const role = this.#roles.get(request.role);
    if (!role) return fail(new AppError('VALIDATION_FAILED', `unknown role ${request.role}`, { field: 'role' }));
    let scope: Scope;
    try {
      scope = parseScope(request.scope);
    } catch (e) {
      return fail(e as AppError);
    }
    if (!(await this.#store.scopeExists(scope))) return fail(new AppError('VALIDATION_FAILED', `no ${scope.kind} ${scopeText(scope).split(':')[1] ?? ''}`, { field: 'scope' }));
    if (by.userId !== null && by.userId === grantee.id) return fail(new AppError('SELF_APPROVAL', 'nobody can grant a role to themselves'));
    let expiresMs = request.expiresMs ?? null;
    if (expiresMs !== null && expiresMs <= now) return fail(new AppError('VALIDATION_FAILED', 'the expiry is in the past', { field: 'expiresAt' }));
    if (grantee.external) {
      if (expiresMs === null) return fail(new AppError('VALIDATION_FAILED', 'a grant to an external (third-party) user must expire', { field: 'expiresAt' }));
      if (expiresMs - now > this.#externalMaxMs) return fail(new AppError('VALIDATION_FAILED', `a grant to an external user may last at most ${Math.round(this.#externalMaxMs / 86_400_000)} days`, { field: 'expiresAt' }));
    }
    if (grantee.expiresMs !== null) expiresMs = expiresMs === null ? grantee.expiresMs : Math.min(expiresMs, grantee.expiresMs);
    const grant: Grant = {
      id: randomUUID(),
      userId: grantee.id,
      role: role.name,
      scope,
      grantedBy: by.userId === null ? by.audit.actor.id : `user:${by.userId}`,
      grantedMs: now,
      expiresMs,
      revokedBy: null,
      revokedMs: null,
      source,
    };
    return { grant, privileged: role.mfa };
  }

  /**
   * True when a person granting `role` on `scope` through the API needs a second person's
   * approval: a role carrying playback, export or unmasking on a scope that covers a four-eyes
   * site always (the site's rule, ADR 0012); otherwise per `identity.grantApproval`: `all`, or
   * `sensitive` roles: those requiring MFA or carrying footage export, unmasking, the ledger,
   * users, keys or configuration.
   */
  async needsApproval(role: string, scope: string): Promise<boolean> {
    const r = this.#roles.get(role);
    if (r === undefined) return this.#approval !== 'none';
    if (footagePermissions.some((p) => r.permissions.has(p))) {
      let parsed: Scope | undefined;
      try {
        parsed = parseScope(scope);
      } catch {
        parsed = undefined; // refused by check() with its reason
      }
      if (parsed && (await this.#coversFourEyes(parsed))) return true;
    }
    if (this.#approval === 'none') return false;
    if (this.#approval === 'all') return true;
    return r.mfa || sensitivePermissions.some((p) => r.permissions.has(p));
  }

  /**
   * Runs `task` alone among the other such tasks of this server: a grant decided through the API
   * (is it sensitive? then made) and a change of where cameras sit (does it widen a grant? then
   * made). Run together, each would judge the state before the other and both pass.
   */
  exclusive<T>(task: () => Promise<T>): Promise<T> {
    return this.#reach.run(task);
  }

  /**
   * Refuses (CONFLICT) a change of where cameras sit (`move` maps each camera's placement to
   * its new one: a group's members replaced, a camera moved to another site) that would give a
   * grant in force carrying playback, export or unmasking a reach over a four-eyes site it did
   * not have. Such a grant was not judged sensitive when made (ADR 0012), so one administrator
   * could otherwise grant on an ordinary group or camera and then move the footage under it.
   * The way through: revoke the grant, make the change, grant again (now four-eyes). Grants
   * that already covered a four-eyes site, and live-only roles, are not in the way.
   */
  async assertNoNewFourEyesReach(move: (placement: CameraPlacement) => CameraPlacement): Promise<void> {
    const { sites, placements } = await this.#fourEyesMap();
    if (sites.size === 0) return;
    const now = this.#clock.now();
    const footage = (await this.#store.all()).filter((g) => g.revokedMs === null && (g.expiresMs === null || g.expiresMs > now) && footagePermissions.some((p) => this.#roles.get(g.role)?.permissions.has(p) === true));
    const widened = newlyCoveringFourEyes(footage, sites, placements, placements.map(move));
    if (widened.length === 0) return;
    const scopes = [...new Set(widened.map((g) => scopeText(g.scope)))];
    throw new AppError('CONFLICT', `this would give footage grants on ${scopes.join(', ')} a reach over a four-eyes site that no second person approved: revoke them, make the change, then grant again (four-eyes)`, { scopes });
  }

  /** Revokes a grant; NOT_FOUND when it does not exist or is already revoked. */
  async revoke(grantId: string, by: Granter): Promise<Grant> {
    const grant = await this.#store.get(grantId);
    if (!grant || grant.revokedMs !== null) throw new AppError('NOT_FOUND', 'no such grant');
    await this.#audit.record({
      type: 'access.grant.revoked',
      ...by.audit,
      target: { kind: 'user', id: `user:${grant.userId}` },
      outcome: 'success',
      details: { grantId, role: grant.role, scope: scopeText(grant.scope), source: grant.source },
    });
    await this.#store.revoke(grantId, by.userId === null ? by.audit.actor.id : `user:${by.userId}`, this.#clock.now());
    return grant;
  }

  /** The grants of a user in force now, roles resolved (unknown roles grant nothing). */
  async effective(userId: string): Promise<EffectiveGrant[]> {
    const now = this.#clock.now();
    const out: EffectiveGrant[] = [];
    for (const g of await this.#store.ofUser(userId)) {
      if (g.expiresMs !== null && g.expiresMs <= now) continue;
      const role = this.#roles.get(g.role);
      if (role) out.push({ grantId: g.id, role: role.name, scope: g.scope, permissions: role.permissions });
    }
    return out;
  }

  /** True when any grant in force gives the user a role that makes MFA mandatory. */
  async needsMfa(userId: string): Promise<boolean> {
    return this.privileged(await this.effective(userId));
  }

  /** True when one of these grants has a role that makes MFA mandatory. */
  privileged(grants: readonly EffectiveGrant[]): boolean {
    return grants.some((g) => this.#roles.get(g.role)?.mfa === true);
  }

  /** Grants of one user not revoked (expired included), for the user pages. */
  ofUser(userId: string): Promise<Grant[]> {
    return this.#store.ofUser(userId);
  }

  /** Every grant not revoked, for the access-rights register. */
  all(): Promise<Grant[]> {
    return this.#store.all();
  }

  /**
   * Makes a user's grants from an identity provider (`source` = `sso:<provider>`) equal to
   * `mapped`: missing ones are granted, ones no longer asserted are revoked. Manual grants
   * are untouched.
   */
  async syncFromProvider(grantee: Grantee, provider: string, mapped: readonly { role: string; scope: string }[], by: Granter): Promise<void> {
    const source = `sso:${provider}`;
    const current = (await this.#store.ofUser(grantee.id)).filter((g) => g.source === source);
    const want = new Set(mapped.map((m) => `${m.role}@${m.scope}`));
    for (const g of current) if (!want.has(`${g.role}@${scopeText(g.scope)}`)) await this.revoke(g.id, by);
    const have = new Set(current.map((g) => `${g.role}@${scopeText(g.scope)}`));
    for (const m of mapped) {
      if (have.has(`${m.role}@${m.scope}`)) continue;
      // A mapping to an unknown role or scope is refused (and audited) without stopping the login.
      await this.grant(grantee, { role: m.role, scope: m.scope, expiresMs: grantee.external ? grantee.expiresMs : null }, by, source).catch((e: unknown) => {
        if (!(e instanceof AppError) || e.code === 'AUDIT_UNAVAILABLE') throw e;
      });
    }
  }
}
