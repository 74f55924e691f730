// A camera's timeline: recorded spans and gaps (with their reasons) of a time window, from
// GET /api/v1/cameras/{id}/timeline. Clicking a point, or choosing one with the arrow keys and
// Enter, plays from there; the playhead shows what is on screen.
import { useEffect, useState } from 'preact/hooks';
import type { JsonOf } from '../api/client.ts';
import { useSession } from '../app/session.ts';
import { formatTime } from '../format.ts';
import { useI18n } from '../i18n/index.ts';

type TimelineAnswer = JsonOf<'/api/v1/cameras/{id}/timeline'>;

interface Props {
  cameraId: string;
  cameraName: string;
  from: Date;
  to: Date;
  playhead: Date | null;
  /** Bookmarked ranges, drawn over the bar. */
  bookmarks?: ReadonlyArray<{ id: string; from: string; to: string; note: string; hold: unknown }>;
  onSeek: (at: Date) => void;
}

const pct = (v: number) => `${(Math.max(0, Math.min(1, v)) * 100).toFixed(3)}%`;

export function Timeline({ cameraId, cameraName, from, to, playhead, bookmarks = [], onSeek }: Props) {
  const { api } = useSession();
  const { m } = useI18n();
  const [answer, setAnswer] = useState<TimelineAnswer | null>(null);
  const [error, setError] = useState<string | null>(null);
  const [cursor, setCursor] = useState(0.5);
  /** The time last asked for, as an attribute for tests and tools. */
  const [sought, setSought] = useState<Date | null>(null);
  const seek = (d: Date) => {
    setSought(d);
    onSeek(d);
  };
  const span = to.getTime() - from.getTime();
  const frac = (iso: string | Date) => (new Date(iso).getTime() - from.getTime()) / span;
  const at = (f: number) => new Date(from.getTime() + f * span);

  useEffect(() => {
    setError(null);
    api
      .ok(api.client.GET('/api/v1/cameras/{id}/timeline', { params: { path: { id: cameraId }, query: { from: from.toISOString(), to: to.toISOString() } } }))
      .then(setAnswer)
      .catch((e: unknown) => setError(m.timeline.loadFailed(e instanceof Error ? e.message : String(e))));
  }, [cameraId, from.getTime(), to.getTime()]);

  return (
    <div class="timeline-wrap">
      <div
        class="timeline"
        role="slider"
        tabIndex={0}
        aria-label={m.timeline.label(cameraName)}
        aria-valuemin={0}
        aria-valuemax={100}
        aria-valuenow={Math.round(cursor * 100)}
        aria-valuetext={formatTime(at(cursor))}
        data-sought={sought?.toISOString()}
        onClick={(e) => {
          const box = (e.currentTarget as HTMLElement).getBoundingClientRect();
          const f = (e.clientX - box.left) / box.width;
          setCursor(f);
          seek(at(f));
        }}
        onKeyDown={(e) => {
          const step = e.shiftKey ? 0.1 : 0.01;
          if (e.key === 'ArrowLeft' || e.key === 'ArrowRight') {
            e.preventDefault();
            setCursor((c) => Math.max(0, Math.min(1, c + (e.key === 'ArrowLeft' ? -step : step))));
          } else if (e.key === 'Enter' || e.key === ' ') {
            e.preventDefault();
            seek(at(cursor));
          }
        }}
      >
        {answer?.spans.map((s) => <div key={s.start} class="timeline-span" style={{ left: pct(frac(s.start)), width: pct(frac(s.end) - frac(s.start)) }} />)}
        {answer?.gaps.map((g) => <div key={g.start} class="timeline-gap" title={`${formatTime(g.start)}–${formatTime(g.end)}: ${g.reason}`} style={{ left: pct(frac(g.start)), width: pct(frac(g.end) - frac(g.start)) }} />)}
        {bookmarks.map((b) => (
          <div key={b.id} class={`timeline-bookmark${b.hold ? ' held' : ''}`} title={b.note} style={{ left: pct(frac(b.from)), width: pct(Math.max(frac(b.to) - frac(b.from), 0.004)) }} />
        ))}
        <div class="timeline-cursor" style={{ left: pct(cursor) }} />
        {playhead && <div class="timeline-playhead" style={{ left: pct(frac(playhead)) }} />}
      </div>
      <div class="timeline-scale muted">
        <span>{formatTime(from)}</span>
        <span>{formatTime(to)}</span>
      </div>
      {answer && answer.gaps.length > 0 && (
        <ul class="timeline-gaps muted">
          {answer.gaps.slice(0, 5).map((g) => (
            <li key={g.start}>{m.timeline.gap(formatTime(g.start), formatTime(g.end), g.reason)}</li>
          ))}
        </ul>
      )}
      {error && <p class="error">{error}</p>}
    </div>
  );
}
