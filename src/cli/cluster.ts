import { AppError } from '../lib/errors.ts';
import { systemClock } from '../lib/clock.ts';
import { openCore } from '../core.ts';
import { clusterStatus, type ClusterStatus } from '../cluster/cluster-status.ts';
import { createLeaseStore } from '../cluster/leases.store.ts';
import { configOptions, parse, type Command, subcommand } from './args.ts';
import { loadCliConfig } from './load-cli-config.ts';
import { terminalText } from './terminal-text.ts';

const usage = `Usage: custos cluster status [--config FILE] [--data-dir DIR] [--json]

status: the nodes of the cluster on this database (roles, URL, alive or not, cameras held), which
node records each camera (its lease holder and fencing token) and which node signs the audit
checkpoints. See docs/reference/deployment.md.`;

function print(s: ClusterStatus, out: NodeJS.WritableStream): void {
  if (!s.enabled) out.write('cluster.enabled is off in this configuration; the leases below are what the database holds\n');
  for (const n of s.nodes) out.write(`node ${terminalText(n.id)}: ${n.live ? 'live' : 'gone'}, roles ${n.roles.join('+')}, ${n.cameras} cameras, seen ${n.seenAt}${n.url ? `, ${terminalText(n.url)}` : ''}\n`);
  for (const c of s.cameras) out.write(`camera ${c.cameraId}: ${c.holder === null ? 'not recorded (no live lease)' : `recorded by ${terminalText(c.holder)}`}, token ${c.token}\n`);
  out.write(`checkpoint signer: ${s.checkpointSigner === null ? 'none' : terminalText(s.checkpointSigner)}\n`);
  out.write(`jobs: ${s.jobsHolder === null ? 'none' : terminalText(s.jobsHolder)}\n`);
}

/** `custos cluster status`. */
export const clusterCommand: Command = {
  name: 'cluster',
  summary: 'Several recorders on one PostgreSQL: which node records each camera',
  usage,
  async run(argv, io) {
    const parsed = subcommand(argv, usage, io);
    if (typeof parsed === 'number') return parsed;
    const { sub, rest } = parsed;
    if (sub !== 'status') throw new AppError('VALIDATION_FAILED', `unknown cluster command "${sub}"; try custos cluster --help`);
    const { values } = parse(rest, { ...configOptions, json: { type: 'boolean' } });
    const config = await loadCliConfig(values, io);
    const core = await openCore(config);
    try {
      const status = await clusterStatus(createLeaseStore(core.database.db), { enabled: config.cluster.enabled, node: config.cluster.nodeId ?? '(this CLI)', leaseMs: config.cluster.leaseSeconds * 1000, nowMs: systemClock.now() });
      if (values.json === true) io.stdout.write(`${JSON.stringify(status, null, 2)}\n`);
      else print(status, io.stdout);
      return 0;
    } finally {
      await core.close();
    }
  },
};
