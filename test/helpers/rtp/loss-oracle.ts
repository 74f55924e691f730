/**
 * Test support: what a depacketizer that follows the AccessUnitAssembler contract MUST emit
 * when some packets of a known stream are lost. Computed from the packet layout alone, so the
 * loss tests compare exact counts rather than "some frames came out".
 */

/** The packets of one access unit, as sent. */
export interface SentFrame {
  /** Number of RTP packets carrying the access unit (the last has the marker bit). */
  readonly packets: number;
  readonly keyframe: boolean;
}

/** Frames and counters the depacketizer must report. */
export interface ExpectedOutcome {
  /** Indexes (into the sent frames) of the frames emitted, in order. */
  readonly emitted: number[];
  readonly droppedAccessUnits: number;
  readonly lostPackets: number;
}

/**
 * The outcome of losing the packets whose global indexes are in `lost`. The first packet
 * MUST NOT be lost: a receiver cannot tell what preceded the first packet it sees.
 * The stream is assumed to start waiting for a key frame and to be flushed at the end.
 */
export function expectedOutcome(frames: readonly SentFrame[], lost: ReadonlySet<number>): ExpectedOutcome {
  if (lost.has(0)) throw new RangeError('the first packet must arrive');
  const emitted: number[] = [];
  let dropped = 0;
  let waiting = true;
  let first = 0;
  let lastReceived = -1;
  for (let f = 0; f < frames.length; f += 1) {
    const frame = frames[f] as SentFrame;
    let received = 0;
    for (let p = first; p < first + frame.packets; p += 1) {
      if (!lost.has(p)) {
        received += 1;
        lastReceived = p;
      }
    }
    const precededByLoss = first > 0 && lost.has(first - 1);
    if (received === 0) waiting = true;
    else if (received < frame.packets || precededByLoss) {
      dropped += 1;
      waiting = true;
    } else if (waiting && !frame.keyframe) {
      dropped += 1;
    } else {
      waiting = false;
      emitted.push(f);
    }
    first += frame.packets;
  }
  // Losses after the last received packet are invisible to the receiver.
  let lostPackets = 0;
  for (const p of lost) if (p < lastReceived) lostPackets += 1;
  return { emitted, droppedAccessUnits: dropped, lostPackets };
}
