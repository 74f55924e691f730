/**
 * One simulated ONVIF device per camsim camera (`custos camsim --onvif`): camera K answers with
 * the given manufacturer and model, serial SIM00000K, and a MAC under the given OUI ending in K,
 * so a demo can onboard a clean fleet or one that a prohibited OUI gives away.
 */
import type { Clock } from '../../src/lib/clock.ts';
import { defaultOnvifIdentity } from './onvif-identity.ts';
import { startOnvifDevice } from './onvif-device.ts';
import type { OnvifDevice } from './onvif-device.ts';

/** Options of {@link startOnvifFleet}. */
export interface OnvifFleetOptions {
  readonly rtspUrls: readonly string[];
  readonly host: string;
  readonly manufacturer?: string | undefined;
  readonly model?: string | undefined;
  /** `aa:bb:cc`; the locally administered 02:00:5e by default. */
  readonly oui?: string | undefined;
  /** Each device also serves the PTZ service (onvif-ptz.ts). */
  readonly ptz?: boolean;
  readonly username?: string | undefined;
  readonly password?: string | undefined;
  readonly clock: Clock;
}

/** Starts the devices; closes those started when one fails. */
export async function startOnvifFleet(opts: OnvifFleetOptions): Promise<{ xaddrs: string[]; close(): Promise<void> }> {
  const oui = (opts.oui ?? '02:00:5e').toLowerCase();
  if (!/^[0-9a-f]{2}:[0-9a-f]{2}:[0-9a-f]{2}$/.test(oui)) throw new Error('the OUI must be aa:bb:cc');
  const devices: OnvifDevice[] = [];
  try {
    for (const [i, rtspUrl] of opts.rtspUrls.entries()) {
      const k = i + 1;
      const tail = [(k >> 16) & 0xff, (k >> 8) & 0xff, k & 0xff].map((b) => b.toString(16).padStart(2, '0')).join(':');
      devices.push(await startOnvifDevice({
        identity: { ...defaultOnvifIdentity, manufacturer: opts.manufacturer ?? defaultOnvifIdentity.manufacturer, model: opts.model ?? defaultOnvifIdentity.model, serialNumber: `SIM${String(k).padStart(6, '0')}`, mac: `${oui}:${tail}` },
        rtspUrl, host: opts.host, username: opts.username, password: opts.password, clock: opts.clock, ptz: opts.ptz === true,
      }));
    }
  } catch (err) {
    await Promise.all(devices.map((d) => d.close()));
    throw err;
  }
  return { xaddrs: devices.map((d) => d.xaddr), close: async () => { await Promise.all(devices.map((d) => d.close())); } };
}
