import { readFile } from 'node:fs/promises';
import { createRequire } from 'node:module';
import { defineRoute, type RouteSpec } from './route.ts';

const webDir = new URL('../../web/', import.meta.url);

/** The static files of the minimal page; a fixed list, so no path from a request reaches fs. */
const files: Array<{ url: string; file: () => string | URL; type: string }> = [
  { url: '/', file: () => new URL('index.html', webDir), type: 'text/html; charset=utf-8' },
  { url: '/app.js', file: () => new URL('app.js', webDir), type: 'text/javascript; charset=utf-8' },
  { url: '/style.css', file: () => new URL('style.css', webDir), type: 'text/css; charset=utf-8' },
  { url: '/vendor/hls.min.js', file: () => createRequire(import.meta.url).resolve('hls.js/dist/hls.min.js'), type: 'text/javascript; charset=utf-8' },
];

/** The minimal operator page (camera list, live tiles, recent playback). */
export function webRoutes(): RouteSpec[] {
  return files.map((f) =>
    defineRoute({
      method: 'GET',
      url: f.url,
      access: 'public',
      summary: `Web page file ${f.url}`,
      tag: 'web',
      response: { status: 200, mediaType: f.type },
      handler: async ({ reply }) => {
        await reply
          .type(f.type)
          .header('cache-control', 'no-cache')
          .header('content-security-policy', "default-src 'self'; media-src 'self' blob:; connect-src 'self'; worker-src 'self' blob:; img-src 'self' data:; style-src 'self'; script-src 'self'; frame-ancestors 'none'")
          .send(await readFile(f.file()));
        return undefined;
      },
    }),
  );
}
