import type { AuditSink } from '../audit/ledger.ts';
import type { Config } from '../config/schema.ts';
import { measureSpace } from '../lib/disk-space.ts';
import type { Logger } from '../lib/logger.ts';
import type { ZoneSet } from '../storage/zone-set.ts';
import { auditSpaceChange } from './recording-audit.ts';
import { SpaceGuard, type Reclaimer } from './space-guard.ts';

/**
 * The disk-full policy (issue 14 item 6) of the recording zone, where segments are written: its
 * directory, with the zone's own watermark where it declares one, else `recording.minFreeBytes`
 * and `recording.minFreePercent`. `reclaim(where, needBytes)` frees space there (retention's
 * oldest-first deletion past each camera's minimum); stopping and resuming are audited and
 * `onStop` reports the fault.
 */
export function buildSpaceGuard(deps: {
  zoneSet: ZoneSet;
  config: Pick<Config, 'storage' | 'recording'>;
  reclaim: (where: string, needBytes: number) => ReturnType<Reclaimer>;
  audit: AuditSink;
  log: Logger;
  onStop: (reason: string) => void;
}): SpaceGuard {
  const { zoneSet, config, audit, log } = deps;
  const path = zoneSet.recording.root;
  const mark = config.storage.zones.find((z) => z.id === zoneSet.recording.id)?.watermark;
  return new SpaceGuard({
    path,
    watermark: { minFreeBytes: mark?.minFreeBytes ?? config.recording.minFreeBytes, minFreePercent: mark?.minFreePercent ?? config.recording.minFreePercent },
    measure: measureSpace,
    reclaim: (needBytes) => deps.reclaim(path, needBytes),
    log,
    onStop: (reason, reading) => {
      deps.onStop(reason);
      auditSpaceChange(audit, { kind: 'stopped', path, freeBytes: reading.freeBytes, reason }, log);
    },
    onResume: (reading) => auditSpaceChange(audit, { kind: 'resumed', path, freeBytes: reading.freeBytes, reason: null }, log),
  });
}
