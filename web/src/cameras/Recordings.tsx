// What a camera card does with the recording: the playback workspace (last two minutes, a
// timeline to play from, speeds, frame steps, in/out marks) and exports (the last minute, or the
// marked range) with their evidence package. Shown only to holders of recording.play or
// recording.export.
import { useEffect, useRef, useState } from 'preact/hooks';
import { Bookmarks, useBookmarks } from '../playback/Bookmarks.tsx';
import { JumpTo, toLocalInput } from '../playback/JumpTo.tsx';
import { Timeline } from '../playback/Timeline.tsx';
import { usePlayback } from '../playback/use-playback.ts';
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

/** In and out marks of a playback: the export range. */
export interface Marks {
  in: Date | null;
  out: Date | null;
}

/** In and out marks in either order as a range; null until both are set and differ. */
export function markedRange(marks: Marks | undefined): { from: Date; to: Date } | null {
  if (!marks?.in || !marks.out || marks.in.getTime() === marks.out.getTime()) return null;
  return { from: new Date(Math.min(marks.in.getTime(), marks.out.getTime())), to: new Date(Math.max(marks.in.getTime(), marks.out.getTime())) };
}

const speeds = [0.25, 0.5, 1, 2, 4, 8, 16] as const;
/** A frame at the cameras' usual 25 frames per second (the stream's own rate is not exposed). */
const frameSeconds = 0.04;
const windows = [15, 60, 360, 1440] as const;
/** How much footage either side of a chosen time one playlist holds. */
const aroundMs = 10 * 60_000;

/**
 * The playback workspace of a camera: "last 2 minutes", a timeline of a chosen window (spans,
 * gaps with reasons) to play from any point, speeds 0.25×–16×, frame steps, and in/out marks
 * that set the export range.
 */
export function PlaybackPanel({ camera, marks, onMarks }: { camera: Camera; marks: Marks; onMarks: (m: Marks) => void }) {
  const { m } = useI18n();
  const playback = usePlayback(camera.id);
  const [windowMinutes, setWindowMinutes] = useState<number>(60);
  const [windowStart, setWindowStart] = useState<string>('');
  const [windowEnd, setWindowEnd] = useState(() => new Date());
  const [playhead, setPlayhead] = useState<Date | null>(null);
  const [speed, setSpeed] = useState(1);
  const to = windowStart ? new Date(new Date(windowStart).getTime() + windowMinutes * 60_000) : windowEnd;
  const from = new Date(to.getTime() - windowMinutes * 60_000);
  const bookmarks = useBookmarks(camera.id, from, to, true);
  const marked = markedRange(marks);

  useEffect(() => {
    const video = playback.videoRef.current;
    if (!video) return;
    const onTime = () => setPlayhead(playback.currentDate());
    video.addEventListener('timeupdate', onTime);
    return () => video.removeEventListener('timeupdate', onTime);
  });
  useEffect(() => {
    if (playback.videoRef.current) playback.videoRef.current.playbackRate = speed;
  }, [speed, playback.range]);
  // A new range starts without a playhead until its first picture.
  useEffect(() => setPlayhead(null), [playback.range]);

  // Inside the loaded playlist a seek moves the player in place (a fragment fetch, no new
  // source); elsewhere a playlist of the ten minutes either side is loaded, so scrubbing
  // around a point does not reload it (ADR 0041).
  const playFrom = (at: Date) => {
    if (playback.seek(at)) return;
    const start = new Date(at.getTime() - aroundMs);
    const end = new Date(Math.min(Date.now(), at.getTime() + aroundMs));
    void playback.play(start, end, at);
  };
  const step = (frames: number) => {
    const video = playback.videoRef.current;
    if (!video) return;
    video.pause();
    video.currentTime = Math.max(0, video.currentTime + frames * frameSeconds);
  };
  const mark = (which: 'in' | 'out') => {
    const at = playback.currentDate();
    if (at) onMarks({ ...marks, [which]: at });
  };

  return (
    <div class="playback-panel">
      <button
        type="button"
        class="play-recent"
        aria-label={m.recordings.playRecentOf(camera.name)}
        onClick={() => {
          const now = new Date();
          setWindowEnd(now);
          void playback.play(new Date(now.getTime() - 2 * 60_000), now);
        }}
      >
        {m.recordings.playRecent}
      </button>
      <div class="timeline-tools">
        <label>
          {m.timeline.window}
          <select value={String(windowMinutes)} onChange={(e) => setWindowMinutes(Number(e.currentTarget.value))}>
            {windows.map((w) => (
              <option key={w} value={String(w)}>
                {m.timeline.minutes(w)}
              </option>
            ))}
          </select>
        </label>
        <label>
          {m.timeline.start}
          <input type="datetime-local" value={windowStart} onInput={(e) => setWindowStart(e.currentTarget.value)} />
        </label>
        <button
          type="button"
          class="secondary"
          onClick={() => {
            setWindowStart('');
            setWindowEnd(new Date());
          }}
        >
          {m.timeline.now}
        </button>
      </div>
      <JumpTo
        onJump={(at) => {
          // The window moves so the chosen time sits in its middle (not past now), then plays from it.
          const half = (windowMinutes * 60_000) / 2;
          const end = Math.min(Date.now(), at.getTime() + half);
          setWindowStart(toLocalInput(new Date(end - windowMinutes * 60_000)));
          playFrom(at);
        }}
      />
      <Timeline cameraId={camera.id} cameraName={camera.name} from={from} to={to} playhead={playhead} bookmarks={bookmarks.list} onSeek={playFrom} />
      <Bookmarks cameraId={camera.id} bookmarks={bookmarks.list} marked={marked} onChanged={bookmarks.reload} onPlay={playFrom} />
      <section class="playback" hidden={playback.range === null}>
        <h4 class="playback-heading">{playback.range ? m.recordings.heading(formatTime(playback.range.from), formatTime(playback.range.to)) : ''}</h4>
        <video ref={playback.videoRef} class="playback-video" controls muted playsInline hidden={!playback.videoShown} aria-label={m.recordings.videoLabel(camera.name)} data-playing-at={playhead?.toISOString()} />
        <p class={`playback-status ${playback.status?.error ? 'error' : 'muted'}`} role="status">
          {playback.status?.text ?? ''}
        </p>
        <div class="transport" role="toolbar" aria-label={m.timeline.transport(camera.name)}>
          <button type="button" class="secondary" onClick={() => step(-1)}>
            {m.timeline.frameBack}
          </button>
          <button type="button" class="secondary" onClick={() => step(1)}>
            {m.timeline.frameForward}
          </button>
          <label>
            {m.timeline.speed}
            <select value={String(speed)} onChange={(e) => setSpeed(Number(e.currentTarget.value))}>
              {speeds.map((v) => (
                <option key={v} value={String(v)}>
                  {v}×
                </option>
              ))}
            </select>
          </label>
          <button type="button" class="secondary mark-in" onClick={() => mark('in')}>
            {m.timeline.markIn}
          </button>
          <button type="button" class="secondary mark-out" onClick={() => mark('out')}>
            {m.timeline.markOut}
          </button>
          <span class="marks muted">
            {playhead ? formatTime(playhead) : ''}
            {marks.in || marks.out ? ` · ${m.timeline.marks(marks.in ? formatTime(marks.in) : '—', marks.out ? formatTime(marks.out) : '—')}` : ''}
          </span>
        </div>
      </section>
    </div>
  );
}

/** Export the last minute of a camera, with the chain-of-custody fields the server requires. */
export function ExportMinute({ camera, marks }: { camera: Camera; marks?: Marks }) {
  const { api } = useSession();
  const { m } = useI18n();
  const [busy, setBusy] = useState(false);
  const [status, setStatus] = useState<Line | null>(null);
  const [done, setDone] = useState<{ download: string; evidence: string | null; label: string; id: string } | null>(null);
  const reasonRef = useRef<HTMLInputElement>(null);
  const forRef = useRef<HTMLInputElement>(null);
  const marked = markedRange(marks);

  async function run(range?: { from: Date; to: Date }): Promise<void> {
    const reason = reasonRef.current?.value.trim() ?? '';
    const requestedFor = forRef.current?.value.trim() ?? '';
    setDone(null);
    // Chain of custody (EVD-1): no export without a stated reason and recipient.
    if (reason.length < 3 || requestedFor.length < 2) {
      setStatus({ text: m.recordings.needsCustody, error: true });
      return;
    }
    const to = range?.to ?? new Date();
    const from = range?.from ?? new Date(to.getTime() - 60_000);
    setBusy(true);
    setStatus({ text: m.recordings.requesting, error: false });
    try {
      let job = await api.ok(api.client.POST('/api/v1/exports', { body: { cameraId: camera.id, from: from.toISOString(), to: to.toISOString(), reason, requestedFor } }));
      while (job.state === 'pending' || job.state === 'running') {
        // The phase and percentage the server reports (waiting for footage, rendering, proving).
        const percent = job.progress.percent;
        setStatus({ text: m.recordings.exportPhase(m.recordings.phases[job.phase] ?? job.phase, percent === null ? '' : ` ${Math.round(percent)} %`), error: false });
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
      <div class="export-buttons">
        <button type="button" class="export-minute" disabled={busy} aria-label={m.recordings.exportMinuteOf(camera.name)} onClick={() => void run()}>
          {m.recordings.exportMinute}
        </button>
        {marked && (
          <button type="button" class="export-range" disabled={busy} onClick={() => void run(marked)}>
            {m.recordings.exportMarked(formatTime(marked.from), formatTime(marked.to))}
          </button>
        )}
      </div>
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
