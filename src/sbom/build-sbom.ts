/** Assembles the SBOM service of the server: the file at `sbom.file` (or the installation's) and the SBOM key. */
import { resolve } from 'node:path';
import type { DataKeys } from '../keys/data-keys.ts';
import { defaultSbomPath, readSbomFile } from './sbom-files.ts';
import { loadSbomKey } from './sbom-key.ts';
import { SbomService } from './sbom.service.ts';

/** `file`: the configured `sbom.file` ('' for the default). */
export function buildSbom(file: string, dataKeys: DataKeys): SbomService {
  const path = file === '' ? defaultSbomPath : resolve(file);
  return new SbomService({ read: () => readSbomFile(path), key: () => loadSbomKey(dataKeys) });
}
