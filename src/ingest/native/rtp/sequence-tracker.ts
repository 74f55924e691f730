/**
 * Loss detection on 16-bit RTP sequence numbers (RFC 3550 §5.1, wrap-around as in §A.1).
 *
 * RTSP interleaved over TCP delivers packets in order, so there is no reorder window: every
 * forward jump is loss. A jump that would lose `maxDropout` or more packets, or any step back, is a
 * restart of the sender's numbering (§A.1 treats such jumps the same way): the loss is unknown,
 * so it is reported but not added to `lost`. Pure; one instance per RTP stream.
 */

/** What one sequence number means relative to the ones before it. */
export type SequenceObservation =
  | { readonly kind: 'first' }
  | { readonly kind: 'in-order' }
  /** `lost` packets between the previous and this one never arrived. */
  | { readonly kind: 'gap'; readonly lost: number }
  /** The same number as the previous packet: the packet MUST be ignored. */
  | { readonly kind: 'duplicate' }
  /** A step back or a very large jump: numbering restarted, loss unknown. */
  | { readonly kind: 'restart' };

/** RFC 3550 §A.1's example limit on a forward jump still counted as loss. */
export const defaultMaxDropout = 3000;

const first: SequenceObservation = Object.freeze({ kind: 'first' });
const inOrder: SequenceObservation = Object.freeze({ kind: 'in-order' });
const duplicate: SequenceObservation = Object.freeze({ kind: 'duplicate' });
const restart: SequenceObservation = Object.freeze({ kind: 'restart' });

/** Tracks one stream's sequence numbers and counts what was lost. */
export class SequenceTracker {
  readonly #maxDropout: number;
  #last: number | undefined;
  #received = 0;
  #lost = 0;
  #gaps = 0;
  #restarts = 0;
  #duplicates = 0;

  constructor(maxDropout: number = defaultMaxDropout) {
    this.#maxDropout = maxDropout;
  }

  /** Records a packet's sequence number (taken mod 2^16) and classifies it. */
  observe(sequence: number): SequenceObservation {
    const seq = sequence & 0xffff;
    const last = this.#last;
    if (last === undefined) {
      this.#last = seq;
      this.#received += 1;
      return first;
    }
    if (seq === last) {
      this.#duplicates += 1;
      return duplicate;
    }
    this.#last = seq;
    this.#received += 1;
    const lost = (seq - last - 1) & 0xffff;
    if (lost === 0) return inOrder;
    if (lost < this.#maxDropout) {
      this.#gaps += 1;
      this.#lost += lost;
      return { kind: 'gap', lost };
    }
    this.#restarts += 1;
    return restart;
  }

  /** Forgets the last number, e.g. when the SSRC changes; counters are kept. */
  reset(): void {
    this.#last = undefined;
  }

  /** Packets accepted (duplicates excluded). */
  get received(): number {
    return this.#received;
  }

  /** Packets known to be lost (sum of all gaps). */
  get lost(): number {
    return this.#lost;
  }

  /** Number of gaps seen. */
  get gaps(): number {
    return this.#gaps;
  }

  /** Number of restarts seen (loss of unknown size). */
  get restarts(): number {
    return this.#restarts;
  }

  /** Number of duplicate packets ignored. */
  get duplicates(): number {
    return this.#duplicates;
  }
}
