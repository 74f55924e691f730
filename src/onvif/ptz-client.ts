/**
 * The ONVIF PTZ calls (ptz.wsdl ver20, Profile S): ContinuousMove, Stop, GetPresets, GotoPreset,
 * SetPreset and GetStatus, on one media profile, over the device's authenticated SOAP client.
 * Values are checked here (generic spaces, tokens) and escaped into the bodies; answers go
 * through readSoapBody's bounds like every ONVIF answer.
 */
import { AppError } from '../lib/errors.ts';
import { ns } from './namespaces.ts';
import type { OnvifClient } from './onvif-client.ts';
import { expectPtz, readPresets, readSetPreset, readStatus } from './ptz-responses.ts';
import type { PtzPreset, PtzStatus, PtzVector } from './ptz-responses.ts';
import { escapeXml } from './safe-xml.ts';

/** PTZ of one profile of one camera. */
export interface PtzClient {
  /** Moves at `velocity` (each in [-1, 1]) until Stop or `timeoutMs` (the camera stops itself). */
  continuousMove(velocity: PtzVector, timeoutMs: number): Promise<void>;
  stop(): Promise<void>;
  presets(): Promise<PtzPreset[]>;
  gotoPreset(token: string): Promise<void>;
  /** Stores the current position under `name` (a new preset, or `token`'s); returns the token. */
  setPreset(name: string, token?: string): Promise<string>;
  status(): Promise<PtzStatus>;
}

/** The most a single ContinuousMove may run without a further command. */
export const maxMoveTimeoutMs = 10_000;

const inUnit = (n: number): boolean => Number.isFinite(n) && n >= -1 && n <= 1;

/** `PT1.5S`: an xs:duration of whole milliseconds. */
function duration(ms: number): string {
  return `PT${(ms / 1000).toFixed(3).replace(/\.?0+$/, '')}S`;
}

/** A client for `profileToken` at the PTZ service `ptzXaddr`. */
export function createPtzClient(onvif: OnvifClient, ptzXaddr: string, profileToken: string): PtzClient {
  const call = (op: string, inner: string) => onvif.invoke(ptzXaddr, `${ns.tptz}/${op}`, `<tptz:${op}><tptz:ProfileToken>${escapeXml(profileToken)}</tptz:ProfileToken>${inner}</tptz:${op}>`);
  return {
    async continuousMove(v, timeoutMs) {
      if (!inUnit(v.pan) || !inUnit(v.tilt) || !inUnit(v.zoom)) throw new AppError('VALIDATION_FAILED', 'pan, tilt and zoom velocities must be from -1 to 1');
      if (!Number.isInteger(timeoutMs) || timeoutMs < 100 || timeoutMs > maxMoveTimeoutMs) throw new AppError('VALIDATION_FAILED', `a move lasts 100 to ${maxMoveTimeoutMs} ms`);
      expectPtz(await call('ContinuousMove', `<tptz:Velocity><tt:PanTilt x="${v.pan}" y="${v.tilt}"/><tt:Zoom x="${v.zoom}"/></tptz:Velocity><tptz:Timeout>${duration(timeoutMs)}</tptz:Timeout>`), 'ContinuousMoveResponse');
    },
    async stop() {
      expectPtz(await call('Stop', '<tptz:PanTilt>true</tptz:PanTilt><tptz:Zoom>true</tptz:Zoom>'), 'StopResponse');
    },
    async presets() {
      return readPresets(await call('GetPresets', ''));
    },
    async gotoPreset(token) {
      expectPtz(await call('GotoPreset', `<tptz:PresetToken>${escapeXml(token)}</tptz:PresetToken>`), 'GotoPresetResponse');
    },
    async setPreset(name, token) {
      return readSetPreset(await call('SetPreset', `<tptz:PresetName>${escapeXml(name)}</tptz:PresetName>${token === undefined ? '' : `<tptz:PresetToken>${escapeXml(token)}</tptz:PresetToken>`}`));
    },
    async status() {
      return readStatus(await call('GetStatus', ''));
    },
  };
}
