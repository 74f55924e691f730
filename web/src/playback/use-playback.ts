// Playback of a camera's recording over a time range: HLS (fMP4) from the server, played with
// hls.js (light build, loaded on first use) or natively. Knows the wall-clock time of what is on
// screen from the playlist's EXT-X-PROGRAM-DATE-TIME, so marks and the playhead are real times.
import { useEffect, useRef, useState } from 'preact/hooks';
import type HlsType from 'hls.js';
import { useSession } from '../app/session.ts';
import { useI18n } from '../i18n/index.ts';

export interface PlaybackLine {
  text: string;
  error: boolean;
}

export interface Playback {
  videoRef: { current: HTMLVideoElement | null };
  range: { from: Date; to: Date } | null;
  status: PlaybackLine | null;
  videoShown: boolean;
  /**
   * Loads the playlist of [from, to] (a new source) and plays from `startAt` (default `from`),
   * placed by the fragments' EXT-X-PROGRAM-DATE-TIME.
   */
  play(from: Date, to: Date, startAt?: Date): Promise<void>;
  /**
   * Moves the loaded source to `at` in place (no new playlist, no new MediaSource: hls.js
   * fetches the fragment holding it), playing on if it played, else showing the frame at `at`;
   * false, changing nothing, when no source is loaded or its playlist does not hold `at` (then
   * call play()).
   */
  seek(at: Date): boolean;
  /** The wall-clock time of the picture on screen, or null before playback. */
  currentDate(): Date | null;
}

/** What hls.js knows of a playlist's fragment: its place on the media timeline and the wall clock. */
interface PlacedFragment {
  start: number;
  duration: number;
  programDateTime: number | null;
}

/**
 * The media time (seconds) of wall-clock time `atMs` in a playlist's fragments: the fragment
 * holding it, by its EXT-X-PROGRAM-DATE-TIME, plus the offset into it; null when none holds it.
 */
export function mediaTimeOf(fragments: readonly PlacedFragment[], atMs: number): number | null {
  for (const f of fragments) {
    if (f.programDateTime === null) continue;
    const into = (atMs - f.programDateTime) / 1000;
    if (into >= 0 && into < f.duration) return f.start + into;
  }
  return null;
}

export function usePlayback(cameraId: string): Playback {
  const { api } = useSession();
  const { m } = useI18n();
  const videoRef = useRef<HTMLVideoElement | null>(null);
  const hlsRef = useRef<HlsType | null>(null);
  const tokenRef = useRef<symbol | null>(null);
  const [range, setRange] = useState<{ from: Date; to: Date } | null>(null);
  const [status, setStatus] = useState<PlaybackLine | null>(null);
  const [videoShown, setVideoShown] = useState(false);

  const stop = () => {
    hlsRef.current?.destroy();
    hlsRef.current = null;
  };
  useEffect(() => stop, []);

  async function play(from: Date, to: Date, startAt: Date = from): Promise<void> {
    const url = `/api/v1/cameras/${encodeURIComponent(cameraId)}/playback.m3u8?from=${encodeURIComponent(from.toISOString())}&to=${encodeURIComponent(to.toISOString())}`;
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
    if (tokenRef.current !== token) return; // Asked again meanwhile: the newer request wins.
    const video = videoRef.current;
    if (!video) return;
    video.addEventListener('playing', () => setStatus(null), { once: true });
    const { default: Hls } = await import('hls.js/light');
    if (tokenRef.current !== token) return;
    if (Hls.isSupported()) {
      // fMP4 needs no transmuxing, so no worker (and no blob: script) is needed.
      // autoStartLoad off: the playlist loads, then LEVEL_LOADED starts the fragments at `from`.
      const hls = new Hls({ enableWorker: false, autoStartLoad: false });
      hlsRef.current = hls;
      hls.on(Hls.Events.ERROR, (_event, data) => {
        if (!data.fatal) return;
        console.error(`Custos playback of camera ${cameraId}: hls.js ${data.type} ${data.details}`);
        setStatus({ text: m.recordings.playbackFailed(data.details), error: true });
        setVideoShown(false);
        stop();
      });
      // Start at `startAt` itself, placed by its fragment's EXT-X-PROGRAM-DATE-TIME, so a seek
      // on the timeline lands where it was asked (the playlist's start when it holds no such time).
      // The element is told too, before any media is appended (its default playback start
      // position): otherwise Chromium shows the fragment's key frame, up to a second early, for
      // a frame before hls.js moves it to the start position.
      hls.once(Hls.Events.LEVEL_LOADED, (_event, data) => {
        const position = mediaTimeOf(data.details.fragments, startAt.getTime());
        hls.startLoad(position ?? -1);
        if (position !== null) video.currentTime = position;
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

  function seek(at: Date): boolean {
    const hls = hlsRef.current;
    const video = videoRef.current;
    const fragments = hls?.levels[hls.currentLevel < 0 ? 0 : hls.currentLevel]?.details?.fragments;
    // The source must be playing in this element (a re-mounted element has none).
    if (!hls || !video || hls.media !== video || !fragments) return false;
    const position = mediaTimeOf(fragments, at.getTime());
    if (position === null) return false;
    // hls.js sees the element seek and loads the fragment holding the new position. A paused
    // player stays paused and shows the frame at `at` (scrubbing, frame by frame).
    video.currentTime = position;
    return true;
  }

  function currentDate(): Date | null {
    const playing = hlsRef.current?.playingDate;
    if (playing) return playing;
    const video = videoRef.current;
    return range && video ? new Date(range.from.getTime() + video.currentTime * 1000) : null;
  }

  return { videoRef, range, status, videoShown, play, seek, currentDate };
}
