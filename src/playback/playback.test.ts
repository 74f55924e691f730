import { test } from 'node:test';
import assert from 'node:assert/strict';
import { buildTimeline } from './timeline.ts';
import { renderPlaylist, selectFragments } from './hls-playlist.ts';
import type { Segment } from '../media/segment.ts';

function segment(id: string, startMs: number, fragmentCount: number): Segment {
  const fragments = Array.from({ length: fragmentCount }, (_, i) => ({ offset: 100 + i * 1000, size: 1000, durationMs: 1000, keyframe: true }));
  return { id, cameraId: 'c', objectKey: `c/${id}.mp4`, startMs, endMs: startMs + fragmentCount * 1000, bytes: 100 + fragmentCount * 1000, initSize: 100, codec: 'avc1.640028', timescale: 12800, fragments, state: 'closed' };
}

test('adjacent segments merge into one span and a hole becomes a gap with its reason', () => {
  const segments = [segment('a', 0, 10), segment('b', 10_500, 10), segment('c', 40_000, 10)];
  const gaps = [{ id: 'g', cameraId: 'c', startMs: 20_500, endMs: 40_000, reason: 'Connection refused' }];
  const t = buildTimeline(segments, gaps, 0, 60_000, 55_000);
  assert.deepEqual(t.spans, [
    { startMs: 0, endMs: 20_500 },
    { startMs: 40_000, endMs: 50_000 },
  ]);
  assert.deepEqual(t.gaps, [
    { startMs: 20_500, endMs: 40_000, reason: 'Connection refused' },
    { startMs: 50_000, endMs: 55_000, reason: 'no recording' },
  ]);
});

test('spans are clipped to the range and the future is not a gap', () => {
  const t = buildTimeline([segment('a', 0, 10)], [], 5_000, 100_000, 10_000);
  assert.deepEqual(t.spans, [{ startMs: 5_000, endMs: 10_000 }]);
  assert.deepEqual(t.gaps, []);
});

test('only fragments overlapping the range are selected', () => {
  const sel = selectFragments([segment('a', 0, 10)], 2_500, 4_000);
  assert.deepEqual(
    sel[0]?.fragments.map((f) => f.startMs),
    [2_000, 3_000],
  );
});

test('the playlist maps the init and each fragment as byte ranges of the segment object', () => {
  const text = renderPlaylist(selectFragments([segment('a', 0, 2), segment('b', 5_000, 1)], 0, 10_000), (s) => `segments/${s.id}`);
  assert.equal(
    text,
    [
      '#EXTM3U',
      '#EXT-X-VERSION:7',
      '#EXT-X-TARGETDURATION:1',
      '#EXT-X-MEDIA-SEQUENCE:0',
      '#EXT-X-PLAYLIST-TYPE:VOD',
      '#EXT-X-MAP:URI="segments/a",BYTERANGE="100@0"',
      '#EXT-X-PROGRAM-DATE-TIME:1970-01-01T00:00:00.000Z',
      '#EXTINF:1.000,',
      '#EXT-X-BYTERANGE:1000@100',
      'segments/a',
      '#EXTINF:1.000,',
      '#EXT-X-BYTERANGE:1000@1100',
      'segments/a',
      '#EXT-X-DISCONTINUITY',
      '#EXT-X-MAP:URI="segments/b",BYTERANGE="100@0"',
      '#EXT-X-PROGRAM-DATE-TIME:1970-01-01T00:00:05.000Z',
      '#EXTINF:1.000,',
      '#EXT-X-BYTERANGE:1000@100',
      'segments/b',
      '#EXT-X-ENDLIST',
      '',
    ].join('\n'),
  );
});
