/**
 * The `syslog` destination: RFC 5424 messages with a CEF, LEEF 2.0 or OCSF JSON body, in
 * RFC 5425 octet-counted frames over one TLS connection (src/siem/syslog-tls-transport.ts).
 *
 * Contract and its durability rule (syslog has no acknowledgement):
 * - `send` writes the whole batch in one socket write and answers ok once the socket took it;
 *   a closed or failed connection answers `retryable` and the next `send` reconnects;
 * - the last `replayFrames` messages written are kept in memory; after a connection broke, the
 *   new connection first carries them again, so a collector that died with messages unread or
 *   unwritten loses none of them (at-least-once: duplicates carry the same event id, and the
 *   first arrival of every event is in leaf order);
 * - a graceful `close` ends the connection with TLS close_notify after everything written, and
 *   waits for the collector to close its side (so it read everything), at most 5 s;
 * - CA, certificate and key files are read at every connection (a renewed certificate is used
 *   without a restart); no file content, key or path is logged or answered.
 */
import { readFile } from 'node:fs/promises';
import { hostname as osHostname } from 'node:os';
import type { SyslogDestinationConfig } from '../../config/siem.schema.ts';
import type { LeafRecord } from '../../audit/audit-event.ts';
import { cefEvent } from '../cef.ts';
import type { DeviceIdentity } from '../device-identity.ts';
import type { SendOutcome, ShippedEvent, ShippedHeartbeat, SiemDestination } from '../destination.ts';
import { heartbeatRecord } from '../heartbeat.ts';
import { leefEvent } from '../leef.ts';
import { toOcsf, type OcsfProduct } from '../ocsf.ts';
import { syslogFrame, type SyslogOrigin } from '../syslog-frame.ts';
import { SyslogTlsTransport } from '../syslog-tls-transport.ts';

const closeWaitMs = 5000;
/** A write the collector does not drain within this is a failed connection. */
const writeTimeoutMs = 30_000;

export class SyslogDestination implements SiemDestination {
  readonly id: string;
  readonly maxBatch = 500;
  readonly #config: SyslogDestinationConfig;
  readonly #product: OcsfProduct & DeviceIdentity;
  readonly #origin: SyslogOrigin;
  #transport: SyslogTlsTransport | null = null;
  /** The connection broke since the ring was last sent: replay it on the next connection. */
  #replay = false;
  readonly #ring: Buffer[] = [];

  constructor(config: SyslogDestinationConfig, product: OcsfProduct & DeviceIdentity) {
    this.id = config.id;
    this.#config = config;
    this.#product = product;
    this.#origin = {
      hostname: config.hostname ?? product.hostname ?? osHostname(),
      procId: String(process.pid),
      facility: config.facility,
      sdId: config.sdId,
      maxOctets: config.maxMessageOctets,
    };
  }

  /** The frame of one record with the configured payload. */
  frame(record: LeafRecord): Buffer {
    const payload = this.#config.payload;
    return syslogFrame(record, this.#origin, (room) =>
      payload === 'cef' ? cefEvent(record, this.#product, room) : payload === 'leef' ? leefEvent(record, this.#product, room) : JSON.stringify(toOcsf(record, this.#product)),
    );
  }

  send(batch: readonly ShippedEvent[], signal: AbortSignal): Promise<SendOutcome> {
    return this.#write(batch.map((e) => this.frame(e.record)), signal);
  }

  sendHeartbeat(heartbeat: ShippedHeartbeat, signal: AbortSignal): Promise<SendOutcome> {
    return this.#write([this.frame(heartbeatRecord(heartbeat))], signal);
  }

  async close(): Promise<void> {
    const t = this.#transport;
    this.#transport = null;
    if (t === null) return;
    let timer: NodeJS.Timeout | undefined;
    await Promise.race([t.close(), new Promise<void>((resolve) => (timer = setTimeout(resolve, closeWaitMs)))]);
    clearTimeout(timer);
  }

  async #write(frames: readonly Buffer[], signal: AbortSignal): Promise<SendOutcome> {
    if (signal.aborted) return { ok: false, retryable: true, reason: 'stopped' };
    let transport: SyslogTlsTransport;
    try {
      transport = await this.#connect();
    } catch (e) {
      return { ok: false, retryable: true, reason: `syslog connect to ${this.#config.host}:${this.#config.port} failed: ${describe(e)}` };
    }
    try {
      const replay = this.#replay ? this.#ring : [];
      await withinDeadline(transport.send(Buffer.concat([...replay, ...frames])), signal, writeTimeoutMs);
      this.#replay = false;
    } catch (e) {
      // Also a collector that stopped reading (the write never drains) or a stop: drop the connection.
      this.#broken();
      return { ok: false, retryable: true, reason: `syslog write failed: ${describe(e)}` };
    }
    for (const f of frames) this.#ring.push(f);
    const excess = this.#ring.length - this.#config.replayFrames;
    if (excess > 0) this.#ring.splice(0, excess);
    return { ok: true };
  }

  async #connect(): Promise<SyslogTlsTransport> {
    if (this.#transport !== null) return this.#transport;
    const c = this.#config;
    const [ca, cert, key] = await Promise.all([
      readFile(c.caFile, 'utf8'),
      c.certFile === undefined ? undefined : readFile(c.certFile, 'utf8'),
      c.keyFile === undefined ? undefined : readFile(c.keyFile, 'utf8'),
    ]);
    const transport = await SyslogTlsTransport.open({
      host: c.host,
      port: c.port,
      ca,
      ...(c.serverName === undefined ? {} : { servername: c.serverName }),
      ...(cert === undefined ? {} : { cert }),
      ...(key === undefined ? {} : { key }),
    });
    this.#transport = transport;
    transport.onClose(() => {
      // The collector went away: what it may not have read is in the ring.
      if (this.#transport === transport) this.#broken();
    });
    return transport;
  }

  #broken(): void {
    const t = this.#transport;
    this.#transport = null;
    this.#replay = this.#ring.length > 0;
    t?.destroy();
  }
}

/** `work`, or a rejection when `signal` aborts or `ms` pass first. */
async function withinDeadline(work: Promise<void>, signal: AbortSignal, ms: number): Promise<void> {
  let timer: NodeJS.Timeout | undefined;
  let onAbort: (() => void) | undefined;
  try {
    await Promise.race([
      work,
      new Promise<never>((_, reject) => {
        timer = setTimeout(() => reject(new Error(`write not drained within ${ms} ms`)), ms);
        onAbort = () => reject(new Error('stopped'));
        signal.addEventListener('abort', onAbort, { once: true });
      }),
    ]);
  } finally {
    clearTimeout(timer);
    if (onAbort) signal.removeEventListener('abort', onAbort);
  }
}

function describe(e: unknown): string {
  const err = e as NodeJS.ErrnoException;
  return err.code ?? (err instanceof Error ? err.message : String(e));
}
