import type { AuditInput } from '../audit/audit-event.ts';
import type { AlarmWatch } from '../audit/alarm-watch.ts';
import { buildAlarmWatch } from '../audit/build-alarm-watch.ts';
import type { AuditSink } from '../audit/ledger.ts';
import type { Db } from '../db/database.ts';
import { leaseFence, type LeaseFence } from '../db/lease-fence.ts';
import type { BuiltIncidents } from '../incidents/build-incidents.ts';
import type { Clock } from '../lib/clock.ts';
import { AppError } from '../lib/errors.ts';
import type { Logger } from '../lib/logger.ts';
import type { ConfiguredDestination, SiemShipper } from '../siem/delivery/shipper.ts';
import { JobsSwitch } from './cluster-jobs.ts';
import { jobsLease } from './lease-keeper.ts';
import type { Claimed } from './leases.store.ts';

const clusterActor = { kind: 'system', id: 'system:cluster' } as const;

/** Who may run the jobs now: the jobs lease in a cluster, always in a one-process install. */
export interface JobsTurn {
  /** This node's jobs-lease token while held; null when not held (cluster mode only). */
  token(): number | null;
}

/**
 * The fence on the jobs' cursor writes (alarm rules, inbox feed, SIEM cursors) in a cluster: a
 * node paused past the jobs lease cannot move a cursor under its successor. Null without a cluster.
 */
export function jobsFence(db: Db, opts: { enabled: boolean; nodeId: string; turn: JobsTurn }): LeaseFence | null {
  return opts.enabled ? leaseFence(db, { name: jobsLease, holder: opts.nodeId, token: () => opts.turn.token() }) : null;
}

/** The `jobs-failover` alarm: the jobs lease lapsed on `claim.prevHolder` and `node` took it. */
export function jobsFailoverAlarm(claim: Claimed, node: string): AuditInput {
  return {
    type: 'alarm.raised',
    actor: clusterActor,
    target: { kind: 'node', id: node },
    outcome: 'success',
    details: {
      rule: 'jobs-failover',
      title: `Node ${claim.prevHolder ?? '?'} stopped renewing the jobs lease: alarm rules, notifications and SIEM shipping moved to ${node}`,
      from: claim.prevHolder,
      to: node,
      token: claim.token,
      lapsedAt: claim.prevEndMs === null ? null : new Date(claim.prevEndMs).toISOString(),
    },
  };
}

/**
 * Assembly of the once-per-cluster jobs (ADR 0039): the alarm rules, the alarm inbox feed with
 * its notifications and incident reminders, and SIEM shipping, started and stopped as one by a
 * {@link JobsSwitch}. Each start reopens every job from its durable cursor. In a cluster, alarms
 * the rules raise are recorded only while the jobs lease is held (`turn`), and a takeover after a
 * lapse raises `jobs-failover`. Without a cluster the caller tells the switch `held` once.
 */
export function buildClusterJobs(deps: {
  db: Db;
  clock: Clock;
  log: Logger;
  tickMs: number;
  cluster: { enabled: boolean; nodeId: string };
  turn: JobsTurn;
  fence: LeaseFence | null;
  audit: AuditSink;
  /** The watch built before the ledger opened (one-process install), used by the first start. */
  earlyWatch: AlarmWatch | null;
  incidents: BuiltIncidents;
  siem: SiemShipper;
  /** Builds the SIEM destinations' adapters (each start: a stopped adapter is closed). */
  connectSiem: () => Promise<ConfiguredDestination[]>;
  /** Where the running watch and feed are published for the ledger's commit hook. */
  watching: { alarms?: AlarmWatch; incidents?: BuiltIncidents };
}): JobsSwitch {
  const { log } = deps;
  let early = deps.earlyWatch;
  const sink: AuditSink = deps.cluster.enabled
    ? {
        record: (input) => (deps.turn.token() !== null ? deps.audit.record(input) : Promise.reject(new AppError('LEASE_LOST', 'this node no longer holds the jobs lease: the alarm is left to its new holder'))),
      }
    : deps.audit;
  return new JobsSwitch({
    log,
    start: async (claim) => {
      const watch = early ?? (await buildAlarmWatch({ db: deps.db, clock: deps.clock, log, fence: deps.fence }));
      early = null;
      watch.start(sink, deps.tickMs);
      deps.watching.alarms = watch;
      try {
        await deps.incidents.start(deps.tickMs);
        deps.watching.incidents = deps.incidents;
        await deps.siem.resume(await deps.connectSiem());
      } catch (e) {
        deps.watching.alarms = undefined;
        deps.watching.incidents = undefined;
        await deps.incidents.stopJobs();
        await watch.stop();
        throw e;
      }
      if (claim?.prevHolder != null) {
        await sink.record(jobsFailoverAlarm(claim, deps.cluster.nodeId)).catch((e: unknown) => log.error({ err: e }, 'could not record the jobs-failover alarm'));
      }
      return {
        async stop() {
          deps.watching.alarms = undefined;
          deps.watching.incidents = undefined;
          await deps.siem.suspend();
          await deps.incidents.stopJobs();
          await watch.stop();
        },
      };
    },
  });
}
