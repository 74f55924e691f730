import { recordsSubStream, type Camera } from '../cameras/camera.ts';
import type { Clock } from '../lib/clock.ts';
import type { Logger } from '../lib/logger.ts';
import { CameraRecorder, type CameraRecorderDeps, type LiveSink, type RecorderLease } from './camera-recorder.ts';
import type { CameraStatus } from './camera-status.ts';
import type { Segment } from '../media/segment.ts';
import { recordingId, recordingOf } from './recorded-stream.ts';

/** Where the recorder learns which cameras exist (CamerasService satisfies it). */
export interface CameraSource {
  list(): Promise<Camera[]>;
}

/** Which cameras this node holds (cluster mode: the lease keeper of src/cluster/). */
export interface CameraLeases {
  /**
   * This node's lease on the camera, or null when another node records it (or none yet). `sub`:
   * what the takeover found for the camera's recorded sub-stream (camera-takeover.ts).
   */
  lease(cameraId: string): (RecorderLease & { readonly sub?: { readonly gapOpen: boolean; readonly notBeforeMs: number | null } }) | null;
}

/**
 * Keeps one supervised CameraRecorder per enabled camera. `reconcile()` compares the cameras
 * in the database with the running recorders and starts, restarts (URL, credentials changed)
 * or stops them; it runs on every in-process change and on a timer, so changes made by the
 * CLI against the same database are picked up too. Reconciles never overlap.
 *
 * Dual recording (ADR 0043): a camera with `recordSubStream` and a sub-stream gets a second
 * CameraRecorder, composed rather than built in: its target is the sub-stream under the recording
 * id `<camera id>.sub` (recorded-stream.ts), so its segments, gaps, objects and data keys are its
 * own, and its pieces go to the sub-stream's live hub under the camera id (live tiles take them
 * from there instead of a second RTSP session). It runs under the camera's lease (same token)
 * and is started and stopped on its own: turning it on or off never interrupts the main stream.
 * `onSubRecording` is told just before one starts, so an on-demand live run of the same stream
 * ends first; when one stops, the sub-stream's live viewers are closed (they reconnect to an
 * on-demand run).
 */
export class Recorder {
  readonly #cameras: CameraSource;
  readonly #deps: CameraRecorderDeps;
  readonly #log: Logger;
  readonly #clock: Clock;
  readonly #leases: CameraLeases | null;
  readonly #subLive: LiveSink;
  readonly #onSubRecording: (cameraId: string) => void;
  /** Keyed by recording id: the camera id, and `<camera id>.sub` for a recorded sub-stream. */
  readonly #running = new Map<string, { recorder: CameraRecorder; version: string }>();
  #queue: Promise<void> = Promise.resolve();
  #timer: NodeJS.Timeout | null = null;
  #stopped = false;

  constructor(opts: { cameras: CameraSource; deps: CameraRecorderDeps; log: Logger; leases?: CameraLeases; subLive?: LiveSink; onSubRecording?: (cameraId: string) => void }) {
    this.#cameras = opts.cameras;
    this.#leases = opts.leases ?? null;
    this.#subLive = opts.subLive ?? noLive;
    this.#onSubRecording = opts.onSubRecording ?? (() => undefined);
    this.#deps = opts.deps;
    this.#log = opts.log;
    this.#clock = opts.deps.clock;
  }

  /** Starts recording every enabled camera and re-checks the camera list every `pollMs`. */
  async start(pollMs: number): Promise<void> {
    await this.reconcile();
    this.#timer = setInterval(() => void this.reconcile(), pollMs);
    this.#timer.unref();
  }

  /** Brings running recorders in line with the camera list. */
  reconcile(): Promise<void> {
    this.#queue = this.#queue.then(() => this.#reconcileOnce()).catch((e: unknown) => {
      this.#log.error({ err: e }, 'camera reconcile failed');
    });
    return this.#queue;
  }

  /** Status of a camera's recording. */
  status(camera: Camera): CameraStatus {
    const running = this.#running.get(camera.id);
    if (running) return running.recorder.status();
    return {
      state: camera.enabled ? 'connecting' : 'disabled',
      sinceMs: camera.updatedMs,
      lastError: null,
      retryAtMs: null,
      ingest: this.#deps.ingest.name,
      bytes: 0,
      fragments: 0,
      frames: 0,
      reconnects: 0,
      lostPackets: null,
      droppedFrames: null,
      audio: null,
      clockOffsetMs: null,
    };
  }

  /** Status of the camera's sub-stream recording on this node, or null when it is not recorded here. */
  subStatus(camera: Camera): CameraStatus | null {
    return this.#running.get(recordingId(camera.id, 'sub'))?.recorder.status() ?? null;
  }

  /** True while this node records the camera's sub-stream (its live viewers are fed from it). */
  recordsSub(cameraId: string): boolean {
    return this.#running.has(recordingId(cameraId, 'sub'));
  }

  /** The segment a recording (a camera id, or a sub-stream's recording id) is writing now, if any. */
  openSegment(id: string): Segment | null {
    return this.#running.get(id)?.recorder.openSegment() ?? null;
  }

  /** Asks a camera's recorder to seal its open segment at the next key frame; false when none is open. */
  sealSoon(cameraId: string): boolean {
    return this.#running.get(cameraId)?.recorder.sealSoon() ?? false;
  }

  /** Stops every camera, closing open segments. */
  async stop(): Promise<void> {
    this.#stopped = true;
    if (this.#timer) clearInterval(this.#timer);
    await this.#queue;
    await Promise.all([...this.#running.values()].map((r) => r.recorder.stop()));
    this.#running.clear();
  }

  async #reconcileOnce(): Promise<void> {
    if (this.#stopped) return;
    const cameras = await this.#cameras.list();
    // Cluster mode: only the cameras this node holds a lease on, restarted under a new token.
    const leases = this.#leases;
    const held = cameras.filter((c) => c.enabled && (leases === null || leases.lease(c.id) !== null));
    const token = (camera: Camera) => `#${leases?.lease(camera.id)?.token ?? ''}`;
    // Recording id → what it records and the version that, changed, restarts it.
    const wanted = new Map<string, { camera: Camera; version: string }>();
    for (const c of held) {
      wanted.set(c.id, { camera: c, version: versionOf(c) + token(c) });
      if (recordsSubStream(c)) wanted.set(recordingId(c.id, 'sub'), { camera: c, version: subVersionOf(c) + token(c) });
    }
    for (const [id, running] of this.#running) {
      const want = wanted.get(id);
      if (want && want.version === running.version) continue;
      this.#running.delete(id);
      await running.recorder.stop();
      const { cameraId, stream } = recordingOf(id);
      if (stream === 'sub') this.#subLive.closeCamera(cameraId, 'the sub-stream recording stopped');
      else if (!want) this.#deps.live.closeCamera(id, leases === null ? 'camera removed or disabled' : 'camera removed, disabled or recorded by another node');
      this.#log.info({ cameraId, stream }, want ? 'camera changed; restarting its recorder' : 'camera recorder stopped');
    }
    for (const [id, { camera, version }] of wanted) {
      if (this.#running.has(id)) continue;
      const lease = leases?.lease(camera.id) ?? null;
      const recorder = recordingOf(id).stream === 'main' ? this.#mainRecorder(camera, lease) : this.#subRecorder(camera, lease);
      this.#running.set(id, { recorder, version });
      recorder.start();
      this.#log.info({ cameraId: camera.id, name: camera.name, stream: recordingOf(id).stream, at: this.#clock.now() }, 'camera recorder started');
    }
  }

  #mainRecorder(camera: Camera, lease: RecorderLease | null): CameraRecorder {
    return new CameraRecorder({ cameraId: camera.id, url: camera.url, username: camera.username, password: camera.password, tlsCaPem: camera.tlsCaPem, ingest: camera.ingest, recordAudio: camera.recordAudio === true }, this.#deps, lease);
  }

  /** The sub-stream's recorder: its own recording id and live sink, the camera's lease and credentials. */
  #subRecorder(camera: Camera, lease: ReturnType<CameraLeases['lease']>): CameraRecorder {
    const url = camera.subStreamUrl as string;
    const live = this.#subLive;
    const sink: LiveSink = {
      publishInit: (id, piece) => live.publishInit(recordingOf(id).cameraId, piece),
      publishFragment: (id, piece) => live.publishFragment(recordingOf(id).cameraId, piece),
      publishChunk: (id, piece) => live.publishChunk(recordingOf(id).cameraId, piece),
      endStream: (id) => live.endStream(recordingOf(id).cameraId),
      closeCamera: (id, reason) => live.closeCamera(recordingOf(id).cameraId, reason),
      demand: (id) => live.demand(recordingOf(id).cameraId),
    };
    const subLease: RecorderLease | null = lease === null ? null : { token: lease.token, valid: () => lease.valid(), gapOpen: lease.sub?.gapOpen ?? false, notBeforeMs: lease.sub?.notBeforeMs ?? null };
    this.#onSubRecording(camera.id);
    return new CameraRecorder(
      // The trust anchor is the camera's; it applies to rtsps:// only (the service keeps both on one host and scheme).
      { cameraId: recordingId(camera.id, 'sub'), url, username: camera.username, password: camera.password, tlsCaPem: url.startsWith('rtsps:') ? camera.tlsCaPem : null, ingest: camera.ingest, recordAudio: camera.recordAudio === true },
      { ...this.#deps, live: sink },
      subLease,
    );
  }
}

/** What, when changed, requires a new ingest run. */
function versionOf(camera: Camera): string {
  return JSON.stringify([camera.url, camera.username, camera.password, camera.tlsCaPem, camera.ingest, camera.recordAudio === true]);
}

/** What, when changed, requires a new ingest run of the recorded sub-stream. */
function subVersionOf(camera: Camera): string {
  return JSON.stringify([camera.subStreamUrl ?? null, camera.username, camera.password, camera.tlsCaPem, camera.ingest, camera.recordAudio === true]);
}

/** Where the sub-stream's pieces go when no live hub is given (tests, tools). */
const noLive: LiveSink = { publishInit: () => undefined, publishFragment: () => undefined, publishChunk: () => undefined, endStream: () => undefined, closeCamera: () => undefined, demand: () => ({ wanted: () => false, onChange: () => () => undefined }) };
