/**
 * The media side of one RTSP session: its own position in the shared packetized loop, RTP
 * sequence number, timestamp and SSRC (RFC 3550 §5.1), sent over the session's TCP connection.
 */
import { randomInt } from 'node:crypto';
import type { FrameSink, PacketizedLoop, RtpStreamState } from './rtp-packetizer.ts';
import { writeFrame } from './rtp-packetizer.ts';
import { buildStampSei } from './sei-stamp.ts';

/** The socket surface a session writes to (net.Socket satisfies it). */
export interface SessionSocket extends FrameSink {
  readonly writableLength: number;
  readonly destroyed: boolean;
  destroy(): void;
}

/** What RTP-Info (RFC 2326 §12.33) reports for the first packet after PLAY. */
export interface RtpStart {
  seq: number;
  rtptime: number;
}

/**
 * Sends the loop from frame 0 (a key frame, so a client decodes at once). The RTP timestamp of
 * the n-th frame sent is `base + n × frameTicks`: it keeps increasing across loop iterations
 * (iteration k adds k × clip duration), so clients see one continuous live stream.
 */
export class RtpSession {
  readonly #loop: PacketizedLoop;
  readonly #socket: SessionSocket;
  readonly #state: RtpStreamState;
  readonly #timestampBase: number;
  readonly #maxBufferedBytes: number;
  readonly #onOverflow: () => void;
  readonly #stamp: (() => number) | undefined;
  #sent = 0;

  constructor(o: {
    loop: PacketizedLoop;
    socket: SessionSocket;
    channel: number;
    /** Above this many bytes queued in the socket the client is dropped (back-pressure). */
    maxBufferedBytes: number;
    onOverflow: () => void;
    /** When set, each access unit is preceded by an SEI stamping this wall-clock time in ms (sei-stamp.ts). */
    stamp?: (() => number) | undefined;
  }) {
    this.#stamp = o.stamp;
    this.#loop = o.loop;
    this.#socket = o.socket;
    this.#maxBufferedBytes = o.maxBufferedBytes;
    this.#onOverflow = o.onOverflow;
    // Random initial values as RFC 3550 §5.1 recommends.
    this.#state = { channel: o.channel, ssrc: randomInt(0, 2 ** 32 - 1), seq: randomInt(0, 0x10000) };
    this.#timestampBase = randomInt(0, 2 ** 31);
  }

  /** SSRC as 8 hex digits, for the Transport header. */
  get ssrcHex(): string {
    return this.#state.ssrc.toString(16).padStart(8, '0').toUpperCase();
  }

  /** Sequence number and timestamp the next frame will carry. */
  next(): RtpStart {
    return { seq: this.#state.seq, rtptime: (this.#timestampBase + this.#sent * this.#loop.frameTicks) % 2 ** 32 };
  }

  /**
   * Sends the next access unit. A client that does not read (more than maxBufferedBytes queued)
   * is dropped rather than buffered without bound; `onOverflow` runs once before destroy.
   */
  sendNext(): void {
    if (this.#socket.destroyed) return;
    if (this.#socket.writableLength > this.#maxBufferedBytes) {
      this.#onOverflow();
      this.#socket.destroy();
      return;
    }
    const frames = this.#loop.frames;
    const frame = frames[this.#sent % frames.length];
    if (frame === undefined) return;
    const prefix = this.#stamp === undefined ? undefined : buildStampSei(this.#stamp());
    writeFrame(this.#socket, frame, this.#state, this.#timestampBase + this.#sent * this.#loop.frameTicks, prefix);
    this.#sent += 1;
  }
}
