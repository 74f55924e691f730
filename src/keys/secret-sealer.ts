/**
 * Seals secrets before they reach the database and opens them after (the master key's
 * `DataKeys.sealSecret`/`openSecret`). Sealed values start with `v1:`.
 */
export interface SecretSealer {
  sealSecret(plain: string): Promise<string>;
  openSecret(sealed: string): Promise<string>;
}
