// Several cameras in sync (issue 19, item 4): 2 to 4 cameras chosen, one shared position and one
// speed. Each camera plays through its own HLS source; the first camera that plays leads and
// every other player is pulled to the leader's wall-clock time when it drifts by more than a
// quarter second, and follows its pause and speed.
import { useEffect, useRef, useState } from 'preact/hooks';
import type { CameraPoll } from '../cameras/use-cameras.ts';
import { formatTime } from '../format.ts';
import { useI18n } from '../i18n/index.ts';
import { JumpTo } from './JumpTo.tsx';
import { SyncTile, type SyncRequest } from './SyncTile.tsx';
import { Timeline } from './Timeline.tsx';
import type { Playback } from './use-playback.ts';

const speeds = [0.25, 0.5, 1, 2, 4, 8, 16] as const;
const maxCameras = 4;
/** Drift beyond which a follower is moved to the leader's time. */
const driftMs = 250;
const syncEveryMs = 500;
const windowMs = 15 * 60_000;

export function SyncPlayback({ poll }: { poll: CameraPoll }) {
  const { m } = useI18n();
  const t = m.sync.sync;
  const cameras = poll.cameras ?? [];
  const [chosen, setChosen] = useState<string[]>([]);
  const [request, setRequest] = useState<SyncRequest | null>(null);
  const [speed, setSpeed] = useState(1);
  const [paused, setPaused] = useState(false);
  const [playhead, setPlayhead] = useState<Date | null>(null);
  const players = useRef(new Map<string, Playback>());
  const register = (id: string, p: Playback | null) => {
    if (p) players.current.set(id, p);
    else players.current.delete(id);
  };
  const selected = chosen.map((id) => cameras.find((c) => c.id === id)).filter((c) => c !== undefined);

  const seekAll = (at: Date) => {
    setPaused(false);
    setPlayhead(at);
    setRequest((r) => ({ at, seq: (r?.seq ?? 0) + 1 }));
  };

  // The sync loop: the leader's time, speed and pause state, applied to every other player.
  useEffect(() => {
    const timer = setInterval(() => {
      const live = chosen.map((id) => players.current.get(id)).filter((p): p is Playback => p !== undefined);
      const withVideo = live.filter((p) => p.videoRef.current && p.videoShown && p.currentDate() !== null);
      const leader = withVideo.find((p) => !p.videoRef.current!.paused) ?? withVideo[0];
      if (!leader) return;
      const at = leader.currentDate()!;
      setPlayhead(at);
      for (const p of withVideo) {
        const video = p.videoRef.current!;
        if (video.playbackRate !== speed) video.playbackRate = speed;
        if (paused && !video.paused) video.pause();
        if (!paused && video.paused && video.readyState >= 2) void video.play().catch(() => undefined);
        if (p === leader) continue;
        const drift = at.getTime() - p.currentDate()!.getTime();
        if (Math.abs(drift) > driftMs) video.currentTime = Math.max(0, video.currentTime + drift / 1000);
      }
    }, syncEveryMs);
    return () => clearInterval(timer);
  }, [chosen.join(','), speed, paused]);

  const toggle = (id: string, on: boolean) => setChosen((old) => (on ? (old.length < maxCameras && !old.includes(id) ? [...old, id] : old) : old.filter((x) => x !== id)));
  const position = request?.at ?? new Date(Date.now() - 60_000);
  const to = new Date(Math.min(Date.now(), position.getTime() + windowMs / 2));
  const from = new Date(to.getTime() - windowMs);
  const ready = selected.length >= 2;

  return (
    <section id="sync-playback" aria-labelledby="sync-heading">
      <h2 id="sync-heading">{t.heading}</h2>
      <p class="muted">{t.intro}</p>
      <fieldset class="sync-cameras">
        <legend>{t.cameras}</legend>
        {cameras.map((c) => (
          <label key={c.id} class="check">
            <input type="checkbox" checked={chosen.includes(c.id)} disabled={!chosen.includes(c.id) && chosen.length >= maxCameras} onChange={(e) => toggle(c.id, e.currentTarget.checked)} />
            {c.name}
          </label>
        ))}
        <p class="muted" role="status">
          {chosen.length >= maxCameras ? t.tooMany : !ready ? t.tooFew : ''}
        </p>
      </fieldset>
      {ready && (
        <>
          <div class="timeline-tools">
            <JumpTo label={t.position} onJump={seekAll} initial={position} />
            <label>
              {t.speed}
              <select value={String(speed)} onChange={(e) => setSpeed(Number(e.currentTarget.value))}>
                {speeds.map((v) => (
                  <option key={v} value={String(v)}>
                    {v}×
                  </option>
                ))}
              </select>
            </label>
            {request && (
              <button type="button" class="secondary sync-pause" onClick={() => setPaused(!paused)}>
                {paused ? t.resume : t.pause}
              </button>
            )}
            {playhead && (
              <span class="muted sync-playhead" data-at={playhead.toISOString()}>
                {t.at(formatTime(playhead))}
              </span>
            )}
          </div>
          <p class="muted">{t.timelineOf(selected[0]!.name)}</p>
          <Timeline cameraId={selected[0]!.id} cameraName={selected[0]!.name} from={from} to={to} playhead={playhead} onSeek={seekAll} />
          <div class={`sync-grid sync-${selected.length}`}>
            {selected.map((c) => (
              <SyncTile key={c.id} camera={c} request={request} register={register} />
            ))}
          </div>
        </>
      )}
    </section>
  );
}
