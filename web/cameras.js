// The camera list of the signed-in view: a card per camera with its state, transport, live
// tile, recent playback and export, refreshed every few seconds while signed in.

import { api } from './api.js';
import { setText, showMessage } from './dom.js';
import { formatBytes, formatTime } from './format.js';
import { LivePlayer } from './live-player.js';
import { exportLastMinute, playRecent, stopPlayback } from './recordings.js';

const refreshMs = 3000;

const stateLabels = {
  recording: 'Recording',
  connecting: 'Connecting',
  retrying: 'Retrying',
  stopped: 'Stopped',
  disabled: 'Disabled',
  'storage-full': 'Stopped: disk full',
  quarantined: 'Quarantined (awaiting a risk acceptance)',
};

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

/** Refreshes the camera list; `run` is the signed-in period it belongs to. */
async function refresh(run) {
  try {
    const cameras = await api('/api/v1/cameras');
    if (cameraRun !== run) return;
    const seen = new Set();
    for (const camera of cameras) {
      seen.add(camera.id);
      updateCard(cards.get(camera.id) ?? createCard(camera), camera);
    }
    for (const [id, entry] of cards) {
      if (seen.has(id)) continue;
      removeCard(id, entry);
    }
    noCameras.hidden = cameras.length > 0;
    showMessage(pageError, '');
    setText(refreshStatus, `Updated ${formatTime(new Date().toISOString())}`);
  } catch (e) {
    if (cameraRun === run) showMessage(pageError, `Cannot load cameras: ${e.message}`, true);
  }
}

function removeCard(id, entry) {
  entry.player.stop();
  stopPlayback(entry.card);
  entry.item.remove();
  cards.delete(id);
}

/** The signed-in period the refresh loop serves; null while signed out (the loop then stops). */
let cameraRun = null;

async function refreshLoop(run) {
  await refresh(run);
  if (cameraRun === run) setTimeout(() => void refreshLoop(run), refreshMs);
}

/** Starts the refresh loop (signed in); a second call while it runs does nothing. */
export function startCameras() {
  if (cameraRun !== null) return;
  const run = Symbol('signed in');
  cameraRun = run;
  setText(refreshStatus, 'Loading cameras…');
  void refreshLoop(run);
}

/** Stops every player and forgets every card (sign-out: nothing of the session stays on screen). */
export function stopCameras() {
  cameraRun = null;
  for (const [id, entry] of cards) removeCard(id, entry);
  showMessage(pageError, '');
  noCameras.hidden = true;
}
