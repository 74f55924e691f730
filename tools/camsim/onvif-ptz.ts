/**
 * The simulated PTZ service of a camsim ONVIF device (ptz.wsdl ver20): ContinuousMove, Stop,
 * GetPresets, SetPreset, GotoPreset and GetStatus on its profiles. It keeps a position that
 * moves with the commanded velocity (1 unit per second at velocity 1, clamped to the generic
 * spaces: pan and tilt in [-1, 1], zoom in [0, 1]) until Stop or the move's Timeout, so tests
 * can assert where a camera went and which presets it holds.
 */
import { ns } from '../../src/onvif/namespaces.ts';
import { child } from '../../src/onvif/safe-xml.ts';
import type { XmlElement } from '../../src/onvif/safe-xml.ts';
import { soapEnvelope, soapFault } from '../../src/onvif/soap-envelope.ts';
import { escapeXml as x } from '../../src/onvif/safe-xml.ts';

/** A position in the generic spaces. */
export interface SimPtzPosition {
  readonly pan: number;
  readonly tilt: number;
  readonly zoom: number;
}

/** The PTZ state tests read. */
export interface SimPtz {
  position(): SimPtzPosition;
  moving(): boolean;
  presets(): { token: string; name: string; position: SimPtzPosition }[];
  /** Every PTZ operation received, in order (ContinuousMove, Stop, …). */
  readonly calls: string[];
  /** Answers a PTZ operation: [HTTP status, SOAP envelope]. */
  answer(op: XmlElement, profileTokens: readonly string[]): [number, string];
}

const clamp = (v: number, lo: number, hi: number): number => Math.min(hi, Math.max(lo, v));
const fault = (subcode: string, reason: string): [number, string] => [400, soapFault('Sender', subcode, reason)];

/** `PT1.5S` → 1500; undefined for anything else. */
function parseDuration(s: string | undefined): number | undefined {
  const m = /^PT(\d+(?:\.\d+)?)S$/.exec(s ?? '');
  return m === null ? undefined : Math.round(Number(m[1]) * 1000);
}

/** A PTZ service over a clock (the device clock). */
export function createSimPtz(now: () => number): SimPtz {
  let base: SimPtzPosition = { pan: 0, tilt: 0, zoom: 0 };
  let velocity: SimPtzPosition = { pan: 0, tilt: 0, zoom: 0 };
  let since = now();
  let until = since;
  const presets = new Map<string, { name: string; position: SimPtzPosition }>();
  let nextPreset = 1;
  const calls: string[] = [];

  const position = (): SimPtzPosition => {
    const s = (Math.min(now(), until) - since) / 1000;
    if (s <= 0) return base;
    return { pan: clamp(base.pan + velocity.pan * s, -1, 1), tilt: clamp(base.tilt + velocity.tilt * s, -1, 1), zoom: clamp(base.zoom + velocity.zoom * s, 0, 1) };
  };
  const settle = (): void => {
    base = position();
    since = now();
    until = since;
  };
  const pos = (p: SimPtzPosition): string => `<tt:PanTilt x="${p.pan}" y="${p.tilt}"/><tt:Zoom x="${p.zoom}"/>`;
  const ok = (op: string, inner = ''): [number, string] => [200, soapEnvelope(`<tptz:${op}Response>${inner}</tptz:${op}Response>`)];

  return {
    position,
    moving: () => now() < until,
    presets: () => [...presets].map(([token, p]) => ({ token, ...p })),
    calls,
    answer(op, profileTokens) {
      calls.push(op.localName);
      const profile = child(op, ns.tptz, 'ProfileToken')?.text;
      if (profile === undefined || !profileTokens.includes(profile)) return fault('NoProfile', 'no such profile');
      switch (op.localName) {
        case 'ContinuousMove': {
          const v = child(op, ns.tptz, 'Velocity');
          const pt = child(v, ns.tt, 'PanTilt');
          const vel = { pan: Number(pt?.attributes.x ?? 0), tilt: Number(pt?.attributes.y ?? 0), zoom: Number(child(v, ns.tt, 'Zoom')?.attributes.x ?? 0) };
          if (![vel.pan, vel.tilt, vel.zoom].every((n) => Number.isFinite(n) && n >= -1 && n <= 1)) return fault('InvalidVelocity', 'velocity outside the generic space');
          const timeout = child(op, ns.tptz, 'Timeout')?.text;
          const ms = timeout === undefined ? 60_000 : parseDuration(timeout);
          if (ms === undefined) return fault('InvalidArgVal', 'bad Timeout');
          settle();
          velocity = vel;
          until = since + ms;
          return ok('ContinuousMove');
        }
        case 'Stop':
          settle();
          return ok('Stop');
        case 'GetPresets':
          return ok('GetPresets', [...presets].map(([token, p]) => `<tptz:Preset token="${x(token)}"><tt:Name>${x(p.name)}</tt:Name><tt:PTZPosition>${pos(p.position)}</tt:PTZPosition></tptz:Preset>`).join(''));
        case 'SetPreset': {
          const name = child(op, ns.tptz, 'PresetName')?.text ?? '';
          const given = child(op, ns.tptz, 'PresetToken')?.text;
          if (given !== undefined && !presets.has(given)) return fault('NoToken', 'no such preset');
          const token = given ?? `preset-${nextPreset++}`;
          presets.set(token, { name, position: position() });
          return ok('SetPreset', `<tptz:PresetToken>${x(token)}</tptz:PresetToken>`);
        }
        case 'GotoPreset': {
          const p = presets.get(child(op, ns.tptz, 'PresetToken')?.text ?? '');
          if (p === undefined) return fault('NoToken', 'no such preset');
          settle();
          base = p.position;
          return ok('GotoPreset');
        }
        case 'GetStatus': {
          const moving = now() < until;
          return ok('GetStatus', `<tptz:PTZStatus><tt:Position>${pos(position())}</tt:Position><tt:MoveStatus><tt:PanTilt>${moving ? 'MOVING' : 'IDLE'}</tt:PanTilt><tt:Zoom>${moving ? 'MOVING' : 'IDLE'}</tt:Zoom></tt:MoveStatus><tt:UtcTime>${new Date(now()).toISOString()}</tt:UtcTime></tptz:PTZStatus>`);
        }
        default:
          return fault('ActionNotSupported', `${op.localName} is not supported`);
      }
    },
  };
}
