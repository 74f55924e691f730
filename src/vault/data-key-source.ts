/**
 * Where the vault gets its data keys (DEKs). Declared here, by its consumer; implemented by the
 * key management module (src/keys/), which wraps every DEK under the tenant's master key.
 */
export interface DataKeySource {
  /** The data key for a camera at a time (per camera per hour); creates and stores it wrapped if needed. */
  keyFor(cameraId: string, atMs: number): Promise<{ id: string; key: Buffer }>;
  /** A data key by id; rejects AppError KEY_UNAVAILABLE (key destroyed, provider down). */
  keyById(id: string): Promise<Buffer>;
}
