/**
 * RTP packetization of H.264 (RFC 6184) for RTSP interleaved TCP (RFC 2326 §10.12).
 *
 * The loop is packetized ONCE per clip and shared by every camera and session: a session only
 * adds its own 4-byte interleaved header and 12-byte RTP header (RFC 3550 §5.1) per packet, and
 * the payload buffers MUST NOT be copied or mutated per session.
 */
import type { AccessUnit } from './h264-annexb.ts';
import { nalType, nalUnitType } from './h264-annexb.ts';

/** The dynamic RTP payload type announced in the SDP. */
export const payloadType = 96;
/** The RTP clock rate for video (RFC 6184 §8.2.1). */
export const clockRate = 90_000;
/** Default largest RTP payload: keeps packets under a 1500-byte MTU if relayed to UDP later. */
export const defaultMaxPayload = 1400;

const fuA = 28; // RFC 6184 §5.8

/**
 * Packetizes one NAL unit: a single NAL unit packet (RFC 6184 §5.6) when it fits, else FU-A
 * fragments (§5.8) whose payloads are each freshly allocated (done once per clip, not per session).
 */
export function packetizeNal(nal: Uint8Array, maxPayload: number = defaultMaxPayload): Buffer[] {
  if (nal.length === 0) return [];
  if (nal.length <= maxPayload) return [Buffer.from(nal)];
  if (maxPayload < 3) throw new RangeError('maxPayload too small for FU-A');
  const header = nal[0] ?? 0;
  const indicator = (header & 0xe0) | fuA; // F and NRI from the NAL header
  const type = header & 0x1f;
  const chunk = maxPayload - 2;
  const packets: Buffer[] = [];
  for (let offset = 1; offset < nal.length; offset += chunk) {
    const end = Math.min(offset + chunk, nal.length);
    const start = offset === 1 ? 0x80 : 0;
    const last = end === nal.length ? 0x40 : 0;
    const payload = Buffer.allocUnsafe(2 + end - offset);
    payload[0] = indicator;
    payload[1] = start | last | type;
    payload.set(nal.subarray(offset, end), 2);
    packets.push(payload);
  }
  return packets;
}

/** The RTP payloads of one access unit; the last one carries the marker bit (RFC 6184 §5.1). */
export interface RtpFrame {
  payloads: Buffer[];
  /** True when the access unit holds an IDR slice. */
  key: boolean;
  /** Index in `payloads` of the first slice's first packet: where a send-time SEI goes (after SPS/PPS). */
  firstSlice?: number;
}

/** A whole clip packetized once, looped by every session. */
export interface PacketizedLoop {
  frames: RtpFrame[];
  /** RTP timestamp increment per access unit (90 kHz ticks). */
  frameTicks: number;
  /** Frames per second of the clip. */
  fps: number;
}

/**
 * Packetizes every access unit of a clip. Access unit delimiters are dropped: RFC 6184 §5.3
 * lets a sender discard type 9 and RTP marker bits already delimit access units.
 * The clip MUST start with a key frame so a session starting at frame 0 decodes at once.
 */
export function packetizeLoop(units: AccessUnit[], fps: number, maxPayload: number = defaultMaxPayload): PacketizedLoop {
  if (!Number.isInteger(clockRate / fps)) throw new RangeError(`fps ${fps} does not divide 90 kHz`);
  const frames: RtpFrame[] = [];
  for (const unit of units) {
    const payloads: Buffer[] = [];
    let firstSlice = -1;
    for (const nal of unit.nals) {
      const type = nalUnitType(nal);
      if (type === nalType.aud) continue;
      if (firstSlice < 0 && type >= 1 && type <= 5) firstSlice = payloads.length;
      payloads.push(...packetizeNal(nal, maxPayload));
    }
    if (payloads.length > 0) frames.push({ payloads, key: unit.key, firstSlice: Math.max(firstSlice, 0) });
  }
  if (frames.length === 0) throw new RangeError('clip has no frames');
  if (frames[0]?.key !== true) throw new RangeError('clip must start with a key frame');
  return { frames, frameTicks: clockRate / fps, fps };
}

/** What one session needs to stamp its packets. */
export interface RtpStreamState {
  /** RTP channel number of the interleaved pair (the `a` in `interleaved=a-b`). */
  channel: number;
  ssrc: number;
  /** Next sequence number (16-bit, wraps). */
  seq: number;
}

/** The minimal socket surface the sender needs (net.Socket satisfies it). */
export interface FrameSink {
  cork(): void;
  uncork(): void;
  write(chunk: Uint8Array): boolean;
}

/**
 * Writes one access unit as interleaved RTP packets (`$`, channel, length, RTP header, payload).
 * Only the 16-byte headers are built per session, in one allocation per frame; payloads are
 * written by reference under cork() so the kernel receives one writev per frame.
 * `timestamp` is the 90 kHz RTP timestamp (taken mod 2^32). Advances `state.seq`. `prefix`, when
 * given, is one more single-NAL-unit packet sent just before the first slice, after any SPS/PPS
 * (camsim's send-time SEI, sei-stamp.ts).
 */
export function writeFrame(sink: FrameSink, frame: RtpFrame, state: RtpStreamState, timestamp: number, prefix?: Buffer): void {
  const payloads = prefix === undefined ? frame.payloads : [...frame.payloads.slice(0, frame.firstSlice ?? 0), prefix, ...frame.payloads.slice(frame.firstSlice ?? 0)];
  const count = payloads.length;
  const headers = Buffer.allocUnsafe(16 * count);
  const ts = timestamp % 0x1_0000_0000;
  sink.cork();
  for (let i = 0; i < count; i += 1) {
    const payload = payloads[i] as Buffer;
    const o = 16 * i;
    headers[o] = 0x24; // '$'
    headers[o + 1] = state.channel;
    headers.writeUInt16BE(12 + payload.length, o + 2);
    headers[o + 4] = 0x80; // V=2, P=0, X=0, CC=0
    headers[o + 5] = (i === count - 1 ? 0x80 : 0) | payloadType;
    headers.writeUInt16BE(state.seq, o + 6);
    headers.writeUInt32BE(ts, o + 8);
    headers.writeUInt32BE(state.ssrc >>> 0, o + 12);
    state.seq = (state.seq + 1) & 0xffff;
    sink.write(headers.subarray(o, o + 16));
    sink.write(payload);
  }
  sink.uncork();
}
