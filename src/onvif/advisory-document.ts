/**
 * The front door of advisory import (AST-4): bounds the size, parses JSON, recognises the format
 * (CSAF 2.0 or OSV) and hands the document to its reader. Every refusal is ADVISORY_REFUSED
 * with a stable `details.reason` (advisory.ts); nothing is stored for a refused document.
 *
 * The document's identity hash is the SHA-256 of its compact JSON (`JSON.stringify` of the
 * parsed value, member order as written), so the same document imported from a file or through
 * the API has the same hash whatever its whitespace.
 */
import { createHash } from 'node:crypto';
import { MAX_ADVISORY_BYTES, refuse, type Advisory } from './advisory.ts';
import { looksLikeCsaf, parseCsaf } from './csaf-advisory.ts';
import { looksLikeOsv, parseOsv } from './osv-advisory.ts';

/** Reads an advisory from the bytes of a file. */
export function readAdvisoryBytes(bytes: Uint8Array): Advisory {
  if (bytes.byteLength > MAX_ADVISORY_BYTES) refuse('too-large', `the document is ${bytes.byteLength} bytes, over the limit of ${MAX_ADVISORY_BYTES}`);
  let textOf: string;
  try {
    textOf = new TextDecoder('utf-8', { fatal: true, ignoreBOM: false }).decode(bytes);
  } catch {
    return refuse('not-json', 'the document is not UTF-8');
  }
  let doc: unknown;
  try {
    doc = JSON.parse(textOf);
  } catch {
    return refuse('not-json', 'the document is not JSON');
  }
  return readAdvisoryValue(doc);
}

/** Reads an advisory from a parsed JSON value (the API's request body). */
export function readAdvisoryValue(doc: unknown): Advisory {
  if (typeof doc !== 'object' || doc === null || Array.isArray(doc)) return refuse('not-json', 'the document must be a JSON object');
  const compact = JSON.stringify(doc);
  if (Buffer.byteLength(compact) > MAX_ADVISORY_BYTES) refuse('too-large', `the document is over the limit of ${MAX_ADVISORY_BYTES} bytes`);
  const sha256 = createHash('sha256').update(compact).digest('hex');
  const record = doc as Record<string, unknown>;
  if (looksLikeCsaf(record)) return parseCsaf(record, sha256);
  if (looksLikeOsv(record)) return parseOsv(record, sha256);
  return refuse('unknown-format', 'neither a CSAF 2.0 document (document.csaf_version) nor an OSV record (id, modified, affected)');
}
