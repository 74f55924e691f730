/**
 * Advisories (AST-4): imports CSAF 2.0 and OSV documents offline, keeps them, and keeps the set
 * of cameras they affect in step with the inventory. Rules only; storage and the inventory come
 * in as interfaces.
 *
 * Contracts:
 * - Every import is an `advisory.imported` event: outcome `failure` with the refusal reason for
 *   a refused document (nothing stored), `success` with what changed otherwise, recorded before
 *   the advisory is stored.
 * - Every camera newly affected is a `camera.advisory.matched` event (raising the
 *   `camera-advisory` alarm), every match that ends a `camera.advisory.cleared` event. A match is
 *   claimed in the store first (insert if absent, delete if present) and its event recorded only
 *   by the process whose claim took effect, so a server and a CLI re-matching at once record it
 *   once; a failed record undoes the claim and fails the re-match.
 * - Re-matching runs after each import, after each identification and on the server's timer.
 */
import type { AuditContext } from '../audit/audit-event.ts';
import type { AuditSink } from '../audit/ledger.ts';
import type { Clock } from '../lib/clock.ts';
import { isAppError } from '../lib/errors.ts';
import { severities, type Advisory } from './advisory.ts';
import { readAdvisoryBytes, readAdvisoryValue } from './advisory-document.ts';
import { matchAdvisories, type AdvisoryMatch, type MatchTarget } from './advisory-match.ts';

/** An advisory as stored. */
export interface StoredAdvisory {
  readonly advisory: Advisory;
  readonly importedMs: number;
}

/** A match as stored: the camera's open risk from one advisory. */
export interface StoredMatch {
  readonly advisoryId: string;
  readonly cameraId: string;
  readonly firmware: string;
  readonly product: AdvisoryMatch['product'];
  readonly matchedMs: number;
}

/** What the service needs from storage. */
export interface AdvisoryStore {
  list(): Promise<StoredAdvisory[]>;
  get(id: string): Promise<StoredAdvisory | undefined>;
  /** Inserts or replaces the advisory of `advisory.id`. */
  put(advisory: Advisory, atMs: number): Promise<void>;
  matches(cameraId?: string): Promise<StoredMatch[]>;
  /** Inserts the match unless present; true when this call inserted it. */
  addMatch(match: AdvisoryMatch, atMs: number): Promise<boolean>;
  /** Deletes the match; true when this call deleted it. */
  removeMatch(key: { readonly advisoryId: string; readonly cameraId: string; readonly firmware: string }): Promise<boolean>;
}

/** The outcome of one import. */
export interface ImportResult {
  readonly advisory: Advisory;
  /** `new`, `updated` (another revision of the same document) or `unchanged` (same SHA-256). */
  readonly change: 'new' | 'updated' | 'unchanged';
  /** Cameras newly affected by this import's re-match (of any advisory). */
  readonly matched: readonly AdvisoryMatch[];
}

/** An advisory with the cameras it affects now. */
export interface AdvisoryView extends StoredAdvisory {
  readonly cameras: readonly StoredMatch[];
}

/** Dependencies, by interface. */
export interface AdvisoriesDeps {
  readonly store: AdvisoryStore;
  /** The inventory's vendor, model and firmware per identified camera. */
  readonly targets: () => Promise<MatchTarget[]>;
  readonly clock: Clock;
  readonly audit: AuditSink;
}

/** The advisory rules. */
export class AdvisoriesService {
  readonly #d: AdvisoriesDeps;
  #running: Promise<unknown> = Promise.resolve();

  constructor(deps: AdvisoriesDeps) {
    this.#d = deps;
  }

  /**
   * Imports one document (file bytes or a parsed JSON value) named `source` (a file name or
   * `api`); a refused one is audited and throws ADVISORY_REFUSED. Re-matches afterwards.
   */
  async import(input: { readonly bytes: Uint8Array } | { readonly value: unknown }, source: string, by: AuditContext): Promise<ImportResult> {
    const src = source.slice(0, 200);
    let advisory: Advisory;
    try {
      advisory = 'bytes' in input ? readAdvisoryBytes(input.bytes) : readAdvisoryValue(input.value);
    } catch (err) {
      if (!isAppError(err, 'ADVISORY_REFUSED')) throw err;
      await this.#d.audit.record({ type: 'advisory.imported', ...by, outcome: 'failure', reason: err.message.slice(0, 300), details: { source: src, refusal: typeof err.detail?.reason === 'string' ? err.detail.reason : '' } });
      throw err;
    }
    const before = await this.#d.store.get(advisory.id);
    const change = before === undefined ? 'new' : before.advisory.sha256 === advisory.sha256 ? 'unchanged' : 'updated';
    await this.#d.audit.record({
      type: 'advisory.imported', ...by, target: { kind: 'advisory', id: advisory.id, name: advisory.title.slice(0, 200) }, outcome: 'success',
      details: {
        source: src, change, format: advisory.format, documentId: advisory.documentId, publisher: advisory.publisher, revision: advisory.revision, sha256: advisory.sha256,
        cves: [...advisory.cves], severity: advisory.severity, cvssScore: advisory.cvssScore === null ? null : String(advisory.cvssScore), products: advisory.products.length, skipped: [...advisory.skipped].slice(0, 20), withdrawn: advisory.withdrawn,
      },
    });
    if (change !== 'unchanged') await this.#d.store.put(advisory, this.#d.clock.now());
    const { added } = await this.rematch(by);
    return { advisory, change, matched: added };
  }

  /**
   * Brings the stored matches in step with the advisories and the inventory now: records each
   * new match and each ended one. Runs one at a time in this process.
   */
  rematch(by: AuditContext): Promise<{ added: AdvisoryMatch[]; cleared: StoredMatch[] }> {
    const run = this.#running.then(() => this.#rematch(by));
    this.#running = run.catch(() => undefined);
    return run;
  }

  /** Resolves once the re-match in progress, if any, has ended (for a clean shutdown). */
  async idle(): Promise<void> {
    await this.#running;
  }

  async #rematch(by: AuditContext): Promise<{ added: AdvisoryMatch[]; cleared: StoredMatch[] }> {
    const stored = await this.#d.store.list();
    const byId = new Map(stored.map((s) => [s.advisory.id, s.advisory]));
    const targets = await this.#d.targets();
    const current = matchAdvisories([...byId.values()], targets);
    const key = (m: { advisoryId: string; cameraId: string; firmware: string }) => JSON.stringify([m.advisoryId, m.cameraId, m.firmware]);
    const existing = await this.#d.store.matches();
    const existingKeys = new Set(existing.map(key));
    const currentKeys = new Set(current.map(key));
    const added: AdvisoryMatch[] = [];
    const now = this.#d.clock.now();
    for (const m of current) {
      if (existingKeys.has(key(m)) || !(await this.#d.store.addMatch(m, now))) continue;
      const a = byId.get(m.advisoryId)!;
      try {
        await this.#d.audit.record({
          type: 'camera.advisory.matched', ...by, target: { kind: 'camera', id: m.cameraId }, cameraId: m.cameraId, outcome: 'success',
          reason: `${a.documentId}${a.cves.length > 0 ? ` (${a.cves.join(', ')})` : ''} affects ${m.vendor} ${m.model} firmware ${m.firmware}`.slice(0, 300),
          details: { advisoryId: a.id, documentId: a.documentId, title: a.title.slice(0, 200), cves: [...a.cves], severity: a.severity, cvssScore: a.cvssScore === null ? null : String(a.cvssScore), vendor: m.vendor, model: m.model, firmware: m.firmware, range: m.product.range, fixedIn: [...m.product.fixedIn] },
        });
      } catch (err) {
        await this.#d.store.removeMatch(m);
        throw err;
      }
      added.push(m);
    }
    const cleared: StoredMatch[] = [];
    const inInventory = new Map(targets.map((t) => [t.cameraId, t]));
    for (const m of existing) {
      if (currentKeys.has(key(m))) continue;
      const a = byId.get(m.advisoryId);
      const camera = inInventory.get(m.cameraId);
      const why = a === undefined ? 'advisory removed' : a.withdrawn !== null ? 'advisory withdrawn' : camera === undefined ? 'camera no longer in the inventory' : camera.firmware !== m.firmware ? `firmware is now ${camera.firmware}` : 'the advisory no longer names this firmware';
      if (!(await this.#d.store.removeMatch(m))) continue;
      try {
        await this.#d.audit.record({ type: 'camera.advisory.cleared', ...by, target: { kind: 'camera', id: m.cameraId }, cameraId: m.cameraId, outcome: 'success', reason: why.slice(0, 300), details: { advisoryId: m.advisoryId, firmware: m.firmware } });
      } catch (err) {
        await this.#d.store.addMatch({ ...m, vendor: camera?.vendor ?? '', model: camera?.model ?? '' }, m.matchedMs);
        throw err;
      }
      cleared.push(m);
    }
    return { added, cleared };
  }

  /** Every advisory with the cameras it affects now, worst first, then newest. */
  async list(): Promise<AdvisoryView[]> {
    const matches = await this.#d.store.matches();
    return (await this.#d.store.list())
      .map((s) => ({ ...s, cameras: matches.filter((m) => m.advisoryId === s.advisory.id) }))
      .sort((a, b) => severities.indexOf(a.advisory.severity) - severities.indexOf(b.advisory.severity) || b.importedMs - a.importedMs);
  }

  /** The advisories an identity matches now (no event, nothing stored): the vet step's evidence. */
  async preview(target: MatchTarget): Promise<{ readonly advisory: Advisory; readonly match: AdvisoryMatch }[]> {
    const advisories = (await this.#d.store.list()).map((s) => s.advisory);
    return matchAdvisories(advisories, [target]).map((match) => ({ advisory: advisories.find((a) => a.id === match.advisoryId)!, match }));
  }

  /** The open advisories of one camera, each with its match. */
  async forCamera(cameraId: string): Promise<{ readonly advisory: Advisory; readonly match: StoredMatch }[]> {
    const matches = await this.#d.store.matches(cameraId);
    const out: { advisory: Advisory; match: StoredMatch }[] = [];
    for (const m of matches) {
      const a = await this.#d.store.get(m.advisoryId);
      if (a !== undefined) out.push({ advisory: a.advisory, match: m });
    }
    return out;
  }
}
