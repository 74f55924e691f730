import { randomBytes } from 'node:crypto';
import pkcs11js from 'pkcs11js';
import { AppError } from '../lib/errors.ts';
import type { Secret } from '../config/secret.ts';
import type { KeyProvider } from './key-provider.ts';
import { wrapAad } from './key-provider.ts';
import { gcmNonceBytes, gcmTagBytes } from './aes-gcm.ts';

/** Options of {@link openPkcs11KeyProvider}. */
export interface Pkcs11KeyProviderOptions {
  /** The PKCS#11 module (shared library), e.g. /usr/lib/softhsm/libsofthsm2.so. */
  readonly module: string;
  /** Label of the token that holds the KEK. */
  readonly tokenLabel: string;
  /** User PIN of the token. */
  readonly pin: Secret;
  /** Label prefix of the KEK objects: one AES-256 key per version, `${keyLabel}-v${n}`. */
  readonly keyLabel: string;
}

type Handle = Buffer;

/**
 * Initialisations of each module in this process. C_Initialize/C_Finalize act on the whole
 * process (the library is loaded once however many handles open it), so the last provider to
 * close a module finalises it; this map mirrors that process-wide native state.
 */
const moduleUsers = new Map<string, number>();

/**
 * Opens the KEK in an HSM through PKCS#11 (binding: pkcs11js). The KEK versions are AES-256
 * secret key objects labelled `${keyLabel}-v${n}` with CKA_TOKEN, CKA_PRIVATE and CKA_SENSITIVE
 * true and CKA_EXTRACTABLE false, generated in the token at first use. Wrapping runs INSIDE the
 * token as CKM_AES_GCM encryption of the data key (random 12-byte IV, AAD "custos-dek" ‖ version,
 * 128-bit tag); the wrapped form `iv ‖ ciphertext ‖ tag` is the same layout the file provider
 * writes. The KEK MUST NOT leave the token; retire destroys its object.
 *
 * Calls are synchronous native calls (microseconds on SoftHSM2; a network HSM blocks the event
 * loop for a round trip, which the data key cache keeps rare). Failures are AppError
 * KEY_UNAVAILABLE with one line ("PKCS#11: token 'custos' not found", "PKCS#11: PIN incorrect").
 */
export async function openPkcs11KeyProvider(opts: Pkcs11KeyProviderOptions): Promise<KeyProvider> {
  const lib = new pkcs11js.PKCS11();
  try {
    lib.load(opts.module);
  } catch {
    throw unavailable(`module ${opts.module} cannot be loaded`);
  }
  try {
    lib.C_Initialize();
  } catch (e) {
    if (ckr(e) !== pkcs11js.CKR_CRYPTOKI_ALREADY_INITIALIZED) throw unavailable(`C_Initialize failed (${ckrName(e)})`);
  }
  moduleUsers.set(opts.module, (moduleUsers.get(opts.module) ?? 0) + 1);
  let session: Handle | null = null;
  try {
    const slot = lib.C_GetSlotList(true).find((s) => lib.C_GetTokenInfo(s).label.trim() === opts.tokenLabel);
    if (slot === undefined) throw unavailable(`token '${opts.tokenLabel}' not found`);
    session = lib.C_OpenSession(slot, pkcs11js.CKF_SERIAL_SESSION | pkcs11js.CKF_RW_SESSION);
    try {
      lib.C_Login(session, pkcs11js.CKU_USER, opts.pin.reveal());
    } catch (e) {
      const code = ckr(e);
      if (code === pkcs11js.CKR_PIN_INCORRECT) throw unavailable('PIN incorrect');
      if (code === pkcs11js.CKR_PIN_LOCKED) throw unavailable(`PIN locked on token '${opts.tokenLabel}'`);
      if (code !== pkcs11js.CKR_USER_ALREADY_LOGGED_IN) throw unavailable(`login failed (${ckrName(e)})`);
    }
    const provider = new Pkcs11KeyProvider(lib, opts.module, session, opts.keyLabel);
    provider.load();
    return provider;
  } catch (e) {
    release(lib, opts.module, session);
    throw e instanceof AppError ? e : unavailable(`token '${opts.tokenLabel}' cannot be used (${ckrName(e)})`);
  }
}

class Pkcs11KeyProvider implements KeyProvider {
  readonly kind = 'pkcs11';
  readonly #lib: pkcs11js.PKCS11;
  readonly #module: string;
  readonly #session: Handle;
  readonly #keyLabel: string;
  readonly #keks = new Map<number, Handle>();
  #current = 0;
  #closed = false;

  constructor(lib: pkcs11js.PKCS11, module: string, session: Handle, keyLabel: string) {
    this.#lib = lib;
    this.#module = module;
    this.#session = session;
    this.#keyLabel = keyLabel;
  }

  /** Finds the KEK versions in the token, generating version 1 when there is none. */
  load(): void {
    const lib = this.#lib;
    lib.C_FindObjectsInit(this.#session, [
      { type: pkcs11js.CKA_CLASS, value: pkcs11js.CKO_SECRET_KEY },
      { type: pkcs11js.CKA_TOKEN, value: true },
    ]);
    const handles: Handle[] = [];
    try {
      for (let batch = lib.C_FindObjects(this.#session, 100); batch.length > 0; batch = lib.C_FindObjects(this.#session, 100)) handles.push(...batch);
    } finally {
      lib.C_FindObjectsFinal(this.#session);
    }
    const prefix = `${this.#keyLabel}-v`;
    for (const handle of handles) {
      const [label] = lib.C_GetAttributeValue(this.#session, handle, [{ type: pkcs11js.CKA_LABEL }]);
      const text = label?.value instanceof Buffer ? label.value.toString('utf8') : '';
      const version = text.startsWith(prefix) ? Number(text.slice(prefix.length)) : NaN;
      if (Number.isSafeInteger(version) && version > 0) this.#keks.set(version, handle);
    }
    this.#current = Math.max(0, ...this.#keks.keys());
    if (this.#current === 0) this.#generate(1);
  }

  currentVersion(): number {
    return this.#current;
  }

  versions(): number[] {
    return [...this.#keks.keys()].sort((a, b) => a - b);
  }

  async wrap(dataKey: Buffer): Promise<{ version: number; wrapped: Buffer }> {
    const version = this.#current;
    const kek = this.#kek(version);
    const iv = randomBytes(gcmNonceBytes);
    try {
      this.#lib.C_EncryptInit(this.#session, gcm(iv, version), kek);
      const out = this.#lib.C_Encrypt(this.#session, dataKey, Buffer.alloc(dataKey.length + gcmTagBytes));
      return { version, wrapped: Buffer.concat([iv, out]) };
    } catch (e) {
      throw unavailable(`wrapping under ${this.#keyLabel}-v${version} failed (${ckrName(e)})`);
    }
  }

  async unwrap(version: number, wrapped: Buffer): Promise<Buffer> {
    const kek = this.#kek(version);
    if (wrapped.length < gcmNonceBytes + gcmTagBytes) throw unavailable(`a data key under ${this.#keyLabel}-v${version} is malformed`);
    const iv = wrapped.subarray(0, gcmNonceBytes);
    const body = wrapped.subarray(gcmNonceBytes);
    try {
      this.#lib.C_DecryptInit(this.#session, gcm(Buffer.from(iv), version), kek);
      const out = this.#lib.C_Decrypt(this.#session, Buffer.from(body), Buffer.alloc(body.length));
      return Buffer.from(out);
    } catch (e) {
      throw unavailable(`a data key under ${this.#keyLabel}-v${version} does not unwrap (${ckrName(e)})`);
    }
  }

  async rotate(): Promise<number> {
    this.#open();
    const version = this.#current + 1;
    this.#generate(version);
    return version;
  }

  async retire(version: number): Promise<void> {
    this.#open();
    if (version === this.#current) throw new AppError('CONFLICT', `master key version ${version} is current and cannot be retired`);
    const handle = this.#keks.get(version);
    if (handle === undefined) return;
    try {
      this.#lib.C_DestroyObject(this.#session, handle);
    } catch (e) {
      throw unavailable(`${this.#keyLabel}-v${version} cannot be destroyed (${ckrName(e)})`);
    }
    this.#keks.delete(version);
  }

  async close(): Promise<void> {
    if (this.#closed) return;
    this.#closed = true;
    this.#keks.clear();
    release(this.#lib, this.#module, this.#session);
  }

  #generate(version: number): void {
    const label = `${this.#keyLabel}-v${version}`;
    try {
      const handle = this.#lib.C_GenerateKey(this.#session, { mechanism: pkcs11js.CKM_AES_KEY_GEN }, [
        { type: pkcs11js.CKA_CLASS, value: pkcs11js.CKO_SECRET_KEY },
        { type: pkcs11js.CKA_KEY_TYPE, value: pkcs11js.CKK_AES },
        { type: pkcs11js.CKA_VALUE_LEN, value: 32 },
        { type: pkcs11js.CKA_LABEL, value: label },
        { type: pkcs11js.CKA_TOKEN, value: true },
        { type: pkcs11js.CKA_PRIVATE, value: true },
        { type: pkcs11js.CKA_SENSITIVE, value: true },
        { type: pkcs11js.CKA_EXTRACTABLE, value: false },
        { type: pkcs11js.CKA_ENCRYPT, value: true },
        { type: pkcs11js.CKA_DECRYPT, value: true },
        { type: pkcs11js.CKA_WRAP, value: false },
        { type: pkcs11js.CKA_UNWRAP, value: false },
      ]);
      this.#keks.set(version, handle);
      this.#current = version;
    } catch (e) {
      throw unavailable(`${label} cannot be generated (${ckrName(e)})`);
    }
  }

  #kek(version: number): Handle {
    this.#open();
    const handle = this.#keks.get(version);
    if (handle === undefined) throw unavailable(`master key ${this.#keyLabel}-v${version} is retired or unknown`);
    return handle;
  }

  #open(): void {
    if (this.#closed) throw unavailable('the provider is closed');
  }
}

function gcm(iv: Buffer, version: number): pkcs11js.Mechanism {
  const parameter: pkcs11js.GcmParams = { type: pkcs11js.CK_PARAMS_GCM, iv, ivBits: iv.length * 8, aad: wrapAad(version), tagBits: gcmTagBytes * 8 };
  return { mechanism: pkcs11js.CKM_AES_GCM, parameter };
}

/** Closes the session and finalises the module when this was its last user. Never throws. */
function release(lib: pkcs11js.PKCS11, module: string, session: Handle | null): void {
  try {
    if (session !== null) lib.C_CloseSession(session);
  } catch {
    // the session is gone either way
  }
  const users = (moduleUsers.get(module) ?? 1) - 1;
  if (users > 0) {
    moduleUsers.set(module, users);
    return;
  }
  moduleUsers.delete(module);
  try {
    lib.C_Finalize();
  } catch {
    // already finalised
  }
}

function unavailable(why: string): AppError {
  return new AppError('KEY_UNAVAILABLE', `PKCS#11: ${why}`);
}

function ckr(e: unknown): number {
  return e instanceof pkcs11js.Pkcs11Error ? e.code : -1;
}

function ckrName(e: unknown): string {
  return e instanceof pkcs11js.NativeError ? e.message.split('\n')[0] ?? 'error' : e instanceof Error ? e.message.split('\n')[0] ?? 'error' : 'error';
}
