import { readFile, stat } from 'node:fs/promises';
import { dirname } from 'node:path';
import { randomBytes } from 'node:crypto';
import { AppError } from '../lib/errors.ts';
import type { Secret } from '../config/secret.ts';
import type { KeyProvider } from './key-provider.ts';
import { wrapAad } from './key-provider.ts';
import { openGcm, sealGcm } from './aes-gcm.ts';
import { decodeKeyFile, deriveSealing, encodeKeyFile, newKeyRing, type KeyRing, type Sealing } from './key-file.ts';
import { ensurePrivateDir, removeAtomicLeftovers, writeFileAtomic } from '../lib/durable-files.ts';

/** Options of {@link openFileKeyProvider}. */
export interface FileKeyProviderOptions {
  /** The master key file; created at first start (mode 0600, directory 0700). */
  readonly path: string;
  /** Seals the key material in the file (scrypt → AES-256-GCM); null keeps it in clear. */
  readonly passphrase: Secret | null;
  /**
   * Removes the temp files of an interrupted write of the key file first (they can hold retired
   * key versions). Only for a caller no other writer can race: one holding the data-directory lock.
   */
  readonly removeLeftovers?: boolean;
}

/**
 * Opens (or creates) the master key file. Wrapping is AES-256-GCM under the KEK version with a
 * random 12-byte nonce and associated data "custos-dek" ‖ version; the wrapped form is
 * `nonce ‖ ciphertext ‖ tag` (60 bytes for a 32-byte DEK). GCM rather than AES key wrap (RFC
 * 5649) because Node has it everywhere, it is the same construction the PKCS#11 provider runs in
 * the token, and the version in the AAD stops a wrapped key being replayed under another version.
 *
 * MUST refuse a file readable or writable by group or others, a sealed file without the right
 * passphrase, and a malformed file, each with AppError KEY_UNAVAILABLE. A clear file opened with
 * a passphrase is sealed in place. Every change (rotate, retire) is written atomically before
 * it takes effect in memory.
 */
export async function openFileKeyProvider(opts: FileKeyProviderOptions): Promise<KeyProvider> {
  const { path, passphrase } = opts;
  const unavailable = (why: string) => new AppError('KEY_UNAVAILABLE', `master key file ${path}: ${why}`);
  await ensurePrivateDir(dirname(path)).catch((e: unknown) => {
    throw unavailable(`cannot create its directory (${errno(e)})`);
  });
  if (opts.removeLeftovers) {
    await removeAtomicLeftovers(path).catch((e: unknown) => {
      throw unavailable(`cannot remove the leftovers of an interrupted write (${errno(e)})`);
    });
  }
  let text = await readFile(path, 'utf8').catch((e: unknown) => {
    if (errno(e) === 'ENOENT') return null;
    throw unavailable(`cannot be read (${errno(e)})`);
  });
  if (text === null) {
    const ring = newKeyRing();
    const sealing = passphrase === null ? null : await deriveSealing(passphrase);
    try {
      await writeFileAtomic(path, encodeKeyFile(ring, sealing), { exclusive: true });
      return new FileKeyProvider(path, ring, sealing);
    } catch (e) {
      if (errno(e) !== 'EEXIST') throw unavailable(`cannot be created (${errno(e)})`);
      text = await readFile(path, 'utf8'); // another process created it first: use theirs
    }
  }
  const mode = (await stat(path)).mode & 0o777;
  if ((mode & 0o077) !== 0) throw unavailable(`is accessible by group or others (mode ${mode.toString(8)}); run chmod 600 on it`);
  const { ring, sealing } = await decodeKeyFile(text, passphrase, path);
  if (sealing !== null || passphrase === null) return new FileKeyProvider(path, ring, sealing);
  const newSealing = await deriveSealing(passphrase);
  await writeFileAtomic(path, encodeKeyFile(ring, newSealing));
  return new FileKeyProvider(path, ring, newSealing);
}

class FileKeyProvider implements KeyProvider {
  readonly kind = 'file';
  readonly #path: string;
  readonly #ring: KeyRing;
  readonly #sealing: Sealing | null;
  /** Serialises rotate/retire so file writes never interleave. */
  #writes: Promise<unknown> = Promise.resolve();
  #closed = false;

  constructor(path: string, ring: KeyRing, sealing: Sealing | null) {
    this.#path = path;
    this.#ring = ring;
    this.#sealing = sealing;
  }

  currentVersion(): number {
    return this.#ring.current;
  }

  versions(): number[] {
    return [...this.#ring.keys.keys()].sort((a, b) => a - b);
  }

  async wrap(dataKey: Buffer): Promise<{ version: number; wrapped: Buffer }> {
    const version = this.#ring.current;
    return { version, wrapped: sealGcm(this.#kek(version), dataKey, wrapAad(version)) };
  }

  async unwrap(version: number, wrapped: Buffer): Promise<Buffer> {
    const key = openGcm(this.#kek(version), wrapped, wrapAad(version));
    if (key === null) throw new AppError('KEY_UNAVAILABLE', `a data key under master key version ${version} does not authenticate`);
    return key;
  }

  rotate(): Promise<number> {
    return this.#serial(async () => {
      const version = this.#ring.current + 1;
      const keys = new Map(this.#ring.keys).set(version, randomBytes(32));
      await this.#persist({ current: version, keys });
      this.#ring.keys.set(version, keys.get(version)!);
      this.#ring.current = version;
      return version;
    });
  }

  retire(version: number): Promise<void> {
    return this.#serial(async () => {
      if (version === this.#ring.current) throw new AppError('CONFLICT', `master key version ${version} is current and cannot be retired`);
      const old = this.#ring.keys.get(version);
      if (old === undefined) return;
      const keys = new Map(this.#ring.keys);
      keys.delete(version);
      await this.#persist({ current: this.#ring.current, keys });
      this.#ring.keys.delete(version);
      old.fill(0);
    });
  }

  async close(): Promise<void> {
    await this.#writes.catch(() => undefined);
    this.#closed = true;
    for (const key of this.#ring.keys.values()) key.fill(0);
    this.#ring.keys.clear();
  }

  #kek(version: number): Buffer {
    if (this.#closed) throw new AppError('KEY_UNAVAILABLE', 'the file key provider is closed');
    const key = this.#ring.keys.get(version);
    if (key === undefined) throw new AppError('KEY_UNAVAILABLE', `master key version ${version} is retired or unknown`);
    return key;
  }

  async #persist(ring: KeyRing): Promise<void> {
    try {
      await writeFileAtomic(this.#path, encodeKeyFile(ring, this.#sealing));
    } catch (e) {
      throw new AppError('KEY_UNAVAILABLE', `master key file ${this.#path} cannot be written (${errno(e)})`);
    }
  }

  #serial<T>(fn: () => Promise<T>): Promise<T> {
    if (this.#closed) return Promise.reject(new AppError('KEY_UNAVAILABLE', 'the file key provider is closed'));
    const next = this.#writes.then(fn, fn);
    this.#writes = next.catch(() => undefined);
    return next;
  }
}

function errno(e: unknown): string {
  return typeof e === 'object' && e !== null && 'code' in e ? String(e.code) : 'error';
}
