import { terminalJson, terminalText } from './terminal-text.ts';
import { AppError } from '../lib/errors.ts';
import type { User } from '../identity/user.ts';
import { configOptions, parse, readStdin, subcommand, type CliIo, type Command } from './args.ts';
import { loadCliConfig } from './load-cli-config.ts';
import { openIdentity, type OpenIdentity } from './open-identity.ts';

const usage = `Usage: custos user <add|list|grant|revoke|disable|enable|password|reset-factors> [options]

  custos user add USERNAME [--role ROLE]... [--scope SCOPE] [--display-name NAME]
                  [--external --expires YYYY-MM-DD]        (the password is read from stdin)
  custos user list [--json]
  custos user grant USERNAME --role ROLE [--scope SCOPE] [--expires YYYY-MM-DD]
  custos user revoke GRANT_ID
  custos user disable USERNAME        ends the user's sessions; tokens stop working
  custos user enable USERNAME
  custos user password USERNAME       reset: the new password is read from stdin
  custos user reset-factors USERNAME  reset: the second factors only

A reset removes the user's second factors, ends their sessions and API tokens, and prints a
one-time enrolment code on stdout: the user signs in with the password and that code (where a
recovery code goes) and must then enrol a new second factor. This is the host's break-glass
path: it is not subject to four-eyes (whoever runs it can already read the database), but every
reset is an account.reset event naming the operating-system user, and raises an alarm.

There are no default accounts and no default passwords: the first administrator is made with
\`custos user add NAME --role admin\`. Passwords are never taken as arguments (they would show
in ps). SCOPE is global (default), site:<id>, group:<id> or camera:<id>. Roles: viewer, operator,
investigator, admin, auditor, compliance-officer, key-custodian (or identity.roles). Privileged
roles (admin, auditor, key-custodian) require a second factor, enrolled at the first login.
Common options: --config FILE, --data-dir DIR, --help.`;

/** `custos user …`: accounts and their grants, on the configured database. */
export const userCommand: Command = {
  name: 'user',
  summary: 'Add users, grant and revoke roles, disable accounts',
  usage,
  async run(argv, io) {
    const parsed = subcommand(argv, usage, io);
    if (typeof parsed === 'number') return parsed;
    const { sub, rest } = parsed;
    const options = {
      ...configOptions,
      role: { type: 'string', multiple: true },
      scope: { type: 'string' },
      'display-name': { type: 'string' },
      external: { type: 'boolean' },
      expires: { type: 'string' },
      json: { type: 'boolean' },
    } as const;
    const { values, positionals } = parse(rest, options, true);
    const config = await loadCliConfig(values, io);
    const open = await openIdentity(config);
    try {
      return await runUser(sub, values, positionals, open, io);
    } finally {
      await open.close();
    }
  },
};

async function runUser(
  sub: string,
  values: { role?: string[] | undefined; scope?: string | undefined; 'display-name'?: string | undefined; external?: boolean | undefined; expires?: string | undefined; json?: boolean | undefined },
  positionals: string[],
  { identity, by }: OpenIdentity,
  io: CliIo,
): Promise<number> {
  const granter = { audit: by, userId: null };
  const expiresMs = values.expires === undefined ? null : dateOption(values.expires);
  switch (sub) {
    case 'add': {
      const username = one(positionals, 'add', 'a user name');
      const password = await readStdin(io.stdin);
      if (!password) throw new AppError('VALIDATION_FAILED', 'no password on stdin (e.g. read -rs P && printf %s "$P" | custos user add NAME --role admin)');
      const user = await identity.users.create({ username, displayName: values['display-name'], password, external: values.external ?? false, expiresMs }, by);
      for (const role of values.role ?? []) await identity.grants.grant(user, { role, scope: values.scope ?? 'global', expiresMs }, granter);
      io.stdout.write(`${user.id}\n`);
      return 0;
    }
    case 'list': {
      const users = await identity.users.list();
      const rows = await Promise.all(users.map(async (u) => ({ user: u, grants: await identity.grants.effective(u.id) })));
      if (values.json) {
        io.stdout.write(`${terminalJson(rows.map(({ user: u, grants }) => ({ id: u.id, username: u.username, kind: u.kind, disabled: u.disabled, external: u.external, grants: grants.map((g) => ({ role: g.role, scope: g.scope })) })))}\n`);
        return 0;
      }
      for (const { user: u, grants } of rows) {
        // A user name may come from an identity provider (SSO): it reaches the terminal escaped.
        io.stdout.write(`${u.id}  ${terminalText(u.username)}${u.disabled ? ' (disabled)' : ''}${u.external ? ' (external)' : ''}  ${grants.map((g) => `${g.role}@${g.scope.kind === 'global' ? 'global' : `${g.scope.kind}:${g.scope.id}`}`).join(', ') || 'no grants'}\n`);
      }
      return 0;
    }
    case 'grant': {
      const user = await byName(identity, one(positionals, 'grant', 'a user name'));
      const roles = values.role ?? [];
      if (roles.length === 0) throw new AppError('VALIDATION_FAILED', 'user grant needs --role');
      for (const role of roles) io.stdout.write(`${(await identity.grants.grant(user, { role, scope: values.scope ?? 'global', expiresMs }, granter)).id}\n`);
      return 0;
    }
    case 'revoke': {
      await identity.grants.revoke(one(positionals, 'revoke', 'a grant id'), granter);
      return 0;
    }
    case 'disable':
    case 'enable': {
      const user = await byName(identity, one(positionals, sub, 'a user name'));
      await identity.users.setDisabled(user, sub === 'disable', by);
      if (sub === 'disable') await identity.sessions.endAll(user.id);
      return 0;
    }
    case 'password':
    case 'reset-factors': {
      const user = await byName(identity, one(positionals, sub, 'a user name'));
      const password = sub === 'password' ? await readStdin(io.stdin) : null;
      if (password === '') throw new AppError('VALIDATION_FAILED', 'no password on stdin');
      const done = await identity.resets.apply(user, await identity.resets.prepare(user, password), by, null);
      io.stderr.write(`${user.username} reset: factors removed, ${done.sessionsEnded} session(s) and ${done.tokensRevoked} token(s) ended. One-time enrolment code for the user (shown once):\n`);
      io.stdout.write(`${done.enrolmentCode}\n`);
      return 0;
    }
    default:
      throw new AppError('VALIDATION_FAILED', `unknown user command "${sub}"; try custos user --help`);
  }
}

async function byName(identity: OpenIdentity['identity'], name: string): Promise<User> {
  const user = await identity.users.findByUsername(name);
  if (!user) throw new AppError('NOT_FOUND', `no user named ${name}`);
  return user;
}

function one(positionals: string[], sub: string, what: string): string {
  if (positionals.length !== 1) throw new AppError('VALIDATION_FAILED', `user ${sub} needs exactly ${what}`);
  return positionals[0] as string;
}

/** `YYYY-MM-DD` (end of that day, UTC) or a full RFC 3339 time, as epoch ms. */
export function dateOption(text: string): number {
  const ms = /^\d{4}-\d{2}-\d{2}$/.test(text) ? Date.parse(`${text}T23:59:59.999Z`) : Date.parse(text);
  if (!Number.isFinite(ms)) throw new AppError('VALIDATION_FAILED', `--expires ${text} is not a date (YYYY-MM-DD)`);
  return ms;
}
