import type { Camera } from '../cameras/camera.ts';
import type { Clock } from '../lib/clock.ts';
import type { Logger } from '../lib/logger.ts';
import { CameraRecorder, type CameraRecorderDeps } from './camera-recorder.ts';
import type { CameraStatus } from './camera-status.ts';
import type { Segment } from '../media/segment.ts';

/** Where the recorder learns which cameras exist (CamerasService satisfies it). */
export interface CameraSource {
  list(): Promise<Camera[]>;
}

/**
 * Keeps one supervised CameraRecorder per enabled camera. `reconcile()` compares the cameras
 * in the database with the running recorders and starts, restarts (URL, credentials changed)
 * or stops them; it runs on every in-process change and on a timer, so changes made by the
 * CLI against the same database are picked up too. Reconciles never overlap.
 */
export class Recorder {
  readonly #cameras: CameraSource;
  readonly #deps: CameraRecorderDeps;
  readonly #log: Logger;
  readonly #clock: Clock;
  readonly #running = new Map<string, { recorder: CameraRecorder; version: string }>();
  #queue: Promise<void> = Promise.resolve();
  #timer: NodeJS.Timeout | null = null;
  #stopped = false;

  constructor(opts: { cameras: CameraSource; deps: CameraRecorderDeps; log: Logger }) {
    this.#cameras = opts.cameras;
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

  /** The segment a camera is writing now, if any. */
  openSegment(cameraId: string): Segment | null {
    return this.#running.get(cameraId)?.recorder.openSegment() ?? null;
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
    const wanted = new Map(cameras.filter((c) => c.enabled).map((c) => [c.id, c]));
    for (const [id, running] of this.#running) {
      const camera = wanted.get(id);
      if (camera && versionOf(camera) === running.version) continue;
      this.#running.delete(id);
      await running.recorder.stop();
      if (!camera) this.#deps.live.closeCamera(id, 'camera removed or disabled');
      this.#log.info({ cameraId: id }, camera ? 'camera changed; restarting its recorder' : 'camera recorder stopped');
    }
    for (const camera of wanted.values()) {
      if (this.#running.has(camera.id)) continue;
      const recorder = new CameraRecorder(
        { cameraId: camera.id, url: camera.url, username: camera.username, password: camera.password, tlsCaPem: camera.tlsCaPem, ingest: camera.ingest, recordAudio: camera.recordAudio === true },
        this.#deps,
      );
      this.#running.set(camera.id, { recorder, version: versionOf(camera) });
      recorder.start();
      this.#log.info({ cameraId: camera.id, name: camera.name, at: this.#clock.now() }, 'camera recorder started');
    }
  }
}

/** What, when changed, requires a new ingest run. */
function versionOf(camera: Camera): string {
  return JSON.stringify([camera.url, camera.username, camera.password, camera.tlsCaPem, camera.ingest, camera.recordAudio === true]);
}
