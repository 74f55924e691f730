import { AppError } from '../lib/errors.ts';
import type { Clock } from '../lib/clock.ts';
import type { Gap, Segment } from '../media/segment.ts';
import { buildTimeline, type Span, type TimelineGap } from './timeline.ts';
import { renderPlaylist, selectFragments, type Selection } from './hls-playlist.ts';
import { recordingId, recordingOf } from '../recording/recorded-stream.ts';

/** What playback reads: the index, and the recorder's segment in progress. */
export interface PlaybackSource {
  overlapping(cameraId: string, fromMs: number, toMs: number): Promise<Segment[]>;
  gapsOverlapping(cameraId: string, fromMs: number, toMs: number): Promise<Gap[]>;
  get(id: string): Promise<Segment | undefined>;
  openSegment(cameraId: string): Segment | null;
}

/**
 * Timeline, HLS playlists and segment lookup for one camera's recordings. `cameraId` below is a
 * recording id (recording/recorded-stream.ts): the camera id for its main stream,
 * `recordingId(camera, 'sub')` for its recorded sub-stream (ADR 0043).
 */
export class PlaybackService {
  readonly #source: PlaybackSource;
  readonly #clock: Clock;

  constructor(source: PlaybackSource, clock: Clock) {
    this.#source = source;
    this.#clock = clock;
  }

  /** Closed segments overlapping the range plus the one being written, oldest first. */
  async segments(cameraId: string, fromMs: number, toMs: number): Promise<Segment[]> {
    // Rows still `open` carry no fragments yet; the recorder's in-memory copy has them.
    const segments = (await this.#source.overlapping(cameraId, fromMs, toMs)).filter((s) => s.state !== 'open');
    const open = this.#source.openSegment(cameraId);
    if (open && open.startMs < toMs && open.endMs > fromMs) segments.push(open);
    return segments.sort((a, b) => a.startMs - b.startMs);
  }

  /** Recorded spans and gaps in the range. */
  async timeline(cameraId: string, fromMs: number, toMs: number): Promise<{ spans: Span[]; gaps: TimelineGap[] }> {
    const [segments, gaps] = await Promise.all([this.segments(cameraId, fromMs, toMs), this.#source.gapsOverlapping(cameraId, fromMs, toMs)]);
    return buildTimeline(segments, gaps, fromMs, toMs, this.#clock.now());
  }

  /** The fragments to play or export for the range; NO_RECORDING when there are none. */
  async select(cameraId: string, fromMs: number, toMs: number): Promise<Selection[]> {
    const selections = selectFragments(await this.segments(cameraId, fromMs, toMs), fromMs, toMs);
    if (selections.length === 0) throw new AppError('NO_RECORDING', 'nothing is recorded in this range', { cameraId });
    return selections;
  }

  /** An HLS playlist of the range; segment URIs are `segments/<segment id>.mp4` relative to it. */
  async playlist(cameraId: string, fromMs: number, toMs: number): Promise<string> {
    return renderPlaylist(await this.select(cameraId, fromMs, toMs), (s) => `segments/${s.id}.mp4`);
  }

  /** A segment of either recorded stream of the camera (closed or in progress), or NOT_FOUND. */
  async segment(cameraId: string, segmentId: string): Promise<Segment> {
    for (const stream of ['main', 'sub'] as const) {
      const open = this.#source.openSegment(recordingId(cameraId, stream));
      if (open?.id === segmentId) return open;
    }
    const segment = await this.#source.get(segmentId);
    if (!segment || recordingOf(segment.cameraId).cameraId !== cameraId) throw new AppError('NOT_FOUND', 'segment not found');
    return segment;
  }
}
