/**
 * The RTSP guard of the ffmpeg bridge (ADR 0008): ffmpeg cannot be told which authentication
 * scheme to use nor to stay on the camera's host, so the bridge between ffmpeg and the camera
 * reads both directions as RTSP messages and interleaved frames (RFC 2326 §10.12) and holds
 * each back until it is complete and allowed:
 * - ffmpeg → camera: a request carrying `Authorization: Basic` over unencrypted rtsp:// is
 *   never forwarded (the password would cross the network in clear), nor any byte after it;
 * - camera → ffmpeg: a 3xx redirect is never forwarded: ffmpeg would follow it with the
 *   credentials of this camera to whatever host it names, outside the bridge;
 * - camera → ffmpeg: bytes that are not RTSP (another service's banner) end the run as "not an
 *   RTSP server", without being quoted anywhere.
 * - with credentials, the bridge authenticates for ffmpeg (rtsp-signer.ts): ffmpeg never holds
 *   the password, so it is in no process argument; ffmpeg never sees a 401.
 * Pure: bytes in, bytes to forward out; a violation throws an AppError whose message holds no
 * byte of the peer.
 */
import { AppError } from '../../lib/errors.ts';
import type { Credentials } from '../native/rtsp/rtsp-auth.ts';
import { BridgeSigner } from './rtsp-signer.ts';

/** Longest header block of one message (as the native reader's default). */
const MAX_HEAD = 64 * 1024;
/** Longest body of one message. */
const MAX_BODY = 1024 * 1024;
const DOLLAR = 0x24;
const CR = 0x0d;
const LF = 0x0a;

/** One complete unit of an RTSP stream. */
type Unit = { readonly kind: 'frame'; readonly bytes: Buffer } | { readonly kind: 'message'; readonly head: string; readonly bytes: Buffer; readonly bodyStart: number };

/** Splits a byte stream into complete interleaved frames and messages; holds partial ones back. */
class RtspFramer {
  #buf: Buffer = Buffer.alloc(0);
  readonly #notRtsp: () => AppError;

  constructor(notRtsp: () => AppError) {
    this.#notRtsp = notRtsp;
  }

  push(chunk: Buffer): Unit[] {
    this.#buf = this.#buf.length === 0 ? chunk : Buffer.concat([this.#buf, chunk]);
    const units: Unit[] = [];
    for (;;) {
      let start = 0;
      while (start < this.#buf.length && (this.#buf[start] === CR || this.#buf[start] === LF)) start += 1;
      if (start > 0) this.#buf = this.#buf.subarray(start);
      const buf = this.#buf;
      if (buf.length === 0) return units;
      if (buf[0] === DOLLAR) {
        if (buf.length < 4) return units;
        const end = 4 + buf.readUInt16BE(2);
        if (buf.length < end) return units;
        units.push({ kind: 'frame', bytes: buf.subarray(0, end) });
        this.#buf = buf.subarray(end);
        continue;
      }
      const firstLineEnd = buf.indexOf(LF);
      if (firstLineEnd >= 0 && !isStartLine(buf.subarray(0, firstLineEnd).toString('latin1').replace(/\r$/, ''))) throw this.#notRtsp();
      if (firstLineEnd < 0 && (buf.length > 512 || !/^[A-Za-z_]/.test(buf.subarray(0, 1).toString('latin1')))) throw this.#notRtsp();
      const text = buf.subarray(0, Math.min(buf.length, MAX_HEAD)).toString('latin1');
      const m = /\r?\n\r?\n/.exec(text);
      if (m === null) {
        if (buf.length >= MAX_HEAD) throw this.#notRtsp();
        return units;
      }
      const head = text.slice(0, m.index);
      const bodyStart = m.index + m[0].length;
      const lengths = [...head.matchAll(/^content-length[ \t]*:[ \t]*(\S*)[ \t]*$/gim)].map((x) => x[1] ?? '');
      const length = lengths.length === 0 ? 0 : /^\d{1,7}$/.test(lengths[0] ?? '') ? Number(lengths[0]) : NaN;
      if (!(length <= MAX_BODY) || lengths.some((l) => l !== lengths[0])) throw this.#notRtsp();
      if (buf.length < bodyStart + length) return units;
      units.push({ kind: 'message', head, bytes: buf.subarray(0, bodyStart + length), bodyStart });
      this.#buf = buf.subarray(bodyStart + length);
    }
  }
}

/** An RTSP status line or request line (RFC 2326 §6.1, §7.1). */
function isStartLine(line: string): boolean {
  // eslint-disable-next-line no-control-regex
  return /^RTSP\/\d\.\d \d{3}( [^\x00-\x08\x0a-\x1f\x7f]*)?$/.test(line) || /^[!#$%&'*+.^_`|~0-9A-Za-z-]+ \S+ RTSP\/\d\.\d$/.test(line);
}

/** Options of a guard: what the transport allows. */
export interface RtspGuardOptions {
  /** True over TLS (rtsps://): Basic is then as safe as the channel. */
  readonly allowBasic: boolean;
  /** The camera's credentials, when it has any: the guard signs ffmpeg's requests with them. */
  readonly credentials?: Credentials;
}

/** Bytes the camera sent, split by where they go: ffmpeg, or back to the camera (a request signed again after a 401). */
export interface FromCamera {
  readonly toClient: Buffer[];
  readonly toCamera: Buffer[];
}

/** The two directions of one bridged connection; each `push` returns what may be forwarded. */
export interface RtspGuard {
  /** Bytes ffmpeg sent; throws when a request would send Basic credentials in clear. */
  fromClient(chunk: Buffer): Buffer[];
  /** Bytes the camera sent; throws on a redirect, on refused credentials or on bytes that are not RTSP. */
  fromCamera(chunk: Buffer): FromCamera;
  /** True once the camera sent a complete RTSP message. */
  heardCamera(): boolean;
}

/** A guard for one connection (see the module contract). */
export function createRtspGuard(opts: RtspGuardOptions): RtspGuard {
  const client = new RtspFramer(() => new AppError('INTERNAL', 'ffmpeg sent bytes that are not RTSP through the camera bridge'));
  const camera = new RtspFramer(() => new AppError('CAMERA_UNREACHABLE', 'the camera did not answer as an RTSP server', { failure: 'not-rtsp' }));
  const signer = opts.credentials === undefined ? undefined : new BridgeSigner(opts.credentials, opts.allowBasic);
  let heard = false;
  return {
    heardCamera: () => heard,
    fromClient(chunk) {
      return client.push(chunk).map((u) => {
        if (u.kind === 'message' && !opts.allowBasic && /^authorization[ \t]*:[ \t]*basic\b/im.test(u.head)) {
          throw new AppError('CAMERA_UNREACHABLE', 'the camera asked for Basic authentication, which would send the password in clear over rtsp://; refused (use rtsps:// or Digest)', { failure: 'auth', why: 'basic-plaintext' });
        }
        return u.kind === 'message' && signer !== undefined ? signer.request(u.head, u.bytes, u.bodyStart) : u.bytes;
      });
    },
    fromCamera(chunk) {
      const out: FromCamera = { toClient: [], toCamera: [] };
      for (const u of camera.push(chunk)) {
        if (u.kind === 'message') heard = true;
        if (u.kind === 'message' && /^RTSP\/\d\.\d 3\d\d/.test(u.head)) {
          throw new AppError('CAMERA_UNREACHABLE', 'the camera answered with a redirect, which the ffmpeg ingest does not follow (it would take the credentials along); use the target URL or the native ingest', { failure: 'redirect', status: Number(u.head.slice(9, 12)) });
        }
        if (u.kind === 'message' && signer !== undefined) {
          const verdict = signer.response(u.head, u.bytes);
          if ('resend' in verdict) out.toCamera.push(verdict.resend);
          else out.toClient.push(verdict.forward);
        } else {
          out.toClient.push(u.bytes);
        }
      }
      return out;
    },
  };
}
