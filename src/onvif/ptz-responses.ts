/**
 * Readers of the ONVIF PTZ answers we use (ptz.wsdl ver20, onvif.xsd PTZPreset and PTZStatus).
 * Each takes the body element readSoapBody returned and throws ONVIF_FAULT when something the
 * call needs is missing. Camera-supplied strings are clipped; numbers outside the generic space
 * are kept as the camera said, but only finite ones.
 */
import { AppError } from '../lib/errors.ts';
import { ns } from './namespaces.ts';
import { child, childrenOf } from './safe-xml.ts';
import type { XmlElement } from './safe-xml.ts';

/** One preset of GetPresetsResponse. */
export interface PtzPreset {
  readonly token: string;
  readonly name: string;
}

/** A position or velocity in the generic spaces: pan and tilt in [-1, 1], zoom in [0, 1] (position) or [-1, 1] (velocity). */
export interface PtzVector {
  readonly pan: number;
  readonly tilt: number;
  readonly zoom: number;
}

/** GetStatusResponse. */
export interface PtzStatus {
  readonly position: PtzVector | null;
  /** `IDLE`, `MOVING` or `UNKNOWN` (pan/tilt; zoom when pan/tilt is not given). */
  readonly moveStatus: string;
}

const clip = (s: string): string => s.replace(/\p{Cc}/gu, ' ').slice(0, 200);

/** Throws ONVIF_FAULT unless `body` is the PTZ service's `localName`. */
export function expectPtz(body: XmlElement, localName: string): void {
  if (body.namespace !== ns.tptz || body.localName !== localName) throw new AppError('ONVIF_FAULT', `expected ${localName}, the camera answered ${body.localName}`);
}

/** Reads GetPresetsResponse (at most 300 presets, the ONVIF maximum of common cameras is 256). */
export function readPresets(body: XmlElement): PtzPreset[] {
  expectPtz(body, 'GetPresetsResponse');
  return childrenOf(body, ns.tptz, 'Preset').slice(0, 300).map((p) => {
    const token = p.attributes.token;
    if (token === undefined || token === '') throw new AppError('ONVIF_FAULT', 'a preset lacks its token');
    return { token: clip(token), name: clip(child(p, ns.tt, 'Name')?.text ?? '') };
  });
}

/** Reads SetPresetResponse: the token of the preset set. */
export function readSetPreset(body: XmlElement): string {
  expectPtz(body, 'SetPresetResponse');
  const token = child(body, ns.tptz, 'PresetToken')?.text;
  if (token === undefined || token === '') throw new AppError('ONVIF_FAULT', 'the answer lacks PresetToken');
  return clip(token);
}

const num = (s: string | undefined): number | null => {
  const n = Number(s);
  return s === undefined || s === '' || !Number.isFinite(n) ? null : n;
};

/** Reads GetStatusResponse. */
export function readStatus(body: XmlElement): PtzStatus {
  expectPtz(body, 'GetStatusResponse');
  const status = child(body, ns.tptz, 'PTZStatus');
  const pos = child(status, ns.tt, 'Position');
  const pt = child(pos, ns.tt, 'PanTilt');
  const z = child(pos, ns.tt, 'Zoom');
  const pan = num(pt?.attributes.x);
  const tilt = num(pt?.attributes.y);
  const zoom = num(z?.attributes.x);
  const move = child(status, ns.tt, 'MoveStatus');
  const moveStatus = clip(child(move, ns.tt, 'PanTilt')?.text ?? child(move, ns.tt, 'Zoom')?.text ?? 'UNKNOWN');
  return { position: pan === null || tilt === null ? null : { pan, tilt, zoom: zoom ?? 0 }, moveStatus };
}
