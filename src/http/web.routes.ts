import { readFile } from 'node:fs/promises';
import { createRequire } from 'node:module';
import { routeDefiner, type Route } from './route.ts';

/** Public routes of the server itself: their handlers see no request context. */
const defineRoute = routeDefiner<object>();

const webDir = new URL('../../web/', import.meta.url);

/** The static files of the minimal page; a fixed list, so no path from a request reaches fs. */
const files: Array<{ url: string; file: () => string | URL; type: string }> = [
  { url: '/', file: () => new URL('index.html', webDir), type: 'text/html; charset=utf-8' },
  { url: '/app.js', file: () => new URL('app.js', webDir), type: 'text/javascript; charset=utf-8' },
  { url: '/api.js', file: () => new URL('api.js', webDir), type: 'text/javascript; charset=utf-8' },
  { url: '/auth.js', file: () => new URL('auth.js', webDir), type: 'text/javascript; charset=utf-8' },
  { url: '/cameras.js', file: () => new URL('cameras.js', webDir), type: 'text/javascript; charset=utf-8' },
  { url: '/dom.js', file: () => new URL('dom.js', webDir), type: 'text/javascript; charset=utf-8' },
  { url: '/format.js', file: () => new URL('format.js', webDir), type: 'text/javascript; charset=utf-8' },
  { url: '/live-player.js', file: () => new URL('live-player.js', webDir), type: 'text/javascript; charset=utf-8' },
  { url: '/recordings.js', file: () => new URL('recordings.js', webDir), type: 'text/javascript; charset=utf-8' },
  { url: '/webauthn.js', file: () => new URL('webauthn.js', webDir), type: 'text/javascript; charset=utf-8' },
  { url: '/style.css', file: () => new URL('style.css', webDir), type: 'text/css; charset=utf-8' },
  { url: '/vendor/hls.min.js', file: () => createRequire(import.meta.url).resolve('hls.js/dist/hls.min.js'), type: 'text/javascript; charset=utf-8' },
];

/** The minimal operator page (camera list, live tiles, recent playback). */
export function webRoutes(): Route<object, 'public', never>[] {
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
