/**
 * One RTSP/1.0 connection, message level: requests go out one at a time with increasing CSeq
 * (RFC 2326 §12.17) and a timeout each; responses are matched back by CSeq; interleaved frames
 * go to the frame handler; requests from the server get a minimal answer.
 *
 * Contracts:
 * - back-pressure: while a promise returned by the frame handler is pending, the socket is
 *   paused and no further event is processed (responses queue behind frames, in order);
 * - the connection fails once, with the first AppError (malformed bytes, socket error, end of
 *   stream, a frame handler's rejection); every pending and later request rejects with it, and
 *   `closed` resolves with it. `closed` never rejects, so nothing is left unhandled;
 * - error messages are passed through `scrub` (the session gives it the camera password).
 */
import type { Duplex } from 'node:stream';
import { AppError } from '../../../lib/errors.ts';
import { RtspReader, serializeRequest, serializeResponse } from './rtsp-message.ts';
import type { InterleavedFrame, RtspReaderLimits, RtspResponse, RtspServerRequest } from './rtsp-message.ts';

/** Receives frames in order; a returned promise pauses reading until it settles. */
export type FrameHandler = (frame: InterleavedFrame) => void | Promise<void>;

/** Options of a connection. */
export interface RtspConnectionOptions {
  /** Longest wait for a response; 10 s by default. */
  readonly requestTimeoutMs?: number;
  readonly userAgent?: string;
  readonly limits?: Partial<RtspReaderLimits>;
  /** Removes secrets from a message before it is put in an error. */
  readonly scrub?: (text: string) => string;
}

interface Pending {
  readonly cseq: number;
  readonly method: string;
  readonly resolve: (r: RtspResponse) => void;
  readonly reject: (e: AppError) => void;
}

/** Counters for status reporting and tests. */
export interface ConnectionStats {
  framesReceived: number;
  bytesReceived: number;
  /** Highest number of bytes the reader held at once: bounded by one message plus one chunk. */
  peakBufferedBytes: number;
}

/** An RTSP connection over an open socket (net.Socket or tls.TLSSocket). */
export class RtspConnection {
  readonly #socket: Duplex;
  readonly #reader: RtspReader;
  readonly #timeoutMs: number;
  readonly #userAgent: string;
  readonly #scrub: (text: string) => string;
  #cseq = 0;
  #pending: Pending | undefined;
  #queue: Promise<unknown> = Promise.resolve();
  #onFrame: FrameHandler | undefined;
  #draining = false;
  #ended = false;
  #failure: AppError | undefined;
  #closedLocally = false;
  /** True once the peer sent an RTSP message: before that, a failure means it does not speak RTSP. */
  #heard = false;
  #resolveClosed!: (e: AppError | undefined) => void;
  /** Settles once the connection is over: undefined after `close()`, else the failure. */
  readonly closed: Promise<AppError | undefined>;
  readonly stats: ConnectionStats = { framesReceived: 0, bytesReceived: 0, peakBufferedBytes: 0 };

  constructor(socket: Duplex, opts: RtspConnectionOptions = {}) {
    this.#socket = socket;
    this.#reader = new RtspReader(opts.limits);
    this.#timeoutMs = opts.requestTimeoutMs ?? 10_000;
    this.#userAgent = opts.userAgent ?? 'Custos';
    this.#scrub = opts.scrub ?? ((t) => t);
    this.closed = new Promise((resolve) => {
      this.#resolveClosed = resolve;
    });
    socket.on('data', (chunk: Buffer) => {
      this.stats.bytesReceived += chunk.length;
      this.#reader.push(chunk);
      this.stats.peakBufferedBytes = Math.max(this.stats.peakBufferedBytes, this.#reader.bufferedBytes);
      void this.#drain();
    });
    socket.on('end', () => {
      this.#ended = true;
      void this.#drain();
    });
    socket.on('error', (e: NodeJS.ErrnoException) => {
      this.#fail(new AppError('CAMERA_UNREACHABLE', `connection to the camera failed: ${e.code ?? e.message}`, { code: e.code }));
    });
    socket.on('close', () => {
      // 'end' (then a drain) normally comes first; a close without it is an abrupt loss.
      if (!this.#ended) this.#fail(new AppError('CAMERA_UNREACHABLE', 'connection to the camera was lost'));
    });
  }

  /** True once failed or closed. */
  get isOver(): boolean {
    return this.#failure !== undefined || this.#closedLocally;
  }

  /** Routes interleaved frames to `handler` (frames arriving with no handler are dropped). */
  setFrameHandler(handler: FrameHandler | undefined): void {
    this.#onFrame = handler;
  }

  /**
   * Sends a request and resolves with its response, whatever its status. Rejects with
   * CAMERA_UNREACHABLE on timeout (`<METHOD> got no answer within N s`) or when the connection
   * fails; VALIDATION_FAILED when the request cannot be serialized.
   */
  request(method: string, url: string, headers: Iterable<readonly [string, string]> = []): Promise<RtspResponse> {
    const run = (): Promise<RtspResponse> => this.#send(method, url, headers);
    const result = this.#queue.then(run, run);
    this.#queue = result.catch(() => undefined);
    return result;
  }

  /** Closes the socket; idempotent. `closed` then resolves with undefined unless it had failed. */
  close(): void {
    if (this.#failure !== undefined || this.#closedLocally) return;
    this.#closedLocally = true;
    this.#pending?.reject(new AppError('CAMERA_UNREACHABLE', 'the connection was closed'));
    this.#pending = undefined;
    this.#socket.destroy();
    this.#resolveClosed(undefined);
  }

  #send(method: string, url: string, headers: Iterable<readonly [string, string]>): Promise<RtspResponse> {
    if (this.#failure !== undefined) return Promise.reject(this.#failure);
    if (this.#closedLocally) return Promise.reject(new AppError('CAMERA_UNREACHABLE', 'the connection was closed'));
    this.#cseq += 1;
    const cseq = this.#cseq;
    const bytes = serializeRequest({ method, url, cseq, headers: [...headers, ['User-Agent', this.#userAgent]] });
    return new Promise<RtspResponse>((resolve, reject) => {
      const timer = setTimeout(() => {
        if (this.#pending?.cseq === cseq) this.#pending = undefined;
        reject(new AppError('CAMERA_UNREACHABLE', `${method} got no answer within ${this.#timeoutMs / 1000} s`, { step: method }));
      }, this.#timeoutMs);
      this.#pending = {
        cseq, method,
        resolve: (r) => {
          clearTimeout(timer);
          resolve(r);
        },
        reject: (e) => {
          clearTimeout(timer);
          reject(e);
        },
      };
      this.#socket.write(bytes);
    });
  }

  /** Processes buffered events in order; at most one drain runs at a time. */
  async #drain(): Promise<void> {
    if (this.#draining) return;
    this.#draining = true;
    try {
      for (;;) {
        if (this.#failure !== undefined || this.#closedLocally) return;
        const event = this.#reader.next();
        if (event === undefined) break;
        if (event.kind === 'frame') {
          this.stats.framesReceived += 1;
          const pending = this.#onFrame?.(event);
          if (pending !== undefined) {
            this.#socket.pause();
            await pending;
          }
        } else if (event.kind === 'response') {
          this.#heard = true;
          this.#settle(event);
        } else {
          this.#heard = true;
          this.#answer(event);
        }
      }
      if (this.#ended) {
        const cut = this.#reader.pendingDescription();
        this.#fail(new AppError('CAMERA_UNREACHABLE', cut === undefined
          ? 'camera closed the connection'
          : `camera closed the connection in the middle of ${cut}`, cut === undefined ? undefined : { truncated: cut }));
        return;
      }
      this.#socket.resume();
    } catch (e) {
      this.#fail(e instanceof AppError ? e : new AppError('INTERNAL', `frame handler failed: ${e instanceof Error ? e.message : String(e)}`));
    } finally {
      // Bytes pushed while a frame handler was pending were read by the loop's later next() calls.
      this.#draining = false;
    }
  }

  #settle(response: RtspResponse): void {
    const pending = this.#pending;
    if (pending === undefined) return; // late answer to a timed-out request
    const cseq = response.headers.get('cseq');
    // A response without CSeq is taken for the one outstanding request (lenient for cameras).
    if (cseq !== undefined && cseq.trim() !== String(pending.cseq)) return;
    this.#pending = undefined;
    pending.resolve(response);
  }

  /** Answers a server-to-client request: OPTIONS and GET_PARAMETER (keep-alives) with 200, others 501. */
  #answer(request: RtspServerRequest): void {
    const ok = request.method === 'OPTIONS' || request.method === 'GET_PARAMETER';
    const session = request.headers.get('session');
    const headers: [string, string][] = session !== undefined && /^[\x21-\x7e]{1,256}$/.test(session) ? [['Session', session]] : [];
    this.#socket.write(serializeResponse(ok ? 200 : 501, ok ? 'OK' : 'Not Implemented', request.headers.get('cseq'), headers));
  }

  #fail(e: AppError): void {
    if (this.#failure !== undefined || this.#closedLocally) return;
    // A peer that failed before any RTSP message (a banner, a close, a reset) is classified as
    // "not an RTSP server" for the operator (src/ingest/ingest-failure.ts), whatever it sent.
    const detail = this.#heard ? e.detail : { ...e.detail, failure: 'not-rtsp' };
    const error = new AppError(e.code, this.#scrub(e.message), detail);
    this.#failure = error;
    this.#pending?.reject(error);
    this.#pending = undefined;
    this.#socket.destroy();
    this.#resolveClosed(error);
  }
}
