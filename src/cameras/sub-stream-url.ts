import { AppError } from '../lib/errors.ts';
import type { Camera } from './camera.ts';
import { parseCameraUrl, sameCameraHost } from './camera-url.ts';

/**
 * Validates a camera's sub-stream URL (ADR 0037) against the camera it belongs to and returns it
 * without userinfo. The sub-stream is pulled with the camera's own credentials, so it MUST name
 * the same host (credentials go to no other host) and MUST NOT step down from rtsps:// to rtsp://
 * (they would cross the network in the clear). Userinfo in it is accepted only when it repeats
 * the camera's credentials, and is taken out. Errors MUST NOT echo the URL (it may hold a password).
 */
export function resolveSubStreamUrl(raw: string, camera: Pick<Camera, 'url' | 'username' | 'password'>): string {
  const parsed = parseCameraUrl(raw);
  const inUrl = parsed.username !== null || parsed.password !== null;
  if (inUrl && (parsed.username !== camera.username || parsed.password !== camera.password)) {
    throw new AppError('CAMERA_URL_INVALID', "the sub-stream URL holds other credentials than the camera's; it is pulled with the camera's credentials (give them once, with the main URL)");
  }
  if (!sameCameraHost(parsed.url, camera.url)) {
    throw new AppError('VALIDATION_FAILED', "subStreamUrl must name the camera's own host: the camera's credentials go to no other host", { field: 'subStreamUrl' });
  }
  if (camera.url.startsWith('rtsps:') && !parsed.url.startsWith('rtsps:')) {
    throw new AppError('VALIDATION_FAILED', 'subStreamUrl must be rtsps:// like the camera URL: the credentials MUST NOT cross the network in the clear', { field: 'subStreamUrl' });
  }
  return parsed.url;
}
