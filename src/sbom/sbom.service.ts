/**
 * Custos's own SBOM as served (AST-5): the generated CycloneDX file and its detached signature by
 * the dedicated SBOM key, signed on first request after the file changed (the bytes' SHA-256 is
 * the cache key). Reading the file and the key come in as functions.
 */
import { createHash } from 'node:crypto';
import { AppError } from '../lib/errors.ts';
import type { SbomKey } from './sbom-key.ts';
import { signSbom } from './sbom-signature.ts';

/** The served SBOM. */
export interface SignedSbom {
  readonly bytes: Uint8Array;
  readonly sha256: string;
  /** The signed note (sbom-signature.ts). */
  readonly signature: string;
}

/** Serves the SBOM and its signature. */
export class SbomService {
  readonly #read: () => Promise<Uint8Array | undefined>;
  readonly #key: () => Promise<SbomKey>;
  #cached: SignedSbom | undefined;

  constructor(deps: { read: () => Promise<Uint8Array | undefined>; key: () => Promise<SbomKey> }) {
    this.#read = deps.read;
    this.#key = deps.key;
  }

  /** The current SBOM, signed; SBOM_UNAVAILABLE when none was generated. */
  async current(): Promise<SignedSbom> {
    const bytes = await this.#read();
    if (bytes === undefined) throw new AppError('SBOM_UNAVAILABLE', 'no SBOM was generated for this installation; run custos sbom generate (scripts/prereqs.sh does)');
    const sha256 = createHash('sha256').update(bytes).digest('hex');
    if (this.#cached?.sha256 !== sha256) this.#cached = { bytes, sha256, signature: signSbom(bytes, (await this.#key()).signer) };
    return this.#cached;
  }

  /** The verifier key (vkey text). */
  async vkey(): Promise<string> {
    return (await this.#key()).vkey;
  }
}
