// What a camera card does with the recording: play the last two minutes (HLS with hls.js,
// loaded only when first used, or native HLS) and export the last minute with its evidence
// package. Shown only to users who hold recording.play or recording.export.
import { useEffect, useRef, useState } from 'preact/hooks';
import { backgroundHeader } from '../api/client.ts';
import { useSession } from '../app/session.ts';
import { formatBytes, formatTime } from '../format.ts';
import { useI18n } from '../i18n/index.ts';
import type { Camera } from './use-cameras.ts';

const exportPollMs = 1000;

interface Line {
  text: string;
  error: boolean;
}

interface HlsLike {
  destroy(): void;
}

/** Play the last two minutes of a camera. */
export function RecentPlayback({ camera }: { camera: Camera }) {
  const { api } = useSession();
  const { m } = useI18n();
  const videoRef = useRef<HTMLVideoElement>(null);
  const hlsRef = useRef<HlsLike | null>(null);
  const tokenRef = useRef<symbol | null>(null);
  const [range, setRange] = useState<{ from: Date; to: Date } | null>(null);
  const [status, setStatus] = useState<Line | null>(null);
  const [videoShown, setVideoShown] = useState(false);

  const stop = () => {
    hlsRef.current?.destroy();
    hlsRef.current = null;
  };
  useEffect(() => stop, []);

  async function play(): Promise<void> {
    const to = new Date();
    const from = new Date(to.getTime() - 2 * 60_000);
    const url = `/api/v1/cameras/${encodeURIComponent(camera.id)}/playback.m3u8?from=${encodeURIComponent(from.toISOString())}&to=${encodeURIComponent(to.toISOString())}`;
    const token = Symbol('playback');
    tokenRef.current = token;
    stop();
    setRange({ from, to });
    setVideoShown(true);
    setStatus({ text: m.recordings.loading, error: false });
    // Ask once ourselves so a refusal shows the server's problem detail, not a bare HTTP status.
    try {
      const res = await fetch(url, { cache: 'no-store', credentials: 'same-origin' });
      if (!res.ok) throw await api.failureOf(res);
    } catch (e) {
      if (tokenRef.current !== token) return;
      setVideoShown(false);
      setStatus({ text: m.recordings.cannotPlay(e instanceof Error ? e.message : String(e)), error: true });
      return;
    }
    if (tokenRef.current !== token) return; // Clicked again meanwhile: the newer request wins.
    const video = videoRef.current;
    if (!video) return;
    video.addEventListener('playing', () => setStatus(null), { once: true });
    const { default: Hls } = await import('hls.js/light');
    if (tokenRef.current !== token) return;
    if (Hls.isSupported()) {
      // fMP4 needs no transmuxing, so no worker (and no blob: script) is needed.
      const hls = new Hls({ enableWorker: false });
      hlsRef.current = hls;
      hls.on(Hls.Events.ERROR, (_event, data) => {
        if (!data.fatal) return;
        console.error(`Custos playback of camera ${camera.id}: hls.js ${data.type} ${data.details}`);
        setStatus({ text: m.recordings.playbackFailed(data.details), error: true });
        setVideoShown(false);
        stop();
      });
      hls.on(Hls.Events.MANIFEST_PARSED, () => void video.play().catch(() => undefined));
      hls.loadSource(url);
      hls.attachMedia(video);
    } else if (video.canPlayType('application/vnd.apple.mpegurl')) {
      video.src = url;
      void video.play().catch(() => undefined);
    } else {
      setVideoShown(false);
      setStatus({ text: m.recordings.noHls, error: true });
    }
  }

  return (
    <>
      <button type="button" class="play-recent" aria-label={m.recordings.playRecentOf(camera.name)} onClick={() => void play()}>
        {m.recordings.playRecent}
      </button>
      <section class="playback" hidden={range === null}>
        <h4 class="playback-heading">{range ? m.recordings.heading(formatTime(range.from), formatTime(range.to)) : ''}</h4>
        <video ref={videoRef} class="playback-video" controls muted playsInline hidden={!videoShown} aria-label={m.recordings.videoLabel(camera.name)} />
        <p class={`playback-status ${status?.error ? 'error' : 'muted'}`} role="status">
          {status?.text ?? ''}
        </p>
      </section>
    </>
  );
}

/** Export the last minute of a camera, with the chain-of-custody fields the server requires. */
export function ExportMinute({ camera }: { camera: Camera }) {
  const { api } = useSession();
  const { m } = useI18n();
  const [busy, setBusy] = useState(false);
  const [status, setStatus] = useState<Line | null>(null);
  const [done, setDone] = useState<{ download: string; evidence: string | null; label: string; id: string } | null>(null);
  const reasonRef = useRef<HTMLInputElement>(null);
  const forRef = useRef<HTMLInputElement>(null);

  async function run(): Promise<void> {
    const reason = reasonRef.current?.value.trim() ?? '';
    const requestedFor = forRef.current?.value.trim() ?? '';
    setDone(null);
    // Chain of custody (EVD-1): no export without a stated reason and recipient.
    if (reason.length < 3 || requestedFor.length < 2) {
      setStatus({ text: m.recordings.needsCustody, error: true });
      return;
    }
    const to = new Date();
    const from = new Date(to.getTime() - 60_000);
    setBusy(true);
    setStatus({ text: m.recordings.requesting, error: false });
    try {
      let job = await api.ok(api.client.POST('/api/v1/exports', { body: { cameraId: camera.id, from: from.toISOString(), to: to.toISOString(), reason, requestedFor } }));
      while (job.state === 'pending' || job.state === 'running') {
        setStatus({ text: m.recordings.exportState(job.state), error: false });
        await new Promise((resolve) => setTimeout(resolve, exportPollMs));
        job = await api.ok(api.client.GET('/api/v1/exports/{id}', { params: { path: { id: job.id } }, headers: backgroundHeader }));
      }
      if (job.state === 'done' && job.download) {
        setStatus({ text: m.recordings.done, error: false });
        setDone({ id: job.id, download: job.download, evidence: job.evidence ?? null, label: m.recordings.download(formatTime(job.from), formatTime(job.to), job.bytes === null ? '' : formatBytes(job.bytes)) });
      } else {
        setStatus({ text: m.recordings.exportFailed(job.error ?? m.recordings.noReason), error: true });
      }
    } catch (e) {
      setStatus({ text: m.recordings.exportFailed(e instanceof Error ? e.message : String(e)), error: true });
    } finally {
      setBusy(false);
    }
  }

  return (
    <div class="export">
      <div class="custody">
        <label>
          {m.recordings.reason} <input ref={reasonRef} type="text" class="export-reason" maxLength={500} placeholder={m.recordings.reasonPlaceholder} />
        </label>
        <label>
          {m.recordings.forWhom} <input ref={forRef} type="text" class="export-for" maxLength={200} placeholder={m.recordings.forWhomPlaceholder} />
        </label>
      </div>
      <button type="button" class="export-minute" disabled={busy} aria-label={m.recordings.exportMinuteOf(camera.name)} onClick={() => void run()}>
        {m.recordings.exportMinute}
      </button>
      <p class={`export-status ${status?.error ? 'error' : 'muted'}`} role="status" hidden={!status}>
        {status?.text}
        {done && (
          <>
            <a href={done.download} download={`custos-export-${done.id}.mp4`}>
              {done.label}
            </a>
            {done.evidence && (
              <>
                {' · '}
                <a class="evidence-link" href={done.evidence} download={`custos-evidence-${done.id}.zip`}>
                  {m.recordings.evidence}
                </a>
              </>
            )}
          </>
        )}
      </p>
    </div>
  );
}
