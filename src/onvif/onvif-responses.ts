/**
 * Readers of the ONVIF answers we use, typed after devicemgmt.wsdl and media.wsdl (ver10) and
 * onvif.xsd. Each takes the body element readSoapBody returned and throws ONVIF_FAULT when an
 * element the call needs is missing; optional elements become null. Pure: tests feed them XML.
 */
import { AppError } from '../lib/errors.ts';
import { ns } from './namespaces.ts';
import { child, childrenOf, pathOf } from './safe-xml.ts';
import type { XmlElement } from './safe-xml.ts';

/** GetDeviceInformationResponse. */
export interface DeviceInformation {
  readonly manufacturer: string;
  readonly model: string;
  readonly firmwareVersion: string;
  readonly serialNumber: string;
  readonly hardwareId: string;
}

/** One network interface of GetNetworkInterfacesResponse. */
export interface NetworkInterface {
  readonly token: string;
  readonly enabled: boolean;
  readonly name: string | null;
  /** Lower-case `aa:bb:cc:dd:ee:ff`, or null when the device gave none or an invalid one. */
  readonly mac: string | null;
}

/** A service of GetServicesResponse or a capability of GetCapabilitiesResponse. */
export interface ServiceAddress {
  readonly namespace: string;
  readonly xaddr: string;
}

/** One media profile of GetProfilesResponse. */
export interface MediaProfile {
  readonly token: string;
  readonly name: string;
  readonly encoding: string | null;
  readonly width: number | null;
  readonly height: number | null;
}

function expect(el: XmlElement, namespace: string, localName: string): void {
  if (el.namespace !== namespace || el.localName !== localName) {
    throw new AppError('ONVIF_FAULT', `expected ${localName}, the camera answered ${el.localName}`);
  }
}

function required(el: XmlElement | undefined, what: string): string {
  if (el === undefined) throw new AppError('ONVIF_FAULT', `the answer lacks ${what}`);
  return el.text;
}

/** Bounds a camera-supplied string: identity fields are shown, stored and matched, never trusted. */
function clip(s: string): string {
  return s.replace(/\p{Cc}/gu, ' ').slice(0, 200);
}

/** Reads GetDeviceInformationResponse. */
export function readDeviceInformation(body: XmlElement): DeviceInformation {
  expect(body, ns.tds, 'GetDeviceInformationResponse');
  const f = (name: string): string => clip(required(child(body, ns.tds, name), name));
  return { manufacturer: f('Manufacturer'), model: f('Model'), firmwareVersion: f('FirmwareVersion'), serialNumber: f('SerialNumber'), hardwareId: f('HardwareId') };
}

/** Normalises a MAC to `aa:bb:cc:dd:ee:ff`; null when it is not 6 octets. */
export function normaliseMac(raw: string): string | null {
  const hex = raw.toLowerCase().replace(/[^0-9a-f]/g, '');
  if (hex.length !== 12 || !/^[0-9a-f:.\- ]+$/i.test(raw.trim())) return null;
  return hex.match(/../g)?.join(':') ?? null;
}

/** Reads GetNetworkInterfacesResponse. */
export function readNetworkInterfaces(body: XmlElement): NetworkInterface[] {
  expect(body, ns.tds, 'GetNetworkInterfacesResponse');
  return childrenOf(body, ns.tds, 'NetworkInterfaces').map((nic) => {
    const info = child(nic, ns.tt, 'Info');
    const hw = child(info, ns.tt, 'HwAddress')?.text;
    return {
      token: clip(nic.attributes.token ?? ''),
      enabled: child(nic, ns.tt, 'Enabled')?.text === 'true',
      name: child(info, ns.tt, 'Name')?.text ?? null,
      mac: hw === undefined ? null : normaliseMac(hw),
    };
  });
}

function int(el: XmlElement | undefined, what: string, min: number, max: number): number {
  const v = Number(required(el, what));
  if (!Number.isInteger(v) || v < min || v > max) throw new AppError('ONVIF_FAULT', `${what} is out of range`);
  return v;
}

/** Reads GetSystemDateAndTimeResponse: the device's UTC clock in ms since the epoch. */
export function readSystemDateAndTime(body: XmlElement): { readonly utcMs: number; readonly ntp: boolean } {
  expect(body, ns.tds, 'GetSystemDateAndTimeResponse');
  const sdt = child(body, ns.tds, 'SystemDateAndTime');
  const utc = child(sdt, ns.tt, 'UTCDateTime');
  if (utc === undefined) throw new AppError('ONVIF_FAULT', 'the camera gives no UTCDateTime');
  const t = child(utc, ns.tt, 'Time');
  const d = child(utc, ns.tt, 'Date');
  const utcMs = Date.UTC(
    int(child(d, ns.tt, 'Year'), 'Year', 1970, 9999), int(child(d, ns.tt, 'Month'), 'Month', 1, 12) - 1, int(child(d, ns.tt, 'Day'), 'Day', 1, 31),
    int(child(t, ns.tt, 'Hour'), 'Hour', 0, 23), int(child(t, ns.tt, 'Minute'), 'Minute', 0, 59), int(child(t, ns.tt, 'Second'), 'Second', 0, 61),
  );
  return { utcMs, ntp: child(sdt, ns.tt, 'DateTimeType')?.text === 'NTP' };
}

/** Reads GetServicesResponse. */
export function readServices(body: XmlElement): ServiceAddress[] {
  expect(body, ns.tds, 'GetServicesResponse');
  return childrenOf(body, ns.tds, 'Service').map((s) => ({ namespace: required(child(s, ns.tds, 'Namespace'), 'Namespace'), xaddr: required(child(s, ns.tds, 'XAddr'), 'XAddr') }));
}

/** Reads GetCapabilitiesResponse into the same shape (Device, Media, PTZ … by their WSDL namespace). */
export function readCapabilities(body: XmlElement): ServiceAddress[] {
  expect(body, ns.tds, 'GetCapabilitiesResponse');
  const caps = child(body, ns.tds, 'Capabilities');
  const byName: Record<string, string> = { Device: ns.tds, Media: ns.trt, PTZ: ns.tptz, Events: 'http://www.onvif.org/ver10/events/wsdl', Imaging: 'http://www.onvif.org/ver20/imaging/wsdl' };
  const out: ServiceAddress[] = [];
  for (const c of caps?.children ?? []) {
    const xaddr = child(c, ns.tt, 'XAddr')?.text;
    const namespace = byName[c.localName];
    if (xaddr !== undefined && namespace !== undefined) out.push({ namespace, xaddr });
  }
  return out;
}

/** Reads GetProfilesResponse. */
export function readProfiles(body: XmlElement): MediaProfile[] {
  expect(body, ns.trt, 'GetProfilesResponse');
  return childrenOf(body, ns.trt, 'Profiles').map((p) => {
    const vec = child(p, ns.tt, 'VideoEncoderConfiguration');
    const w = Number(pathOf(vec, [ns.tt, 'Resolution'], [ns.tt, 'Width'])?.text);
    const h = Number(pathOf(vec, [ns.tt, 'Resolution'], [ns.tt, 'Height'])?.text);
    return {
      token: clip(p.attributes.token ?? ''),
      name: clip(child(p, ns.tt, 'Name')?.text ?? ''),
      encoding: child(vec, ns.tt, 'Encoding')?.text ?? null,
      width: Number.isInteger(w) && w > 0 ? w : null,
      height: Number.isInteger(h) && h > 0 ? h : null,
    };
  });
}

/** Reads GetStreamUriResponse: the RTSP URL (without credentials) of a profile. */
export function readStreamUri(body: XmlElement): string {
  expect(body, ns.trt, 'GetStreamUriResponse');
  const uri = required(pathOf(body, [ns.trt, 'MediaUri'], [ns.tt, 'Uri']), 'MediaUri/Uri');
  if (!/^rtsps?:\/\//i.test(uri)) throw new AppError('ONVIF_FAULT', 'the stream URI is not rtsp:// or rtsps://');
  return uri;
}
