import { createHash } from 'node:crypto';
import type { AuditInput } from '../audit/audit-event.ts';
import type { AuditSink } from '../audit/ledger.ts';
import type { Logger } from '../lib/logger.ts';
import type { Segment } from '../media/segment.ts';
import type { SegmentStore } from './segment-store.ts';
import type { SealedHashes } from './camera-recorder.ts';
import { recordingOf, streamDetail } from './recorded-stream.ts';

/** The actor of the events the recorder itself records (segment leaves, interruptions). */
export const recorderActor = { kind: 'system', id: 'system:recorder' } as const;

/**
 * The ledger event of a sealed segment: camera, time span and both hashes (LOG-2, EVD-1); in a
 * cluster also `fence`, the camera's lease token under which it was sealed or recovered. A
 * segment of a recorded sub-stream names its camera and says `stream: 'sub'` (ADR 0043).
 */
export function segmentLeafInput(segment: Segment, plaintextSha256: string, objectSha256: string, fence: number | null = null): AuditInput {
  return {
    type: 'footage.segment.sealed',
    actor: recorderActor,
    target: { kind: 'segment', id: segment.id },
    cameraId: recordingOf(segment.cameraId).cameraId,
    outcome: 'success',
    details: {
      segmentId: segment.id,
      ...streamDetail(segment.cameraId),
      start: new Date(segment.startMs).toISOString(),
      end: new Date(segment.endMs).toISOString(),
      bytes: segment.bytes,
      fragments: segment.fragments.length,
      state: segment.state,
      plaintextSha256,
      objectSha256,
      ...(fence === null ? {} : { fence }),
    },
  };
}

/**
 * Adds a leaf for every segment the recorder seals (and every segment recovery closes), without
 * holding up ingest. The recorder hands both hashes over, computed as the segment was written;
 * only what it cannot give (segments closed by recovery, an object whose append failed) is read
 * back from the store, in the background.
 *
 * Recording does not stop when the ledger cannot write (losing footage is worse than a late
 * leaf): a failed leaf is logged at error level with the segment id. Not built: re-adding the
 * leaves of such segments at the next start.
 */
export class SegmentLeaves {
  readonly #audit: AuditSink;
  readonly #store: SegmentStore;
  readonly #log: Logger;
  readonly #pending = new Set<Promise<void>>();

  constructor(deps: { audit: AuditSink; store: SegmentStore; log: Logger }) {
    this.#audit = deps.audit;
    this.#store = deps.store;
    this.#log = deps.log;
  }

  /**
   * Records the segment's leaf in the background; a hash not given is read back from the store.
   * `fence`: the camera's lease token (cluster mode), else null.
   */
  sealed(segment: Segment, hashes?: Partial<SealedHashes>, fence: number | null = null): void {
    const failed = (e: unknown) => {
      this.#log.error({ err: e, segmentId: segment.id, cameraId: segment.cameraId }, 'could not add the segment to the audit ledger');
    };
    const work = this.#leaf(segment, hashes?.plaintextSha256 ?? undefined, hashes?.objectSha256 ?? undefined, fence).then((input) => {
      void this.#audit.record(input).catch(failed);
    }, failed);
    this.#pending.add(work);
    void work.finally(() => this.#pending.delete(work));
  }

  /**
   * Resolves when every leaf started so far has been handed to the sink (or failed before).
   * It MUST NOT wait for the sink to write them: a deferred sink holds events while the ledger
   * cannot write (a database outage) and only its own close ends them, so the shutdown order is
   * this, then the sink's close.
   */
  async idle(): Promise<void> {
    while (this.#pending.size > 0) await Promise.all([...this.#pending]);
  }

  /** The segment's leaf, with what is missing of its hashes read back from the store. */
  async #leaf(segment: Segment, plaintextSha256: string | undefined, objectHash: string | undefined, fence: number | null): Promise<AuditInput> {
    const objectSha256 = objectHash ?? (await this.#store.digest(segment.objectKey));
    let plain = plaintextSha256;
    if (plain === undefined) {
      const hash = createHash('sha256');
      for await (const chunk of this.#store.stream(segment.objectKey, 0, segment.bytes)) hash.update(chunk);
      plain = hash.digest('hex');
    }
    return segmentLeafInput(segment, plain, objectSha256, fence);
  }
}
