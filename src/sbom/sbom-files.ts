/**
 * The SBOM on disk (an adapter: .dependency-cruiser.cjs FS_ADAPTERS): where this installation's
 * SBOM lives, generating it with @cyclonedx/cyclonedx-npm from package-lock.json, and reading it.
 *
 * The SBOM describes what Custos runs: the runtime dependency tree of the lock file (`--omit
 * dev`, `--package-lock-only`), CycloneDX 1.6 JSON, reproducible (no timestamp or random serial),
 * validated by the generator against the schema when its validator is installed.
 */
import { execFile } from 'node:child_process';
import { mkdir, readFile, rename, rm, stat } from 'node:fs/promises';
import { createRequire } from 'node:module';
import { dirname, join, resolve } from 'node:path';
import { promisify } from 'node:util';
import { AppError } from '../lib/errors.ts';

/** The installation's root (the directory holding package.json and package-lock.json). */
export const installRoot = resolve(import.meta.dirname, '../..');

/** Where `custos sbom generate` writes and the server reads by default (`sbom.file`). */
export const defaultSbomPath = join(installRoot, 'build', 'custos.cdx.json');

/** The largest SBOM the server reads (Custos's own is ~170 KB). */
const maxSbomBytes = 16 * 1024 * 1024;

function generatorCli(): string {
  try {
    // The package exports only its index; the CLI is its declared bin beside it.
    const main = createRequire(join(installRoot, 'package.json')).resolve('@cyclonedx/cyclonedx-npm');
    return join(dirname(main), 'bin', 'cyclonedx-npm-cli.js');
  } catch {
    throw new AppError('SBOM_UNAVAILABLE', 'the SBOM generator @cyclonedx/cyclonedx-npm is not installed (run npm ci in the installation directory)');
  }
}

/**
 * Generates the SBOM of the installation at `root` into `out` (written beside, then renamed, so
 * a reader never sees half a file). Needs `npm` on PATH (the generator runs `npm ls`).
 */
export async function generateSbom(out: string, root = installRoot): Promise<{ path: string; bytes: number }> {
  const cli = generatorCli();
  const target = resolve(out);
  await mkdir(dirname(target), { recursive: true });
  const partial = `${target}.partial`;
  try {
    await promisify(execFile)(process.execPath, [
      cli, '--package-lock-only', '--omit', 'dev', '--spec-version', '1.6', '--output-format', 'JSON',
      '--output-reproducible', '--validate', '--output-file', partial, join(root, 'package.json'),
    ], { cwd: root, maxBuffer: 4 * 1024 * 1024, timeout: 120_000 });
    await rename(partial, target);
  } catch (e) {
    await rm(partial, { force: true });
    const raw = (e as { stderr?: unknown }).stderr;
    const stderr = (typeof raw === 'string' ? raw : '').trim().split('\n').filter((l) => l !== '').at(-1) ?? (e as Error).message;
    throw new AppError('SBOM_UNAVAILABLE', `the SBOM generator failed: ${stderr.slice(0, 200)}`);
  }
  return { path: target, bytes: (await stat(target)).size };
}

/** The SBOM bytes at `path`, or undefined when none was generated. */
export async function readSbomFile(path: string): Promise<Uint8Array | undefined> {
  try {
    const s = await stat(path);
    if (s.size > maxSbomBytes) throw new AppError('SBOM_UNAVAILABLE', `the SBOM at ${path} is larger than ${maxSbomBytes} bytes`);
    return await readFile(path);
  } catch (e) {
    if ((e as NodeJS.ErrnoException).code === 'ENOENT') return undefined;
    throw e;
  }
}
