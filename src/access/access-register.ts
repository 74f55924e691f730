import type { Grant } from './grant.ts';
import type { Roles } from './roles.ts';
import { scopeText } from './scope.ts';

/** What the register shows of an account (identity's User has it). */
export interface RegisterUser {
  readonly id: string;
  readonly username: string;
  readonly displayName: string;
  readonly kind: string;
  readonly external: boolean;
  readonly expiresMs: number | null;
  readonly disabled: boolean;
}

/** One line of the access-rights register (IAM-4). */
export interface RegisterRow {
  readonly userId: string;
  readonly username: string;
  readonly displayName: string;
  readonly kind: string;
  readonly external: boolean;
  readonly accountExpiresAt: string | null;
  readonly disabled: boolean;
  readonly role: string;
  readonly privileged: boolean;
  readonly scope: string;
  readonly grantedBy: string;
  readonly grantedAt: string;
  readonly expiresAt: string | null;
  readonly source: string;
}

const iso = (ms: number | null) => (ms === null ? null : new Date(ms).toISOString());

/**
 * The access-rights register: who holds which role on which scope, granted by whom, when and
 * until when, for every grant not revoked (expired ones included, with their end date, so an
 * auditor sees access that lapsed). Granters are shown by user name where they are users.
 */
export function accessRegister(users: readonly RegisterUser[], grants: readonly Grant[], roles: Roles): RegisterRow[] {
  const byId = new Map(users.map((u) => [u.id, u]));
  const nameOf = (who: string) => (who.startsWith('user:') ? (byId.get(who.slice(5))?.username ?? who) : who);
  const rows: RegisterRow[] = [];
  for (const g of grants) {
    const u = byId.get(g.userId);
    if (!u) continue;
    rows.push({
      userId: u.id,
      username: u.username,
      displayName: u.displayName,
      kind: u.kind,
      external: u.external,
      accountExpiresAt: iso(u.expiresMs),
      disabled: u.disabled,
      role: g.role,
      privileged: roles.get(g.role)?.mfa ?? false,
      scope: scopeText(g.scope),
      grantedBy: nameOf(g.grantedBy),
      grantedAt: new Date(g.grantedMs).toISOString(),
      expiresAt: iso(g.expiresMs),
      source: g.source,
    });
  }
  return rows.sort((a, b) => a.username.localeCompare(b.username) || a.role.localeCompare(b.role) || a.scope.localeCompare(b.scope));
}

const columns: readonly (keyof RegisterRow)[] = ['username', 'displayName', 'kind', 'external', 'accountExpiresAt', 'disabled', 'role', 'privileged', 'scope', 'grantedBy', 'grantedAt', 'expiresAt', 'source', 'userId'];

/** The register as CSV (RFC 4180; cells that a spreadsheet would run as formulas are quoted with a leading apostrophe). */
export function registerCsv(rows: readonly RegisterRow[]): string {
  const cell = (v: string | boolean | null): string => {
    let s = v === null ? '' : String(v);
    if (/^[=+\-@\t\r]/.test(s)) s = `'${s}`;
    return /[",\r\n]/.test(s) ? `"${s.replace(/"/g, '""')}"` : s;
  };
  return [columns.join(','), ...rows.map((r) => columns.map((c) => cell(r[c])).join(','))].join('\r\n') + '\r\n';
}
