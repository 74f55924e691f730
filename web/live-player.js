// The live tile's player: fMP4 over a WebSocket into Media Source Extensions.

import { setText } from './dom.js';

/** Live media kept in the SourceBuffer; once it holds 10 s more, the oldest is removed. */
const liveKeepSeconds = 30;
/** A live player further than this behind the newest buffered media jumps to the live edge. */
const liveMaxLagSeconds = 3;
const reconnectInitialMs = 1000;
const reconnectMaxMs = 30_000;

/**
 * Plays one camera's live stream. Contract of the server: a text hello `{type:'init', mime, …}`,
 * then binary fMP4 (init segment, then fragments from the last key frame). A later hello means
 * the stream restarted: the MediaSource is rebuilt. Binary messages MUST be appended in arrival
 * order, one at a time (a SourceBuffer rejects appends while `updating`).
 */
export class LivePlayer {
  constructor(cameraId, video, statusEl) {
    this.cameraId = cameraId;
    this.video = video;
    this.statusEl = statusEl;
    this.ws = null;
    this.session = null;
    /** True until start() and after stop(). */
    this.stopped = true;
    this.retryMs = reconnectInitialMs;
    this.retryTimer = null;
  }

  start() {
    this.stopped = false;
    this.#connect();
  }

  stop() {
    this.stopped = true;
    clearTimeout(this.retryTimer);
    if (this.ws) this.ws.close(1000, 'page closed the view');
    this.ws = null;
    this.#endSession();
  }

  #status(text, isError = false) {
    setText(this.statusEl, text);
    this.statusEl.classList.toggle('error', isError);
    this.statusEl.classList.toggle('muted', !isError);
  }

  #connect() {
    const url = `wss://${location.host}/api/v1/cameras/${encodeURIComponent(this.cameraId)}/live`;
    const ws = new WebSocket(url);
    ws.binaryType = 'arraybuffer';
    this.ws = ws;
    this.#status('Live view: connecting…');
    ws.addEventListener('message', (ev) => {
      if (this.ws !== ws) return;
      if (typeof ev.data === 'string') this.#onHello(ev.data);
      else this.#onMedia(ev.data);
    });
    ws.addEventListener('close', (ev) => {
      if (this.ws !== ws) return;
      this.ws = null;
      this.#endSession();
      if (this.stopped) return;
      const why = ev.code === 1013 ? 'the connection was too slow' : `connection closed (${ev.code}${ev.reason ? `: ${ev.reason}` : ''})`;
      this.#scheduleReconnect(`Live view interrupted: ${why}.`);
    });
  }

  #scheduleReconnect(message, isError = false) {
    const seconds = Math.round(this.retryMs / 1000);
    this.#status(`${message} Reconnecting in ${seconds} s.`, isError);
    clearTimeout(this.retryTimer);
    this.retryTimer = setTimeout(() => {
      if (!this.stopped) this.#connect();
    }, this.retryMs);
    this.retryMs = Math.min(this.retryMs * 2, reconnectMaxMs);
  }

  /** Fails the live view visibly and reconnects later (codec or decoder trouble). */
  #fail(message) {
    console.error(`Custos live view of camera ${this.cameraId}: ${message}`);
    const ws = this.ws;
    this.ws = null;
    if (ws) ws.close(1000, 'player failed');
    this.#endSession();
    if (!this.stopped) this.#scheduleReconnect(`Live view failed: ${message}.`, true);
  }

  #onHello(text) {
    let hello;
    try {
      hello = JSON.parse(text);
    } catch {
      this.#fail('the server sent an unreadable message');
      return;
    }
    if (hello.type !== 'init') return;
    if (!('MediaSource' in window) || !MediaSource.isTypeSupported(hello.mime)) {
      this.#fail(`this browser cannot play ${hello.codec} video live`);
      return;
    }
    this.#endSession();
    const mediaSource = new MediaSource();
    const session = { mediaSource, sourceBuffer: null, queue: [], objectUrl: URL.createObjectURL(mediaSource), hello };
    this.session = session;
    mediaSource.addEventListener('sourceopen', () => this.#onSourceOpen(session), { once: true });
    this.video.src = session.objectUrl;
    this.#status(`Live view: ${hello.width}×${hello.height}, starting…`);
  }

  #onSourceOpen(session) {
    if (this.session !== session) return;
    URL.revokeObjectURL(session.objectUrl);
    let sb;
    try {
      sb = session.mediaSource.addSourceBuffer(session.hello.mime);
      sb.mode = 'segments';
    } catch (e) {
      this.#fail(`cannot create a media buffer (${e.message})`);
      return;
    }
    session.sourceBuffer = sb;
    sb.addEventListener('updateend', () => this.#onUpdateEnd(session));
    sb.addEventListener('error', () => this.#fail('the browser could not decode the stream'));
    this.#pump(session);
  }

  #onMedia(bytes) {
    const session = this.session;
    if (!session) return; // Media before any hello: nothing to decode it with.
    session.queue.push(bytes);
    this.#pump(session);
  }

  #onUpdateEnd(session) {
    if (this.session !== session) return;
    const { video } = this;
    const buffered = session.sourceBuffer.buffered;
    if (buffered.length > 0) {
      const start = buffered.start(0);
      const end = buffered.end(buffered.length - 1);
      if (video.currentTime < start || end - video.currentTime > liveMaxLagSeconds) {
        video.currentTime = Math.max(start, end - 0.5);
      }
      if (video.paused) this.#play();
      if (this.retryMs !== reconnectInitialMs || !this.statusEl.classList.contains('live')) {
        this.retryMs = reconnectInitialMs;
        this.statusEl.classList.add('live');
        this.#status(`Live: ${session.hello.width}×${session.hello.height}, ${session.hello.codec}`);
      }
      // Trim between appends only (a remove makes the buffer `updating` too), measured from the
      // newest media so a playhead stalled in a background tab cannot let the buffer grow.
      if (session.queue.length === 0 && end - start > liveKeepSeconds + 10) {
        session.sourceBuffer.remove(start, end - liveKeepSeconds);
        return;
      }
    }
    this.#pump(session);
  }

  #pump(session) {
    const sb = session.sourceBuffer;
    if (!sb || sb.updating || session.queue.length === 0 || session.mediaSource.readyState !== 'open') return;
    try {
      sb.appendBuffer(session.queue.shift());
    } catch (e) {
      this.#fail(`could not buffer live video (${e.name})`);
    }
  }

  #play() {
    this.video.play().catch((e) => {
      // AbortError: the source changed under play(); the next append retries.
      if (e.name !== 'AbortError') this.#status(`Live view cannot start playing: ${e.message}`, true);
    });
  }

  #endSession() {
    const session = this.session;
    if (!session) return;
    this.session = null;
    session.queue.length = 0;
    this.statusEl.classList.remove('live');
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
