// One camera's live stream: fMP4 over a WebSocket into Media Source Extensions. Ported from the
// plain-JS page unchanged in behaviour; it reports its state through a callback instead of
// writing into the page, so the tile decides what to show (and in which language).

/** Live media kept in the SourceBuffer; once it holds 10 s more, the oldest is removed. */
const liveKeepSeconds = 30;
/**
 * Keeping up with the live edge (ADR 0038). The server sends per-frame chunks (or 1-s fragments
 * from an ingest that makes none); the player measures how much media each append adds (`span`)
 * and aims to stay `span + liveTargetSlackSeconds` behind the newest buffered frame: further than
 * `liveJumpFactor × span + liveJumpSlackSeconds` it jumps there; more than
 * `liveCatchUpAboveSeconds` behind it, it plays `liveCatchUpRate` fast until back on target (no
 * jump, no visible cut).
 */
const liveTargetSlackSeconds = 0.08;
const liveJumpFactor = 2;
const liveJumpSlackSeconds = 0.4;
const liveCatchUpRate = 1.15;
const liveCatchUpAboveSeconds = 0.04;
const reconnectInitialMs = 1000;
const reconnectMaxMs = 30_000;
/**
 * Connections refused before any hello (1006: the upgrade was answered with an error, e.g. no
 * live.view on this camera) after which the player stops trying: each attempt is an audited
 * refusal on the server, so a tile MUST NOT loop on them (issue 19: ~30 access.denied in 100 s).
 */
const maxRefusedAttempts = 3;

/** The server's text hello: the stream's codec and size. */
export interface LiveHello {
  type: 'init';
  codec: string;
  mime: string;
  width: number;
  height: number;
  /** Which stream the server serves: a sub-stream request falls back to the main stream. */
  stream?: 'main' | 'sub';
}

/** The close code of a live view asked of a node that does not record the camera (ADR 0034). */
const otherNodeCode = 4421;

/** The recording node's URL from the close reason `CAMERA_ON_OTHER_NODE <url>`: only an https URL, else null. */
export function otherNodeUrl(reason: string): string | null {
  const url = /^CAMERA_ON_OTHER_NODE (https:\/\/\S+)$/.exec(reason)?.[1];
  return url !== undefined && URL.canParse(url) ? url : null;
}

/** Which of the camera's streams to ask for: the sub-stream suits small tiles (ADR 0037). */
export type LiveStream = 'main' | 'sub';

/** Why the live view is not playing, as data: the tile words it. */
export type LiveProblem =
  | { kind: 'too-slow' }
  | { kind: 'closed'; code: number; reason: string }
  /** Cluster mode: another node records the camera (close 4421, ADR 0034); `url` is that node's, or null. */
  | { kind: 'elsewhere'; url: string | null }
  | { kind: 'unreadable' }
  | { kind: 'codec'; codec: string }
  | { kind: 'no-buffer'; why: string }
  | { kind: 'decode' }
  | { kind: 'append'; why: string };

/** What the player is doing, reported on every change. */
export type LiveState =
  | { kind: 'stopped' }
  | { kind: 'connecting' }
  | { kind: 'starting'; hello: LiveHello }
  | { kind: 'live'; hello: LiveHello }
  | { kind: 'retrying'; problem: LiveProblem; failed: boolean; retryInSeconds: number }
  | { kind: 'gave-up'; problem: LiveProblem }
  | { kind: 'cannot-start'; why: string };

interface Session {
  mediaSource: MediaSource;
  sourceBuffer: SourceBuffer | null;
  queue: ArrayBuffer[];
  objectUrl: string;
  hello: LiveHello;
  /** Newest buffered time after the previous append, and the media one append adds (smoothed). */
  lastEnd: number;
  span: number;
}

/**
 * Plays one camera's live stream. Contract of the server: a text hello `{type:'init', mime, …}`,
 * then binary fMP4 (init segment, then fragments from the last key frame). A later hello means
 * the stream restarted: the MediaSource is rebuilt. Binary messages MUST be appended in arrival
 * order, one at a time (a SourceBuffer rejects appends while `updating`). stop() MUST be called
 * when the tile goes away or the session ends: it closes the socket and stops reconnecting.
 */
export class LivePlayer {
  #ws: WebSocket | null = null;
  #session: Session | null = null;
  #stopped = true;
  #live = false;
  #retryMs = reconnectInitialMs;
  #retryTimer: ReturnType<typeof setTimeout> | undefined;
  /** Connections in a row that closed before their hello. */
  #refused = 0;
  #gaveUp = false;

  readonly cameraId: string;
  readonly video: HTMLVideoElement;
  readonly onState: (state: LiveState) => void;
  readonly stream: LiveStream;

  constructor(cameraId: string, video: HTMLVideoElement, onState: (state: LiveState) => void, stream: LiveStream = 'main') {
    this.cameraId = cameraId;
    this.video = video;
    this.onState = onState;
    this.stream = stream;
  }

  /** True until start() and after stop(). */
  get stopped(): boolean {
    return this.#stopped;
  }

  /** True once the player stopped trying after refusals; retry() starts it again. */
  get gaveUp(): boolean {
    return this.#gaveUp;
  }

  /** Tries again after giving up (the user asked, or the server is back). */
  retry(): void {
    if (!this.#gaveUp) return;
    this.#gaveUp = false;
    this.#refused = 0;
    this.#retryMs = reconnectInitialMs;
    this.start();
  }

  start(): void {
    if (!this.#stopped) return;
    this.#stopped = false;
    this.#gaveUp = false;
    this.#connect();
  }

  stop(): void {
    this.#stopped = true;
    clearTimeout(this.#retryTimer);
    if (this.#ws) this.#ws.close(1000, 'page closed the view');
    this.#ws = null;
    this.#endSession();
    this.onState({ kind: 'stopped' });
  }

  #connect(): void {
    const url = `wss://${location.host}/api/v1/cameras/${encodeURIComponent(this.cameraId)}/live${this.stream === 'sub' ? '?stream=sub' : ''}`;
    const ws = new WebSocket(url);
    ws.binaryType = 'arraybuffer';
    this.#ws = ws;
    this.onState({ kind: 'connecting' });
    ws.addEventListener('message', (ev: MessageEvent<string | ArrayBuffer>) => {
      if (this.#ws !== ws) return;
      if (typeof ev.data === 'string') this.#onHello(ev.data);
      else this.#onMedia(ev.data);
    });
    let hello = false;
    ws.addEventListener('message', () => (hello = true), { once: true });
    ws.addEventListener('close', (ev) => {
      if (this.#ws !== ws) return;
      this.#ws = null;
      this.#endSession();
      if (this.#stopped) return;
      const problem: LiveProblem = ev.code === 1013 ? { kind: 'too-slow' } : ev.code === otherNodeCode ? { kind: 'elsewhere', url: otherNodeUrl(ev.reason) } : { kind: 'closed', code: ev.code, reason: ev.reason };
      this.#refused = hello ? 0 : this.#refused + 1;
      // 1008: the server refused this camera (unknown, or no longer admitted): do not insist.
      // 4421: another node records this camera; asking this node again changes nothing.
      if (ev.code === 1008 || ev.code === otherNodeCode || this.#refused >= maxRefusedAttempts) {
        this.#stopped = true;
        this.#gaveUp = true;
        this.onState({ kind: 'gave-up', problem });
        return;
      }
      this.#scheduleReconnect(problem, false);
    });
  }

  #scheduleReconnect(problem: LiveProblem, failed: boolean): void {
    this.onState({ kind: 'retrying', problem, failed, retryInSeconds: Math.round(this.#retryMs / 1000) });
    clearTimeout(this.#retryTimer);
    this.#retryTimer = setTimeout(() => {
      if (!this.#stopped) this.#connect();
    }, this.#retryMs);
    this.#retryMs = Math.min(this.#retryMs * 2, reconnectMaxMs);
  }

  /** Fails the live view visibly and reconnects later (codec or decoder trouble). */
  #fail(problem: LiveProblem): void {
    console.error(`Custos live view of camera ${this.cameraId}: ${problem.kind}`);
    const ws = this.#ws;
    this.#ws = null;
    if (ws) ws.close(1000, 'player failed');
    this.#endSession();
    if (!this.#stopped) this.#scheduleReconnect(problem, true);
  }

  #onHello(text: string): void {
    let hello: LiveHello;
    try {
      hello = JSON.parse(text) as LiveHello;
    } catch {
      this.#fail({ kind: 'unreadable' });
      return;
    }
    if (hello.type !== 'init') return;
    if (!('MediaSource' in window) || !MediaSource.isTypeSupported(hello.mime)) {
      this.#fail({ kind: 'codec', codec: hello.codec });
      return;
    }
    this.#endSession();
    const mediaSource = new MediaSource();
    const session: Session = { mediaSource, sourceBuffer: null, queue: [], objectUrl: URL.createObjectURL(mediaSource), hello, lastEnd: 0, span: 1 };
    this.#session = session;
    mediaSource.addEventListener('sourceopen', () => this.#onSourceOpen(session), { once: true });
    this.video.src = session.objectUrl;
    this.onState({ kind: 'starting', hello });
  }

  #onSourceOpen(session: Session): void {
    if (this.#session !== session) return;
    URL.revokeObjectURL(session.objectUrl);
    let sb: SourceBuffer;
    try {
      sb = session.mediaSource.addSourceBuffer(session.hello.mime);
      sb.mode = 'segments';
    } catch (e) {
      this.#fail({ kind: 'no-buffer', why: e instanceof Error ? e.message : String(e) });
      return;
    }
    session.sourceBuffer = sb;
    sb.addEventListener('updateend', () => this.#onUpdateEnd(session));
    sb.addEventListener('error', () => this.#fail({ kind: 'decode' }));
    this.#pump(session);
  }

  #onMedia(bytes: ArrayBuffer): void {
    const session = this.#session;
    if (!session) return; // Media before any hello: nothing to decode it with.
    session.queue.push(bytes);
    this.#pump(session);
  }

  #onUpdateEnd(session: Session): void {
    if (this.#session !== session || !session.sourceBuffer) return;
    const { video } = this;
    const buffered = session.sourceBuffer.buffered;
    if (buffered.length > 0) {
      const start = buffered.start(0);
      const end = buffered.end(buffered.length - 1);
      if (session.lastEnd > 0 && end > session.lastEnd) session.span = Math.min(2, 0.8 * session.span + 0.2 * (end - session.lastEnd));
      session.lastEnd = end;
      const target = session.span + liveTargetSlackSeconds;
      const lag = end - video.currentTime;
      if (video.currentTime < start || lag > liveJumpFactor * session.span + liveJumpSlackSeconds) {
        video.currentTime = Math.max(start, end - target);
      } else {
        // Hysteresis: faster from a little behind the target, back to 1× once on it.
        if (lag > target + liveCatchUpAboveSeconds && video.playbackRate !== liveCatchUpRate) video.playbackRate = liveCatchUpRate;
        else if (lag <= target && video.playbackRate !== 1) video.playbackRate = 1;
      }
      if (video.paused) this.#play();
      if (!this.#live) {
        this.#live = true;
        this.#retryMs = reconnectInitialMs;
        this.onState({ kind: 'live', hello: session.hello });
      }
      // Trim between appends only (a remove makes the buffer `updating` too), measured from the
      // newest media so a playhead stalled in a background tab cannot let the buffer grow.
      if (session.queue.length === 0 && !session.sourceBuffer.updating && end - start > liveKeepSeconds + 10) {
        session.sourceBuffer.remove(start, end - liveKeepSeconds);
        return;
      }
    }
    this.#pump(session);
  }

  #pump(session: Session): void {
    const sb = session.sourceBuffer;
    if (!sb || sb.updating || session.mediaSource.readyState !== 'open') return;
    // Everything waiting goes in one append: a new viewer's key-frame group arrives as ~25
    // per-frame chunks, and one append each (each awaiting its updateend) delays the first frame.
    const waiting = session.queue.splice(0);
    if (waiting.length === 0) return;
    let next = waiting[0] as ArrayBuffer;
    if (waiting.length > 1) {
      const joined = new Uint8Array(waiting.reduce((n, b) => n + b.byteLength, 0));
      let at = 0;
      for (const b of waiting) {
        joined.set(new Uint8Array(b), at);
        at += b.byteLength;
      }
      next = joined.buffer;
    }
    try {
      sb.appendBuffer(next);
    } catch (e) {
      this.#fail({ kind: 'append', why: e instanceof Error ? e.name : String(e) });
    }
  }

  #play(): void {
    this.video.play().catch((e: unknown) => {
      // AbortError: the source changed under play(); the next append retries.
      if (!(e instanceof DOMException && e.name === 'AbortError')) this.onState({ kind: 'cannot-start', why: e instanceof Error ? e.message : String(e) });
    });
  }

  #endSession(): void {
    const session = this.#session;
    this.#live = false;
    if (!session) return;
    this.#session = null;
    session.queue.length = 0;
    if (session.mediaSource.readyState === 'open') {
      try {
        session.mediaSource.endOfStream();
      } catch {
        // Already ending; nothing to clean.
      }
    }
    URL.revokeObjectURL(session.objectUrl);
    this.video.removeAttribute('src');
    this.video.load();
  }
}
