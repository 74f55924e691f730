/**
 * Staged firmware images (an adapter: .dependency-cruiser.cjs FS_ADAPTERS): images an operator
 * verified on the host (`custos firmware stage`) wait in `<dataDir>/firmware/<sha256>.bin`
 * (0600, directory 0700) until a four-eyes push sends one to a camera. Named by their SHA-256,
 * so a staged file is re-verified before use (FirmwareService.pushVerified), never trusted.
 */
import { mkdir, open, readFile, rename } from 'node:fs/promises';
import { join } from 'node:path';

const dirOf = (dataDir: string): string => join(dataDir, 'firmware');

/** Writes `image` as `<sha256>.bin` (beside, then renamed). */
export async function stageFirmwareImage(dataDir: string, sha256: string, image: Uint8Array): Promise<string> {
  await mkdir(dirOf(dataDir), { recursive: true, mode: 0o700 });
  const path = join(dirOf(dataDir), `${sha256}.bin`);
  const partial = `${path}.partial`;
  const f = await open(partial, 'w', 0o600);
  try {
    await f.writeFile(image);
    await f.sync();
  } finally {
    await f.close();
  }
  await rename(partial, path);
  return path;
}

/** The staged image named by `sha256`, or undefined. */
export async function readStagedFirmware(dataDir: string, sha256: string): Promise<Uint8Array | undefined> {
  if (!/^[0-9a-f]{64}$/.test(sha256)) return undefined;
  try {
    return await readFile(join(dirOf(dataDir), `${sha256}.bin`));
  } catch (e) {
    if ((e as NodeJS.ErrnoException).code === 'ENOENT') return undefined;
    throw e;
  }
}
