import { AppError } from '../lib/errors.ts';

/** A camera URL split into its credential-free form and the credentials it carried. */
export interface ParsedCameraUrl {
  readonly url: string;
  readonly username: string | null;
  readonly password: string | null;
}

/**
 * Validates a camera URL: `rtsp://` or `rtsps://`, a host, no fragment. Userinfo, if present,
 * is taken out (decoded) so the stored URL never carries credentials. Errors MUST NOT echo the
 * URL back, since it may hold a password.
 */
export function parseCameraUrl(input: string): ParsedCameraUrl {
  let url: URL;
  try {
    url = new URL(input.trim());
  } catch {
    throw new AppError('CAMERA_URL_INVALID', 'camera URL is not a valid URL');
  }
  if (url.protocol !== 'rtsp:' && url.protocol !== 'rtsps:') {
    throw new AppError('CAMERA_URL_INVALID', `camera URL scheme must be rtsp or rtsps, not ${url.protocol.replace(/:$/, '').slice(0, 20)}`);
  }
  if (url.hostname === '') throw new AppError('CAMERA_URL_INVALID', 'camera URL has no host');
  if (url.hash !== '') throw new AppError('CAMERA_URL_INVALID', 'camera URL must not have a #fragment');
  const username = url.username === '' ? null : decodeUserinfo(url.username);
  const password = url.password === '' ? null : decodeUserinfo(url.password);
  url.username = '';
  url.password = '';
  return { url: url.href, username, password };
}

/** Percent-decodes a userinfo part; a malformed escape (`%zz`) is the caller's mistake, not ours. */
function decodeUserinfo(part: string): string {
  try {
    return decodeURIComponent(part);
  } catch {
    throw new AppError('CAMERA_URL_INVALID', 'camera URL holds a malformed percent-escape in its credentials');
  }
}

/**
 * True when both (credential-free, valid) camera URLs name the same host, case-insensitively;
 * scheme and port may differ. Stored credentials follow a camera only to its own host: they are
 * what another host would receive (Digest response, or Basic over TLS).
 */
export function sameCameraHost(a: string, b: string): boolean {
  return new URL(a).hostname.toLowerCase() === new URL(b).hostname.toLowerCase();
}

/** The transport a camera URL implies: TLS (`rtsps`) or plaintext (`rtsp`, a CRY-2 risk). */
export function cameraTransport(url: string): 'tls' | 'plaintext' {
  return url.startsWith('rtsps:') ? 'tls' : 'plaintext';
}
