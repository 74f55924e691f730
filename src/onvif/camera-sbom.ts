/**
 * A vendor's SBOM for a camera (AST-5, issue 17 item 9): what Custos accepts to attach to an
 * inventory entry. CycloneDX JSON (`bomFormat` "CycloneDX", `specVersion` 1.2 to 1.7) or SPDX
 * JSON (`spdxVersion` "SPDX-2.x"), at most {@link maxCameraSbomBytes} serialised. The shape is
 * checked, not the whole schema (the schema validator is a development dependency); the
 * document is kept as given and its SHA-256 names it.
 */
import { createHash } from 'node:crypto';
import { AppError } from '../lib/errors.ts';

/** The largest SBOM accepted: the API's request body limit. */
export const maxCameraSbomBytes = 1024 * 1024;

/** What an attached SBOM is. */
export interface CameraSbomSummary {
  readonly format: 'CycloneDX' | 'SPDX';
  readonly specVersion: string;
  readonly sha256: string;
  readonly bytes: number;
  /** CycloneDX components or SPDX packages listed at the top level. */
  readonly components: number;
}

const bad = (why: string): AppError => new AppError('VALIDATION_FAILED', `not an SBOM Custos accepts: ${why}`);

/** Checks a parsed document and returns its summary and the text kept; VALIDATION_FAILED otherwise. */
export function checkCameraSbom(doc: unknown): { summary: CameraSbomSummary; text: string } {
  if (typeof doc !== 'object' || doc === null || Array.isArray(doc)) throw bad('a JSON object is needed');
  const text = JSON.stringify(doc);
  const bytes = Buffer.byteLength(text);
  if (bytes > maxCameraSbomBytes) throw bad(`larger than ${maxCameraSbomBytes} bytes`);
  const d = doc as Record<string, unknown>;
  const sha256 = createHash('sha256').update(text).digest('hex');
  if (d.bomFormat === 'CycloneDX') {
    if (typeof d.specVersion !== 'string' || !/^1\.[2-7]$/.test(d.specVersion)) throw bad('CycloneDX specVersion must be 1.2 to 1.7');
    if (d.components !== undefined && !Array.isArray(d.components)) throw bad('CycloneDX components must be an array');
    return { summary: { format: 'CycloneDX', specVersion: d.specVersion, sha256, bytes, components: Array.isArray(d.components) ? d.components.length : 0 }, text };
  }
  if (typeof d.spdxVersion === 'string') {
    if (!/^SPDX-2\.\d$/.test(d.spdxVersion)) throw bad('SPDX spdxVersion must be SPDX-2.x');
    if (d.packages !== undefined && !Array.isArray(d.packages)) throw bad('SPDX packages must be an array');
    return { summary: { format: 'SPDX', specVersion: d.spdxVersion, sha256, bytes, components: Array.isArray(d.packages) ? d.packages.length : 0 }, text };
  }
  throw bad('neither CycloneDX JSON (bomFormat) nor SPDX JSON (spdxVersion)');
}
