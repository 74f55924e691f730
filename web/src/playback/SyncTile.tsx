// One camera of the synchronised playback: its own HLS source (usePlayback, as the single-camera
// view), started at the shared position; or "no recording" with the gap's reason when the
// camera has nothing at that position (asked of GET /api/v1/cameras/{id}/timeline).
import { useEffect, useState } from 'preact/hooks';
import type { JsonOf } from '../api/client.ts';
import { useSession } from '../app/session.ts';
import type { Camera } from '../cameras/use-cameras.ts';
import { useI18n } from '../i18n/index.ts';
import { usePlayback, type Playback } from './use-playback.ts';

type TimelineAnswer = JsonOf<'/api/v1/cameras/{id}/timeline'>;

/** A request to play every camera from one time; `seq` tells a repeated request from an old one. */
export interface SyncRequest {
  at: Date;
  seq: number;
}

/** What is at `at` in a timeline: null when recorded, else why not ('' when the reason is unknown). */
export function absenceAt(answer: TimelineAnswer, at: Date): string | null {
  const t = at.getTime();
  const within = (r: { start: string; end: string }) => Date.parse(r.start) <= t && t < Date.parse(r.end);
  if (answer.spans.some(within)) return null;
  return answer.gaps.find(within)?.reason ?? '';
}

/** How far either side of the position a player asks for footage. */
const aheadMs = 10 * 60_000;

export function SyncTile({ camera, request, register }: { camera: Camera; request: SyncRequest | null; register: (id: string, p: Playback | null) => void }) {
  const { api } = useSession();
  const { m } = useI18n();
  const playback = usePlayback(camera.id);
  /** null: footage at the position; a string: none, for this reason. */
  const [absent, setAbsent] = useState<string | null>(null);
  const [playingAt, setPlayingAt] = useState<Date | null>(null);

  useEffect(() => {
    register(camera.id, playback);
    return () => register(camera.id, null);
  });
  useEffect(() => {
    const video = playback.videoRef.current;
    if (!video) return;
    const onTime = () => setPlayingAt(playback.currentDate());
    video.addEventListener('timeupdate', onTime);
    return () => video.removeEventListener('timeupdate', onTime);
  });
  useEffect(() => {
    if (!request) return;
    let stale = false;
    const { at } = request;
    setPlayingAt(null);
    const query = { from: new Date(at.getTime() - 60_000).toISOString(), to: new Date(Math.min(Date.now(), at.getTime() + 60_000)).toISOString() };
    void api
      .ok(api.client.GET('/api/v1/cameras/{id}/timeline', { params: { path: { id: camera.id }, query } }))
      .then((answer) => absenceAt(answer, at))
      .catch(() => null) // Cannot tell: try to play; the player then says what went wrong.
      .then((why) => {
        if (stale) return;
        setAbsent(why);
        // In place when the loaded playlist holds the position (ADR 0041), else a playlist around it.
        if (why === null && !playback.seek(at)) void playback.play(new Date(at.getTime() - aheadMs), new Date(Math.min(Date.now(), at.getTime() + aheadMs)), at);
      });
    return () => {
      stale = true;
    };
  }, [request?.seq]);

  return (
    <figure class="sync-tile" data-camera={camera.id}>
      <figcaption class="camera-name">{camera.name}</figcaption>
      {absent !== null ? (
        <p class="sync-no-recording" role="status">
          {absent ? m.sync.sync.noRecordingReason(absent) : m.sync.sync.noRecording}
        </p>
      ) : (
        <>
          <video
            ref={playback.videoRef}
            class="sync-video"
            muted
            playsInline
            hidden={!playback.videoShown}
            aria-label={m.sync.sync.videoLabel(camera.name)}
            data-playing-at={playingAt?.toISOString()}
          />
          <p class={`playback-status ${playback.status?.error ? 'error' : 'muted'}`} role="status">
            {playback.status?.text ?? ''}
          </p>
        </>
      )}
    </figure>
  );
}
