/**
 * Where the master key (KEK) lives. A provider wraps and unwraps data keys (DEKs) and MUST NOT
 * hand out the KEK itself; see docs/reference/keys.md and FORMATS.md "Encryption at rest".
 *
 * Contracts every provider MUST keep:
 * - `wrap` uses `currentVersion()`; `unwrap(v, w)` works for every `v` in `versions()` and fails
 *   with AppError KEY_UNAVAILABLE (one line, no key material) for a retired or unknown version,
 *   for a wrapped value that does not authenticate, or when the provider cannot be reached.
 * - `rotate` makes a new version current and keeps the old ones usable for `unwrap` until
 *   `retire`; `retire` MUST refuse the current version, and is irreversible.
 * - Versions are positive integers that only grow; a retired number is never reused.
 *
 * Other backends fit the same shape (not built):
 * - **vault-transit** (OpenBao / HashiCorp Vault transit engine): `wrap` = `POST
 *   transit/encrypt/<key>` of the base64 DEK, the returned `vault:v<N>:…` carries the version;
 *   `unwrap` = `transit/decrypt`; `rotate` = `transit/keys/<key>/rotate` (then read
 *   `latest_version`); `retire` = raise `min_decryption_version` past the old version (and
 *   `transit/keys/<key>/trim` to destroy it). `rewrapAll` could use `transit/rewrap`.
 * - **Cloud KMS** (AWS KMS, GCP Cloud KMS, Azure Key Vault): `wrap`/`unwrap` = Encrypt/Decrypt
 *   (or WrapKey/UnwrapKey) of the DEK with an encryption context of "custos-dek"; versions map
 *   to key versions (GCP, Azure) or to distinct key ids in an alias (AWS, which rotates
 *   transparently, so there `versions()` is the set of key ids we created); `retire` = schedule
 *   destruction / disable the version.
 */
export interface KeyProvider {
  readonly kind: 'file' | 'pkcs11';
  /** Version of the master key (KEK) that wraps new data keys. */
  currentVersion(): number;
  /** Versions still able to unwrap, ascending. */
  versions(): number[];
  /** Wraps a data key under the current KEK version. */
  wrap(dataKey: Buffer): Promise<{ version: number; wrapped: Buffer }>;
  /** Unwraps a data key; AppError KEY_UNAVAILABLE on any failure. */
  unwrap(version: number, wrapped: Buffer): Promise<Buffer>;
  /** Creates a new KEK version and makes it current; returns it. */
  rotate(): Promise<number>;
  /** Destroys an old KEK version (after every data key was re-wrapped). */
  retire(version: number): Promise<void>;
  /** Releases the provider (closes the HSM session); further calls MUST fail. */
  close(): Promise<void>;
}

/** Associated data binding a wrapped DEK to the KEK version that wrapped it. */
export function wrapAad(version: number): Buffer {
  return Buffer.from(`custos-dek${version}`, 'utf8');
}
