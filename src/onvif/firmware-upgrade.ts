/**
 * Pushing a firmware image to a camera over ONVIF (devicemgmt.wsdl, Core §8.4.6):
 * `StartFirmwareUpgrade` gives an upload URI, a delay and the expected downtime; the image is
 * then sent there by HTTP POST (application/octet-stream). Transport only: callers MUST verify
 * the image first (FirmwareService.pushVerified does, and is the only caller). The upload URI
 * must be on the device's own host and obeys the camera network policy; the delay is capped.
 */
import { request as httpRequest } from 'node:http';
import { request as httpsRequest } from 'node:https';
import { admittedConnectOptions } from '../ingest/camera-networks.ts';
import type { AddressCheck } from '../ingest/camera-networks.ts';
import { AppError } from '../lib/errors.ts';
import { scrubUrl } from '../lib/scrub-url.ts';
import { ns } from './namespaces.ts';
import type { OnvifClient } from './onvif-client.ts';
import { child } from './safe-xml.ts';

/** What the camera answered to StartFirmwareUpgrade. */
export interface FirmwareUpload {
  readonly uploadUri: string;
  readonly uploadDelayMs: number;
  readonly expectedDownTimeMs: number;
}

/** The longest wait before the upload a camera may ask for. */
const maxUploadDelayMs = 10_000;

/** `PT5S`, `PT2M`, `PT1M30S` → milliseconds; 0 for anything else. */
function durationMs(s: string | undefined): number {
  const m = /^PT(?:(\d+)H)?(?:(\d+)M)?(?:(\d+(?:\.\d+)?)S)?$/.exec(s ?? '');
  if (m === null) return 0;
  return Math.round(((Number(m[1] ?? 0) * 60 + Number(m[2] ?? 0)) * 60 + Number(m[3] ?? 0)) * 1000);
}

function hostOf(url: string): string | null {
  try {
    return new URL(url).hostname.toLowerCase();
  } catch {
    return null;
  }
}

/** Asks the device for an upload URI (StartFirmwareUpgrade). */
export async function startFirmwareUpgrade(onvif: OnvifClient, deviceXaddr: string): Promise<FirmwareUpload> {
  const body = await onvif.invoke(deviceXaddr, `${ns.tds}/StartFirmwareUpgrade`, '<tds:StartFirmwareUpgrade/>');
  if (body.namespace !== ns.tds || body.localName !== 'StartFirmwareUpgradeResponse') throw new AppError('ONVIF_FAULT', `expected StartFirmwareUpgradeResponse, the camera answered ${body.localName}`);
  const uploadUri = child(body, ns.tds, 'UploadUri')?.text ?? '';
  if (!/^https?:\/\//i.test(uploadUri)) throw new AppError('ONVIF_FAULT', 'the camera gave no http(s) UploadUri');
  if (hostOf(uploadUri) !== hostOf(deviceXaddr)) throw new AppError('ONVIF_FAULT', `the camera asked for the image at another host (${scrubUrl(uploadUri)})`);
  return { uploadUri, uploadDelayMs: Math.min(maxUploadDelayMs, durationMs(child(body, ns.tds, 'UploadDelay')?.text)), expectedDownTimeMs: durationMs(child(body, ns.tds, 'ExpectedDownTime')?.text) };
}

/** POSTs the image to the upload URI; CAMERA_UNREACHABLE unless the camera answers 2xx. */
export async function uploadFirmware(upload: FirmwareUpload, image: Uint8Array, opts: { addressCheck?: AddressCheck | undefined; timeoutMs?: number } = {}): Promise<void> {
  if (upload.uploadDelayMs > 0) await new Promise((r) => setTimeout(r, upload.uploadDelayMs));
  const target = new URL(upload.uploadUri);
  const shown = scrubUrl(upload.uploadUri);
  const send = target.protocol === 'https:' ? httpsRequest : httpRequest;
  const timeoutMs = opts.timeoutMs ?? 120_000;
  await new Promise<void>((resolve, reject) => {
    const req = send(target, {
      method: 'POST', headers: { 'content-type': 'application/octet-stream', 'content-length': image.byteLength }, timeout: timeoutMs,
      ...admittedConnectOptions(target.hostname.replace(/^\[(.*)\]$/, '$1'), opts.addressCheck),
    }, (res) => {
      res.resume();
      res.on('end', () => ((res.statusCode ?? 0) >= 200 && (res.statusCode ?? 0) < 300 ? resolve() : reject(new AppError('CAMERA_UNREACHABLE', `the firmware upload to ${shown} was answered ${res.statusCode ?? 0}`))));
    });
    req.on('timeout', () => req.destroy(new Error('timed out')));
    req.on('error', (e) => reject(e instanceof AppError ? e : new AppError('CAMERA_UNREACHABLE', `the firmware upload to ${shown} failed: ${(e as NodeJS.ErrnoException).code ?? e.message}`)));
    req.end(image);
  });
}
