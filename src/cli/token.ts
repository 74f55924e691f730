import { terminalText } from './terminal-text.ts';
import { AppError } from '../lib/errors.ts';
import { configOptions, intOption, parse, subcommand, type Command } from './args.ts';
import { loadCliConfig } from './load-cli-config.ts';
import { openIdentity } from './open-identity.ts';

const usage = `Usage: custos token <create|list|revoke> [options]

  custos token create --user USERNAME --name NAME --permission P[,P…] [--days N]
  custos token list --user USERNAME
  custos token revoke TOKEN_ID

An API token acts for its user, limited to the permissions given (each one the user holds),
and expires (default 90 days, at most identity.tokenMaxDays). The secret is printed once, on
stdout; only its SHA-256 is stored. Send it as "Authorization: Bearer <token>".
Common options: --config FILE, --data-dir DIR, --help.`;

/** `custos token …`: API tokens for automation. */
export const tokenCommand: Command = {
  name: 'token',
  summary: 'Create, list and revoke API tokens',
  usage,
  async run(argv, io) {
    const parsed = subcommand(argv, usage, io);
    if (typeof parsed === 'number') return parsed;
    const { sub, rest } = parsed;
    const { values, positionals } = parse(rest, { ...configOptions, user: { type: 'string' }, name: { type: 'string' }, permission: { type: 'string', multiple: true }, days: { type: 'string' } } as const, true);
    const config = await loadCliConfig(values, io);
    const { identity, by, close } = await openIdentity(config);
    try {
      const owner = async () => {
        if (!values.user) throw new AppError('VALIDATION_FAILED', `token ${sub} needs --user`);
        const user = await identity.users.findByUsername(values.user);
        if (!user) throw new AppError('NOT_FOUND', `no user named ${values.user}`);
        return user;
      };
      switch (sub) {
        case 'create': {
          const user = await owner();
          const principal = await identity.authenticator.principalOf(user, { via: 'token', mfa: true, tokenId: null, limit: null });
          const permissions = (values.permission ?? []).flatMap((p) => p.split(',')).map((p) => p.trim()).filter(Boolean);
          const holds = (p: string) => principal.grants.some((g) => g.permissions.has(p as never));
          const { token, secret } = await identity.tokens.create(user.id, holds, { name: values.name ?? 'cli', permissions, days: intOption(values.days, 'days', 90, 1, config.identity.tokenMaxDays) }, by);
          io.stderr.write(`token ${token.id} for ${user.username} (${token.permissions.join(', ')}), expires ${new Date(token.expiresMs).toISOString()}; shown once:\n`);
          io.stdout.write(`${secret}\n`);
          return 0;
        }
        case 'list': {
          const user = await owner();
          for (const t of await identity.tokens.ofUser(user.id)) {
            io.stdout.write(`${t.id}  ${terminalText(t.name)}  ${t.permissions.join(',')}  expires ${new Date(t.expiresMs).toISOString()}${t.revokedMs !== null ? '  revoked' : ''}\n`);
          }
          return 0;
        }
        case 'revoke': {
          if (positionals.length !== 1) throw new AppError('VALIDATION_FAILED', 'token revoke needs exactly one token id');
          await identity.tokens.revoke(positionals[0] as string, null, by);
          return 0;
        }
        default:
          throw new AppError('VALIDATION_FAILED', `unknown token command "${sub}"; try custos token --help`);
      }
    } finally {
      await close();
    }
  },
};
