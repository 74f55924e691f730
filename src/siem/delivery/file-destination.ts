/**
 * The `file` destination: OCSF events as JSON lines in a local file that a log shipper (Vector,
 * Fluent Bit, Filebeat) tails, rotated by size.
 *
 * Contract:
 * - one OCSF 1.8.0 event per line (src/siem/ocsf.ts), UTF-8, `\n`-terminated; heartbeats too;
 * - `send` answers ok only after the lines are written and fsync'ed (`datasync`): a batch the
 *   cursor moves past is on disk;
 * - before a write would make the file larger than `maxBytes`, it is renamed to `path.1`
 *   (`path.1` → `path.2` …, the oldest beyond `keep` deleted) and a new file is started; a line
 *   longer than `maxBytes` is written alone in a file of its own (never cut);
 * - the file is created with mode 0600 (events are not personal, but they are the audit trail);
 * - a write error answers `retryable` (a full disk may clear).
 */
import { open, rename, rm, stat, type FileHandle } from 'node:fs/promises';
import type { FileDestinationConfig } from '../../config/siem.schema.ts';
import type { SendOutcome, ShippedEvent, ShippedHeartbeat, SiemDestination } from '../destination.ts';
import { heartbeatRecord } from '../heartbeat.ts';
import { toOcsf, type OcsfProduct } from '../ocsf.ts';

export class FileDestination implements SiemDestination {
  readonly id: string;
  readonly maxBatch = 1000;
  readonly #config: FileDestinationConfig;
  readonly #product: OcsfProduct;
  #handle: FileHandle | null = null;
  #size = 0;

  constructor(config: FileDestinationConfig, product: OcsfProduct) {
    this.id = config.id;
    this.#config = config;
    this.#product = product;
  }

  send(batch: readonly ShippedEvent[]): Promise<SendOutcome> {
    return this.#write(batch.map((e) => `${JSON.stringify(toOcsf(e.record, this.#product))}\n`));
  }

  sendHeartbeat(heartbeat: ShippedHeartbeat): Promise<SendOutcome> {
    return this.#write([`${JSON.stringify(toOcsf(heartbeatRecord(heartbeat), this.#product))}\n`]);
  }

  async close(): Promise<void> {
    const h = this.#handle;
    this.#handle = null;
    await h?.close();
  }

  async #write(lines: readonly string[]): Promise<SendOutcome> {
    try {
      let pending: Buffer[] = [];
      let pendingBytes = 0;
      for (const line of lines) {
        const bytes = Buffer.from(line, 'utf8');
        const handle = await this.#file();
        if (this.#size + pendingBytes + bytes.length > this.#config.maxBytes && this.#size + pendingBytes > 0) {
          await this.#flush(handle, pending);
          pending = [];
          pendingBytes = 0;
          await this.#rotate();
        }
        pending.push(bytes);
        pendingBytes += bytes.length;
      }
      await this.#flush(await this.#file(), pending);
      return { ok: true };
    } catch (e) {
      // Start over with a fresh handle: the next attempt reopens and re-reads the size.
      await this.close().catch(() => undefined);
      return { ok: false, retryable: true, reason: `file destination: ${(e as NodeJS.ErrnoException).code ?? (e as Error).message}` };
    }
  }

  async #flush(handle: FileHandle, buffers: readonly Buffer[]): Promise<void> {
    if (buffers.length === 0) return;
    const data = Buffer.concat(buffers);
    let offset = 0;
    while (offset < data.length) {
      const { bytesWritten } = await handle.write(data, offset, data.length - offset);
      offset += bytesWritten;
    }
    this.#size += data.length;
    await handle.datasync();
  }

  async #file(): Promise<FileHandle> {
    if (this.#handle === null) {
      this.#handle = await open(this.#config.path, 'a', 0o600);
      this.#size = (await this.#handle.stat()).size;
    }
    return this.#handle;
  }

  /** path → path.1 → … → path.keep; the one beyond `keep` is deleted. */
  async #rotate(): Promise<void> {
    await this.close();
    const path = this.#config.path;
    await rm(`${path}.${this.#config.keep}`, { force: true });
    for (let n = this.#config.keep - 1; n >= 1; n -= 1) {
      if (await exists(`${path}.${n}`)) await rename(`${path}.${n}`, `${path}.${n + 1}`);
    }
    await rename(path, `${path}.1`);
    this.#size = 0;
  }
}

async function exists(path: string): Promise<boolean> {
  return stat(path).then(
    () => true,
    () => false,
  );
}
