import { readdir, readFile } from 'node:fs/promises';
import { z } from 'zod';
import { routeDefiner, type Route } from './route.ts';

/** Public routes of the server itself: their handlers see no request context. */
const defineRoute = routeDefiner<object>();

/** The built operator console (ADR 0035): `node scripts/web-build.ts`, run by scripts/prereqs.sh. */
const distDir = new URL('../../web/dist/', import.meta.url);

/**
 * The page's CSP: scripts, styles, media and connections from this origin only; no inline
 * script or style, no eval. The build (scripts/web-build.ts) MUST keep emitting none.
 */
const contentSecurityPolicy = "default-src 'self'; media-src 'self' blob:; connect-src 'self'; worker-src 'self' blob:; img-src 'self' data:; style-src 'self'; script-src 'self'; frame-ancestors 'none'";

const mediaTypes: Readonly<Record<string, string>> = {
  js: 'text/javascript; charset=utf-8',
  css: 'text/css; charset=utf-8',
  svg: 'image/svg+xml',
  png: 'image/png',
  woff2: 'font/woff2',
};

/** An asset name as Vite writes them (`index-Bk6os65m.js`): no path, no dot first. */
const assetName = z.string().regex(/^[A-Za-z0-9_-][A-Za-z0-9._-]{0,127}$/);

const notBuilt = 'The operator console is not built. Run `node scripts/web-build.ts` (npm test and npm run demo do it).\n';

/**
 * The operator console: its page and the files the build wrote to web/dist/assets. A request's
 * file name is only ever a key into the directory's listing, so no path from a request reaches fs.
 */
export function webRoutes(): Route<object, 'public', never>[] {
  /** Asset names by listing of web/dist/assets, read at the first request (and again for an unknown name). */
  let listing: Promise<ReadonlySet<string>> | null = null;
  const assets = (fresh: boolean) => {
    if (!listing || fresh) listing = readdir(new URL('assets/', distDir)).then((names) => new Set(names), () => new Set<string>());
    return listing;
  };
  return [
    defineRoute({
      method: 'GET',
      url: '/',
      access: 'public',
      summary: 'The operator console',
      tag: 'web',
      response: { status: 200, mediaType: 'text/html; charset=utf-8' },
      handler: async ({ reply }) => {
        reply.header('content-security-policy', contentSecurityPolicy).header('cache-control', 'no-cache');
        let html: Buffer;
        try {
          html = await readFile(new URL('index.html', distDir));
        } catch {
          await reply.code(503).type('text/plain; charset=utf-8').send(notBuilt);
          return undefined;
        }
        await reply.type('text/html; charset=utf-8').send(html);
        return undefined;
      },
    }),
    defineRoute({
      method: 'GET',
      url: '/assets/:file',
      access: 'public',
      summary: 'A file of the built operator console (content-hashed name)',
      tag: 'web',
      params: z.object({ file: assetName }),
      response: { status: 200, mediaType: 'application/octet-stream' },
      handler: async ({ params, reply }) => {
        const type = mediaTypes[params.file.slice(params.file.lastIndexOf('.') + 1)];
        const known = (await assets(false)).has(params.file) || (await assets(true)).has(params.file);
        if (!type || !known) {
          await reply.code(404).type('text/plain; charset=utf-8').send('no such file\n');
          return undefined;
        }
        await reply
          .type(type)
          // The name changes with the content: a browser may keep it for good.
          .header('cache-control', 'public, max-age=31536000, immutable')
          .header('content-security-policy', contentSecurityPolicy)
          .send(await readFile(new URL(`assets/${params.file}`, distDir)));
        return undefined;
      },
    }),
  ];
}
