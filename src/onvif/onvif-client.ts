/**
 * A small typed ONVIF client (Profile S/T device and media services): the seven calls onboarding
 * needs, over HTTP POST with SOAP 1.2 (ONVIF Core §5.1) and a WS-Security UsernameToken digest.
 * Why our own and not a library: docs/decisions/0030-onvif-client-of-our-own.md.
 *
 * Contract: every connection obeys the camera network policy; every answer is bounded
 * (`maxBytes`, read as a stream and cut off past the bound), timed out (`timeoutMs`) and parsed by parseSafeXml; the password MUST NOT appear in any error,
 * log or URL (it only feeds the digest). GetSystemDateAndTime is sent unauthenticated, as ONVIF
 * Core §5.12.2 allows, and its offset then dates every later token so a camera with a wrong
 * clock still accepts us.
 */
import type { Clock } from '../lib/clock.ts';
import { request as httpRequest } from 'node:http';
import { request as httpsRequest } from 'node:https';
import { admittedConnectOptions, NETWORK_REFUSED } from '../ingest/camera-networks.ts';
import type { AddressCheck } from '../ingest/camera-networks.ts';
import { AppError, isAppError } from '../lib/errors.ts';
import { scrubUrl } from '../lib/scrub-url.ts';
import { ns } from './namespaces.ts';
import {
  readCapabilities, readDeviceInformation, readNetworkInterfaces, readProfiles, readServices, readStreamUri, readSystemDateAndTime,
} from './onvif-responses.ts';
import type { DeviceInformation, MediaProfile, NetworkInterface, ServiceAddress } from './onvif-responses.ts';
import { escapeXml } from './safe-xml.ts';
import type { XmlElement } from './safe-xml.ts';
import { readSoapBody, soapEnvelope } from './soap-envelope.ts';
import { usernameTokenHeader } from './ws-security.ts';

/** Options of {@link createOnvifClient}. */
export interface OnvifClientOptions {
  /** The device service address, `http(s)://host[:port]/onvif/device_service`. */
  readonly xaddr: string;
  readonly username?: string | undefined;
  readonly password?: string | undefined;
  readonly clock: Clock;
  /** Per call; 5 s by default. */
  readonly timeoutMs?: number;
  /** Per answer; 256 KiB by default. */
  readonly maxBytes?: number;
  /**
   * The camera network policy (`recording.cameraNetworks`): every connection MUST go to an
   * address it admits, checked after DNS on the address dialled. None: any address.
   */
  readonly addressCheck?: AddressCheck | undefined;
}

/** The device clock against ours. */
export interface ClockReading {
  readonly deviceUtcMs: number;
  /** Device minus Custos, measured at the middle of the round trip; positive when the camera is ahead. */
  readonly offsetMs: number;
  readonly ntp: boolean;
}

/** The calls. Each throws AppError CAMERA_UNREACHABLE, ONVIF_FAULT or XML_REFUSED. */
export interface OnvifClient {
  deviceInformation(): Promise<DeviceInformation>;
  networkInterfaces(): Promise<NetworkInterface[]>;
  systemDateAndTime(): Promise<ClockReading>;
  services(): Promise<ServiceAddress[]>;
  capabilities(): Promise<ServiceAddress[]>;
  /** Media profiles; `mediaXaddr` from services() (the device address when omitted). */
  profiles(mediaXaddr?: string): Promise<MediaProfile[]>;
  /** RTP-Unicast over RTSP URI of a profile. */
  streamUri(profileToken: string, mediaXaddr?: string): Promise<string>;
  /**
   * Any other call of another service (PTZ: ptz-client.ts): `body` is serialised XML the caller
   * built with escaped values; answers the body's first element under the same bounds and auth.
   */
  invoke(xaddr: string, soapAction: string, body: string): Promise<XmlElement>;
}

const action = (svc: string, op: string): string => `${svc}/${op}`;

/** Makes a client for one device. */
export function createOnvifClient(opts: OnvifClientOptions): OnvifClient {
  const timeoutMs = opts.timeoutMs ?? 5_000;
  const maxBytes = opts.maxBytes ?? 256 * 1024;
  let offsetMs = 0;
  const shown = scrubUrl(opts.xaddr);
  if (!/^https?:\/\//i.test(opts.xaddr)) throw new AppError('VALIDATION_FAILED', `the ONVIF address ${shown} is not http:// or https://`);

  async function call(xaddr: string, soapAction: string, body: string, authenticated = true): Promise<XmlElement> {
    const header =
      authenticated && opts.username !== undefined && opts.password !== undefined
        ? usernameTokenHeader(opts.username, opts.password, opts.clock.now() + offsetMs)
        : '';
    let bytes: Uint8Array;
    try {
      bytes = await post(xaddr, soapEnvelope(body, header), soapAction, { timeoutMs, maxBytes, addressCheck: opts.addressCheck });
    } catch (err) {
      if (isAppError(err)) throw err;
      const code = (err as NodeJS.ErrnoException).code;
      const why = code === NETWORK_REFUSED ? 'the address is outside the allowed camera networks (recording.cameraNetworks)' : (code ?? (err as Error).name);
      throw new AppError('CAMERA_UNREACHABLE', `ONVIF ${soapAction.replace(/^.*\//, '')} to ${scrubUrl(xaddr)} failed: ${why}`);
    }
    // A fault comes with 400 or 500; readSoapBody turns it into ONVIF_FAULT with its subcode.
    return readSoapBody(bytes, { maxBytes });
  }

  return {
    async deviceInformation() {
      return readDeviceInformation(await call(opts.xaddr, action(ns.tds, 'GetDeviceInformation'), '<tds:GetDeviceInformation/>'));
    },
    async networkInterfaces() {
      return readNetworkInterfaces(await call(opts.xaddr, action(ns.tds, 'GetNetworkInterfaces'), '<tds:GetNetworkInterfaces/>'));
    },
    async systemDateAndTime() {
      const sent = opts.clock.now();
      const body = await call(opts.xaddr, action(ns.tds, 'GetSystemDateAndTime'), '<tds:GetSystemDateAndTime/>', false);
      const mid = (sent + opts.clock.now()) / 2;
      const r = readSystemDateAndTime(body);
      offsetMs = Math.round(r.utcMs - mid);
      return { deviceUtcMs: r.utcMs, offsetMs, ntp: r.ntp };
    },
    async services() {
      return readServices(await call(opts.xaddr, action(ns.tds, 'GetServices'), '<tds:GetServices><tds:IncludeCapability>false</tds:IncludeCapability></tds:GetServices>'));
    },
    async capabilities() {
      return readCapabilities(await call(opts.xaddr, action(ns.tds, 'GetCapabilities'), '<tds:GetCapabilities><tds:Category>All</tds:Category></tds:GetCapabilities>'));
    },
    async profiles(mediaXaddr) {
      return readProfiles(await call(mediaXaddr ?? opts.xaddr, action(ns.trt, 'GetProfiles'), '<trt:GetProfiles/>'));
    },
    async streamUri(profileToken, mediaXaddr) {
      const body =
        `<trt:GetStreamUri><trt:StreamSetup><tt:Stream>RTP-Unicast</tt:Stream><tt:Transport><tt:Protocol>RTSP</tt:Protocol></tt:Transport></trt:StreamSetup>` +
        `<trt:ProfileToken>${escapeXml(profileToken)}</trt:ProfileToken></trt:GetStreamUri>`;
      return readStreamUri(await call(mediaXaddr ?? opts.xaddr, action(ns.trt, 'GetStreamUri'), body));
    },
    invoke(xaddr, soapAction, body) {
      return call(xaddr, soapAction, body);
    },
  };
}

/**
 * One HTTP(S) POST with the camera network policy applied to the connection, a timeout over the
 * whole exchange and the answer cut off past `maxBytes` (announced or streamed: XML_REFUSED).
 * Redirects are not followed. Any status is read: a SOAP fault comes with 400 or 500.
 */
function post(url: string, body: string, soapAction: string, o: { timeoutMs: number; maxBytes: number; addressCheck: AddressCheck | undefined }): Promise<Uint8Array> {
  const target = new URL(url);
  const shown = scrubUrl(url);
  const send = target.protocol === 'https:' ? httpsRequest : httpRequest;
  const connect = admittedConnectOptions(target.hostname.replace(/^\[(.*)\]$/, '$1'), o.addressCheck);
  return new Promise((resolve, reject) => {
    const req = send(target, {
      method: 'POST',
      headers: { 'content-type': `application/soap+xml; charset=utf-8; action="${soapAction}"`, 'content-length': Buffer.byteLength(body) },
      timeout: o.timeoutMs,
      ...connect,
    }, (res) => {
      const declared = Number(res.headers['content-length']);
      if (Number.isFinite(declared) && declared > o.maxBytes) {
        res.destroy();
        reject(new AppError('XML_REFUSED', `XML document refused: ${shown} announced ${declared} bytes, over the limit of ${o.maxBytes}`));
        return;
      }
      const chunks: Buffer[] = [];
      let total = 0;
      res.on('data', (c: Buffer) => {
        total += c.length;
        if (total > o.maxBytes) {
          res.destroy();
          reject(new AppError('XML_REFUSED', `XML document refused: the answer from ${shown} is over the limit of ${o.maxBytes} bytes`));
          return;
        }
        chunks.push(c);
      });
      res.on('end', () => resolve(Buffer.concat(chunks)));
      res.on('error', reject);
    });
    const timer = setTimeout(() => req.destroy(Object.assign(new Error('timed out'), { code: 'ETIMEDOUT' })), o.timeoutMs);
    req.on('close', () => clearTimeout(timer));
    req.on('timeout', () => req.destroy(Object.assign(new Error('timed out'), { code: 'ETIMEDOUT' })));
    req.on('error', reject);
    req.end(body);
  });
}
