/**
 * The client side of an RTSP/1.0 TCP connection, byte level (RFC 2326 §6–§7, §10.12): an
 * incremental reader of responses, server-to-client requests and interleaved binary frames
 * (`$`, channel, 16-bit length, payload), and the request serializer.
 *
 * Contracts:
 * - the reader is strict and bounded: a header block over `maxHeaderBytes` (64 KiB), a body over
 *   `maxBodyBytes` (1 MiB), a malformed start line, header line or Content-Length is a
 *   MEDIA_MALFORMED AppError, after which the reader MUST be discarded (it cannot find the next
 *   message boundary) and every later `next()` throws the same error;
 * - it never throws anything else, whatever the bytes;
 * - interleaved payloads are views into the received chunks when a frame lies in one chunk, and
 *   one exact-size copy otherwise; the reader holds no more than the caller has pushed and not yet
 *   read, so a caller that drains `next()` before pushing again holds at most one partial message;
 * - lines end in CRLF or a bare LF (RFC 2326 §4 asks receivers to accept both); a bare CR alone
 *   is not a line end here.
 */
import { AppError } from '../../../lib/errors.ts';
import { ByteQueue } from './byte-queue.ts';

/** Header fields of one message; names compare case-insensitively, repeated fields are kept. */
export class RtspHeaders {
  readonly #fields = new Map<string, string[]>();

  constructor(entries: Iterable<readonly [string, string]> = []) {
    for (const [name, value] of entries) this.append(name, value);
  }

  /** Adds a field (a repeated name keeps every value in arrival order). */
  append(name: string, value: string): void {
    const key = name.toLowerCase();
    const list = this.#fields.get(key);
    if (list === undefined) this.#fields.set(key, [value]);
    else list.push(value);
  }

  /** The first value of `name`, or undefined. */
  get(name: string): string | undefined {
    return this.#fields.get(name.toLowerCase())?.[0];
  }

  /** Every value of `name`, in arrival order. */
  getAll(name: string): readonly string[] {
    return this.#fields.get(name.toLowerCase()) ?? [];
  }

  /** Lowercased names and their values. */
  entries(): IterableIterator<[string, string[]]> {
    return this.#fields.entries();
  }
}

/** A response to one of our requests. */
export interface RtspResponse {
  readonly kind: 'response';
  /** `RTSP/1.0` as sent; the client refuses other versions. */
  readonly version: string;
  readonly status: number;
  /** The reason phrase as sent (may be empty); untrusted text. */
  readonly reason: string;
  readonly headers: RtspHeaders;
  readonly body: Buffer;
}

/** A request the server sent us (RFC 2326 §10: OPTIONS, GET_PARAMETER, ANNOUNCE…). */
export interface RtspServerRequest {
  readonly kind: 'request';
  readonly method: string;
  readonly uri: string;
  readonly version: string;
  readonly headers: RtspHeaders;
  readonly body: Buffer;
}

/** One interleaved binary frame (RFC 2326 §10.12): RTP or RTCP of the channel's stream. */
export interface InterleavedFrame {
  readonly kind: 'frame';
  readonly channel: number;
  /** A view into received bytes when possible: the consumer MUST NOT write into it. */
  readonly payload: Buffer;
}

/** What the reader yields, in arrival order. */
export type RtspEvent = RtspResponse | RtspServerRequest | InterleavedFrame;

/** Bounds on one message. */
export interface RtspReaderLimits {
  /** Start line and header fields with their line ends; 64 KiB by default. */
  readonly maxHeaderBytes: number;
  /** Content-Length above this is refused; 1 MiB by default. */
  readonly maxBodyBytes: number;
}

/** Default bounds: far above what cameras send (a DESCRIBE answer is a few KiB). */
export const defaultReaderLimits: RtspReaderLimits = { maxHeaderBytes: 64 * 1024, maxBodyBytes: 1024 * 1024 };

const CR = 0x0d;
const LF = 0x0a;
const DOLLAR = 0x24;
const TOKEN = /^[!#$%&'*+.^_`|~0-9A-Za-z-]+$/;
// eslint-disable-next-line no-control-regex
const STATUS_LINE = /^(RTSP\/\d\.\d) (\d{3})(?: ([^\x00-\x08\x0a-\x1f\x7f]*))?$/;
// eslint-disable-next-line no-control-regex
const REQUEST_LINE = /^([!#$%&'*+.^_`|~0-9A-Za-z-]+) ([^\x00-\x20\x7f]+) (RTSP\/\d\.\d)$/;
// eslint-disable-next-line no-control-regex
const CONTROL = /[\x00-\x08\x0a-\x1f\x7f]/;

type Head = { kind: 'response'; version: string; status: number; reason: string } | { kind: 'request'; method: string; uri: string; version: string };

type State =
  | { at: 'idle' }
  | { at: 'head'; scanned: number; lineStart: number; firstLineChecked: boolean }
  | { at: 'body'; head: Head; headers: RtspHeaders; length: number }
  | { at: 'frame-header' }
  | { at: 'frame-payload'; channel: number; length: number };

/** The states without fields, shared: entered once or twice per packet, they allocate nothing. */
const IDLE: State = Object.freeze({ at: 'idle' });
const FRAME_HEADER: State = Object.freeze({ at: 'frame-header' });

/** A short, printable excerpt of untrusted bytes for an error message. */
function excerpt(bytes: Buffer): string {
  const text = bytes.subarray(0, 48).toString('latin1').replace(/[^\x20-\x7e]/g, '?');
  return bytes.length > 48 ? `${text}…` : text;
}

const malformed = (message: string): AppError => new AppError('MEDIA_MALFORMED', `RTSP stream from the camera is malformed: ${message}`);

/**
 * Incremental reader for the bytes a camera sends: `push` what the socket delivers, then call
 * `next()` until it returns undefined.
 */
export class RtspReader {
  readonly #queue = new ByteQueue();
  readonly #limits: RtspReaderLimits;
  #state: State = IDLE;
  #failure: AppError | undefined;

  constructor(limits: Partial<RtspReaderLimits> = {}) {
    this.#limits = { ...defaultReaderLimits, ...limits };
  }

  /** Bytes pushed and not yet returned by `next()`. */
  get bufferedBytes(): number {
    return this.#queue.length;
  }

  /** Appends received bytes; the chunk is kept by reference and MUST NOT be modified later. */
  push(chunk: Buffer): void {
    if (this.#failure === undefined) this.#queue.push(chunk);
  }

  /** The next complete event, or undefined until more bytes arrive. Throws MEDIA_MALFORMED. */
  next(): RtspEvent | undefined {
    if (this.#failure !== undefined) throw this.#failure;
    try {
      return this.#step();
    } catch (e) {
      // Only AppErrors are raised below; anything else would be a bug, still reported typed.
      this.#failure = e instanceof AppError ? e : malformed('internal reader error');
      this.#queue.clear();
      throw this.#failure;
    }
  }

  /**
   * At end of stream: what was cut short, e.g. `an interleaved frame (12 of 1400 bytes)`, or
   * undefined when the stream ended between messages.
   */
  pendingDescription(): string | undefined {
    const have = this.#queue.length;
    switch (this.#state.at) {
      case 'idle':
        return have === 0 ? undefined : `a message (${have} bytes)`;
      case 'head':
        return `a message header (${have} bytes)`;
      case 'body':
        return `a message body (${have} of ${this.#state.length} bytes)`;
      case 'frame-header':
        return `an interleaved frame header (${have} of 4 bytes)`;
      case 'frame-payload':
        return `an interleaved frame (${have} of ${this.#state.length} bytes)`;
    }
  }

  #step(): RtspEvent | undefined {
    for (;;) {
      const q = this.#queue;
      const s = this.#state;
      switch (s.at) {
        case 'idle': {
          // Stray line ends between messages are tolerated (RFC 2326 §15.1 allows empty lines).
          let skip = 0;
          while (skip < q.length && (q.byteAt(skip) === CR || q.byteAt(skip) === LF)) skip += 1;
          q.skip(skip);
          const first = q.byteAt(0);
          if (first === undefined) return undefined;
          if (first === DOLLAR) {
            this.#state = FRAME_HEADER;
          } else if ((first >= 0x41 && first <= 0x5a) || (first >= 0x61 && first <= 0x7a) || first === 0x5f) {
            this.#state = { at: 'head', scanned: 0, lineStart: 0, firstLineChecked: false };
          } else {
            throw malformed(`expected a response or an interleaved frame, got byte 0x${first.toString(16).padStart(2, '0')}`);
          }
          continue;
        }
        case 'frame-header': {
          if (q.length < 4) return undefined;
          // Read in place: no allocation per packet for the 4-byte header.
          const channel = q.byteAt(1) ?? 0;
          const length = ((q.byteAt(2) ?? 0) << 8) | (q.byteAt(3) ?? 0);
          q.skip(4);
          this.#state = { at: 'frame-payload', channel, length };
          continue;
        }
        case 'frame-payload': {
          if (q.length < s.length) return undefined;
          const payload = q.take(s.length);
          this.#state = IDLE;
          return { kind: 'frame', channel: s.channel, payload };
        }
        case 'head': {
          const end = this.#scanHead(s);
          if (end === undefined) return undefined;
          const block = q.take(end).toString('latin1');
          const parsed = this.#parseHead(block);
          this.#state = { at: 'body', ...parsed };
          continue;
        }
        case 'body': {
          if (q.length < s.length) return undefined;
          const body = s.length === 0 ? Buffer.alloc(0) : Buffer.from(q.take(s.length));
          this.#state = IDLE;
          return s.head.kind === 'response'
            ? { kind: 'response', version: s.head.version, status: s.head.status, reason: s.head.reason, headers: s.headers, body }
            : { kind: 'request', method: s.head.method, uri: s.head.uri, version: s.head.version, headers: s.headers, body };
        }
      }
    }
  }

  /** Scans for the empty line ending the header block; its end offset, or undefined for more bytes. */
  #scanHead(s: { scanned: number; lineStart: number; firstLineChecked: boolean }): number | undefined {
    const q = this.#queue;
    const max = this.#limits.maxHeaderBytes;
    for (;;) {
      const lf = q.indexOf(LF, s.scanned);
      if (lf < 0 || lf >= max) {
        s.scanned = Math.min(q.length, max);
        if (q.length >= max) throw malformed(`header block exceeds ${max} bytes`);
        return undefined;
      }
      const lineLength = lf - s.lineStart - (lf > s.lineStart && q.byteAt(lf - 1) === CR ? 1 : 0);
      if (!s.firstLineChecked) {
        // Fail fast on a peer that is not an RTSP server (e.g. an HTTP port), before 64 KiB arrive.
        checkStartLine(q.peek(0, s.lineStart + lineLength).toString('latin1'));
        s.firstLineChecked = true;
      }
      s.scanned = lf + 1;
      if (lineLength === 0) return lf + 1;
      s.lineStart = lf + 1;
    }
  }

  #parseHead(block: string): { head: Head; headers: RtspHeaders; length: number } {
    const lines = block.split(/\r?\n/);
    while (lines.length > 0 && lines[lines.length - 1] === '') lines.pop();
    const head = checkStartLine(lines[0] ?? '');
    const fields: [string, string][] = [];
    for (const line of lines.slice(1)) {
      if (line.startsWith(' ') || line.startsWith('\t')) {
        // Obsolete line folding (RFC 2326 §4.2 via RFC 2616 §2.2): a continuation of the last field.
        const last = fields[fields.length - 1];
        if (last === undefined) throw malformed('header block starts with a continuation line');
        last[1] = `${last[1]} ${line.trim()}`;
        continue;
      }
      const colon = line.indexOf(':');
      const name = colon < 0 ? '' : line.slice(0, colon);
      if (!TOKEN.test(name)) throw malformed(`header line without a valid "name:" (${excerpt(Buffer.from(line, 'latin1'))})`);
      fields.push([name, line.slice(colon + 1).trim()]);
    }
    const headers = new RtspHeaders();
    for (const [name, value] of fields) {
      if (CONTROL.test(value)) throw malformed(`header ${excerpt(Buffer.from(name, 'latin1'))} holds control characters`);
      headers.append(name, value);
    }
    return { head, headers, length: this.#contentLength(headers) };
  }

  /** Content-Length (RFC 2326 §12.14): absent means 0; repeated values MUST agree. */
  #contentLength(headers: RtspHeaders): number {
    const values = headers.getAll('content-length');
    if (values.length === 0) return 0;
    const first = values[0] ?? '';
    if (values.some((v) => v !== first)) throw malformed('conflicting Content-Length headers');
    if (!/^\d{1,15}$/.test(first)) throw malformed(`Content-Length is not a non-negative integer (${excerpt(Buffer.from(first, 'latin1'))})`);
    const length = Number(first);
    if (length > this.#limits.maxBodyBytes) {
      throw malformed(`Content-Length ${length} exceeds the ${this.#limits.maxBodyBytes}-byte limit`);
    }
    return length;
  }
}

/** Parses a status line or request line; MEDIA_MALFORMED otherwise. */
function checkStartLine(line: string): Head {
  const status = STATUS_LINE.exec(line);
  if (status !== null) {
    const code = Number(status[2]);
    if (code < 100) throw malformed(`status code ${code} out of range`);
    return { kind: 'response', version: status[1] ?? '', status: code, reason: status[3] ?? '' };
  }
  const request = REQUEST_LINE.exec(line);
  if (request !== null) return { kind: 'request', method: request[1] ?? '', uri: request[2] ?? '', version: request[3] ?? '' };
  throw malformed(`malformed status line (${excerpt(Buffer.from(line, 'latin1'))})`);
}

/** A request to serialize. Header values MUST NOT contain line breaks (checked). */
export interface RtspRequestSpec {
  readonly method: string;
  /** The request-URI: absolute rtsp(s) URL or `*`. */
  readonly url: string;
  readonly cseq: number;
  readonly headers?: Iterable<readonly [string, string]>;
  readonly body?: Buffer;
}

/**
 * Serializes a request (RFC 2326 §6). Rejects with VALIDATION_FAILED anything that could split
 * the message (CR/LF in a value, whitespace in the URL, a non-token name): a header injected
 * from a camera-controlled value (a redirect Location, a Session id) MUST NOT reach the wire.
 */
export function serializeRequest(r: RtspRequestSpec): Buffer {
  if (!TOKEN.test(r.method)) throw new AppError('VALIDATION_FAILED', 'RTSP method is not a token');
  // eslint-disable-next-line no-control-regex
  if (r.url === '' || /[\x00-\x20\x7f]/.test(r.url)) throw new AppError('VALIDATION_FAILED', 'RTSP request URL holds whitespace or control characters');
  if (!Number.isSafeInteger(r.cseq) || r.cseq < 0) throw new AppError('VALIDATION_FAILED', 'CSeq must be a non-negative integer');
  const lines = [`${r.method} ${r.url} RTSP/1.0`, `CSeq: ${r.cseq}`];
  for (const [name, value] of r.headers ?? []) {
    if (!TOKEN.test(name)) throw new AppError('VALIDATION_FAILED', 'RTSP header name is not a token');
    const lower = name.toLowerCase();
    if (lower === 'cseq' || lower === 'content-length') throw new AppError('VALIDATION_FAILED', `${name} is set by the serializer`);
    if (CONTROL.test(value)) throw new AppError('VALIDATION_FAILED', `RTSP header ${name} holds control characters`);
    lines.push(`${name}: ${value}`);
  }
  const body = r.body ?? Buffer.alloc(0);
  if (body.length > 0) lines.push(`Content-Length: ${body.length}`);
  const head = Buffer.from(`${lines.join('\r\n')}\r\n\r\n`, 'latin1');
  return body.length === 0 ? head : Buffer.concat([head, body]);
}

/** Serializes our answer to a server-to-client request: status line, CSeq echoed when numeric. */
export function serializeResponse(status: number, reason: string, cseq: string | undefined, headers: Iterable<readonly [string, string]> = []): Buffer {
  const lines = [`RTSP/1.0 ${status} ${reason}`];
  if (cseq !== undefined && /^\d{1,10}$/.test(cseq)) lines.push(`CSeq: ${cseq}`);
  for (const [name, value] of headers) {
    if (!TOKEN.test(name) || CONTROL.test(value)) throw new AppError('VALIDATION_FAILED', 'RTSP response header is not serializable');
    lines.push(`${name}: ${value}`);
  }
  return Buffer.from(`${lines.join('\r\n')}\r\n\r\n`, 'latin1');
}
