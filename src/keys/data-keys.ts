import { randomBytes, randomUUID } from 'node:crypto';
import { AppError } from '../lib/errors.ts';
import type { Clock } from '../lib/clock.ts';
import type { MonotonicClock } from '../lib/monotonic-clock.ts';
import type { KeyProvider } from './key-provider.ts';
import { openGcm, sealGcm } from './aes-gcm.ts';
import { KeyCache } from './key-cache.ts';

/** A data key row as the service sees it; `wrapped` is null once destroyed. */
export interface DataKeyRecord {
  readonly id: string;
  readonly cameraId: string;
  /** Start of the key's window, ms since the epoch. */
  readonly windowStartMs: number;
  /** 0 for a window's first key; a window whose key was destroyed gets the next (see keyFor). */
  readonly generation: number;
  readonly kekVersion: number;
  readonly wrapped: Buffer | null;
  readonly createdMs: number;
  readonly destroyedMs: number | null;
}

/** Persistence of wrapped data keys (implemented by data-keys.store.ts). */
export interface DataKeyStore {
  /** The newest (highest generation) key of a camera's window, destroyed or not. */
  findByWindow(cameraId: string, windowStartMs: number): Promise<DataKeyRecord | undefined>;
  get(id: string): Promise<DataKeyRecord | undefined>;
  /** Inserts unless the window already has a key of that generation; MUST return the key stored for the window and generation (ours or the earlier one). */
  insertIfAbsent(record: DataKeyRecord): Promise<DataKeyRecord>;
  /** Destroys (destroyed_ms = nowMs, wrapped = '') the live keys of a camera whose window starts at or before `lastStartMs`; returns their ids. */
  destroyStartingAtOrBefore(cameraId: string, lastStartMs: number, nowMs: number): Promise<string[]>;
  /** Live keys wrapped under a KEK version below `version`, ordered by id, after `afterId`. */
  listLiveBelowVersion(version: number, afterId: string, limit: number): Promise<DataKeyRecord[]>;
  /** Number of live keys wrapped under a KEK version below `version`. */
  countLiveBelowVersion(version: number): Promise<number>;
  /** Numbers of live and destroyed keys. */
  counts(): Promise<{ live: number; destroyed: number }>;
  /** Replaces the wrapped form if the key is still live under `fromVersion`; false otherwise. */
  rewrap(id: string, fromVersion: number, toVersion: number, wrapped: Buffer): Promise<boolean>;
}

/** Camera id reserved for the key that seals secrets in the database (window 0). */
export const secretsCameraId = '__secrets__';

/**
 * Camera id reserved for the audit ledger's checkpoint signing key (window 0): its 32 random
 * bytes are the Ed25519 seed, so the signing key is wrapped by the master key like every other
 * key, follows rotation, and can never be shredded by retention.
 */
export const auditSigningKeyId = '__audit_signing__';

/**
 * Camera id reserved for the SBOM signing key (window 0), kept apart from the ledger's key so a
 * published SBOM signature never vouches for audit checkpoints or the other way round
 * (docs/decisions/0033-sbom-and-ptz.md). Same handling: an Ed25519 seed wrapped by the master key.
 */
export const sbomSigningKeyId = '__sbom_signing__';

const hourMs = 3_600_000;
const cacheMax = 1000;
const rewrapPage = 100;

/**
 * Data keys (DEKs), one per camera per `hours` window, stored only wrapped by the master key
 * (FORMATS.md "Encryption at rest"). Implements the vault's DataKeySource. Keys handed out are
 * copies the caller owns. Destroying a key (crypto-shredding) MUST make every later `keyById`
 * fail with KEY_UNAVAILABLE, whatever was cached.
 */
export class DataKeys {
  readonly #provider: KeyProvider;
  readonly #store: DataKeyStore;
  readonly #clock: Clock;
  /** Cache lifetimes are durations: measured on the monotonic clock, so a clock step neither keeps a key longer nor drops it early. */
  readonly #monotonic: MonotonicClock;
  readonly #windowMs: number;
  readonly #cache: KeyCache;
  /** Window → key id of cached keys, so a hot `keyFor` reads neither the database nor the provider. */
  readonly #windows = new Map<string, string>();
  /** In-flight get-or-create per window, so concurrent callers share one key. */
  readonly #creating = new Map<string, Promise<{ id: string; key: Buffer }>>();
  /** Bumped by every destruction; a lookup that raced one does not cache its result. */
  #destroyEpoch = 0;

  constructor(deps: { provider: KeyProvider; store: DataKeyStore; clock: Clock; monotonic: MonotonicClock; hours: number; cacheMs: number }) {
    this.#provider = deps.provider;
    this.#store = deps.store;
    this.#clock = deps.clock;
    this.#monotonic = deps.monotonic;
    this.#windowMs = deps.hours * hourMs;
    this.#cache = new KeyCache({ ttlMs: deps.cacheMs, max: cacheMax });
  }

  /**
   * The data key of a camera's window containing `atMs`; created, wrapped and stored at first
   * use. A window whose key was already destroyed (the wall clock stepped back into shredded
   * time) gets a fresh key of the next generation: recording MUST never wait for the next window.
   */
  async keyFor(cameraId: string, atMs: number): Promise<{ id: string; key: Buffer }> {
    if (cameraId === secretsCameraId) throw new AppError('VALIDATION_FAILED', `camera id ${secretsCameraId} is reserved`);
    return this.#keyForWindow(cameraId, Math.floor(atMs / this.#windowMs) * this.#windowMs);
  }

  /** A data key by id; AppError KEY_UNAVAILABLE when it is unknown or destroyed. */
  async keyById(id: string): Promise<Buffer> {
    const cached = this.#cache.get(id, this.#monotonic.now());
    if (cached) return cached;
    const epoch = this.#destroyEpoch;
    const record = await this.#store.get(id);
    if (record === undefined) throw new AppError('KEY_UNAVAILABLE', `data key ${id} is unknown`);
    const key = await this.#unwrap(record);
    if (epoch === this.#destroyEpoch) this.#remember(record, key);
    return key;
  }

  /**
   * Crypto-shredding: destroys every key of `cameraId` whose window ends at or before
   * `beforeMs` (the wrapped form is overwritten, the row kept) and evicts it from the cache.
   * Footage under those keys becomes unreadable for good. Returns how many were destroyed.
   */
  async destroyBefore(cameraId: string, beforeMs: number): Promise<number> {
    if (cameraId === secretsCameraId || cameraId === auditSigningKeyId || cameraId === sbomSigningKeyId) throw new AppError('VALIDATION_FAILED', `camera id ${cameraId} is reserved`);
    this.#destroyEpoch++;
    const ids = await this.#store.destroyStartingAtOrBefore(cameraId, beforeMs - this.#windowMs, this.#clock.now());
    this.#destroyEpoch++;
    const gone = new Set(ids);
    for (const id of ids) this.#cache.delete(id);
    for (const [window, id] of this.#windows) if (gone.has(id)) this.#windows.delete(window);
    return ids.length;
  }

  /**
   * Rotation: makes a new master key version current, re-wraps every live data key under it,
   * then retires every older version. A key that cannot be unwrapped aborts the rotation
   * before anything is retired (a rerun resumes). Returns the number of keys re-wrapped.
   */
  async rewrapAll(onProgress?: (done: number, total: number) => void): Promise<number> {
    const older = this.#provider.versions();
    const version = await this.#provider.rotate();
    const total = await this.#store.countLiveBelowVersion(version);
    let done = 0;
    onProgress?.(done, total);
    for (let after = ''; ; ) {
      const page = await this.#store.listLiveBelowVersion(version, after, rewrapPage);
      if (page.length === 0) break;
      after = page.at(-1)!.id;
      for (const record of page) {
        const key = await this.#unwrap(record);
        try {
          const { version: to, wrapped } = await this.#provider.wrap(key);
          if (await this.#store.rewrap(record.id, record.kekVersion, to, wrapped)) onProgress?.(++done, Math.max(total, done));
        } finally {
          key.fill(0);
        }
      }
    }
    const left = await this.#store.countLiveBelowVersion(version);
    if (left > 0) throw new AppError('CONFLICT', `${left} data keys are still wrapped under an old master key version; run the rotation again`);
    for (const old of older) if (old !== version) await this.#provider.retire(old);
    return done;
  }

  /** Seals a secret for the database as `v1:<keyId>:<base64 nonce‖ciphertext‖tag>` (AES-256-GCM). */
  async sealSecret(plain: string): Promise<string> {
    const { id, key } = await this.#keyForWindow(secretsCameraId, 0);
    try {
      return `v1:${id}:${sealGcm(key, Buffer.from(plain, 'utf8'), secretAad(id)).toString('base64')}`;
    } finally {
      key.fill(0);
    }
  }

  /** Opens a sealed secret; VALIDATION_FAILED when malformed, KEY_UNAVAILABLE when it does not authenticate. */
  async openSecret(sealed: string): Promise<string> {
    const match = /^v1:([0-9a-f-]{36}):([A-Za-z0-9+/]+={0,2})$/.exec(sealed);
    if (match === null) throw new AppError('VALIDATION_FAILED', 'not a sealed secret (v1:<keyId>:<base64>)');
    const id = match[1]!;
    const key = await this.keyById(id);
    try {
      const plain = openGcm(key, Buffer.from(match[2]!, 'base64'), secretAad(id));
      if (plain === null) throw new AppError('KEY_UNAVAILABLE', 'a sealed secret does not authenticate (altered, or sealed under another key)');
      return plain.toString('utf8');
    } finally {
      key.fill(0);
    }
  }

  /** How many data keys are live and how many were destroyed (for `custos keys status`). */
  async counts(): Promise<{ live: number; destroyed: number }> {
    return this.#store.counts();
  }

  /** Evicts and zeroes every cached key (on shutdown). */
  clearCache(): void {
    this.#cache.clear();
    this.#windows.clear();
  }

  #keyForWindow(cameraId: string, windowStartMs: number): Promise<{ id: string; key: Buffer }> {
    const window = `${cameraId}\u0000${windowStartMs}`;
    const id = this.#windows.get(window);
    const cached = id === undefined ? undefined : this.#cache.get(id, this.#monotonic.now());
    if (id !== undefined && cached !== undefined) return Promise.resolve({ id, key: cached });
    const pending = this.#creating.get(window);
    if (pending) return pending.then(({ id, key }) => ({ id, key: Buffer.from(key) }));
    const created = this.#getOrCreate(cameraId, windowStartMs).finally(() => this.#creating.delete(window));
    this.#creating.set(window, created);
    return created.then(({ id, key }) => ({ id, key: Buffer.from(key) }));
  }

  async #getOrCreate(cameraId: string, windowStartMs: number): Promise<{ id: string; key: Buffer }> {
    const epoch = this.#destroyEpoch;
    let record = await this.#store.findByWindow(cameraId, windowStartMs);
    let key: Buffer;
    if (record === undefined || record.destroyedMs !== null) {
      key = randomBytes(32);
      const { version, wrapped } = await this.#provider.wrap(key);
      const generation = record === undefined ? 0 : record.generation + 1;
      const mine: DataKeyRecord = { id: randomUUID(), cameraId, windowStartMs, generation, kekVersion: version, wrapped, createdMs: this.#clock.now(), destroyedMs: null };
      record = await this.#store.insertIfAbsent(mine);
      if (record.id !== mine.id) key = await this.#unwrap(record); // another process won the race
    } else {
      key = await this.#unwrap(record);
    }
    if (epoch === this.#destroyEpoch) this.#remember(record, key);
    return { id: record.id, key };
  }

  async #unwrap(record: DataKeyRecord): Promise<Buffer> {
    if (record.destroyedMs !== null || record.wrapped === null) throw new AppError('KEY_UNAVAILABLE', `data key ${record.id} was destroyed`);
    return this.#provider.unwrap(record.kekVersion, record.wrapped);
  }

  #remember(record: DataKeyRecord, key: Buffer): void {
    this.#cache.set(record.id, Buffer.from(key), this.#monotonic.now());
    this.#windows.set(`${record.cameraId}\u0000${record.windowStartMs}`, record.id);
    if (this.#windows.size > 2 * cacheMax) this.#windows.delete(this.#windows.keys().next().value!);
  }
}

function secretAad(keyId: string): Buffer {
  return Buffer.from(`custos-secret:v1:${keyId}`, 'utf8');
}
