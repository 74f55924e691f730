// Custos minimal operator page: camera list with status, a live tile per camera (fMP4 over a
// WebSocket into Media Source Extensions), recent playback (HLS via hls.js) and exports.
// Plain browser JavaScript, no build step. The page's CSP forbids inline scripts and styles:
// presentation MUST go through classes in style.css, never style attributes.

const refreshMs = 3000;
/** Live media kept in the SourceBuffer; once it holds 10 s more, the oldest is removed. */
const liveKeepSeconds = 30;
/** A live player further than this behind the newest buffered media jumps to the live edge. */
const liveMaxLagSeconds = 3;
const reconnectInitialMs = 1000;
const reconnectMaxMs = 30_000;
const exportPollMs = 1000;

/** An API failure carrying the problem+json `detail` (RFC 9457) when the server sent one. */
class ApiError extends Error {
  constructor(message, status, code) {
    super(message);
    this.name = 'ApiError';
    this.status = status;
    this.code = code;
  }
}

/** Fetches JSON from the API; throws ApiError with the problem detail on a non-2xx answer. */
async function api(path, init = {}) {
  const headers = { accept: 'application/json', ...(init.body ? { 'content-type': 'application/json' } : {}) };
  const res = await fetch(path, { ...init, headers, cache: 'no-store' });
  if (res.ok) return res.status === 204 ? null : res.json();
  throw await problemOf(res);
}

/** Turns an error response into an ApiError, using the problem document when there is one. */
async function problemOf(res) {
  let detail = `${res.status} ${res.statusText}`.trim();
  let code;
  if ((res.headers.get('content-type') ?? '').includes('json')) {
    try {
      const problem = await res.json();
      detail = problem.detail || problem.title || detail;
      code = problem.code;
    } catch {
      // Not JSON after all: keep the status line.
    }
  }
  return new ApiError(detail, res.status, code);
}

const timeFormat = new Intl.DateTimeFormat(undefined, { hour: '2-digit', minute: '2-digit', second: '2-digit' });
const formatTime = (iso) => timeFormat.format(new Date(iso));

function formatBytes(n) {
  if (n < 1024) return `${n} B`;
  const units = ['KiB', 'MiB', 'GiB', 'TiB'];
  let v = n;
  let i = -1;
  do {
    v /= 1024;
    i += 1;
  } while (v >= 1024 && i < units.length - 1);
  return `${v.toFixed(1)} ${units[i]}`;
}

function setText(el, text) {
  if (el.textContent !== text) el.textContent = text;
}

/** Shows a message in an element, as an error or not; an empty message hides it. */
function showMessage(el, text, isError = false) {
  setText(el, text);
  el.hidden = text === '';
  el.classList.toggle('error', isError);
  el.classList.toggle('muted', !isError);
}

const stateLabels = {
  recording: 'Recording',
  connecting: 'Connecting',
  retrying: 'Retrying',
  stopped: 'Stopped',
  disabled: 'Disabled',
};

// ---------------------------------------------------------------------------------------------
// Live view

/**
 * Plays one camera's live stream. Contract of the server: a text hello `{type:'init', mime, …}`,
 * then binary fMP4 (init segment, then fragments from the last key frame). A later hello means
 * the stream restarted: the MediaSource is rebuilt. Binary messages MUST be appended in arrival
 * order, one at a time (a SourceBuffer rejects appends while `updating`).
 */
class LivePlayer {
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

// ---------------------------------------------------------------------------------------------
// Recent playback and exports

/** Plays [now − 2 min, now] of a camera from the recording, with hls.js (or native HLS). */
async function playRecent(card) {
  const video = card.querySelector('.playback-video');
  const status = card.querySelector('.playback-status');
  const panel = card.querySelector('.playback');
  const to = new Date();
  const from = new Date(to.getTime() - 2 * 60_000);
  const url = `/api/v1/cameras/${encodeURIComponent(card.dataset.cameraId)}/playback.m3u8?from=${encodeURIComponent(from.toISOString())}&to=${encodeURIComponent(to.toISOString())}`;
  const token = Symbol('playback');
  card.playbackToken = token;
  panel.hidden = false;
  setText(card.querySelector('.playback-heading'), `Recording ${formatTime(from.toISOString())} – ${formatTime(to.toISOString())}`);
  stopPlayback(card);
  video.hidden = false;
  showMessage(status, 'Loading the recording…');

  // Ask once ourselves so a refusal shows the server's problem detail, not a bare HTTP status.
  try {
    const res = await fetch(url, { cache: 'no-store' });
    if (!res.ok) throw await problemOf(res);
  } catch (e) {
    if (card.playbackToken !== token) return;
    video.hidden = true;
    showMessage(status, `Cannot play the recording: ${e.message}`, true);
    return;
  }
  if (card.playbackToken !== token) return; // Clicked again meanwhile: the newer request wins.

  if (window.Hls && window.Hls.isSupported()) {
    const hls = new window.Hls({ enableWorker: true });
    card.hls = hls;
    hls.on(window.Hls.Events.ERROR, (_event, data) => {
      if (!data.fatal) return;
      console.error(`Custos playback of camera ${card.dataset.cameraId}: hls.js ${data.type} ${data.details}`);
      showMessage(status, `Playback failed: ${data.details}.`, true);
      video.hidden = true;
      stopPlayback(card);
    });
    hls.on(window.Hls.Events.MANIFEST_PARSED, () => {
      video.play().catch(() => undefined);
    });
    hls.loadSource(url);
    hls.attachMedia(video);
  } else if (video.canPlayType('application/vnd.apple.mpegurl')) {
    video.src = url;
    video.play().catch(() => undefined);
  } else {
    video.hidden = true;
    showMessage(status, 'This browser can play neither HLS nor Media Source Extensions.', true);
    return;
  }
  video.addEventListener('playing', () => showMessage(status, ''), { once: true });
}

function stopPlayback(card) {
  if (card.hls) {
    card.hls.destroy();
    card.hls = null;
  }
}

/** Exports [now − 1 min, now] of a camera, polling the job until it is done or failed. */
async function exportLastMinute(card, button) {
  const status = card.querySelector('.export-status');
  const reason = card.querySelector('.export-reason').value.trim();
  const requestedFor = card.querySelector('.export-for').value.trim();
  status.replaceChildren();
  // Chain of custody (EVD-1): no export without a stated reason and recipient.
  if (reason.length < 3 || requestedFor.length < 2) {
    showMessage(status, 'Export needs a reason (3+ characters) and for whom (2+ characters).', true);
    return;
  }
  const to = new Date();
  const from = new Date(to.getTime() - 60_000);
  button.disabled = true;
  showMessage(status, 'Export: requesting…');
  try {
    let job = await api('/api/v1/exports', { method: 'POST', body: JSON.stringify({ cameraId: card.dataset.cameraId, from: from.toISOString(), to: to.toISOString(), reason, requestedFor }) });
    while (job.state === 'pending' || job.state === 'running') {
      showMessage(status, `Export: ${job.state}…`);
      await new Promise((resolve) => setTimeout(resolve, exportPollMs));
      job = await api(`/api/v1/exports/${encodeURIComponent(job.id)}`);
    }
    if (job.state === 'done' && job.download) {
      const link = document.createElement('a');
      link.href = job.download;
      link.download = `custos-export-${job.id}.mp4`;
      link.textContent = `Download export (${formatTime(job.from)} – ${formatTime(job.to)}${job.bytes === null ? '' : `, ${formatBytes(job.bytes)}`})`;
      showMessage(status, 'Export done: ');
      status.append(link);
      if (job.evidence) {
        const evidence = document.createElement('a');
        evidence.href = job.evidence;
        evidence.className = 'evidence-link';
        evidence.download = `custos-evidence-${job.id}.zip`;
        evidence.textContent = 'evidence package (verify with custos export verify)';
        status.append(' · ', evidence);
      }
    } else {
      showMessage(status, `Export failed: ${job.error ?? 'no reason given'}`, true);
    }
  } catch (e) {
    showMessage(status, `Export failed: ${e.message}`, true);
  } finally {
    button.disabled = false;
  }
}

// ---------------------------------------------------------------------------------------------
// Camera list

const list = document.getElementById('camera-list');
const template = document.getElementById('camera-template');
const refreshStatus = document.getElementById('refresh-status');
const pageError = document.getElementById('page-error');
const noCameras = document.getElementById('no-cameras');
/** Cards by camera id, each with its live player. */
const cards = new Map();

function createCard(camera) {
  const item = template.content.firstElementChild.cloneNode(true);
  const card = item.querySelector('.camera-card');
  item.dataset.cameraId = camera.id;
  card.dataset.cameraId = camera.id;
  const headingId = `camera-${camera.id}`;
  card.querySelector('.camera-name').id = headingId;
  card.setAttribute('aria-labelledby', headingId);
  card.querySelector('.play-recent').addEventListener('click', () => void playRecent(card));
  const exportButton = card.querySelector('.export-minute');
  exportButton.addEventListener('click', () => void exportLastMinute(card, exportButton));
  const player = new LivePlayer(camera.id, card.querySelector('.live-video'), card.querySelector('.live-status'));
  cards.set(camera.id, { item, card, player });
  list.append(item);
  return cards.get(camera.id);
}

function updateCard({ card, player }, camera) {
  const s = camera.status;
  setText(card.querySelector('.camera-name'), camera.name);
  card.querySelector('.live-video').setAttribute('aria-label', `Live view of ${camera.name}`);
  card.querySelector('.playback-video').setAttribute('aria-label', `Recording of ${camera.name}`);
  card.querySelector('.play-recent').setAttribute('aria-label', `Play last 2 minutes of ${camera.name}`);
  card.querySelector('.export-minute').setAttribute('aria-label', `Export last minute of ${camera.name}`);

  const badge = card.querySelector('.camera-state');
  setText(badge, stateLabels[s.state] ?? s.state);
  badge.dataset.state = s.state;
  badge.className = `badge camera-state state-${s.state}`;

  const transport = card.querySelector('.camera-transport');
  const plaintext = camera.transport === 'plaintext';
  setText(transport, plaintext ? 'Unencrypted RTSP' : 'RTSP over TLS');
  transport.className = `badge camera-transport ${plaintext ? 'risk' : 'safe'}`;
  transport.title = plaintext ? 'Video and credentials travel in clear text between camera and server.' : 'The camera stream is encrypted (rtsps).';

  setText(card.querySelector('.camera-url'), `${camera.url}${camera.hasCredentials ? ' (with stored credentials)' : ''}`);
  let detail = `${stateLabels[s.state] ?? s.state} since ${formatTime(s.since)}`;
  if (s.state === 'retrying' && s.retryInSeconds !== null) detail += ` · next attempt in ${Math.ceil(s.retryInSeconds)} s`;
  detail += ` · ${formatBytes(s.bytes)} recorded since server start · ${s.viewers} live viewer${s.viewers === 1 ? '' : 's'} · keeps ${camera.retentionHours} h`;
  setText(card.querySelector('.camera-detail'), detail);
  showMessage(card.querySelector('.camera-error'), s.lastError ? `Last error: ${s.lastError}` : '', true);

  if (camera.enabled && player.stopped) player.start();
  if (!camera.enabled && !player.stopped) {
    player.stop();
    setText(card.querySelector('.live-status'), 'Live view: camera disabled.');
  }
}

async function refresh() {
  try {
    const cameras = await api('/api/v1/cameras');
    const seen = new Set();
    for (const camera of cameras) {
      seen.add(camera.id);
      updateCard(cards.get(camera.id) ?? createCard(camera), camera);
    }
    for (const [id, entry] of cards) {
      if (seen.has(id)) continue;
      entry.player.stop();
      stopPlayback(entry.card);
      entry.item.remove();
      cards.delete(id);
    }
    noCameras.hidden = cameras.length > 0;
    showMessage(pageError, '');
    setText(refreshStatus, `Updated ${formatTime(new Date().toISOString())}`);
  } catch (e) {
    showMessage(pageError, `Cannot load cameras: ${e.message}`, true);
  }
}

async function refreshLoop() {
  await refresh();
  setTimeout(() => void refreshLoop(), refreshMs);
}

void refreshLoop();
