// One live tile: the camera's name and state, its live video, a "no signal since …" overlay
// when frames stop, and the tile's controls (maximise, fullscreen, digital zoom).
import { useEffect, useRef, useState } from 'preact/hooks';
import { formatTime } from '../format.ts';
import { useI18n } from '../i18n/index.ts';
import type { Messages } from '../i18n/en.ts';
import { StateBadge } from '../cameras/StateBadge.tsx';
import type { Camera } from '../cameras/use-cameras.ts';
import { FullscreenIcon, MaximiseIcon, RestoreIcon } from './icons.tsx';
import { PtzControls } from './PtzControls.tsx';
import { useSession } from '../app/session.ts';
import { LivePlayer, type LiveProblem, type LiveState, type LiveStream } from './live-player.ts';
import { useZoom } from './use-zoom.ts';

/** Frames that stop advancing for this long mean no signal. */
const stallMs = 3000;

function problemText(m: Messages, p: LiveProblem): string {
  switch (p.kind) {
    case 'too-slow':
      return m.live.tooSlow;
    case 'closed':
      return m.live.closed(p.code, p.reason);
    case 'elsewhere':
      return m.live.elsewhere(p.url);
    case 'unreadable':
      return m.live.unreadable;
    case 'codec':
      return m.live.cannotPlay(p.codec);
    case 'no-buffer':
      return m.live.noBuffer(p.why);
    case 'decode':
      return m.live.noDecode;
    case 'append':
      return m.live.noAppend(p.why);
  }
}

function stateText(m: Messages, s: LiveState): string {
  switch (s.kind) {
    case 'stopped':
      return '';
    case 'connecting':
      return m.live.connecting;
    case 'starting':
      return m.live.starting(s.hello.width, s.hello.height);
    case 'live':
      return m.live.playing(s.hello.width, s.hello.height, s.hello.codec) + (s.hello.stream === 'sub' ? m.live.subStream : '');
    case 'retrying':
      return (s.failed ? m.live.failed : m.live.interrupted)(problemText(m, s.problem), s.retryInSeconds);
    case 'gave-up':
      return m.live.gaveUp(problemText(m, s.problem));
    case 'cannot-start':
      return m.live.cannotStart(s.why);
  }
}

interface Props {
  camera: Camera;
  reachable: boolean;
  maximised: boolean;
  /** The sub-stream in grid tiles, the main stream when the tile fills the grid. */
  stream: LiveStream;
  onMaximise: () => void;
}

export function LiveTile({ camera, reachable, maximised, stream, onMaximise }: Props) {
  const { m } = useI18n();
  const { can } = useSession();
  const videoRef = useRef<HTMLVideoElement>(null);
  const tileRef = useRef<HTMLElement>(null);
  const [state, setState] = useState<LiveState>({ kind: 'stopped' });
  /** When the picture last moved; null before the first frame. */
  const [lastFrame, setLastFrame] = useState<Date | null>(null);
  const [stalled, setStalled] = useState(false);
  const zoom = useZoom(videoRef);

  // The player lives as long as the tile and the camera stays enabled; unmounting closes its socket.
  const playerRef = useRef<LivePlayer | null>(null);
  useEffect(() => {
    const video = videoRef.current;
    if (!video || !camera.enabled) return;
    const player = new LivePlayer(camera.id, video, setState, stream);
    playerRef.current = player;
    player.start();
    return () => {
      playerRef.current = null;
      player.stop();
    };
  }, [camera.id, camera.enabled, stream]);
  // A player that gave up while the server was unreachable tries again once it answers.
  useEffect(() => {
    if (reachable && playerRef.current?.gaveUp) playerRef.current.retry();
  }, [reachable]);

  // Watchdog: the video's clock MUST advance while live; when it stops, say since when.
  useEffect(() => {
    const video = videoRef.current;
    if (!video) return;
    let lastTime = -1;
    let lastMove = 0;
    const timer = setInterval(() => {
      const now = Date.now();
      if (video.currentTime !== lastTime && video.readyState >= 2 && !video.paused) {
        lastTime = video.currentTime;
        lastMove = now;
        setLastFrame(new Date(now));
        setStalled(false);
      } else if (lastMove > 0 && now - lastMove >= stallMs) {
        setStalled(true);
      }
    }, 500);
    return () => clearInterval(timer);
  }, []);

  const name = camera.name;
  const noSignal = camera.enabled && (stalled || (lastFrame !== null && state.kind !== 'live' && state.kind !== 'starting'));
  // A player still "live" whose picture stopped MUST NOT be captioned Live.
  const status = !camera.enabled ? m.live.disabled : stalled && state.kind === 'live' ? m.live.noSignal : stateText(m, state);
  const isError = state.kind === 'cannot-start' || state.kind === 'gave-up' || (state.kind === 'retrying' && state.failed);

  return (
    <article ref={tileRef} class={`live-tile${maximised ? ' maximised' : ''}`} data-camera-id={camera.id} aria-labelledby={`tile-${camera.id}`}>
      <header class="tile-head">
        <h3 class="camera-name" id={`tile-${camera.id}`}>
          {name}
        </h3>
        <StateBadge camera={camera} reachable={reachable} />
      </header>
      <figure class="tile">
        <div class="video-frame" role="group" {...zoom.frameProps} aria-label={zoom.level > 1 ? m.live.zoomHint : undefined}>
          <video ref={videoRef} class="live-video" muted autoplay playsInline aria-label={m.live.videoLabel(name)} />
          {noSignal && (
            <div class="no-signal" role="status">
              <strong>{m.live.noSignal}</strong>
              <span class="no-signal-since">{lastFrame ? m.live.noSignalSince(formatTime(lastFrame)) : ''}</span>
            </div>
          )}
        </div>
        <figcaption class={`live-status ${isError ? 'error' : 'muted'}${state.kind === 'live' && !stalled ? ' live' : ''}`}>
          {status}
          {state.kind === 'gave-up' && (
            <>
              {' '}
              <button type="button" class="link-button retry" onClick={() => playerRef.current?.retry()}>
                {m.live.retry}
              </button>
            </>
          )}
        </figcaption>
      </figure>
      <div class="tile-tools" role="toolbar" aria-label={name}>
        <button type="button" class="secondary icon maximise" aria-pressed={maximised} aria-label={maximised ? m.live.restore(name) : m.live.maximise(name)} title={maximised ? m.live.restore(name) : m.live.maximise(name)} onClick={onMaximise}>
          {maximised ? <RestoreIcon /> : <MaximiseIcon />}
        </button>
        <button type="button" class="secondary icon fullscreen" aria-label={m.live.fullscreen(name)} title={m.live.fullscreen(name)} onClick={() => void tileRef.current?.requestFullscreen().catch(() => undefined)}>
          <FullscreenIcon />
        </button>
        <button type="button" class="secondary icon zoom-out" aria-label={m.live.zoomOut(name)} title={m.live.zoomOut(name)} disabled={zoom.level <= 1} onClick={zoom.out}>
          −
        </button>
        <output class="zoom-level" aria-live="polite">
          {m.live.zoomLevel(zoom.level)}
        </output>
        <button type="button" class="secondary icon zoom-in" aria-label={m.live.zoomIn(name)} title={m.live.zoomIn(name)} disabled={zoom.level >= 4} onClick={zoom.in}>
          +
        </button>
        {zoom.level > 1 && (
          <button type="button" class="secondary icon zoom-reset" aria-label={m.live.zoomReset(name)} title={m.live.zoomReset(name)} onClick={zoom.reset}>
            1:1
          </button>
        )}
      </div>
      {maximised && camera.enabled && can('camera.ptz') && <PtzControls cameraId={camera.id} name={name} />}
    </article>
  );
}
