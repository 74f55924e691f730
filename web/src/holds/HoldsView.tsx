// Legal holds in force (recording.hold): every bookmarked range on hold on the cameras where the
// user holds the permission (GET /api/v1/holds), oldest first, with who placed it and why, and
// its release with a reason (recorded in the audit event). Polled in the background.
import { useEffect, useState } from 'preact/hooks';
import { backgroundHeader, type JsonOf } from '../api/client.ts';
import { useSession } from '../app/session.ts';
import type { CameraPoll } from '../cameras/use-cameras.ts';
import { formatDateTime } from '../format.ts';
import { useI18n } from '../i18n/index.ts';

type Hold = JsonOf<'/api/v1/holds'>[number];

const refreshMs = 10_000;

export function HoldsView({ poll }: { poll: CameraPoll }) {
  const { api } = useSession();
  const { m } = useI18n();
  const t = m.screens.holds;
  const [holds, setHolds] = useState<Hold[] | null>(null);
  const [reasons, setReasons] = useState<Record<string, string>>({});
  const [line, setLine] = useState<{ text: string; error: boolean } | null>(null);
  const [tick, setTick] = useState(0);

  useEffect(() => {
    let stopped = false;
    api
      .ok(api.client.GET('/api/v1/holds', { headers: backgroundHeader }))
      .then((h) => !stopped && setHolds(h))
      .catch((e: unknown) => !stopped && setLine({ text: t.loadFailed(e instanceof Error ? e.message : String(e)), error: true }));
    const timer = setTimeout(() => setTick((n) => n + 1), refreshMs);
    return () => {
      stopped = true;
      clearTimeout(timer);
    };
  }, [tick]);

  const nameOf = (id: string) => poll.cameras?.find((c) => c.id === id)?.name ?? id.slice(0, 8);

  async function release(h: Hold, ev: Event): Promise<void> {
    ev.preventDefault();
    try {
      await api.ok(api.client.POST('/api/v1/cameras/{id}/bookmarks/{bookmarkId}/release', { params: { path: { id: h.cameraId, bookmarkId: h.id } }, body: { reason: reasons[h.id] ?? '' } }));
      setLine({ text: t.released, error: false });
      setTick((n) => n + 1);
    } catch (e) {
      setLine({ text: t.releaseFailed(e instanceof Error ? e.message : String(e)), error: true });
    }
  }

  return (
    <section id="holds-view" aria-labelledby="holds-heading">
      <h2 id="holds-heading">{t.heading}</h2>
      {line && (
        <p class={line.error ? 'error' : 'muted'} role="status">
          {line.text}
        </p>
      )}
      {holds !== null && holds.length === 0 && <p class="muted">{t.none}</p>}
      {holds !== null && holds.length > 0 && (
        <ul class="alarm-list hold-list">
          {holds.map((h) => (
            <li key={h.id} class="hold" data-bookmark-id={h.id}>
              <strong>{nameOf(h.cameraId)}</strong> <span>{t.range(formatDateTime(h.from), formatDateTime(h.to))}</span> <span>— {h.note}</span>
              {h.hold && (
                <span class="muted">
                  {' '}
                  {t.since(formatDateTime(h.hold.since), h.hold.by)}: {h.hold.reason}
                </span>
              )}
              <form class="admin-form" onSubmit={(e) => void release(h, e)}>
                <label>
                  {t.reason}
                  <input required minLength={3} maxLength={500} value={reasons[h.id] ?? ''} onInput={(e) => setReasons({ ...reasons, [h.id]: e.currentTarget.value })} />
                </label>
                <button type="submit" class="secondary" aria-label={t.releaseOf(h.note)}>
                  {t.release}
                </button>
              </form>
            </li>
          ))}
        </ul>
      )}
    </section>
  );
}
