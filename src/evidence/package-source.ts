/**
 * The files of an evidence package on disk, whether a directory or a zip of its files: the one
 * place the verifier touches the filesystem.
 *
 * Contracts:
 * - Opening never follows a symbolic link inside a directory package and never lists anything
 *   but regular files; links, devices and sockets are reported in `problems` and left out.
 * - Names are package paths (`/`-separated, relative); a zip's unsafe names are refused by
 *   zip-reader.ts and reported in `problems`.
 * - `read` refuses a file larger than `maxBytes` without reading it.
 * - Opening rejects (VALIDATION_FAILED or an errno error) when the path is neither a readable
 *   directory nor a readable zip.
 */
import { createReadStream } from 'node:fs';
import { lstat, opendir, stat } from 'node:fs/promises';
import { join } from 'node:path';
import { AppError } from '../lib/errors.ts';
import { MAX_FILES } from './evidence-format.ts';
import { openZip } from './zip-reader.ts';

/** An opened package. */
export interface PackageSource {
  readonly kind: 'directory' | 'zip';
  /** Every readable file: package path → size in bytes. */
  readonly files: ReadonlyMap<string, number>;
  /** Entries that were refused or left out, one line each. */
  readonly problems: readonly string[];
  /** The bytes of `path`, streamed. */
  stream(path: string): AsyncIterable<Buffer>;
  /** The whole of `path`; rejects when it is larger than `maxBytes`. */
  read(path: string, maxBytes: number): Promise<Buffer>;
  close(): Promise<void>;
}

/** Subdirectories deeper than this are not walked (the format has one level). */
const MAX_DEPTH = 4;
/** Directory entries (not only files) a zip may hold beyond the package's files. */
const SPARE_ENTRIES = 1000;

/** Opens the directory or zip file at `path`. */
export async function openPackage(path: string): Promise<PackageSource> {
  const info = await stat(path);
  if (info.isDirectory()) return openDirectory(path);
  if (!info.isFile()) throw new AppError('VALIDATION_FAILED', 'the package is neither a directory nor a file');
  const zip = await openZip(path, { maxEntries: MAX_FILES + SPARE_ENTRIES, maxCentralDirectoryBytes: 64 * 1024 * 1024 });
  const files = new Map(zip.files.map((f) => [f.name, f.size]));
  return withRead({ kind: 'zip', files, problems: zip.problems, stream: (name) => zip.stream(name), close: () => zip.close() });
}

async function openDirectory(root: string): Promise<PackageSource> {
  const files = new Map<string, number>();
  const problems: string[] = [];
  const pending: Array<{ rel: string; depth: number }> = [{ rel: '', depth: 0 }];
  walk: while (pending.length > 0) {
    const { rel, depth } = pending.pop() as { rel: string; depth: number };
    for await (const entry of await opendir(join(root, rel))) {
      const name = rel === '' ? entry.name : `${rel}/${entry.name}`;
      if (entry.isDirectory()) {
        if (depth + 1 >= MAX_DEPTH) problems.push(`${name}/: directories nest too deep; not read`);
        else pending.push({ rel: name, depth: depth + 1 });
      } else if (entry.isFile()) {
        if (files.size >= MAX_FILES) {
          problems.push(`the directory holds more than ${MAX_FILES} files; the rest were not read`);
          break walk;
        }
        files.set(name, (await lstat(join(root, name))).size);
      } else {
        problems.push(`${name}: ${entry.isSymbolicLink() ? 'is a symbolic link' : 'is not a regular file'}; refused`);
      }
    }
  }
  const pathOf = (name: string): string => {
    if (!files.has(name)) throw new AppError('VALIDATION_FAILED', `the package has no file ${name}`);
    return join(root, ...name.split('/'));
  };
  return withRead({
    kind: 'directory',
    files,
    problems,
    stream: (name) => createReadStream(pathOf(name), { highWaterMark: 1024 * 1024 }) as AsyncIterable<Buffer>,
    close: async () => undefined,
  });
}

/** Adds a bounded `read` on top of `stream`. */
function withRead(source: Omit<PackageSource, 'read'>): PackageSource {
  return {
    ...source,
    async read(name, maxBytes) {
      const size = source.files.get(name);
      if (size === undefined) throw new AppError('VALIDATION_FAILED', `the package has no file ${name}`);
      if (size > maxBytes) throw new AppError('VALIDATION_FAILED', `is ${size} bytes, more than the ${maxBytes} allowed`);
      const chunks: Buffer[] = [];
      let total = 0;
      for await (const chunk of source.stream(name)) {
        total += chunk.length;
        if (total > maxBytes) throw new AppError('VALIDATION_FAILED', `grew beyond the ${maxBytes} bytes allowed while read`);
        chunks.push(chunk);
      }
      return Buffer.concat(chunks);
    },
  };
}
