import { createHash, randomUUID, type Hash } from 'node:crypto';
import type { Clock } from '../lib/clock.ts';
import type { MonotonicClock } from '../lib/monotonic-clock.ts';
import { AppError } from '../lib/errors.ts';
import type { Logger } from '../lib/logger.ts';
import { classifyIngestFailure, type IngestFailure } from '../ingest/ingest-failure.ts';
import { sleep } from '../lib/sleep.ts';
import type { LiveHub } from '../live/live-hub.ts';
import type { CameraStatus } from './camera-status.ts';
import type { Ingest, IngestTarget } from '../ingest/ingest.ts';
import type { FragmentPiece, InitPiece, MediaPiece } from '../media/media.ts';
import type { FragmentEntry, Segment } from '../media/segment.ts';
import type { IndexWriter } from './index-writer.ts';
import { fencedIndex, type SegmentIndex } from './segment-index.store.ts';
import type { SegmentStore, SegmentWriter } from './segment-store.ts';
import { Segmenter } from './segmenter.ts';

/** What one camera's recorder needs; built by the Recorder, passed in by hand. */
export interface CameraRecorderDeps {
  readonly ingest: Ingest;
  readonly store: SegmentStore;
  readonly index: SegmentIndex;
  /** Makes the index writes: retried until made, never holding up recording (issue 12, items 6 and 7). */
  readonly indexWriter: IndexWriter;
  readonly live: LiveSink;
  readonly clock: Clock;
  /** Durations (the retry countdown) are measured on it, never on the wall clock. */
  readonly monotonic: MonotonicClock;
  readonly log: Logger;
  readonly segmentMs: number;
  readonly retryInitialMs: number;
  readonly retryMaxMs: number;
  /**
   * Told about every sealed segment with the SHA-256 of its plaintext and of the object as stored
   * (the audit ledger's leaves); the object hash is null when the store could not give it.
   * `fence`: the camera's lease token it was written under (cluster mode), else null.
   */
  readonly onSealed?: (segment: Segment, hashes: SealedHashes, fence: number | null) => void;
  /** Told when recording of a camera stops unexpectedly (a gap opens) and when it resumes. */
  readonly onRecordingEvent?: (event: RecordingEvent) => void;
  /**
   * The disk-full policy of the storage written to (SpaceGuard): while it is blocked the camera
   * does not record (state `storage-full`, a gap with the reason) and resumes when it clears.
   */
  readonly space?: SpaceGate;
}

/** Where a recorder hands its pieces for live viewers (a LiveHub, or the sub-stream's, ADR 0043). */
export type LiveSink = Pick<LiveHub, 'publishInit' | 'publishFragment' | 'publishChunk' | 'endStream' | 'closeCamera' | 'demand'>;

/** What a recorder asks of the disk-full policy (SpaceGuard satisfies it). */
export interface SpaceGate {
  /** Why recording is stopped for lack of space, or null. */
  blocked(): string | null;
  /** Resolves when recording may go on (or `signal` aborts). */
  clear(signal: AbortSignal): Promise<void>;
}

/** The hashes of a sealed segment, both computed as it was written (nothing is read back). */
export interface SealedHashes {
  /** SHA-256 of the plaintext fMP4; null when an append failed (it is then read back from the store). */
  readonly plaintextSha256: string | null;
  /** SHA-256 of the object's bytes as stored (ciphertext for the vault); null when an append failed. */
  readonly objectSha256: string | null;
}

/** A change in a camera's recording worth auditing (LOG-1 device use, LOG-6 gaps). */
export interface RecordingEvent {
  readonly kind: 'interrupted' | 'resumed' | 'auth-failed';
  readonly cameraId: string;
  /** The failure's text (null on resume): the gap reason and the audit event's reason. */
  readonly reason: string | null;
  /** Why the run ended, classified (its class and RTSP status); null on resume. */
  readonly failure: IngestFailure | null;
}

/**
 * The lease this recorder holds on its camera (cluster mode, src/cluster/): every index write
 * carries its token, and no fragment is written once `valid()` turns false.
 */
export interface RecorderLease {
  readonly token: number;
  /** False once the lease may have lapsed (measured on the monotonic clock). */
  valid(): boolean;
  /** The takeover left an open gap (failover, handover) that the first segment closes. */
  readonly gapOpen: boolean;
  /** End of the camera's last segment (by any recorder): the first segment starts no earlier. */
  readonly notBeforeMs: number | null;
}

/** A run that ended without an error: the camera closed the stream. */
const streamEnded: IngestFailure = { kind: 'ended', text: 'stream ended' };

interface OpenSegment {
  segment: Segment;
  writer: SegmentWriter;
  fragments: FragmentEntry[];
  durationMs: number;
  /** SHA-256 of the plaintext object so far (init + fragments); null when the writer hashes it (the vault, ADR 0044). */
  hash: Hash | null;
}

/**
 * Records one camera: runs the ingest, cuts segments, appends each fragment to the store as it
 * arrives (so a crash loses at most the fragment in flight), indexes segments, records gaps,
 * fans fragments out to live viewers, and reconnects with capped exponential backoff.
 */
export class CameraRecorder {
  readonly #target: IngestTarget;
  readonly #deps: CameraRecorderDeps;
  readonly #lease: RecorderLease | null;
  readonly #index: SegmentIndex;
  readonly #abort = new AbortController();
  #status: CameraStatus;
  #open: OpenSegment | null = null;
  #lastEndMs: number | null = null;
  #gapOpen = false;
  #loop: Promise<void> | null = null;
  /** The segmenter of the ingest run in progress (null between runs). */
  #segmenter: Segmenter | null = null;

  constructor(target: IngestTarget, deps: CameraRecorderDeps, lease: RecorderLease | null = null) {
    this.#target = target;
    this.#deps = deps;
    this.#lease = lease;
    this.#index = lease === null ? deps.index : fencedIndex(deps.index, lease.token);
    this.#gapOpen = lease?.gapOpen ?? false;
    this.#status = { state: 'connecting', sinceMs: deps.clock.now(), lastError: null, retryAtMs: null, ingest: deps.ingest.name, bytes: 0, fragments: 0, frames: 0, reconnects: 0, lostPackets: null, droppedFrames: null, audio: null, clockOffsetMs: null };
  }

  /** Starts recording in the background. */
  start(): void {
    this.#loop ??= this.#run().catch((e: unknown) => {
      this.#deps.log.error({ err: e, cameraId: this.#target.cameraId }, 'camera recorder stopped by an unexpected error');
      this.#setState('stopped', this.#failureOf(e).text);
    });
  }

  /** Stops ingest, closes the open segment and waits until everything is written. */
  async stop(): Promise<void> {
    this.#abort.abort();
    await this.#loop;
    this.#setState('stopped', this.#status.lastError);
  }

  /** Current status. */
  status(): CameraStatus {
    const ingest = this.#deps.ingest.describe?.(this.#target.cameraId) ?? this.#deps.ingest.name;
    const losses = this.#deps.ingest.losses?.(this.#target.cameraId);
    return { ...this.#status, ingest, lostPackets: losses?.lostPackets ?? null, droppedFrames: losses?.droppedFrames ?? null, audio: losses?.audio ?? null, clockOffsetMs: losses?.clockOffsetMs ?? null };
  }

  /** The segment being written, with the fragments written so far (for playback of "now"). */
  openSegment(): Segment | null {
    const open = this.#open;
    if (!open) return null;
    return { ...open.segment, endMs: open.segment.startMs + open.durationMs, bytes: open.writer.size, fragments: [...open.fragments] };
  }

  /**
   * Asks for the open segment to be sealed at the next key frame (Segmenter.requestCut), for an
   * export that covers it; false when no segment is open. The segment's leaf follows as usual.
   */
  sealSoon(): boolean {
    if (this.#open === null || this.#segmenter === null) return false;
    this.#segmenter.requestCut();
    return true;
  }

  async #run(): Promise<void> {
    const { ingest, log, retryInitialMs, retryMaxMs, clock } = this.#deps;
    const signal = this.#abort.signal;
    let delayMs = retryInitialMs;
    while (!signal.aborted) {
      if (this.#leaseLost()) return;
      const noSpace = this.#deps.space?.blocked() ?? null;
      if (noSpace !== null) {
        // The disk-full policy stopped recording here: a gap with its reason, then wait for space.
        await this.#recordGap({ kind: 'disk-full', text: noSpace });
        this.#setState('storage-full', noSpace);
        log.warn({ cameraId: this.#target.cameraId, reason: noSpace }, 'recording stopped by the disk-full policy; it resumes when space returns');
        await this.#deps.space?.clear(signal);
        delayMs = retryInitialMs;
        continue;
      }
      this.#setState('connecting', this.#status.lastError);
      let failure = streamEnded;
      let segmenter: Segmenter | null = null;
      let init: InitPiece | null = null;
      let recorded = false;
      try {
        await ingest.run(
          this.#target,
          async (piece: MediaPiece) => {
            if (piece.kind === 'init') {
              await this.#closeOpen();
              init = piece;
              segmenter = new Segmenter(this.#deps.segmentMs, piece.timescale);
              this.#segmenter = segmenter;
              this.#deps.live.publishInit(this.#target.cameraId, piece);
              return;
            }
            if (init === null || segmenter === null) throw new AppError('MEDIA_MALFORMED', 'fragment before init segment');
            if (piece.kind === 'live-chunk') {
              // Live viewers only (ADR 0038): never recorded, so the segments and the ledger do not change.
              this.#deps.live.publishChunk(this.#target.cameraId, piece);
              return;
            }
            // Stopped by the disk-full policy: the run ends here; the open segment is closed whole.
            const stop = this.#deps.space?.blocked() ?? null;
            if (stop !== null) throw new AppError('STORAGE_FULL', stop);
            await this.#onFragment(piece, init, segmenter);
            if (!recorded) {
              recorded = true;
              delayMs = retryInitialMs;
              this.#setState('recording', null);
            }
          },
          signal,
          // A camera that accepts PLAY works: the next failure starts the backoff afresh. Live
          // chunks are made only while the camera has viewers (ADR 0044).
          { playing: () => (delayMs = retryInitialMs), live: this.#deps.live.demand(this.#target.cameraId) },
        );
      } catch (e) {
        failure = this.#failureOf(e);
      }
      if (this.#leaseLost()) {
        // Another recorder may be recovering the open object: leave it as a crash would.
        await this.#abandonOpen();
        this.#deps.live.endStream(this.#target.cameraId);
        return;
      }
      await this.#closeOpen().catch((e: unknown) => {
        log.error({ err: e, cameraId: this.#target.cameraId }, 'could not close segment');
      });
      this.#deps.live.endStream(this.#target.cameraId);
      if (signal.aborted) return;
      await this.#recordGap(failure);
      if (this.#deps.space?.blocked() != null) continue;
      const reason = failure.text;
      // Jitter (half the delay, at random): cameras that failed together (a switch, a power cut)
      // do not all come back in the same instant.
      const waitMs = Math.round(delayMs / 2 + Math.random() * (delayMs / 2));
      log.warn({ cameraId: this.#target.cameraId, reason, retryInMs: waitMs }, 'camera ingest ended; retrying');
      this.#status = { ...this.#status, state: 'retrying', sinceMs: clock.now(), lastError: reason, retryAtMs: this.#deps.monotonic.now() + waitMs, reconnects: this.#status.reconnects + 1 };
      await sleep(waitMs, signal);
      delayMs = Math.min(delayMs * 2, retryMaxMs);
    }
  }

  async #onFragment(piece: FragmentPiece, init: InitPiece, segmenter: Segmenter): Promise<void> {
    if (this.#lease !== null && !this.#lease.valid()) throw new AppError('LEASE_LOST', `the lease on camera ${this.#target.cameraId} may have lapsed`);
    const place = segmenter.place(piece, this.#deps.clock.now(), this.#lastEndMs ?? this.#lease?.notBeforeMs ?? null);
    if (Number.isNaN(place.startMs)) return;
    if (place.cut) {
      await this.#closeOpen();
      await this.#openSegment(init, place.startMs);
    }
    const open = this.#open;
    if (!open) return;
    open.hash?.update(piece.bytes);
    const offset = await open.writer.append(piece.bytes);
    open.fragments.push({ offset, size: piece.bytes.length, durationMs: place.durationMs, keyframe: piece.keyframe });
    open.durationMs += place.durationMs;
    this.#lastEndMs = open.segment.startMs + open.durationMs;
    this.#status = { ...this.#status, bytes: this.#status.bytes + piece.bytes.length, fragments: this.#status.fragments + 1, frames: this.#status.frames + piece.sampleCount };
    this.#deps.live.publishFragment(this.#target.cameraId, piece);
  }

  async #openSegment(init: InitPiece, startMs: number): Promise<void> {
    const id = randomUUID();
    const day = new Date(startMs).toISOString().slice(0, 10);
    const segment: Segment = {
      id,
      cameraId: this.#target.cameraId,
      objectKey: `${this.#target.cameraId}/${day}/${startMs}-${id}.mp4`,
      startMs,
      endMs: startMs,
      bytes: init.bytes.length,
      initSize: init.bytes.length,
      codec: init.codec,
      timescale: init.timescale,
      fragments: [],
      state: 'open',
    };
    // Index first, then the object: a crash between them leaves a row that recovery removes,
    // never an object nobody knows about. While the database cannot take the row, recording goes
    // on into the vault and the row is written when it is back.
    await this.#indexWrite('segment opened', (index) => index.insert(segment));
    let writer: SegmentWriter;
    try {
      writer = await this.#deps.store.create(segment.objectKey, init.bytes, { cameraId: segment.cameraId, startMs });
    } catch (e) {
      // No object (a full disk): the row MUST NOT stay behind as a segment, even one written later.
      await this.#indexWrite('segment not created', (index) => index.remove(id));
      throw e;
    }
    this.#open = { segment, writer, fragments: [], durationMs: 0, hash: writer.hashesPlaintext === true ? null : createHash('sha256').update(init.bytes) };
    if (this.#gapOpen) {
      const cameraId = this.#target.cameraId;
      await this.#indexWrite('gap closed', (index) => index.closeGaps(cameraId, startMs));
      this.#gapOpen = false;
      this.#deps.onRecordingEvent?.({ kind: 'resumed', cameraId: this.#target.cameraId, reason: null, failure: null });
    }
  }

  /** True (and the state says so) once this recorder's lease may have lapsed. */
  #leaseLost(): boolean {
    if (this.#lease === null || this.#lease.valid()) return false;
    this.#setState('stopped', 'lease lost: another recorder may hold the camera');
    this.#deps.log.warn({ cameraId: this.#target.cameraId, token: this.#lease.token, code: 'LEASE_LOST' }, 'camera lease lapsed: stopped writing the camera');
    return true;
  }

  async #abandonOpen(): Promise<void> {
    const open = this.#open;
    this.#open = null;
    if (open === null) return;
    await (open.writer.abandon?.() ?? open.writer.close()).catch(() => undefined);
  }

  async #closeOpen(): Promise<void> {
    const open = this.#open;
    if (!open) return;
    this.#open = null;
    const objectSha256 = await open.writer.close();
    if (open.fragments.length === 0) {
      const id = open.segment.id;
      await this.#indexWrite('empty segment removed', (index) => index.remove(id));
      await this.#deps.store.remove(open.segment.objectKey);
      return;
    }
    // An append failed (ENOSPC): the object holds every whole fragment before it and no final
    // chunk, like one recovery cut back after a crash, so it is indexed as `recovered` (readable
    // to its last whole fragment; vault fsck expects no final chunk) and its hashes are read back
    // (the running plaintext hash took in the fragment that failed).
    const torn = objectSha256 === null;
    const sealed: Segment = {
      ...open.segment,
      endMs: Math.round(open.segment.startMs + open.durationMs),
      // The writer counted the fragment that failed too: the whole ones end where the last one does.
      bytes: torn ? (open.fragments.at(-1)?.offset ?? 0) + (open.fragments.at(-1)?.size ?? 0) : open.writer.size,
      fragments: open.fragments,
      state: torn ? 'recovered' : 'closed',
    };
    // A failed update MUST NOT leave the segment hidden (state open, no fragments) until a
    // restart: the writer retries it until the index holds what the vault holds.
    await this.#indexWrite('segment closed', (index) => index.update(sealed));
    // Cluster mode: a recorder that lost the camera meanwhile records no ledger leaf for it.
    if (this.#lease !== null && !this.#lease.valid()) return;
    const plaintextSha256 = torn ? null : open.hash === null ? (open.writer.plaintextSha256?.() ?? null) : open.hash.digest('hex');
    this.#deps.onSealed?.(sealed, { plaintextSha256, objectSha256 }, this.#lease?.token ?? null);
  }

  async #recordGap(failure: IngestFailure): Promise<void> {
    if (this.#gapOpen) return;
    this.#gapOpen = true;
    const cameraId = this.#target.cameraId;
    const reason = failure.text;
    if (failure.kind === 'auth') this.#deps.onRecordingEvent?.({ kind: 'auth-failed', cameraId, reason, failure });
    this.#deps.onRecordingEvent?.({ kind: 'interrupted', cameraId, reason, failure });
    const gap = { id: randomUUID(), cameraId, startMs: Math.round(this.#lastEndMs ?? this.#deps.clock.now()), endMs: null, reason };
    await this.#indexWrite('gap opened', (index) => index.insertGap(gap));
  }

  /** One index write through the writer (idempotent operations only: it may run twice). */
  #indexWrite(label: string, op: (index: SegmentIndex) => Promise<void>): Promise<void> {
    const index = this.#index;
    return this.#deps.indexWriter.write(`${label} (camera ${this.#target.cameraId})`, () => op(index));
  }

  /**
   * Why a run ended, classified (ingest-failure.ts): this one text is the status `lastError`, the
   * gap reason, the audit event's reason and the log line's, so none of them carries the camera's bytes.
   */
  #failureOf(e: unknown): IngestFailure {
    return classifyIngestFailure(e, [this.#target.password]);
  }

  #setState(state: CameraStatus['state'], lastError: string | null): void {
    if (this.#status.state === state && this.#status.lastError === lastError) return;
    this.#status = { ...this.#status, state, sinceMs: this.#deps.clock.now(), lastError, retryAtMs: null };
  }
}
