/**
 * Live viewers of a camera's sub-stream (issue 20 item 7, ADR 0037). A camera may name a second,
 * lower-resolution stream (`subStreamUrl`) for live tiles; recording always uses the main one.
 * The sub-stream is pulled on demand: the first viewer asking for it (`?stream=sub`) starts an
 * ingest run of it (the same ingest as recording, so credentials reach the camera exactly as for
 * the main stream: never in argv, URLs or logs), whose pieces go to the sub-stream LiveHub; the
 * run stops `idleMs` after the last viewer left. A camera without a sub-stream, disabled or
 * quarantined is served from the main hub (fallback), as before.
 *
 * Contracts:
 * - Nothing of an on-demand run is stored. A camera whose sub-stream this node records (dual
 *   recording, ADR 0043: `recorded`) gets no run: the recorder feeds the sub-stream hub, and a
 *   run still going when its recording starts is ended (`changed`), its viewers closed (they
 *   reconnect to the recorded pieces).
 * - The run's ingest target has the id `<camera id>#sub`, so its counters and ingest choice stay
 *   apart from the camera's recording.
 * - A failed run is retried every `retryMs` while viewers remain; they wait, as main viewers do.
 * - A change of the camera's sub-stream, credentials, trust anchor or ingest, its removal or
 *   disabling ends the run and closes its viewers (they reconnect and get the new stream).
 */
import type { Camera } from '../cameras/camera.ts';
import type { Ingest, IngestTarget } from '../ingest/ingest.ts';
import { classifyIngestFailure } from '../ingest/ingest-failure.ts';
import type { LiveHub, LiveViewer } from '../live/live-hub.ts';
import type { Logger } from '../lib/logger.ts';
import { sleep } from '../lib/sleep.ts';

/** What the feeds are built from (wired in app.ts). */
export interface SubStreamFeedDeps {
  readonly ingest: Ingest;
  /** Fragments of the recorded main stream (fed by the recorder). */
  readonly main: LiveHub;
  /** Fragments of sub-streams (fed here). */
  readonly sub: LiveHub;
  readonly log: Logger;
  /** True when the camera may be viewed live now (enabled, not quarantined). */
  readonly viewable: (camera: Camera) => boolean;
  readonly retryMs: number;
  /** How long a run goes on with no viewer, so a tile switched back and forth does not reconnect. */
  readonly idleMs: number;
  /** True while the recorder records the camera's sub-stream here and feeds `sub` itself (ADR 0043). */
  readonly recorded?: (cameraId: string) => boolean;
}

interface Feed {
  readonly version: string;
  readonly abort: AbortController;
  readonly loop: Promise<void>;
  idle: NodeJS.Timeout | null;
}

/** Which stream a viewer asks for. */
export type LiveStream = 'main' | 'sub';

/** The sub-stream feeds of every camera; see the module comment. */
export class SubStreamFeeds {
  readonly #deps: SubStreamFeedDeps;
  readonly #feeds = new Map<string, Feed>();
  #closed = false;

  constructor(deps: SubStreamFeedDeps) {
    this.#deps = deps;
  }

  /** Which stream a viewer asking for `stream` gets: `sub` only when the camera has one and may be viewed. */
  served(camera: Camera, stream: LiveStream): LiveStream {
    return stream === 'sub' && (camera.subStreamUrl ?? null) !== null && this.#deps.viewable(camera) && !this.#closed ? 'sub' : 'main';
  }

  /** Adds a viewer of `stream` (falling back to main, see `served`); returns the function that removes it. */
  subscribe(camera: Camera, stream: LiveStream, viewer: LiveViewer): () => void {
    if (this.served(camera, stream) === 'main') return this.#deps.main.subscribe(camera.id, viewer);
    if (this.#recorded(camera.id)) {
      this.#stop(camera.id, 'the sub-stream is now recorded');
      return this.#deps.sub.subscribe(camera.id, viewer);
    }
    const version = versionOf(camera);
    let feed = this.#feeds.get(camera.id);
    if (feed !== undefined && feed.version !== version) {
      this.#stop(camera.id, 'the camera\'s sub-stream changed');
      feed = undefined;
    }
    feed ??= this.#start(camera, version);
    if (feed.idle !== null) clearTimeout(feed.idle);
    feed.idle = null;
    const unsubscribe = this.#deps.sub.subscribe(camera.id, viewer);
    return () => {
      unsubscribe();
      const current = this.#feeds.get(camera.id);
      if (current === undefined || this.#deps.sub.viewerCount(camera.id) > 0) return;
      current.idle ??= setTimeout(() => this.#stop(camera.id, 'no viewer'), this.#deps.idleMs);
      current.idle.unref();
    };
  }

  /** Live viewers of a camera now, of either stream. */
  viewerCount(cameraId: string): number {
    return this.#deps.main.viewerCount(cameraId) + this.#deps.sub.viewerCount(cameraId);
  }

  /** A camera changed or was removed (CamerasService.onChange): a run that no longer fits ends. */
  changed(cameraId: string, camera: Camera | undefined): void {
    const feed = this.#feeds.get(cameraId);
    if (feed === undefined) return;
    if (camera !== undefined && this.served(camera, 'sub') === 'sub' && versionOf(camera) === feed.version && !this.#recorded(cameraId)) return;
    this.#stop(cameraId, camera === undefined ? 'camera removed' : this.#recorded(cameraId) ? 'the sub-stream is now recorded' : 'the camera\'s sub-stream changed');
  }

  /** The recorder is about to record the camera's sub-stream into `sub` (ADR 0043): an on-demand run ends first. */
  recordingStarts(cameraId: string): void {
    this.#stop(cameraId, 'the sub-stream is now recorded');
  }

  /** Ends every run and waits for them. */
  async close(): Promise<void> {
    this.#closed = true;
    const loops = [...this.#feeds.values()].map((f) => f.loop);
    for (const id of [...this.#feeds.keys()]) this.#stop(id, 'server stopping');
    await Promise.all(loops);
  }

  #recorded(cameraId: string): boolean {
    return this.#deps.recorded?.(cameraId) ?? false;
  }

  #start(camera: Camera, version: string): Feed {
    const abort = new AbortController();
    const feed: Feed = { version, abort, loop: this.#run(camera, abort.signal), idle: null };
    this.#feeds.set(camera.id, feed);
    this.#deps.log.info({ cameraId: camera.id }, 'live sub-stream started');
    return feed;
  }

  #stop(cameraId: string, reason: string): void {
    const feed = this.#feeds.get(cameraId);
    if (feed === undefined) return;
    this.#feeds.delete(cameraId);
    if (feed.idle !== null) clearTimeout(feed.idle);
    feed.abort.abort();
    this.#deps.sub.closeCamera(cameraId, reason);
    this.#deps.log.info({ cameraId, reason }, 'live sub-stream stopped');
  }

  async #run(camera: Camera, signal: AbortSignal): Promise<void> {
    const { ingest, sub, log, retryMs } = this.#deps;
    const url = camera.subStreamUrl as string;
    const target: IngestTarget = {
      cameraId: `${camera.id}#sub`,
      url,
      username: camera.username,
      password: camera.password,
      // The trust anchor is the camera's; it applies to rtsps:// only (the service keeps both on one host and scheme).
      tlsCaPem: url.startsWith('rtsps:') ? camera.tlsCaPem : null,
      ingest: camera.ingest,
      recordAudio: camera.recordAudio === true,
    };
    while (!signal.aborted) {
      try {
        // Nothing after the end: the recorder may be feeding the hub by then (ADR 0043).
        await ingest.run(target, (piece) => (signal.aborted ? undefined : piece.kind === 'init' ? sub.publishInit(camera.id, piece) : piece.kind === 'live-chunk' ? sub.publishChunk(camera.id, piece) : sub.publishFragment(camera.id, piece)), signal, { live: sub.demand(camera.id) });
      } catch (e) {
        // Classified as the recorder does: no byte the camera sent, no credential.
        log.warn({ cameraId: camera.id, reason: classifyIngestFailure(e, [camera.password]).text }, 'live sub-stream failed; retrying');
      }
      if (signal.aborted) return;
      sub.endStream(camera.id);
      await sleep(retryMs, signal);
    }
  }
}

/** What, when changed, requires a new run of the sub-stream. */
function versionOf(camera: Camera): string {
  return JSON.stringify([camera.subStreamUrl ?? null, camera.username, camera.password, camera.tlsCaPem, camera.ingest, camera.recordAudio === true]);
}
