import type { AuditSink } from '../audit/ledger.ts';
import type { ClockStep } from '../lib/clock-watch.ts';
import type { Logger } from '../lib/logger.ts';
import type { RecordingEvent } from './camera-recorder.ts';
import { recorderActor } from './segment-leaves.ts';
import { recordingOf, streamDetail } from './recorded-stream.ts';

/**
 * The recorder's and the clock watch's events as ledger events: recording interrupted, resumed,
 * a camera refusing our credentials (LOG-1 device use, LOG-6 gaps), and a stepped wall clock
 * (retention is held meanwhile). Recording never waits on these: a failed write is logged.
 */

/**
 * Audits recording interruptions, resumptions and camera authentication failures. Those of a
 * recorded sub-stream (ADR 0043) name the camera, with `details.stream: 'sub'`.
 */
export function auditRecordingEvent(audit: AuditSink, event: RecordingEvent, log: Logger): void {
  const type = event.kind === 'interrupted' ? 'recording.interrupted' : event.kind === 'resumed' ? 'recording.resumed' : 'camera.auth.failed';
  const { cameraId } = recordingOf(event.cameraId);
  const stream = streamDetail(event.cameraId);
  audit
    .record({
      type,
      actor: recorderActor,
      target: { kind: 'camera', id: cameraId },
      cameraId,
      outcome: event.kind === 'auth-failed' ? 'failure' : 'success',
      ...(event.reason === null ? {} : { reason: event.reason }),
      ...(stream.stream === undefined ? {} : { details: stream }),
    })
    .catch((e: unknown) => log.error({ err: e, cameraId: event.cameraId }, 'could not audit a recording event'));
}

/** True when recording stopped because our own disk is full (the `storage-fault` alarm's business). */
export function stoppedByFullDisk(event: RecordingEvent): boolean {
  return event.kind === 'interrupted' && event.failure?.kind === 'disk-full';
}

/** Audits the disk-full policy stopping (`recording.space.stopped`) or resuming (`recording.space.resumed`) recording on a directory. */
export function auditSpaceChange(audit: AuditSink, change: { kind: 'stopped' | 'resumed'; path: string; freeBytes: number; reason: string | null }, log: Logger): void {
  audit
    .record({
      type: change.kind === 'stopped' ? 'recording.space.stopped' : 'recording.space.resumed',
      actor: { kind: 'system', id: 'system:space-guard' },
      outcome: 'success',
      ...(change.reason === null ? {} : { reason: change.reason }),
      details: { path: change.path, freeBytes: change.freeBytes },
    })
    .catch((e: unknown) => log.error({ err: e }, 'could not audit a disk-full policy change'));
}

/** Alarms a wall-clock step: a log line and a `clock.stepped` ledger event (which raises an alarm). */
export function auditClockStep(audit: AuditSink, step: ClockStep, log: Logger): void {
  log.warn({ stepMs: step.stepMs, wallTime: new Date(step.wallMs).toISOString() }, 'the wall clock stepped; retention is held until it has been steady');
  audit
    .record({ type: 'clock.stepped', actor: { kind: 'system', id: 'system:clock-watch' }, outcome: 'success', details: { stepMs: step.stepMs, wallTime: new Date(step.wallMs).toISOString() } })
    .catch((e: unknown) => log.error({ err: e }, 'could not audit a clock step'));
}
