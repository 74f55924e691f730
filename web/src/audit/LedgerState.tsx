// The ledger's state at a glance: the latest signed checkpoint (tree size, root hash, when it was
// signed; GET /api/v1/audit/checkpoints?limit=1) and the last `audit.verified` event (when, by
// whom, outcome), read through GET /api/v1/audit/events with a type filter. The events route
// pages oldest first and has no "newest" order, so the pages are followed to the end; `custos
// audit verify` runs are rare, so this is one or two requests in practice (each one audited as
// audit.events.read, as every query of the log is).
import { useEffect, useState } from 'preact/hooks';
import type { JsonOf } from '../api/client.ts';
import { useSession } from '../app/session.ts';
import { formatDateTime } from '../format.ts';
import { useI18n } from '../i18n/index.ts';

type Checkpoint = JsonOf<'/api/v1/audit/checkpoints'>[number];
type Event = JsonOf<'/api/v1/audit/events'>['events'][number];

interface Verified {
  seq: number;
  time?: string;
  outcome?: string;
  actor?: { kind: string; id: string };
  details?: Record<string, unknown>;
}

/** Pages at most this many times through the verifications (1000 each). */
const maxPages = 20;

export function LedgerState() {
  const { api } = useSession();
  const { m } = useI18n();
  const t = m.sync.ledger;
  const [checkpoint, setCheckpoint] = useState<Checkpoint | null | undefined>(undefined);
  const [verified, setVerified] = useState<Verified | null | undefined>(undefined);
  const [error, setError] = useState<string | null>(null);

  useEffect(() => {
    const fail = (e: unknown) => setError(t.cannotLoad(e instanceof Error ? e.message : String(e)));
    api
      .ok(api.client.GET('/api/v1/audit/checkpoints', { params: { query: { limit: 1 } as never } }))
      .then((list) => setCheckpoint(list[0] ?? null))
      .catch(fail);
    void (async () => {
      let last: Event | undefined;
      let after: number | undefined;
      for (let i = 0; i < maxPages; i++) {
        const page = await api.ok(api.client.GET('/api/v1/audit/events', { params: { query: { type: 'audit.verified', after, limit: 1000 } as never } }));
        last = page.events.at(-1) ?? last;
        if (page.next === null || page.events.length === 0) break;
        after = page.next;
      }
      const r = last?.record as Omit<Verified, 'seq'> | undefined;
      setVerified(last && r ? { seq: last.seq, ...r } : null);
    })().catch(fail);
  }, []);

  const who = verified?.actor ? `${verified.actor.kind}:${verified.actor.id}` : '—';
  return (
    <section class="panel ledger-state" aria-labelledby="ledger-state-heading">
      <h3 id="ledger-state-heading">{t.heading}</h3>
      <h4>{t.latest}</h4>
      {checkpoint === null && <p class="muted">{t.noCheckpoint}</p>}
      {checkpoint && (
        <dl class="latest-checkpoint" data-size={checkpoint.size}>
          <dt>{t.size}</dt>
          <dd class="checkpoint-size">{checkpoint.size}</dd>
          <dt>{t.root}</dt>
          <dd>
            <code class="checkpoint-root">{checkpoint.root}</code>
          </dd>
          <dt>{t.signedAt}</dt>
          <dd>
            <time dateTime={checkpoint.signedAt}>{formatDateTime(checkpoint.signedAt)}</time>
          </dd>
        </dl>
      )}
      <h4>{t.verification}</h4>
      {verified === null && <p class="muted last-verification-none">{t.never}</p>}
      {verified && (
        <dl class="last-verification" data-outcome={verified.outcome} data-seq={verified.seq}>
          <dt>{t.when}</dt>
          <dd>{verified.time ? <time dateTime={verified.time}>{formatDateTime(verified.time)}</time> : '—'}</dd>
          <dt>{t.by}</dt>
          <dd>{who}</dd>
          <dt>{t.outcome}</dt>
          <dd class={verified.outcome === 'failure' ? 'failure' : undefined}>
            {t.outcomes[verified.outcome ?? ''] ?? verified.outcome ?? '—'}
            {verified.details && typeof verified.details.firstBad === 'number' ? t.firstBad(verified.details.firstBad) : ''}
          </dd>
        </dl>
      )}
      {error && (
        <p class="error" role="alert">
          {error}
        </p>
      )}
    </section>
  );
}
