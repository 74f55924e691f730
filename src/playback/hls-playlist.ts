import type { Segment } from '../media/segment.ts';

/** One fragment chosen for playback or export. */
export interface SelectedFragment {
  readonly offset: number;
  readonly size: number;
  readonly startMs: number;
  readonly durationMs: number;
}

/** A segment with the fragments of it that overlap a range. */
export interface Selection {
  readonly segment: Segment;
  readonly fragments: readonly SelectedFragment[];
}

/** Picks, per segment, the fragments that overlap [fromMs, toMs). Pure. */
export function selectFragments(segments: readonly Segment[], fromMs: number, toMs: number): Selection[] {
  const out: Selection[] = [];
  for (const segment of segments) {
    let t = segment.startMs;
    const fragments: SelectedFragment[] = [];
    for (const f of segment.fragments) {
      const end = t + f.durationMs;
      if (end > fromMs && t < toMs) fragments.push({ offset: f.offset, size: f.size, startMs: t, durationMs: f.durationMs });
      t = end;
    }
    if (fragments.length > 0) out.push({ segment, fragments });
  }
  return out;
}

/**
 * Renders an HLS media playlist (RFC 8216, version 7) over fMP4: each segment object is one
 * URI; its init is the `EXT-X-MAP` byte range and each fragment an `EXT-X-BYTERANGE` media
 * segment. A discontinuity separates segment objects, because a reconnect restarts the
 * stream's timestamps. `uriOf` maps a segment to its URI relative to the playlist.
 */
export function renderPlaylist(selections: readonly Selection[], uriOf: (segment: Segment) => string): string {
  const maxSeconds = Math.max(1, ...selections.flatMap((s) => s.fragments.map((f) => f.durationMs / 1000)));
  const lines = ['#EXTM3U', '#EXT-X-VERSION:7', `#EXT-X-TARGETDURATION:${Math.ceil(maxSeconds)}`, '#EXT-X-MEDIA-SEQUENCE:0', '#EXT-X-PLAYLIST-TYPE:VOD'];
  selections.forEach((selection, i) => {
    const uri = uriOf(selection.segment);
    if (i > 0) lines.push('#EXT-X-DISCONTINUITY');
    lines.push(`#EXT-X-MAP:URI="${uri}",BYTERANGE="${selection.segment.initSize}@0"`);
    const first = selection.fragments[0];
    if (first) lines.push(`#EXT-X-PROGRAM-DATE-TIME:${new Date(first.startMs).toISOString()}`);
    for (const f of selection.fragments) {
      lines.push(`#EXTINF:${(f.durationMs / 1000).toFixed(3)},`, `#EXT-X-BYTERANGE:${f.size}@${f.offset}`, uri);
    }
  });
  lines.push('#EXT-X-ENDLIST');
  return `${lines.join('\n')}\n`;
}
