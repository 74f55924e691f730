// Bookmarks of a camera in the timeline's window: an audited note on a time range, created from
// the in/out marks (recording.bookmark), and a legal hold on it that retention and the disk-full
// policy honour (recording.hold). The server decides; the page offers only what the user holds.
import { useEffect, useRef, useState } from 'preact/hooks';
import type { JsonOf } from '../api/client.ts';
import { useSession } from '../app/session.ts';
import { formatDateTime, formatTime } from '../format.ts';
import { useI18n } from '../i18n/index.ts';

export type Bookmark = JsonOf<'/api/v1/cameras/{id}/bookmarks'>[number];

const why = (e: unknown) => (e instanceof Error ? e.message : String(e));

/** The bookmarks of a camera overlapping [from, to]; `reload` asks again. */
export function useBookmarks(cameraId: string, from: Date, to: Date, enabled: boolean) {
  const { api } = useSession();
  const [list, setList] = useState<Bookmark[]>([]);
  const [tick, setTick] = useState(0);
  useEffect(() => {
    if (!enabled) return;
    let stale = false;
    api
      .ok(api.client.GET('/api/v1/cameras/{id}/bookmarks', { params: { path: { id: cameraId }, query: { from: from.toISOString(), to: to.toISOString() } } }))
      .then((b) => !stale && setList(b))
      .catch(() => undefined);
    return () => {
      stale = true;
    };
  }, [cameraId, from.getTime(), to.getTime(), enabled, tick]);
  return { list, reload: () => setTick((t) => t + 1) };
}

interface Props {
  cameraId: string;
  bookmarks: Bookmark[];
  marked: { from: Date; to: Date } | null;
  onChanged: () => void;
  onPlay: (from: Date) => void;
}

export function Bookmarks({ cameraId, bookmarks, marked, onChanged, onPlay }: Props) {
  const { api, can } = useSession();
  const { m } = useI18n();
  const [line, setLine] = useState<{ text: string; error: boolean } | null>(null);
  const [holding, setHolding] = useState<string | null>(null);
  const noteRef = useRef<HTMLInputElement>(null);
  const reasonRef = useRef<HTMLInputElement>(null);

  async function act(action: () => Promise<unknown>, done: string): Promise<void> {
    setLine(null);
    try {
      await action();
      setLine({ text: done, error: false });
      onChanged();
    } catch (e) {
      setLine({ text: m.bookmarks.failed(why(e)), error: true });
    }
  }

  const path = (bookmarkId: string) => ({ path: { id: cameraId, bookmarkId } });
  return (
    <div class="bookmarks">
      {can('recording.bookmark') && marked && (
        <form
          class="bookmark-form"
          onSubmit={(e) => {
            e.preventDefault();
            const note = noteRef.current?.value.trim() ?? '';
            void act(() => api.ok(api.client.POST('/api/v1/cameras/{id}/bookmarks', { params: { path: { id: cameraId } }, body: { from: marked.from.toISOString(), to: marked.to.toISOString(), note } })), m.bookmarks.created);
          }}
        >
          <label>
            {m.bookmarks.note}
            <input ref={noteRef} maxLength={500} required />
          </label>
          <button type="submit" class="secondary bookmark-create">
            {m.bookmarks.create(formatTime(marked.from), formatTime(marked.to))}
          </button>
        </form>
      )}
      {bookmarks.length > 0 && (
        <ul class="bookmark-list">
          {bookmarks.map((b) => (
            <li key={b.id} class={b.hold ? 'held' : undefined}>
              <button type="button" class="link-button" onClick={() => onPlay(new Date(b.from))}>
                {formatTime(b.from)}–{formatTime(b.to)}
              </button>{' '}
              <span>{b.note}</span>
              {b.hold && (
                <span class="badge state-quarantined" title={m.bookmarks.heldTitle(formatDateTime(b.hold.since), b.hold.reason)}>
                  {m.bookmarks.held}
                </span>
              )}
              {can('recording.hold') && !b.hold && holding !== b.id && (
                <button type="button" class="secondary" onClick={() => setHolding(b.id)}>
                  {m.bookmarks.hold}
                </button>
              )}
              {can('recording.hold') && b.hold && (
                <button type="button" class="secondary" onClick={() => void act(() => api.ok(api.client.POST('/api/v1/cameras/{id}/bookmarks/{bookmarkId}/release', { params: path(b.id), body: { reason: m.bookmarks.releaseReason } })), m.bookmarks.released)}>
                  {m.bookmarks.release}
                </button>
              )}
              {can('recording.bookmark') && !b.hold && (
                <button type="button" class="link-button" onClick={() => void act(() => api.ok(api.client.DELETE('/api/v1/cameras/{id}/bookmarks/{bookmarkId}', { params: path(b.id) })), m.bookmarks.deleted)}>
                  {m.bookmarks.delete}
                </button>
              )}
              {holding === b.id && (
                <form
                  class="bookmark-form"
                  onSubmit={(e) => {
                    e.preventDefault();
                    const reason = reasonRef.current?.value.trim() ?? '';
                    setHolding(null);
                    void act(() => api.ok(api.client.POST('/api/v1/cameras/{id}/bookmarks/{bookmarkId}/hold', { params: path(b.id), body: { reason } })), m.bookmarks.placed);
                  }}
                >
                  <label>
                    {m.bookmarks.holdReason}
                    <input ref={reasonRef} minLength={3} maxLength={500} required />
                  </label>
                  <button type="submit" class="danger">
                    {m.bookmarks.placeHold}
                  </button>
                </form>
              )}
            </li>
          ))}
        </ul>
      )}
      {line && (
        <p class={line.error ? 'error' : 'muted'} role="status">
          {line.text}
        </p>
      )}
    </div>
  );
}
