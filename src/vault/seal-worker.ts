/**
 * The body of one sealing worker thread (seal-pool.ts starts it; issue 20 item 1, ADR 0044):
 * seals, hashes and writes the chunks of the vault objects the main thread assigns to it, on the
 * file descriptors the main thread opened (a descriptor is the process's, usable from any
 * thread). Messages (structured clone):
 *   main → worker: ring {buffer}, open {obj, fd, dataKey, header, written, init},
 *                  write {obj, seq, index, position, bytes | shared {offset, length}},
 *                  finish {obj, seq, final}, discard {obj}
 *   worker → main: done {seq, hashes?}, failed {seq, message, errno?}
 * Per object the messages are handled in order, so each hash follows chunk order; writes of one
 * object may be in flight together (their positions were reserved by the main thread).
 * A write's plaintext is either cloned into the message or lies in the shared ring the main
 * thread set up (shared-ring.ts); it is read only while sealing and hashing, synchronously, so
 * the region may be reused as soon as the answer is posted.
 */
import { writev } from 'node:fs';
import { parentPort } from 'node:worker_threads';
import { ChunkCipher } from './chunk-cipher.ts';
import { InlineChunkSealer, type ObjectHashes } from './chunk-sealer.ts';
import type { VaultHeader } from './vault-header.ts';

/** A message from the main thread. */
export type ToSealWorker =
  | { readonly type: 'open'; readonly obj: number; readonly fd: number; readonly dataKey: Uint8Array; readonly header: VaultHeader; readonly written: readonly Uint8Array[]; readonly init: Uint8Array }
  | { readonly type: 'ring'; readonly buffer: SharedArrayBuffer }
  | { readonly type: 'shared'; readonly ring: number; readonly buffer: SharedArrayBuffer }
  | { readonly type: 'write'; readonly obj: number; readonly seq: number; readonly index: number; readonly position: number; readonly bytes?: Uint8Array; readonly shared?: { readonly offset: number; readonly length: number; /** A registered buffer (an ingest worker's ring), else this worker's own ring. */ readonly ring?: number } }
  | { readonly type: 'finish'; readonly obj: number; readonly seq: number; readonly final: { index: number; position: number } | null }
  | { readonly type: 'discard'; readonly obj: number };

/** A message to the main thread. */
export type FromSealWorker =
  | { readonly type: 'done'; readonly seq: number; readonly hashes?: ObjectHashes }
  | { readonly type: 'failed'; readonly seq: number; readonly message: string; readonly errno?: string };

const port = parentPort;
if (port === null) throw new Error('seal-worker.ts runs as a worker thread');
const post = (m: FromSealWorker) => port.postMessage(m);

/** A Buffer over a structured-cloned byte array, without copying. */
const buf = (u8: Uint8Array): Buffer => Buffer.from(u8.buffer, u8.byteOffset, u8.byteLength);

/** A FileHandle-shaped writer over a bare descriptor: the only method the sealer uses. */
function descriptorHandle(fd: number) {
  return {
    writev: (parts: Buffer[], position: number) =>
      new Promise<{ bytesWritten: number }>((resolve, reject) => writev(fd, parts, position, (e, bytesWritten) => (e ? reject(e) : resolve({ bytesWritten })))),
  };
}

const objects = new Map<number, InlineChunkSealer>();
let ring: SharedArrayBuffer | undefined;
/** Other threads' shared buffers fragments may lie in (the ingest workers' rings), by id. */
const sharedBuffers = new Map<number, SharedArrayBuffer>();

function fail(seq: number, e: unknown): void {
  const errno = typeof (e as { code?: unknown }).code === 'string' ? (e as { code: string }).code : undefined;
  post({ type: 'failed', seq, message: e instanceof Error ? e.message : String(e), ...(errno === undefined ? {} : { errno }) });
}

port.on('message', (m: ToSealWorker) => {
  switch (m.type) {
    case 'ring':
      ring = m.buffer;
      return;
    case 'shared':
      sharedBuffers.set(m.ring, m.buffer);
      return;
    case 'open': {
      const header: VaultHeader = { ...m.header, salt: buf(m.header.salt), noncePrefix: buf(m.header.noncePrefix), bytes: buf(m.header.bytes) };
      const cipher = new ChunkCipher(buf(m.dataKey), header);
      // The sealer only calls writev: a descriptor stands in for the main thread's FileHandle.
      const fh = descriptorHandle(m.fd) as unknown as ConstructorParameters<typeof InlineChunkSealer>[0];
      objects.set(m.obj, new InlineChunkSealer(fh, cipher, m.written.map(buf), buf(m.init)));
      return;
    }
    case 'write': {
      const sealer = objects.get(m.obj);
      if (sealer === undefined) return fail(m.seq, new Error('object not open in the sealing worker'));
      let written: Promise<void>;
      try {
        const from = m.shared === undefined ? undefined : m.shared.ring === undefined ? ring : sharedBuffers.get(m.shared.ring);
        if (m.shared !== undefined && from === undefined) throw new Error('a shared buffer the sealing worker does not know');
        const plaintext = m.shared !== undefined && from !== undefined ? Buffer.from(from, m.shared.offset, m.shared.length) : buf(m.bytes as Uint8Array);
        written = sealer.write(m.index, plaintext, m.position);
      } catch (e) {
        return fail(m.seq, e);
      }
      written.then(() => post({ type: 'done', seq: m.seq }), (e: unknown) => fail(m.seq, e));
      return;
    }
    case 'finish': {
      const sealer = objects.get(m.obj);
      objects.delete(m.obj);
      if (sealer === undefined) return fail(m.seq, new Error('object not open in the sealing worker'));
      sealer.finish(m.final).then((hashes) => post({ type: 'done', seq: m.seq, hashes }), (e: unknown) => fail(m.seq, e));
      return;
    }
    case 'discard':
      objects.delete(m.obj);
      return;
  }
});
