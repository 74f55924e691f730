/**
 * AAC over RTP, RFC 3640 mode AAC-hbr (§3.3.6): sizeLength=13, indexLength=3,
 * indexDeltaLength=3, no CTS/DTS/RAP fields and no auxiliary section, so every AU header is
 * 16 bits (§3.2.1). One packet carries several whole AUs (§3.2.2) or one fragment of an AU
 * (§3.2.3, the marker bit set on the last fragment).
 *
 * Contracts:
 * - Interleaving (a non-zero AU-Index or AU-Index-delta) is not supported: such packets are
 *   counted as unsupported and skipped.
 * - The RTP timestamp is that of the first AU; the n-th AU of a packet is at
 *   timestamp + n × samplesPerFrame, in the stream's clock (the sample rate).
 * - AAC frames decode independently, so loss costs only the frames it touches: a fragmented AU
 *   with a sequence gap inside is dropped (counted), the next packet is used at once.
 * - Emitted frames never alias the input: they are views of append-only slabs (slab-writer.ts),
 *   never written again, so the caller MAY keep them. Never throws on any packet content. Pure.
 */
import type { RtpPacket } from './rtp-packet.ts';
import { SequenceTracker } from './sequence-tracker.ts';
import { SlabWriter } from './slab-writer.ts';
import { TimestampUnwrapper } from './timestamp-unwrapper.ts';

/** One raw AAC frame (no ADTS header). */
export interface AacFrame {
  /** RTP timestamp in the audio clock, extended past 32-bit wrap. */
  readonly timestamp: number;
  readonly data: Buffer;
}

/** Counters of one AAC depacketizer; all only grow. */
export interface AacDepacketizerStats {
  packets: number;
  lostPackets: number;
  /** Frames emitted. */
  frames: number;
  /** Fragmented frames partly received but not emitted. */
  droppedFrames: number;
  /** Packets using interleaving (non-zero AU-Index or AU-Index-delta). */
  unsupportedPackets: number;
  /** Packets whose AU headers disagree with their length. */
  malformedPackets: number;
}

/** Samples per AAC-LC frame (ISO/IEC 14496-3 frameLengthFlag = 0). */
export const defaultSamplesPerFrame = 1024;

const headerBits = 16; // sizeLength 13 + indexLength (or indexDeltaLength) 3
const none: readonly AacFrame[] = Object.freeze([]);

interface Fragmented {
  readonly rtpTimestamp: number;
  readonly size: number;
  /** Bytes joined so far in the slab's open unit. */
  received: number;
}

/** Extracts AAC frames from one RFC 3640 AAC-hbr RTP stream. */
export class AacDepacketizer {
  readonly #samplesPerFrame: number;
  readonly #sequence = new SequenceTracker();
  readonly #timestamps = new TimestampUnwrapper();
  readonly #stats: AacDepacketizerStats = { packets: 0, lostPackets: 0, frames: 0, droppedFrames: 0, unsupportedPackets: 0, malformedPackets: 0 };
  #fragment: Fragmented | undefined;
  /** After a gap: fragments with this timestamp are skipped, their AU counted dropped once. */
  #skip: { readonly rtpTimestamp: number; counted: boolean } | undefined;
  /** Where frames are copied; its open unit, if any, is `#fragment`'s bytes. 64 KiB: ~4 s of 128 kbit/s. */
  readonly #slab: SlabWriter;

  constructor(options: { readonly samplesPerFrame?: number; readonly slabBytes?: number } = {}) {
    this.#samplesPerFrame = options.samplesPerFrame ?? defaultSamplesPerFrame;
    this.#slab = new SlabWriter(options.slabBytes ?? 64 * 1024);
  }

  /** Counters so far (a live, read-only view). */
  get stats(): Readonly<AacDepacketizerStats> {
    return this.#stats;
  }

  /** Feeds one packet, in arrival order; returns the frames it completed. */
  push(packet: RtpPacket): readonly AacFrame[] {
    const stats = this.#stats;
    stats.packets += 1;
    const seen = this.#sequence.observe(packet.sequence);
    if (seen.kind === 'duplicate') return none;
    if (seen.kind === 'gap' || seen.kind === 'restart') {
      if (seen.kind === 'gap') stats.lostPackets += seen.lost;
      const open = this.#fragment;
      if (open !== undefined) this.#dropFragment();
      // Fragments carry no start flag: one with this timestamp may continue an AU whose start
      // was lost, so the whole AU is skipped (and counted once).
      this.#skip = { rtpTimestamp: packet.timestamp, counted: open?.rtpTimestamp === packet.timestamp };
    }

    const payload = packet.payload;
    if (payload.length < 2) return this.#malformed();
    const headersBits = payload.readUInt16BE(0);
    if (headersBits === 0 || headersBits % headerBits !== 0) return this.#malformed();
    const count = headersBits / headerBits;
    let offset = 2 + 2 * count;
    if (offset > payload.length) return this.#malformed();
    const sizes: number[] = [];
    let total = 0;
    for (let i = 0; i < count; i += 1) {
      const header = payload.readUInt16BE(2 + 2 * i);
      if ((header & 0x7) !== 0) {
        stats.unsupportedPackets += 1;
        return none;
      }
      const size = header >> 3;
      sizes.push(size);
      total += size;
    }
    const available = payload.length - offset;
    if (count === 1 && total > available) return this.#addFragment(packet, total, payload.subarray(offset));

    if (this.#fragment !== undefined) this.#dropFragment(); // whole AUs end any open fragment
    this.#skip = undefined;
    if (total !== available) return this.#malformed();
    const base = this.#timestamps.unwrap(packet.timestamp);
    const frames: AacFrame[] = [];
    for (let i = 0; i < count; i += 1) {
      const size = sizes[i] as number;
      frames.push({ timestamp: base + i * this.#samplesPerFrame, data: this.#slab.copy(payload.subarray(offset, offset + size)) });
      offset += size;
    }
    stats.frames += frames.length;
    return frames;
  }

  /** §3.2.3: every fragment repeats the whole AU's size; they share one timestamp. */
  #addFragment(packet: RtpPacket, size: number, data: Buffer): readonly AacFrame[] {
    const skip = this.#skip;
    if (skip !== undefined) {
      if (skip.rtpTimestamp === packet.timestamp) {
        if (!skip.counted) this.#stats.droppedFrames += 1;
        skip.counted = true;
        return none;
      }
      this.#skip = undefined;
    }
    let fragment = this.#fragment;
    if (fragment !== undefined && (fragment.rtpTimestamp !== packet.timestamp || fragment.size !== size)) {
      this.#dropFragment();
      fragment = undefined;
    }
    if (fragment === undefined) {
      fragment = { rtpTimestamp: packet.timestamp, size, received: 0 };
      this.#fragment = fragment;
      this.#slab.begin();
    }
    // Never more than the announced size: a peer lying about it cannot grow the slab unit.
    if (fragment.received + data.length <= size) this.#slab.append(data);
    fragment.received += data.length;
    if (fragment.received < size) {
      if (packet.marker) this.#dropFragment(); // the last fragment came, yet bytes are missing
      return none;
    }
    this.#fragment = undefined;
    if (fragment.received > size) {
      this.#slab.drop();
      this.#stats.droppedFrames += 1;
      return this.#malformed();
    }
    this.#stats.frames += 1;
    return [{ timestamp: this.#timestamps.unwrap(packet.timestamp), data: this.#slab.end() }];
  }

  #dropFragment(): void {
    this.#fragment = undefined;
    this.#slab.drop();
    this.#stats.droppedFrames += 1;
  }

  #malformed(): readonly AacFrame[] {
    this.#stats.malformedPackets += 1;
    return none;
  }
}
