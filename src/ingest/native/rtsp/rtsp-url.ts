/**
 * RTSP URLs: where a camera URL points, the base and control URLs of a presentation (RFC 2326
 * §C.1.1) and redirect targets (§11.3.2–§11.3.3). Pure.
 *
 * Relative `a=control` values are appended to the base rather than resolved per RFC 3986: the
 * base `rtsp://cam/live?channel=1/` with `trackID=0` must give `…channel=1/trackID=0`, which is
 * what cameras expect and what live555 and ffmpeg send; RFC 3986 resolution would drop the query.
 */
import { AppError } from '../../../lib/errors.ts';

/** Default port of rtsp:// (RFC 2326 §3.2). */
export const RTSP_DEFAULT_PORT = 554;
/** Default port of rtsps:// (RFC 7826 §19.2), as ffmpeg uses. */
export const RTSPS_DEFAULT_PORT = 322;

/** Where to open the TCP (or TLS) connection for a URL; `host` has no IPv6 brackets. */
export interface RtspEndpoint {
  readonly secure: boolean;
  readonly host: string;
  readonly port: number;
}

// eslint-disable-next-line no-control-regex
const UNSAFE = /[\x00-\x20\x7f]/;

function parse(url: string): URL | undefined {
  try {
    const u = new URL(url);
    return u.protocol === 'rtsp:' || u.protocol === 'rtsps:' ? u : undefined;
  } catch {
    return undefined;
  }
}

/**
 * Checks a camera URL given by the caller: rtsp:// or rtsps://, a host, no userinfo (credentials
 * are passed apart), no fragment. VALIDATION_FAILED otherwise; the message never echoes the URL.
 */
export function checkCameraUrl(url: string): RtspEndpoint {
  const u = parse(url);
  if (u === undefined || u.hostname === '' || UNSAFE.test(url)) {
    throw new AppError('VALIDATION_FAILED', 'the camera URL must be an rtsp:// or rtsps:// URL with a host');
  }
  if (u.username !== '' || u.password !== '') throw new AppError('VALIDATION_FAILED', 'the camera URL must not hold credentials');
  if (u.hash !== '') throw new AppError('VALIDATION_FAILED', 'the camera URL must not have a #fragment');
  return endpointOf(u);
}

function endpointOf(u: URL): RtspEndpoint {
  const secure = u.protocol === 'rtsps:';
  const host = u.hostname.replace(/^\[(.*)\]$/, '$1');
  const port = u.port === '' ? (secure ? RTSPS_DEFAULT_PORT : RTSP_DEFAULT_PORT) : Number(u.port);
  return { secure, host, port };
}

/** True when both URLs name the same host (case-insensitive); ports and schemes may differ. */
export function sameHost(a: string, b: string): boolean {
  const x = parse(a);
  const y = parse(b);
  return x !== undefined && y !== undefined && x.hostname.toLowerCase() === y.hostname.toLowerCase();
}

/**
 * The base URL for relative control URLs of a DESCRIBE answer (RFC 2326 §C.1.1): Content-Base,
 * else Content-Location, else the request URL. A header that is not an RTSP URL is ignored.
 */
export function presentationBase(requestUrl: string, contentBase: string | undefined, contentLocation: string | undefined): string {
  for (const candidate of [contentBase, contentLocation]) {
    if (candidate === undefined || candidate === '' || UNSAFE.test(candidate)) continue;
    try {
      const u = new URL(candidate, requestUrl);
      if ((u.protocol === 'rtsp:' || u.protocol === 'rtsps:') && u.username === '' && u.password === '') return u.href;
    } catch {
      // not a URL: next candidate
    }
  }
  return requestUrl;
}

/**
 * The URL a `a=control` value names: `*` or absent is the base itself; an absolute rtsp(s) URL
 * is used as is; anything else is appended to the base with one `/` between (see module note).
 * MEDIA_MALFORMED for a control with whitespace, a credential or a non-RTSP scheme.
 */
export function controlUrl(base: string, control: string | undefined): string {
  if (control === undefined || control === '' || control === '*') return base;
  if (UNSAFE.test(control)) throw new AppError('MEDIA_MALFORMED', 'an SDP a=control value holds whitespace or control characters');
  if (/^[a-z][a-z0-9+.-]*:/i.test(control)) {
    const u = parse(control);
    if (u === undefined) throw new AppError('MEDIA_MALFORMED', 'an SDP a=control value is not an RTSP URL');
    if (u.username !== '' || u.password !== '') throw new AppError('MEDIA_MALFORMED', 'an SDP a=control URL holds credentials');
    return control;
  }
  const joiner = base.endsWith('/') || control.startsWith('/') ? '' : '/';
  return `${base}${joiner}${control}`;
}

/**
 * The URL a 3xx answer's Location points to, resolved against the current URL, without userinfo
 * or fragment. CAMERA_UNREACHABLE when it is missing, not rtsp(s), or downgrades rtsps to rtsp.
 */
export function redirectTarget(current: string, location: string | undefined, status: number): string {
  if (location === undefined || location === '' || UNSAFE.test(location)) {
    throw new AppError('CAMERA_UNREACHABLE', `camera answered ${status} (redirect) without a usable Location`, { status });
  }
  let u: URL;
  try {
    u = new URL(location, current);
  } catch {
    throw new AppError('CAMERA_UNREACHABLE', `camera answered ${status} (redirect) with an invalid Location`, { status });
  }
  if (u.protocol !== 'rtsp:' && u.protocol !== 'rtsps:') {
    throw new AppError('CAMERA_UNREACHABLE', `camera redirected (${status}) to a ${u.protocol.replace(/:$/, '').slice(0, 16)} URL, not rtsp or rtsps`, { status });
  }
  if (current.toLowerCase().startsWith('rtsps:') && u.protocol === 'rtsp:') {
    throw new AppError('CAMERA_UNREACHABLE', `camera redirected (${status}) from rtsps:// to unencrypted rtsp://; refused`, { status });
  }
  if (u.hostname === '') throw new AppError('CAMERA_UNREACHABLE', `camera redirected (${status}) to a URL without a host`, { status });
  u.username = '';
  u.password = '';
  u.hash = '';
  return u.href;
}

/** The endpoint of a URL already checked or produced by this module. */
export function endpointOfUrl(url: string): RtspEndpoint {
  const u = parse(url);
  if (u === undefined) throw new AppError('VALIDATION_FAILED', 'not an rtsp:// or rtsps:// URL');
  return endpointOf(u);
}
