/**
 * Whether two consecutive segments come from one ingest run, so an export may stream them as one
 * part of ffmpeg's concat demuxer. Wall-clock adjacency is not enough: a camera that reconnects
 * within a fragment's time (a stream that ended and was pulled again at once) starts a new run
 * whose decode times start again at 0, and streamed into the same part they would run backwards
 * (ffmpeg then squeezes the whole second run into one tick, audio and video alike). The media
 * timeline says it exactly: within a run, fragments tile it (`decodeTime[n+1] = decodeTime[n] +
 * duration[n]`, media.ts), so the next segment's first fragment starts where the previous
 * segment's last one ends, to the tick.
 */
import { parseFragment, parseInit } from '../media/fmp4/fmp4-reader.ts';
import type { Selection } from './hls-playlist.ts';

/** Reads bytes of a selection's segment object (the exporter's read, which reports damage). */
export type SelectionRead = (selection: Selection, offset: number, length: number) => Promise<Buffer>;

/** True when `next` continues the run of `previous` on the media timeline (see the module comment). */
export async function continuesRun(read: SelectionRead, previous: Selection, next: Selection): Promise<boolean> {
  const last = previous.fragments[previous.fragments.length - 1];
  const first = next.fragments[0];
  const lastOfSegment = previous.segment.fragments[previous.segment.fragments.length - 1];
  // Only whole boundaries can continue: the previous selection MUST end at its segment's end, the next start at its start.
  if (last === undefined || first === undefined || lastOfSegment === undefined) return false;
  if (last.offset !== lastOfSegment.offset || first.offset !== next.segment.initSize) return false;
  const [previousInit, nextInit] = await Promise.all([
    read(previous, 0, previous.segment.initSize).then(parseInit),
    read(next, 0, next.segment.initSize).then(parseInit),
  ]);
  if (previousInit.timescale !== nextInit.timescale) return false;
  const [end, start] = await Promise.all([
    read(previous, last.offset, last.size).then((b) => parseFragment(b, previousInit)),
    read(next, first.offset, first.size).then((b) => parseFragment(b, nextInit)),
  ]);
  return start.decodeTime === end.decodeTime + end.duration;
}
