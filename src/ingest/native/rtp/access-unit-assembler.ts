/**
 * Turns a stream of RTP video packets into complete access units (frames), for any payload
 * format that carries NAL units in single, aggregated and fragmented packets (RFC 6184 H.264,
 * RFC 7798 H.265). The codec-specific part is only a payload parser and a NAL classifier.
 *
 * Contracts:
 * - An access unit ends at the marker bit (RFC 6184 §5.1, RFC 7798 §4.1) or when the RTP
 *   timestamp changes (a lost marker packet MUST NOT merge two frames).
 * - Only complete access units are emitted. An access unit is broken, and dropped, when a
 *   sequence gap falls inside or just before it, a fragmented NAL unit misses its start or end,
 *   a packet is malformed or of an unsupported type, or it grows past `maxAccessUnitBytes`.
 * - After a dropped access unit, and at the start of the stream, nothing is emitted until an
 *   access unit holding a key frame: a decoder MUST NOT see a frame whose references are gone.
 * - `droppedAccessUnits` counts access units of which at least one packet arrived but which were
 *   not emitted; frames whose packets were all lost cannot be seen and are in `lostPackets` only.
 * - Memory is bounded: at most `maxAccessUnitBytes` of NAL data plus one packet is held for the
 *   access unit in progress; emitted NAL units are views of append-only slabs (slab-writer.ts),
 *   so a slab stays allocated while any NAL unit in it is referenced.
 * - Emitted buffers never alias the input packets: payload bytes are copied once into the slab
 *   (a fragmented NAL unit is joined there as its fragments arrive, no copy at its end), so the
 *   caller may reuse its packet buffers. Emitted NAL units are never written again: the caller
 *   MAY keep them as long as it needs (the fMP4 writer holds a fragment's frames, ~1 s).
 *   Never throws on any packet content. Pure: no I/O, no clock.
 */
import type { RtpPacket } from './rtp-packet.ts';
import { SlabWriter } from './slab-writer.ts';
import { SequenceTracker } from './sequence-tracker.ts';
import { TimestampUnwrapper } from './timestamp-unwrapper.ts';

/** What a payload-format parser makes of one RTP payload. Buffers are views into the payload. */
export type PayloadContent =
  /** Whole NAL units (single NAL unit packet or aggregation packet). */
  | { readonly kind: 'nals'; readonly nals: readonly Buffer[] }
  /**
   * One fragment of a NAL unit; `header` is the reconstructed NAL unit header, its
   * `headerLength` bytes as a big-endian integer (a number, so no buffer is made per packet).
   */
  | { readonly kind: 'fragment'; readonly start: boolean; readonly end: boolean; readonly header: number; readonly headerLength: number; readonly data: Buffer }
  /** A packet type this receiver cannot read (e.g. interleaved mode): the access unit is broken. */
  | { readonly kind: 'unsupported' }
  /** A reserved or empty packet the payload format says to ignore: the access unit is intact. */
  | { readonly kind: 'ignored' }
  /** A packet that breaks its own format (truncated, bad sizes): the access unit is broken. */
  | { readonly kind: 'malformed' };

/** The role of a NAL unit in an access unit. */
export type NalRole = 'keyframe' | 'vps' | 'sps' | 'pps' | 'other';

/** The codec-specific half of a depacketizer. */
export interface PayloadFormat {
  /** MUST NOT throw on any payload. */
  parse(payload: Buffer): PayloadContent;
  classify(nal: Buffer): NalRole;
}

/** One complete access unit (a coded picture with its parameter sets and SEI). */
export interface AccessUnit {
  /** RTP timestamp (90 kHz for video) extended past 32-bit wrap, see TimestampUnwrapper. */
  readonly timestamp: number;
  /** NAL units in decoding order, without start codes. */
  readonly nalus: readonly Buffer[];
  /** True when a NAL unit is a random access point (H.264 IDR, H.265 IRAP). */
  readonly keyframe: boolean;
  /** The last parameter sets carried in-band in this access unit (`vps` only for H.265). */
  readonly parameterSets: { readonly vps?: Buffer; readonly sps?: Buffer; readonly pps?: Buffer };
}

/** Counters of one depacketizer; all only grow. */
export interface DepacketizerStats {
  /** RTP packets pushed. */
  packets: number;
  /** Packets known lost from sequence gaps. */
  lostPackets: number;
  /** Sequence gaps, restarts of numbering and SSRC changes: each forces a wait for a key frame. */
  discontinuities: number;
  /** Packets ignored because they repeat the previous sequence number. */
  duplicatePackets: number;
  /** Access units emitted. */
  accessUnits: number;
  /** Access units partly received but not emitted (broken, or waiting for a key frame). */
  droppedAccessUnits: number;
  /** Fragmented NAL units missing their start or end. */
  brokenFragments: number;
  /** Packets of a type this receiver does not read (STAP-B, MTAP, FU-B, PACI). */
  unsupportedPackets: number;
  /** Reserved-type or empty packets ignored as the payload format prescribes. */
  ignoredPackets: number;
  /** Packets whose payload is truncated or inconsistent. */
  malformedPackets: number;
  /** Access units dropped for exceeding `maxAccessUnitBytes`. */
  oversizedAccessUnits: number;
}

/** Options shared by the H.264 and H.265 depacketizers. */
export interface DepacketizerOptions {
  /** Largest access unit kept, in bytes of NAL data; larger ones are dropped. Default 16 MiB. */
  readonly maxAccessUnitBytes?: number;
  /** Size of the slabs NAL units are copied into (slab-writer.ts); 256 KiB by default. */
  readonly slabBytes?: number;
}

/** The default access unit cap: well above any real frame, far below a memory problem. */
export const defaultMaxAccessUnitBytes = 16 * 1024 * 1024;

interface Pending {
  readonly rtpTimestamp: number;
  readonly timestamp: number;
  nalus: Buffer[];
  bytes: number;
  broken: boolean;
  keyframe: boolean;
  vps: Buffer | undefined;
  sps: Buffer | undefined;
  pps: Buffer | undefined;
  /** True while a fragmented NAL unit is being joined (it is the slab's open unit). */
  fragmenting: boolean;
}

const none: readonly AccessUnit[] = Object.freeze([]);

/** Reassembles access units from one RTP stream; see the file comment for the contract. */
export class AccessUnitAssembler {
  readonly #format: PayloadFormat;
  readonly #maxBytes: number;
  readonly #sequence = new SequenceTracker();
  readonly #timestamps = new TimestampUnwrapper();
  readonly #stats: DepacketizerStats = {
    packets: 0, lostPackets: 0, discontinuities: 0, duplicatePackets: 0, accessUnits: 0, droppedAccessUnits: 0,
    brokenFragments: 0, unsupportedPackets: 0, ignoredPackets: 0, malformedPackets: 0, oversizedAccessUnits: 0,
  };
  #ssrc: number | undefined;
  #pending: Pending | undefined;
  #waitingForKeyframe = true;
  /** Where NAL units are copied; its open unit, if any, is the pending unit's fragmented NAL unit. */
  readonly #slab: SlabWriter;

  constructor(format: PayloadFormat, options: DepacketizerOptions = {}) {
    this.#format = format;
    this.#maxBytes = options.maxAccessUnitBytes ?? defaultMaxAccessUnitBytes;
    this.#slab = new SlabWriter(options.slabBytes);
  }

  /** Counters so far (a live, read-only view). */
  get stats(): Readonly<DepacketizerStats> {
    return this.#stats;
  }

  /** Bytes of NAL data held for the access unit in progress. */
  get bufferedBytes(): number {
    return this.#pending?.bytes ?? 0;
  }

  /** Feeds one packet, in arrival order; returns the access units it completed (0, 1 or 2). */
  push(packet: RtpPacket): readonly AccessUnit[] {
    const stats = this.#stats;
    stats.packets += 1;
    let discontinuity = false;
    if (this.#ssrc !== undefined && packet.ssrc !== this.#ssrc) {
      // A new source: its numbering says nothing about the old one's.
      this.#sequence.reset();
      discontinuity = true;
    }
    this.#ssrc = packet.ssrc;
    const seen = this.#sequence.observe(packet.sequence);
    switch (seen.kind) {
      case 'duplicate':
        stats.duplicatePackets += 1;
        return none;
      case 'gap':
        stats.lostPackets += seen.lost;
        discontinuity = true;
        break;
      case 'restart':
        discontinuity = true;
        break;
      case 'first':
      case 'in-order':
        break;
    }
    if (discontinuity) stats.discontinuities += 1;

    let out: AccessUnit[] | undefined;
    let pending = this.#pending;
    if (pending !== undefined && pending.rtpTimestamp !== packet.timestamp) {
      // A new timestamp ends the previous access unit even without its marker packet.
      if (discontinuity) this.#breakUnit(pending);
      const done = this.#finish(pending);
      if (done !== undefined) out = [done];
      pending = undefined;
    }
    if (pending === undefined) {
      pending = {
        rtpTimestamp: packet.timestamp, timestamp: this.#timestamps.unwrap(packet.timestamp),
        nalus: [], bytes: 0, broken: false, keyframe: false, vps: undefined, sps: undefined, pps: undefined, fragmenting: false,
      };
    }
    // Lost packets may have been this access unit's first ones (or the previous one's last).
    if (discontinuity) this.#breakUnit(pending);
    this.#pending = pending;
    if (!pending.broken) this.#add(pending, this.#format.parse(packet.payload));

    if (packet.marker) {
      this.#pending = undefined;
      const done = this.#finish(pending);
      if (done !== undefined) (out ??= []).push(done);
    }
    return out ?? none;
  }

  /**
   * Ends the stream. An access unit still open never got its marker packet and may be missing
   * its last packets, so it is dropped (and counted), never emitted.
   */
  flush(): void {
    const pending = this.#pending;
    if (pending === undefined) return;
    this.#pending = undefined;
    this.#breakUnit(pending);
    this.#finish(pending);
  }

  #add(unit: Pending, content: PayloadContent): void {
    const stats = this.#stats;
    switch (content.kind) {
      case 'nals':
        if (unit.fragmenting) {
          stats.brokenFragments += 1; // a whole NAL unit while a fragmented one is still open
          this.#breakUnit(unit);
          return;
        }
        for (const nal of content.nals) {
          if (!this.#reserve(unit, nal.length)) return;
          this.#addNal(unit, this.#slab.copy(nal));
        }
        return;
      case 'fragment': {
        if (content.start === unit.fragmenting) {
          // A start while one is open, or a continuation with nothing open.
          stats.brokenFragments += 1;
          this.#breakUnit(unit);
          return;
        }
        const added = (content.start ? content.headerLength : 0) + content.data.length;
        if (!this.#reserve(unit, added)) return;
        // The NAL unit is joined in place in the slab; nobody sees it before end().
        if (content.start) {
          unit.fragmenting = true;
          this.#slab.begin();
          this.#slab.appendUint(content.header, content.headerLength);
        }
        this.#slab.append(content.data);
        if (content.end) {
          unit.fragmenting = false;
          this.#addNal(unit, this.#slab.end());
        }
        return;
      }
      case 'unsupported':
        stats.unsupportedPackets += 1;
        this.#breakUnit(unit);
        return;
      case 'ignored':
        stats.ignoredPackets += 1;
        return;
      case 'malformed':
        stats.malformedPackets += 1;
        this.#breakUnit(unit);
        return;
    }
  }

  /** Counts `bytes` against the cap; false (and the unit broken) when it would exceed it. */
  #reserve(unit: Pending, bytes: number): boolean {
    if (unit.bytes + bytes > this.#maxBytes) {
      this.#stats.oversizedAccessUnits += 1;
      this.#breakUnit(unit);
      return false;
    }
    unit.bytes += bytes;
    return true;
  }

  #addNal(unit: Pending, nal: Buffer): void {
    unit.nalus.push(nal);
    switch (this.#format.classify(nal)) {
      case 'keyframe':
        unit.keyframe = true;
        break;
      case 'vps':
        unit.vps = nal;
        break;
      case 'sps':
        unit.sps = nal;
        break;
      case 'pps':
        unit.pps = nal;
        break;
      case 'other':
        break;
    }
  }

  /** Marks a unit broken and frees its data; its remaining packets are ignored. */
  #breakUnit(unit: Pending): void {
    unit.broken = true;
    unit.nalus = [];
    // Only the pending unit can be fragmenting, so the slab's open unit is its NAL unit.
    if (unit.fragmenting) this.#slab.drop();
    unit.fragmenting = false;
    unit.bytes = 0;
  }

  /** Decides the fate of a finished unit: emitted, dropped (counted), or empty (nothing). */
  #finish(unit: Pending): AccessUnit | undefined {
    const stats = this.#stats;
    if (!unit.broken && unit.fragmenting) {
      stats.brokenFragments += 1; // the unit ended inside a fragmented NAL unit
      this.#breakUnit(unit);
    }
    if (unit.broken) {
      stats.droppedAccessUnits += 1;
      this.#waitingForKeyframe = true;
      return undefined;
    }
    if (unit.nalus.length === 0) return undefined;
    if (this.#waitingForKeyframe && !unit.keyframe) {
      stats.droppedAccessUnits += 1;
      return undefined;
    }
    this.#waitingForKeyframe = false;
    stats.accessUnits += 1;
    const parameterSets: { vps?: Buffer; sps?: Buffer; pps?: Buffer } = {};
    if (unit.vps !== undefined) parameterSets.vps = unit.vps;
    if (unit.sps !== undefined) parameterSets.sps = unit.sps;
    if (unit.pps !== undefined) parameterSets.pps = unit.pps;
    return { timestamp: unit.timestamp, nalus: unit.nalus, keyframe: unit.keyframe, parameterSets };
  }
}
