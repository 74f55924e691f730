// Builds the operator console (web/ → web/dist/) with Vite when its sources changed (ADR 0035).
// scripts/prereqs.sh runs it, so `npm run demo` and `npm test` build with no extra step; run
// alone: `node scripts/web-build.ts` (stale only) or `node scripts/web-build.ts --force`.
// The build MUST emit no inline script or style: the page's CSP (src/http/web.routes.ts) forbids them.
import { createHash } from 'node:crypto';
import { readdir, readFile, rename, rm, writeFile } from 'node:fs/promises';
import { join, relative } from 'node:path';
import { fileURLToPath } from 'node:url';

const repo = new URL('../', import.meta.url);
/** The console's sources, output and the stamp naming the sources' digest it was built from. */
export const webRoot = fileURLToPath(new URL('web/', repo));
export const webDist = fileURLToPath(new URL('web/dist/', repo));
const stampName = '.build-digest';

/** Every input of the build, as paths relative to the repository, sorted. */
async function inputs(): Promise<string[]> {
  const root = fileURLToPath(repo);
  const src = (await readdir(new URL('web/src/', repo), { recursive: true, withFileTypes: true }))
    .filter((e) => e.isFile())
    .map((e) => relative(root, join(e.parentPath, e.name)));
  return [...src, 'web/index.html', 'web/tsconfig.json', 'scripts/web-build.ts', 'package-lock.json'].sort();
}

/** SHA-256 over the names and bytes of every input: equal digests, equal builds. */
export async function sourceDigest(): Promise<string> {
  const hash = createHash('sha256');
  for (const file of await inputs()) {
    hash.update(`${file}\0`);
    hash.update(await readFile(new URL(file, repo)));
    hash.update('\0');
  }
  return hash.digest('hex');
}

/** The digest web/dist/ was built from, or null when there is no complete build. */
async function builtDigest(): Promise<string | null> {
  try {
    return (await readFile(`${webDist}${stampName}`, 'utf8')).trim();
  } catch {
    return null;
  }
}

/**
 * Builds the console into web/dist/ unless it is already built from the same sources. Writes
 * into a fresh directory and swaps it in, so a server never serves half a build.
 */
export async function buildWeb(opts: { force?: boolean; quiet?: boolean } = {}): Promise<'built' | 'fresh'> {
  const digest = await sourceDigest();
  if (!opts.force && (await builtDigest()) === digest) return 'fresh';
  const { build } = await import('vite');
  const staging = `${webDist.replace(/\/$/, '')}.tmp-${process.pid}`;
  await rm(staging, { recursive: true, force: true });
  await build({
    configFile: false,
    root: webRoot,
    base: '/',
    logLevel: opts.quiet ? 'warn' : 'info',
    oxc: { jsx: { runtime: 'automatic', importSource: 'preact' } },
    build: {
      outDir: staging,
      emptyOutDir: true,
      target: 'es2022',
      // Vite's preload polyfill and any inlined asset would need an inline script or data: URL.
      modulePreload: { polyfill: false },
      assetsInlineLimit: 0,
      sourcemap: false,
      reportCompressedSize: false,
      chunkSizeWarningLimit: 1024,
    },
  });
  await writeFile(`${staging}/${stampName}`, `${digest}\n`);
  await rm(webDist, { recursive: true, force: true });
  await rename(staging, webDist);
  return 'built';
}

if (import.meta.main) {
  const force = process.argv.includes('--force');
  const result = await buildWeb({ force, quiet: !force });
  if (result === 'built') console.error('custos: built the operator console (web/dist/)');
}
