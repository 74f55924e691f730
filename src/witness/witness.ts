import type { KeyObject } from 'node:crypto';
import { isAppError } from '../lib/errors.ts';
import type { Clock } from '../lib/clock.ts';
import type { Logger } from '../lib/logger.ts';
import { parseCheckpoint, type Checkpoint } from '../tlog/checkpoint.ts';
import { cosign, cosignerOf, formatCosignerKey, noteBody } from '../tlog/cosignature.ts';
import { verifyConsistency } from '../tlog/merkle-proofs.ts';
import { openNote, type Verifier } from '../tlog/signed-note.ts';
import { parseAddCheckpoint, SIZE_CONTENT_TYPE } from '../tlog/witness-protocol.ts';
import type { WitnessStateStore } from './witness-state.store.ts';

/** An HTTP answer of the witness, transport-neutral. */
export interface WitnessAnswer {
  readonly status: 200 | 400 | 403 | 404 | 409 | 422;
  readonly contentType: string;
  readonly body: string;
}

const text = 'text/plain; charset=utf-8';

/**
 * A C2SP tlog-witness (https://c2sp.org/tlog-witness, "add-checkpoint"): for every log it is
 * configured with (origin = the log key's name), it keeps the latest cosigned size and root and
 * cosigns (cosignature/v1) only checkpoints that extend it.
 *
 * Contracts:
 * - Unknown origin: 404. No trusted log signature: 403. Old size above the checkpoint size or a
 *   malformed body: 400. Old size not the witnessed size, or same size with another root: 409
 *   with the witnessed size (`text/x.tlog.size`). Consistency proof that does not verify: 422.
 * - It MUST NOT cosign a checkpoint that does not extend the witnessed one; the check and the
 *   update of its state are one atomic step (witness-state.store.ts), persisted before the answer.
 * - Every refusal of a correctly signed checkpoint is logged (evidence of a misbehaving log).
 */
export class Witness {
  readonly #logs: ReadonlyMap<string, Verifier>;
  readonly #state: WitnessStateStore;
  readonly #key: KeyObject;
  readonly #name: string;
  readonly #clock: Clock;
  readonly #log: Logger;

  constructor(deps: { name: string; key: KeyObject; logs: readonly Verifier[]; state: WitnessStateStore; clock: Clock; log: Logger }) {
    this.#logs = new Map(deps.logs.map((v) => [v.name, v]));
    this.#state = deps.state;
    this.#key = deps.key;
    this.#name = deps.name;
    this.#clock = deps.clock;
    this.#log = deps.log;
  }

  /** This witness's verifier key (cosignature/v1 vkey). */
  get vkey(): string {
    return formatCosignerKey(cosignerOf(this.#name, this.#key));
  }

  /** Handles one add-checkpoint request body. */
  addCheckpoint(requestBody: string): WitnessAnswer {
    let req;
    let body: string | undefined;
    let checkpoint: Checkpoint;
    try {
      req = parseAddCheckpoint(requestBody);
      body = noteBody(req.note);
      if (body === undefined) return answer(400, 'the checkpoint is not a signed note');
      checkpoint = parseCheckpoint(body);
    } catch (e) {
      if (isAppError(e, 'VALIDATION_FAILED')) return answer(400, e.message);
      throw e;
    }
    const logKey = this.#logs.get(checkpoint.origin);
    if (logKey === undefined) return answer(404, 'unknown log origin');
    try {
      openNote(req.note, [logKey]);
    } catch {
      return answer(403, 'no signature by a trusted key of this log verifies');
    }
    if (req.oldSize > checkpoint.size) return answer(400, 'the old size is above the checkpoint size');
    const { oldSize, proof } = req;
    const cpBody = body;
    const result = this.#state.update<WitnessAnswer>(checkpoint.origin, (current) => {
      const have = current ?? { size: 0, root: Buffer.alloc(0) };
      if (oldSize !== have.size) return { result: { status: 409, contentType: SIZE_CONTENT_TYPE, body: `${have.size}\n` } };
      if (oldSize === checkpoint.size && oldSize > 0 && !have.root.equals(checkpoint.root)) {
        return { result: { status: 409, contentType: SIZE_CONTENT_TYPE, body: `${have.size}\n` } };
      }
      if (oldSize > 0 && oldSize < checkpoint.size && !verifyConsistency(oldSize, checkpoint.size, have.root, checkpoint.root, proof)) {
        return { result: answer(422, 'the consistency proof does not verify') };
      }
      if (oldSize === checkpoint.size && proof.length > 0) return { result: answer(422, 'the consistency proof must be empty for the same size') };
      const line = cosign(cpBody, this.#name, this.#key, Math.floor(this.#clock.now() / 1000));
      return { next: { size: checkpoint.size, root: checkpoint.root }, result: { status: 200, contentType: text, body: line } };
    });
    if (result.status === 200) this.#log.info({ origin: checkpoint.origin, size: checkpoint.size }, 'witness cosigned a checkpoint');
    // The note is correctly signed by the log: kept in the log as possible proof of misbehaviour.
    else this.#log.warn({ origin: checkpoint.origin, size: checkpoint.size, oldSize, status: result.status, reason: result.body.trim(), note: req.note }, 'witness refused a checkpoint');
    return result;
  }
}

function answer(status: WitnessAnswer['status'], reason: string): WitnessAnswer {
  return { status, contentType: text, body: `${reason}\n` };
}
