import type { AuditContext } from './audit-event.ts';
import type { AuditSink } from './ledger.ts';
import type { EventFilter, LedgerStore } from './ledger.store.ts';
import type { PersonalSealer } from './personal-sealer.ts';

/** One event as the audit API shows it. */
export interface AuditEventView {
  readonly seq: number;
  readonly record: Record<string, unknown>;
  readonly personal: Record<string, string> | 'erased' | null;
}

/**
 * Reading the ledger (LOG-2: reading the log is itself logged). Every query is committed as an
 * `audit.events.read` event, with its filter, before any record is returned.
 */
export class AuditReader {
  readonly #store: LedgerStore;
  readonly #sealer: PersonalSealer;
  readonly #audit: AuditSink;

  constructor(deps: { store: LedgerStore; sealer: PersonalSealer; audit: AuditSink }) {
    this.#store = deps.store;
    this.#sealer = deps.sealer;
    this.#audit = deps.audit;
  }

  async query(filter: EventFilter, by: AuditContext): Promise<{ events: AuditEventView[]; next: number | null }> {
    const shown: Record<string, string | number> = { limit: filter.limit };
    for (const [k, v] of Object.entries(filter)) if (typeof v === 'string' || typeof v === 'number') shown[k] = v;
    await this.#audit.record({ type: 'audit.events.read', ...by, outcome: 'success', details: { filter: shown } });
    const rows = await this.#store.events(filter);
    const events: AuditEventView[] = [];
    for (const row of rows) {
      const record = JSON.parse(row.record) as Record<string, unknown> & { personal?: { subject: string } };
      let personal: AuditEventView['personal'] = null;
      if (row.personal !== null && record.personal !== undefined) personal = (await this.#sealer.open(record.personal.subject, row.personal)) ?? 'erased';
      events.push({ seq: row.seq, record, personal });
    }
    return { events, next: rows.length === filter.limit ? (rows.at(-1)?.seq ?? null) : null };
  }
}
