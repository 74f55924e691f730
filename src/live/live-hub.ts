import type { LiveDemand } from '../ingest/ingest.ts';
import type { FragmentPiece, InitPiece, LiveChunkPiece } from '../media/media.ts';

/** A connected live viewer, as the hub sees it (a WebSocket behind it). */
export interface LiveViewer {
  /** Sends a text (JSON) or binary message without waiting. */
  send(data: string | Buffer): void;
  /** Bytes queued but not yet sent to the viewer. */
  bufferedAmount(): number;
  /** Closes the viewer's connection with a reason. */
  close(reason: string): void;
}

/** The first message a viewer gets, before the init segment bytes. */
export interface LiveHello {
  readonly type: 'init';
  readonly codec: string;
  readonly mime: string;
  readonly width: number;
  readonly height: number;
  /** Which of the camera's streams this is: `main` (the recorded one) or `sub` (its sub-stream, ADR 0037). */
  readonly stream: 'main' | 'sub';
}

interface Channel {
  init: InitPiece | null;
  /** Fragments since the last key frame: what a new viewer needs to start decoding. */
  gop: (FragmentPiece | LiveChunkPiece)[];
  gopBytes: number;
  /**
   * The ingest sends per-frame live chunks (ADR 0038): viewers get those, and the recording's
   * fragments (the same frames, up to 1 s later) are not sent. Until then, fragments.
   */
  chunked: boolean;
  viewers: Set<LiveViewer>;
}

/** Bounds of the key-frame cache per camera, so a camera with no key frames cannot grow it. */
const maxGopFragments = 20;
/** Per-frame chunks since a key frame: 10 s at 60 fps. */
const maxGopChunks = 600;
const maxGopBytes = 32 * 1024 * 1024;

/**
 * Fans out the recorder's fMP4 pieces to live viewers (MSE players). A new viewer starts at the
 * last key frame: hello JSON, the init segment, the cached fragments since that key frame, then
 * live fragments — or per-frame live chunks instead, when the ingest makes them (ADR 0038). Publishing MUST NOT block: a viewer whose unsent bytes exceed
 * `maxBufferedBytes` is dropped, never the recorder.
 */
export class LiveHub {
  readonly #channels = new Map<string, Channel>();
  readonly #maxBufferedBytes: number;
  readonly #onDrop: (cameraId: string, reason: string) => void;
  readonly #stream: 'main' | 'sub';
  /** Listeners of each camera's demand for live chunks (kept apart from channels: closeCamera drops those). */
  readonly #demand = new Map<string, Set<(wanted: boolean) => void>>();

  constructor(opts: { maxBufferedBytes: number; onDrop?: (cameraId: string, reason: string) => void; stream?: 'main' | 'sub' }) {
    this.#maxBufferedBytes = opts.maxBufferedBytes;
    this.#onDrop = opts.onDrop ?? (() => undefined);
    this.#stream = opts.stream ?? 'main';
  }

  /** A new init segment (new stream): viewers are re-initialised with it. */
  publishInit(cameraId: string, init: InitPiece): void {
    const channel = this.#channel(cameraId);
    channel.init = init;
    channel.gop = [];
    channel.gopBytes = 0;
    channel.chunked = false;
    for (const viewer of channel.viewers) this.#sendInit(cameraId, channel, viewer);
  }

  /** A fragment recorded for the camera. */
  publishFragment(cameraId: string, fragment: FragmentPiece): void {
    const channel = this.#channel(cameraId);
    if (channel.init === null || channel.chunked) return;
    if (fragment.keyframe) {
      channel.gop = [];
      channel.gopBytes = 0;
    }
    if (channel.gop.length < maxGopFragments && channel.gopBytes + fragment.bytes.length <= maxGopBytes) {
      channel.gop.push(fragment);
      channel.gopBytes += fragment.bytes.length;
    }
    for (const viewer of channel.viewers) this.#deliver(cameraId, channel, viewer, fragment.bytes);
  }

  /**
   * A per-frame live chunk (ADR 0038). From the first one after an init, the camera's viewers get
   * chunks instead of fragments; a new viewer starts at the last key-frame chunk.
   */
  publishChunk(cameraId: string, chunk: LiveChunkPiece): void {
    const channel = this.#channel(cameraId);
    // Chunks are made for viewers (demand): late ones after the last left MUST NOT switch the
    // channel away from the fragments a new viewer starts from.
    if (channel.init === null || channel.viewers.size === 0) return;
    if (!channel.chunked) {
      // Switching: what was cached is fragments; a new viewer now starts at the next key chunk.
      channel.chunked = true;
      channel.gop = [];
      channel.gopBytes = 0;
    }
    if (chunk.keyframe) {
      channel.gop = [];
      channel.gopBytes = 0;
    }
    if ((chunk.keyframe || channel.gop.length > 0) && channel.gop.length < maxGopChunks && channel.gopBytes + chunk.bytes.length <= maxGopBytes) {
      channel.gop.push(chunk);
      channel.gopBytes += chunk.bytes.length;
    }
    for (const viewer of channel.viewers) this.#deliver(cameraId, channel, viewer, chunk.bytes);
  }

  /** The stream ended (camera failed or stopped): forget cached media; viewers stay and wait. */
  endStream(cameraId: string): void {
    const channel = this.#channels.get(cameraId);
    if (!channel) return;
    channel.init = null;
    channel.gop = [];
    channel.gopBytes = 0;
    channel.chunked = false;
  }

  /** Adds a viewer; returns the function that removes it. */
  subscribe(cameraId: string, viewer: LiveViewer): () => void {
    const channel = this.#channel(cameraId);
    const first = channel.viewers.size === 0;
    channel.viewers.add(viewer);
    if (first) this.#demandChanged(cameraId, true);
    if (channel.init !== null) this.#sendInit(cameraId, channel, viewer);
    return () => {
      if (channel.viewers.delete(viewer)) this.#left(cameraId, channel);
    };
  }

  /**
   * Whether the camera has viewers now, and changes of it: an ingest makes per-frame live chunks
   * only while wanted (ADR 0044), so an unwatched camera costs no per-frame work.
   */
  demand(cameraId: string): LiveDemand {
    return {
      wanted: () => this.viewerCount(cameraId) > 0,
      onChange: (listener) => {
        let set = this.#demand.get(cameraId);
        if (set === undefined) this.#demand.set(cameraId, (set = new Set()));
        set.add(listener);
        return () => {
          set.delete(listener);
          if (set.size === 0 && this.#demand.get(cameraId) === set) this.#demand.delete(cameraId);
        };
      },
    };
  }

  #demandChanged(cameraId: string, wanted: boolean): void {
    for (const listener of this.#demand.get(cameraId) ?? []) listener(wanted);
  }

  /**
   * A viewer left. The last one: chunks stop (demand), and the channel goes back to caching the
   * recording's fragments, so the next viewer starts at once from a key fragment.
   */
  #left(cameraId: string, channel: Channel): void {
    if (channel.viewers.size > 0) return;
    if (channel.chunked) {
      channel.chunked = false;
      channel.gop = [];
      channel.gopBytes = 0;
    }
    this.#demandChanged(cameraId, false);
  }

  /** Closes every viewer of a camera (camera removed or disabled). */
  closeCamera(cameraId: string, reason: string): void {
    const channel = this.#channels.get(cameraId);
    if (!channel) return;
    const watched = channel.viewers.size > 0;
    for (const viewer of channel.viewers) viewer.close(reason);
    this.#channels.delete(cameraId);
    if (watched) this.#demandChanged(cameraId, false);
  }

  /** Number of viewers of a camera. */
  viewerCount(cameraId: string): number {
    return this.#channels.get(cameraId)?.viewers.size ?? 0;
  }

  #sendInit(cameraId: string, channel: Channel, viewer: LiveViewer): void {
    const init = channel.init;
    if (init === null) return;
    const hello: LiveHello = { type: 'init', codec: init.codec, mime: `video/mp4; codecs="${init.codec}"`, width: init.width, height: init.height, stream: this.#stream };
    viewer.send(JSON.stringify(hello));
    this.#deliver(cameraId, channel, viewer, init.bytes);
    for (const fragment of channel.gop) this.#deliver(cameraId, channel, viewer, fragment.bytes);
  }

  #deliver(cameraId: string, channel: Channel, viewer: LiveViewer, bytes: Buffer): void {
    if (!channel.viewers.has(viewer)) return;
    if (viewer.bufferedAmount() + bytes.length > this.#maxBufferedBytes) {
      channel.viewers.delete(viewer);
      viewer.close('viewer too slow');
      this.#onDrop(cameraId, 'viewer too slow');
      this.#left(cameraId, channel);
      return;
    }
    // A recorded fragment may be a view of an ingest worker's ring (ADR 0044), reused once a later
    // key frame is recorded: a socket that writes later MUST get its own copy.
    viewer.send(bytes.buffer instanceof SharedArrayBuffer ? Buffer.from(bytes) : bytes);
  }

  #channel(cameraId: string): Channel {
    let channel = this.#channels.get(cameraId);
    if (!channel) {
      channel = { init: null, gop: [], gopBytes: 0, chunked: false, viewers: new Set() };
      this.#channels.set(cameraId, channel);
    }
    return channel;
  }
}
