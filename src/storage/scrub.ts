/**
 * Scrub and repair (issue 14 item 5): every copy of every segment in every zone is read back and
 * its ciphertext SHA-256 compared with the segment's `footage.segment.sealed` ledger leaf. A copy
 * that is missing or differs is repaired from a copy that matches (fetched into the scratch
 * directory, checked, put into the zone, checked again); each repair is a `storage.copy.repaired`
 * event, each copy that cannot be repaired a `storage.copy.unrepairable` one, and the run ends
 * with `storage.scrub.completed`.
 *
 * Pending copies (still in the spool) and segments without a leaf (a leaf not yet written) are
 * not judged: they are counted apart.
 */
import type { AuditInput } from '../audit/audit-event.ts';
import type { AuditSink } from '../audit/ledger.ts';
import type { AuditActor } from '../audit/audit-event.ts';
import type { Clock } from '../lib/clock.ts';
import type { Logger } from '../lib/logger.ts';
import type { SegmentCopies, SegmentCopy } from './segment-copies.store.ts';
import { ensureScratchDir, fetchToScratch } from './scratch-files.ts';
import type { ZoneSet } from './zone-set.ts';
import { zoneDigest } from './zone.ts';

/** One copy the scrub found bad. */
export interface ScrubFinding {
  readonly segmentId: string;
  readonly zone: string;
  readonly problem: 'missing' | 'damaged';
  /** The zone it was repaired from, or null when no good copy exists. */
  readonly repairedFrom: string | null;
}

export interface ScrubReport {
  readonly segments: number;
  readonly copies: number;
  readonly ok: number;
  /** Copies still waiting in the spool (not judged). */
  readonly pending: number;
  /** Segments with no ledger leaf yet (not judged). */
  readonly noLeaf: number;
  /** Copies that could not be read because their zone did not answer (not judged). */
  readonly unreachable: number;
  readonly findings: ScrubFinding[];
}

export interface ScrubDeps {
  readonly zoneSet: ZoneSet;
  readonly copies: SegmentCopies;
  readonly audit: AuditSink;
  readonly actor: AuditActor;
  readonly clock: Clock;
  readonly log: Logger;
  readonly scratchDir: string;
  /** Report only, repair nothing. */
  readonly dryRun?: boolean;
}

/** Checks (and repairs) every copy; see the file comment. */
export async function scrub(d: ScrubDeps): Promise<ScrubReport> {
  await ensureScratchDir(d.scratchDir);
  let segments = 0;
  let ok = 0;
  let pending = 0;
  let noLeaf = 0;
  let unreachable = 0;
  let copyCount = 0;
  const findings: ScrubFinding[] = [];
  let after = '';
  for (;;) {
    const page = await d.copies.page(after, 200);
    if (page.length === 0) break;
    after = (page[page.length - 1] as SegmentCopy).segmentId;
    const bySegment = new Map<string, SegmentCopy[]>();
    for (const c of page) bySegment.set(c.segmentId, [...(bySegment.get(c.segmentId) ?? []), c]);
    const leaves = await d.copies.leafHashes([...bySegment.keys()]);
    for (const [segmentId, copies] of bySegment) {
      segments += 1;
      copyCount += copies.length;
      const expected = leaves.get(segmentId);
      if (expected === undefined) {
        noLeaf += 1;
        continue;
      }
      const good: SegmentCopy[] = [];
      const bad: { copy: SegmentCopy; problem: 'missing' | 'damaged' }[] = [];
      for (const copy of copies) {
        if (copy.state === 'pending') {
          pending += 1;
          continue;
        }
        const zone = d.zoneSet.zones.get(copy.zoneId);
        if (zone === undefined) continue; // a zone no longer configured
        let digest;
        try {
          digest = await zoneDigest(zone, copy.objectKey);
        } catch (e) {
          unreachable += 1;
          d.log.warn({ err: e, zone: zone.id, segmentId }, 'scrub: zone did not answer');
          continue;
        }
        if (digest === null) bad.push({ copy, problem: 'missing' });
        else if (digest.sha256 !== expected) bad.push({ copy, problem: 'damaged' });
        else {
          good.push(copy);
          ok += 1;
          if (copy.state !== 'stored' || copy.sha256 !== digest.sha256) await d.copies.mark(segmentId, copy.zoneId, 'stored', d.clock.now(), digest.sha256, digest.size);
        }
      }
      for (const { copy, problem } of bad) {
        const cameraId = await cameraOf(d, segmentId);
        if (d.dryRun) {
          findings.push({ segmentId, zone: copy.zoneId, problem, repairedFrom: null });
          continue;
        }
        await d.copies.mark(segmentId, copy.zoneId, problem, d.clock.now());
        const from = await repair(d, copy, good, expected);
        findings.push({ segmentId, zone: copy.zoneId, problem, repairedFrom: from });
        const target = { kind: 'segment', id: segmentId };
        if (from !== null) {
          await d.copies.mark(segmentId, copy.zoneId, 'stored', d.clock.now(), expected);
          await record(d, { type: 'storage.copy.repaired', actor: d.actor, target, ...(cameraId ? { cameraId } : {}), outcome: 'success', details: { zone: copy.zoneId, problem, from, sha256: expected } });
        } else {
          await record(d, { type: 'storage.copy.unrepairable', actor: d.actor, target, ...(cameraId ? { cameraId } : {}), outcome: 'failure', reason: `no good copy of the segment to repair zone ${copy.zoneId} from`, details: { zone: copy.zoneId, problem } });
        }
      }
    }
  }
  const report: ScrubReport = { segments, copies: copyCount, ok, pending, noLeaf, unreachable, findings };
  const count = (p: 'missing' | 'damaged') => findings.filter((f) => f.problem === p).length;
  await record(d, {
    type: 'storage.scrub.completed',
    actor: d.actor,
    outcome: findings.every((f) => f.repairedFrom !== null) ? 'success' : 'failure',
    details: { segments, checked: copyCount - pending, ok, pending, noLeaf, unreachable, missing: count('missing'), damaged: count('damaged'), repaired: findings.filter((f) => f.repairedFrom !== null).length, dryRun: d.dryRun === true },
  });
  return report;
}

async function cameraOf(d: ScrubDeps, segmentId: string): Promise<string | undefined> {
  const copies = await d.copies.ofSegment(segmentId);
  const key = copies.find((c) => c.zoneId === d.zoneSet.recording.id)?.objectKey;
  // The recording zone's key begins with the camera id (camera-recorder.ts).
  return key?.split('/')[0];
}

/** Replaces `copy` from the first good copy whose bytes still match; returns that zone's id. */
async function repair(d: ScrubDeps, copy: SegmentCopy, good: SegmentCopy[], expected: string): Promise<string | null> {
  const target = d.zoneSet.zones.get(copy.zoneId);
  if (target === undefined) return null;
  for (const source of good) {
    const zone = d.zoneSet.zones.get(source.zoneId);
    if (zone === undefined) continue;
    let scratch = null;
    try {
      scratch = await fetchToScratch(zone, source.objectKey, d.scratchDir, `${copy.segmentId}.repair.${source.zoneId}`);
      if (scratch === null || scratch.sha256 !== expected) continue;
      await target.put(copy.objectKey, scratch.path, scratch.size);
      const check = await zoneDigest(target, copy.objectKey);
      if (check?.sha256 !== expected) continue;
      return source.zoneId;
    } catch (e) {
      d.log.warn({ err: e, zone: copy.zoneId, from: source.zoneId, segmentId: copy.segmentId }, 'scrub: repair attempt failed');
    } finally {
      await scratch?.release();
    }
  }
  return null;
}

async function record(d: ScrubDeps, input: AuditInput): Promise<void> {
  await d.audit.record(input);
}
