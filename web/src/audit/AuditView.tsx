// The audit viewer: the latest signed checkpoint and the ledger's events, filtered by actor,
// type, camera and time, a page at a time (GET /api/v1/audit/events, audit.read).
import { useEffect, useState } from 'preact/hooks';
import type { JsonOf } from '../api/client.ts';
import { useSession } from '../app/session.ts';
import { formatDateTime } from '../format.ts';
import { useI18n } from '../i18n/index.ts';
import { LedgerState } from './LedgerState.tsx';

type Page = JsonOf<'/api/v1/audit/events'>;
type Event = Page['events'][number];

/** The committed record's fields the table shows (the ledger's LeafRecord). */
interface Shown {
  time?: string;
  type?: string;
  outcome?: string;
  actor?: { kind: string; id: string };
  target?: { kind: string; id: string; name?: string };
  reason?: string;
}

interface Filters {
  actor: string;
  type: string;
  camera: string;
  from: string;
  to: string;
}

const empty: Filters = { actor: '', type: '', camera: '', from: '', to: '' };

/**
 * The actor filter as the ledger keys it: actor ids carry their kind (`user:<uuid>`), so a bare
 * user id (what the field asks for) is taken as `user:<id>`; anything else is sent as typed.
 */
const actorKey = (typed: string): string | undefined => {
  const v = typed.trim();
  if (v === '') return undefined;
  return /^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$/i.test(v) ? `user:${v}` : v;
};

/** An actor (or target) as shown: its id, which names its kind already (`user:…`), else kind:id. */
const actorText = (a: { kind: string; id: string }): string => (a.id.startsWith(`${a.kind}:`) ? a.id : `${a.kind}:${a.id}`);

/** A datetime-local value as RFC 3339, or undefined when empty. */
const rfc3339 = (local: string) => (local ? new Date(local).toISOString() : undefined);

export function AuditView() {
  const { api } = useSession();
  const { m } = useI18n();
  const [checkpoint, setCheckpoint] = useState<string | null>(null);
  const [filters, setFilters] = useState<Filters>(empty);
  const [events, setEvents] = useState<Event[]>([]);
  const [next, setNext] = useState<number | null>(null);
  const [error, setError] = useState<string | null>(null);
  const [loaded, setLoaded] = useState(false);

  /** Unfiltered, the newest page first (from the checkpoint's tree size), then older pages. */
  const [newestFirst, setNewestFirst] = useState(true);
  const [open, setOpen] = useState<number | null>(null);

  async function load(f: Filters, after?: number, append = false): Promise<void> {
    setError(null);
    try {
      const page = await api.ok(
        api.client.GET('/api/v1/audit/events', {
          params: { query: { actor: actorKey(f.actor), type: f.type || undefined, camera: f.camera || undefined, from: rfc3339(f.from), to: rfc3339(f.to), after, limit: 50 } as never },
        }),
      );
      setEvents((old) => (append ? [...old, ...page.events] : page.events));
      setNext(page.next);
    } catch (e) {
      setError(m.audit.loadFailed(e instanceof Error ? e.message : String(e)));
    } finally {
      setLoaded(true);
    }
  }

  const filtered = (f: Filters) => Object.values(f).some((v) => v !== '');

  useEffect(() => {
    void fetch('/api/v1/audit/checkpoint', { cache: 'no-store' })
      .then(async (res) => (res.ok ? res.text() : null))
      .catch(() => null)
      .then((text) => {
        setCheckpoint(text);
        const size = Number(text?.split('\n')[1]);
        void load(empty, Number.isFinite(size) && size > 50 ? size - 51 : undefined);
      });
  }, []);

  const shown = newestFirst ? [...events].sort((a, b) => b.seq - a.seq) : events;
  const oldest = events.reduce((min, e) => Math.min(min, e.seq), Number.POSITIVE_INFINITY);

  const field = (key: keyof Filters, label: string, type: 'text' | 'datetime-local' = 'text') => (
    <label>
      {label}
      {type === 'text' ? (
        <input type="text" value={filters[key]} onInput={(e) => setFilters({ ...filters, [key]: e.currentTarget.value })} />
      ) : (
        <input type="datetime-local" value={filters[key]} onInput={(e) => setFilters({ ...filters, [key]: e.currentTarget.value })} />
      )}
    </label>
  );
  const lines = checkpoint?.split('\n') ?? [];

  return (
    <section id="audit-view" aria-labelledby="audit-heading">
      <h2 id="audit-heading">{m.audit.heading}</h2>
      <LedgerState />
      <div class="panel checkpoint">
        <h3>{m.audit.checkpoint}</h3>
        {checkpoint ? (
          <>
            <p>{m.audit.treeSize(lines[1] ?? '?')}</p>
            <pre class="checkpoint-text">{checkpoint}</pre>
          </>
        ) : (
          <p class="muted">{m.audit.noCheckpoint}</p>
        )}
      </div>
      <form
        class="filters"
        aria-label={m.audit.filters}
        onSubmit={(e) => {
          e.preventDefault();
          // Filtered results come in ledger order (oldest first), page after page.
          setNewestFirst(!filtered(filters));
          void load(filters);
        }}
      >
        {field('actor', m.audit.actor)}
        {field('type', m.audit.type)}
        {field('camera', m.audit.camera)}
        {field('from', m.audit.from, 'datetime-local')}
        {field('to', m.audit.to, 'datetime-local')}
        <button type="submit">{m.audit.apply}</button>
      </form>
      {error && (
        <p class="error" role="alert">
          {error}
        </p>
      )}
      {loaded && events.length === 0 && !error && <p class="muted">{m.audit.none}</p>}
      {events.length > 0 && (
        <div class="table-scroll" tabIndex={0} role="region" aria-label={m.audit.events}>
          <table class="events">
            <thead>
              <tr>
                <th scope="col">{m.audit.seq}</th>
                <th scope="col">{m.audit.time}</th>
                <th scope="col">{m.audit.event}</th>
                <th scope="col">{m.audit.who}</th>
                <th scope="col">{m.audit.target}</th>
              </tr>
            </thead>
            <tbody>
              {shown.map((e) => {
                const r = e.record as Shown;
                return [
                  <tr key={e.seq} class={r.outcome === 'failure' ? 'failure' : undefined}>
                    <td>
                      <button type="button" class="link-button" aria-expanded={open === e.seq} aria-label={m.audit.detailOf(e.seq)} onClick={() => setOpen(open === e.seq ? null : e.seq)}>
                        {e.seq}
                      </button>
                    </td>
                    <td>{r.time ? formatDateTime(r.time) : ''}</td>
                    <td>
                      <code>{r.type}</code>
                      {r.reason ? <span class="muted"> — {r.reason}</span> : null}
                    </td>
                    <td>{r.actor ? actorText(r.actor) : ''}</td>
                    <td>{r.target ? (r.target.name ? `${r.target.kind}:${r.target.name}` : actorText(r.target)) : ''}</td>
                  </tr>,
                  open === e.seq && (
                    <tr key={`${e.seq}-detail`} class="event-detail">
                      <td colSpan={5}>
                        <pre>{JSON.stringify({ record: e.record, personal: e.personal }, null, 2)}</pre>
                      </td>
                    </tr>
                  ),
                ];
              })}
            </tbody>
          </table>
        </div>
      )}
      {newestFirst && Number.isFinite(oldest) && oldest > 0 && (
        <button type="button" class="secondary" onClick={() => void load(empty, Math.max(-1, oldest - 51), true)}>
          {m.audit.older}
        </button>
      )}
      {!newestFirst && next !== null && (
        <button type="button" class="secondary" onClick={() => void load(filters, next, true)}>
          {m.audit.more}
        </button>
      )}
    </section>
  );
}
