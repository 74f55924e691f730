import type { Db } from '../db/database.ts';

/** A stored cosignature. */
export interface StoredCosignature {
  readonly size: number;
  /** The witness's key name. */
  readonly witness: string;
  /** The signature line with its newline, verified against the configured key when stored. */
  readonly line: string;
  readonly timeS: number;
  readonly receivedMs: number;
}

/** Cosignatures of audit checkpoints, beside them in the metadata database. */
export interface CosignatureStore {
  /** Stores one; a second one for the same (size, witness) is ignored. */
  insert(c: StoredCosignature): Promise<void>;
  /** The cosignatures of the checkpoint of `size`, by witness name. */
  forSize(size: number): Promise<StoredCosignature[]>;
  /** The largest size `witness` cosigned, 0 when none. */
  latestSizeOf(witness: string): Promise<number>;
}

export function createCosignatureStore(db: Db): CosignatureStore {
  return {
    async insert(c) {
      await db
        .insertInto('audit_cosignatures')
        .values({ size: c.size, witness: c.witness, line: c.line, time_s: c.timeS, received_ms: c.receivedMs })
        .onConflict((oc) => oc.columns(['size', 'witness']).doNothing())
        .execute();
    },
    async forSize(size) {
      const rows = await db.selectFrom('audit_cosignatures').selectAll().where('size', '=', size).orderBy('witness').execute();
      return rows.map((r) => ({ size: Number(r.size), witness: r.witness, line: r.line, timeS: Number(r.time_s), receivedMs: Number(r.received_ms) }));
    },
    async latestSizeOf(witness) {
      const row = await db.selectFrom('audit_cosignatures').select((eb) => eb.fn.max('size').as('size')).where('witness', '=', witness).executeTakeFirst();
      return row?.size === null || row?.size === undefined ? 0 : Number(row.size);
    },
  };
}
