// What a camera card does with the recording: play the last two minutes (HLS via hls.js, or
// native HLS) and export the last minute as a download with its evidence package.

import { api, failureOf } from './api.js';
import { setText, showMessage } from './dom.js';
import { formatBytes, formatTime } from './format.js';

const exportPollMs = 1000;

/** Plays [now − 2 min, now] of a camera from the recording, with hls.js (or native HLS). */
export async function playRecent(card) {
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
    const res = await fetch(url, { cache: 'no-store', credentials: 'same-origin' });
    if (!res.ok) throw await failureOf(res);
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

/** Stops the card's hls.js player, if any. */
export function stopPlayback(card) {
  if (card.hls) {
    card.hls.destroy();
    card.hls = null;
  }
}

/** Exports [now − 1 min, now] of a camera, polling the job until it is done or failed. */
export async function exportLastMinute(card, button) {
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
