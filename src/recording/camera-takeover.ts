import { randomUUID } from 'node:crypto';
import type { AuditSink } from '../audit/ledger.ts';
import type { Logger } from '../lib/logger.ts';
import { recoverSegments, type RecoveryDeps } from './recovery.ts';
import { fencedIndex, type SegmentIndex } from './segment-index.store.ts';
import type { SegmentStore } from './segment-store.ts';
import { serverDownReason } from './downtime-gaps.ts';
import { recordingId } from './recorded-stream.ts';

/** Gap reasons of a camera that changed recorder (cluster mode). */
export const failoverReason = 'failover';
export const handoverReason = 'handover';

/** How the new holder got a camera's lease (src/cluster/lease-keeper.ts says). */
export interface Takeover {
  readonly cameraId: string;
  readonly token: number;
  /** The node whose lease lapsed (a failover), or null (free, released, or brand new). */
  readonly prevHolder: string | null;
  /** When the previous holding ended, or null for a camera never leased. */
  readonly prevEndMs: number | null;
  /** The database's clock at the claim. */
  readonly nowMs: number;
  /** This node. */
  readonly node: string;
}

const clusterActor = { kind: 'system', id: 'system:cluster' } as const;

/**
 * What a recorder does when it takes a camera, before it records it (cluster mode), under its
 * new token (the database refuses the old holder's writes from now on):
 * 1. recovers the camera's open segments left by the previous holder (cut back to their last whole
 *    fragment, as start-up recovery does after a crash);
 * 2. opens a gap from the camera's last recorded moment, with reason `failover` (the previous
 *    holder's lease lapsed), `handover` (released moments ago) or `server not running`; the first
 *    segment closes it;
 * 3. raises the `recorder-failover` alarm on a failover.
 * Steps 1 and 2 are done for the camera's recorded sub-stream too (ADR 0043: its rows are fenced
 * by the camera's lease), whether or not it is recorded now (its open segments need recovery either way).
 * Returns, per stream, whether a gap was opened and where its footage ends (its next segment starts no earlier).
 */
export async function takeOverCamera(t: Takeover, deps: { index: SegmentIndex; store: SegmentStore; audit: AuditSink; log: Logger; handoverMs: number; recovery: Omit<RecoveryDeps, 'cameraId'> }): Promise<TakenOverStream & { sub: TakenOverStream }> {
  const reason = t.prevHolder !== null ? failoverReason : t.prevEndMs !== null && t.nowMs - t.prevEndMs <= deps.handoverMs ? handoverReason : serverDownReason;
  const main = await takeOverRecording(t.cameraId, t, reason, deps);
  const sub = await takeOverRecording(recordingId(t.cameraId, 'sub'), t, reason, deps);
  deps.log.info({ cameraId: t.cameraId, token: t.token, prevHolder: t.prevHolder, how: reason, recovered: main.recovered + sub.recovered }, 'took the camera lease');
  if (t.prevHolder !== null) {
    await deps.audit.record({
      type: 'alarm.raised',
      actor: clusterActor,
      target: { kind: 'camera', id: t.cameraId },
      cameraId: t.cameraId,
      outcome: 'success',
      details: { rule: 'recorder-failover', title: `Recorder ${t.prevHolder} stopped renewing its lease: camera moved to ${t.node}`, from: t.prevHolder, to: t.node, token: t.token, lapsedAt: t.prevEndMs === null ? null : new Date(t.prevEndMs).toISOString() },
    });
  }
  return { gapOpen: main.gapOpen, notBeforeMs: main.notBeforeMs, sub: { gapOpen: sub.gapOpen, notBeforeMs: sub.notBeforeMs } };
}

/** What a takeover found for one recorded stream of the camera. */
export interface TakenOverStream {
  readonly gapOpen: boolean;
  readonly notBeforeMs: number | null;
}

/** Steps 1 and 2 of {@link takeOverCamera} for one recording id (the camera's, or its sub-stream's). */
async function takeOverRecording(id: string, t: Takeover, reason: string, deps: Parameters<typeof takeOverCamera>[1]): Promise<TakenOverStream & { recovered: number }> {
  const index = fencedIndex(deps.index, t.token);
  const report = await recoverSegments(deps.store, index, deps.log, { ...deps.recovery, cameraId: id });
  const last = await deps.index.lastSegment(id);
  let gapOpen = false;
  if (last !== undefined) {
    const open = await deps.index.gapsOverlapping(id, last.endMs, t.nowMs + 1);
    // An open gap (the camera was already down) keeps its reason; the first segment closes it.
    gapOpen = open.some((g) => g.endMs === null);
    if (!gapOpen) {
      await index.insertGap({ id: randomUUID(), cameraId: id, startMs: Math.min(last.endMs, t.nowMs), endMs: null, reason });
      gapOpen = true;
    }
  }
  return { gapOpen, notBeforeMs: last?.endMs ?? null, recovered: report.recovered + report.removedEmpty };
}
