/**
 * Incremental parser for the client side of an RTSP/1.0 TCP connection (RFC 2326 §6, §10.12):
 * requests, possibly split across TCP chunks or pipelined in one chunk, mixed with interleaved
 * binary frames (`$`, channel, 16-bit length, data; e.g. RTCP receiver reports).
 */

/** One parsed RTSP request. Header names are lowercased. */
export interface RtspRequest {
  method: string;
  uri: string;
  version: string;
  headers: Map<string, string>;
  body: Buffer;
}

/** What the parser found in the bytes so far, in arrival order. */
export type ParseEvent =
  | { kind: 'request'; request: RtspRequest }
  | { kind: 'interleaved'; channel: number; length: number }
  | { kind: 'error'; reason: string };

/** Limits that keep a hostile or broken client from growing the buffer without bound. */
export interface ParserLimits {
  maxHeaderBytes: number;
  maxBodyBytes: number;
}

const defaultLimits: ParserLimits = { maxHeaderBytes: 16 * 1024, maxBodyBytes: 64 * 1024 };
const crlfcrlf = Buffer.from('\r\n\r\n');

/**
 * Stateful parser for one connection. After an `error` event the connection MUST be closed:
 * the parser cannot find the next message boundary and returns nothing more.
 */
export class RtspRequestParser {
  #buf: Buffer = Buffer.alloc(0);
  #failed = false;
  readonly #limits: ParserLimits;

  constructor(limits: Partial<ParserLimits> = {}) {
    this.#limits = { ...defaultLimits, ...limits };
  }

  /** Feeds bytes received from the socket; returns every complete message they finish. */
  push(chunk: Uint8Array): ParseEvent[] {
    if (this.#failed) return [];
    this.#buf = this.#buf.length === 0 ? Buffer.from(chunk) : Buffer.concat([this.#buf, chunk]);
    const events: ParseEvent[] = [];
    for (;;) {
      // Tolerate stray CRLFs between messages (RFC 2326 §15.1 allows empty lines).
      let skip = 0;
      while (skip < this.#buf.length && (this.#buf[skip] === 0x0d || this.#buf[skip] === 0x0a)) skip += 1;
      if (skip > 0) this.#buf = this.#buf.subarray(skip);
      if (this.#buf.length === 0) break;
      const event = this.#buf[0] === 0x24 ? this.#interleaved() : this.#request();
      if (event === undefined) break;
      events.push(event);
      if (event.kind === 'error') {
        this.#failed = true;
        this.#buf = Buffer.alloc(0);
        break;
      }
    }
    return events;
  }

  #interleaved(): ParseEvent | undefined {
    if (this.#buf.length < 4) return undefined;
    const channel = this.#buf[1] ?? 0;
    const length = this.#buf.readUInt16BE(2);
    if (this.#buf.length < 4 + length) return undefined;
    this.#buf = this.#buf.subarray(4 + length);
    return { kind: 'interleaved', channel, length };
  }

  #request(): ParseEvent | undefined {
    const end = this.#buf.indexOf(crlfcrlf);
    if (end < 0) {
      if (this.#buf.length > this.#limits.maxHeaderBytes) return { kind: 'error', reason: 'header too large' };
      return undefined;
    }
    if (end > this.#limits.maxHeaderBytes) return { kind: 'error', reason: 'header too large' };
    const lines = this.#buf.subarray(0, end).toString('latin1').split('\r\n');
    const m = /^([A-Z_]+) (\S+) (RTSP\/\d\.\d)$/.exec(lines[0] ?? '');
    if (m === null) return { kind: 'error', reason: 'malformed request line' };
    const headers = new Map<string, string>();
    for (const line of lines.slice(1)) {
      const colon = line.indexOf(':');
      if (colon <= 0) return { kind: 'error', reason: 'malformed header line' };
      headers.set(line.slice(0, colon).trim().toLowerCase(), line.slice(colon + 1).trim());
    }
    const lengthHeader = headers.get('content-length') ?? '0';
    if (!/^\d+$/.test(lengthHeader)) return { kind: 'error', reason: 'bad Content-Length' };
    const bodyLength = Number(lengthHeader);
    if (bodyLength > this.#limits.maxBodyBytes) return { kind: 'error', reason: 'body too large' };
    const total = end + 4 + bodyLength;
    if (this.#buf.length < total) return undefined;
    const body = Buffer.from(this.#buf.subarray(end + 4, total));
    this.#buf = this.#buf.subarray(total);
    return {
      kind: 'request',
      request: { method: m[1] ?? '', uri: m[2] ?? '', version: m[3] ?? '', headers, body },
    };
  }
}
