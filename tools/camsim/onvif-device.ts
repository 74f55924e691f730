/**
 * The simulated ONVIF device and media services of a camsim camera: HTTP POST of SOAP 1.2 at
 * /onvif/device_service and /onvif/media_service (and /onvif/ptz_service with `ptz`), WS-Security UsernameToken digest on every call
 * but GetSystemDateAndTime (ONVIF Core §5.12.2), identity from {@link OnvifIdentity}. A fake of a
 * camera, for tests and the demo: it implements the calls Custos makes and answers any other with
 * the `ActionNotSupported` fault.
 */
import { createHash, randomBytes, timingSafeEqual } from 'node:crypto';
import { createServer } from 'node:http';
import type { IncomingMessage, ServerResponse } from 'node:http';
import type { AddressInfo } from 'node:net';
import type { Clock } from '../../src/lib/clock.ts';
import { ns } from '../../src/onvif/namespaces.ts';
import { child, parseSafeXml, pathOf } from '../../src/onvif/safe-xml.ts';
import type { XmlElement } from '../../src/onvif/safe-xml.ts';
import { soapEnvelope, soapFault } from '../../src/onvif/soap-envelope.ts';
import { passwordDigest } from '../../src/onvif/ws-security.ts';
import type { OnvifIdentity } from './onvif-identity.ts';
import { createSimPtz } from './onvif-ptz.ts';
import type { SimPtz } from './onvif-ptz.ts';
import { answerFor } from './onvif-soap-answers.ts';
import type { SimProfile } from './onvif-soap-answers.ts';

/** Options of {@link startOnvifDevice}. */
export interface OnvifDeviceOptions {
  readonly identity: OnvifIdentity;
  /** Main stream URL (profile `main`) and optional sub stream (profile `sub`); no credentials. */
  readonly rtspUrl: string;
  readonly subRtspUrl?: string;
  readonly host?: string;
  readonly port?: number;
  /** With both: every call but GetSystemDateAndTime needs this user's digest. */
  readonly username?: string;
  readonly password?: string;
  readonly clock: Clock;
  /** The device clock minus the true clock (a camera whose clock is wrong). */
  readonly clockSkewMs?: number;
  /** Adds the PTZ service (onvif-ptz.ts), listed by GetServices and GetCapabilities. */
  readonly ptz?: boolean;
}

/** A running device service. */
export interface OnvifDevice {
  /** `http://host:port/onvif/device_service`. */
  readonly xaddr: string;
  readonly port: number;
  /** The PTZ state, with `ptz`. */
  readonly ptz: SimPtz | undefined;
  /** Firmware images received after StartFirmwareUpgrade (their SHA-256 and size), in order. */
  readonly firmwareUploads: { sha256: string; bytes: number }[];
  close(): Promise<void>;
}

const maxRequestBytes = 64 * 1024;
const maxFirmwareBytes = 64 * 1024 * 1024;
/** How far a token's Created may be from the device clock. */
const createdWindowMs = 5 * 60_000;

/** Starts the service. */
export async function startOnvifDevice(opts: OnvifDeviceOptions): Promise<OnvifDevice> {
  const host = opts.host ?? '127.0.0.1';
  const urlHost = host.includes(':') ? `[${host}]` : host;
  const seenNonces = new Map<string, number>();
  let deviceXaddr = '';
  let mediaXaddr = '';
  let ptzXaddr = '';
  const profiles = (): SimProfile[] => [
    { token: 'main', name: 'Main stream', width: 1920, height: 1080, rtspUrl: opts.rtspUrl },
    ...(opts.subRtspUrl === undefined ? [] : [{ token: 'sub', name: 'Sub stream', width: 640, height: 360, rtspUrl: opts.subRtspUrl }]),
  ];
  const deviceNow = (): number => opts.clock.now() + (opts.clockSkewMs ?? 0);
  const ptz = opts.ptz === true ? createSimPtz(deviceNow) : undefined;
  // StartFirmwareUpgrade hands out one-time upload paths (ONVIF Core §8.4.6).
  const uploadTokens = new Set<string>();
  const firmwareUploads: { sha256: string; bytes: number }[] = [];

  /** Null when the WS-Security header proves the configured user, else the reason. */
  function authFailure(envelope: XmlElement): string | null {
    if (opts.username === undefined || opts.password === undefined) return null;
    const token = pathOf(envelope, [ns.soap, 'Header'], [ns.wsse, 'Security'], [ns.wsse, 'UsernameToken']);
    if (token === undefined) return 'no UsernameToken';
    const user = child(token, ns.wsse, 'Username')?.text;
    const digest = child(token, ns.wsse, 'Password')?.text ?? '';
    const nonce = child(token, ns.wsse, 'Nonce')?.text ?? '';
    const created = child(token, ns.wsu, 'Created')?.text ?? '';
    const createdMs = Date.parse(created);
    if (!Number.isFinite(createdMs) || Math.abs(createdMs - deviceNow()) > createdWindowMs) return 'Created outside the window';
    if (seenNonces.has(nonce)) return 'nonce replayed';
    const expected = Buffer.from(passwordDigest(Buffer.from(nonce, 'base64'), created, opts.password));
    const given = Buffer.from(digest);
    if (user !== opts.username || expected.length !== given.length || !timingSafeEqual(expected, given)) return 'digest mismatch';
    for (const [n, at] of seenNonces) if (at < deviceNow() - 2 * createdWindowMs) seenNonces.delete(n);
    seenNonces.set(nonce, deviceNow());
    return null;
  }

  function reply(res: ServerResponse, status: number, xml: string): void {
    res.writeHead(status, { 'content-type': 'application/soap+xml; charset=utf-8', 'content-length': Buffer.byteLength(xml) });
    res.end(xml);
  }

  async function receiveFirmware(req: IncomingMessage, res: ServerResponse): Promise<void> {
    const token = (req.url ?? '').slice('/onvif/firmware_upload/'.length);
    if (req.method !== 'POST' || !uploadTokens.delete(token)) {
      res.writeHead(404).end();
      return;
    }
    const hash = createHash('sha256');
    let bytes = 0;
    for await (const c of req) {
      bytes += (c as Buffer).length;
      if (bytes > maxFirmwareBytes) {
        res.writeHead(413).end();
        req.destroy();
        return;
      }
      hash.update(c as Buffer);
    }
    firmwareUploads.push({ sha256: hash.digest('hex'), bytes });
    res.writeHead(200).end();
  }

  async function handle(req: IncomingMessage, res: ServerResponse): Promise<void> {
    if (req.url?.startsWith('/onvif/firmware_upload/') === true) {
      await receiveFirmware(req, res);
      return;
    }
    const service = req.url === '/onvif/device_service' ? ns.tds : req.url === '/onvif/media_service' ? ns.trt : req.url === '/onvif/ptz_service' && ptz !== undefined ? ns.tptz : null;
    if (req.method !== 'POST' || service === null) {
      res.writeHead(404).end();
      return;
    }
    const chunks: Buffer[] = [];
    let size = 0;
    for await (const c of req) {
      size += (c as Buffer).length;
      if (size > maxRequestBytes) {
        reply(res, 413, soapFault('Sender', 'InvalidArgVal', 'request too large'));
        req.destroy();
        return;
      }
      chunks.push(c as Buffer);
    }
    let envelope: XmlElement;
    try {
      envelope = parseSafeXml(Buffer.concat(chunks), { maxBytes: maxRequestBytes });
    } catch {
      reply(res, 400, soapFault('Sender', 'WellFormed', 'malformed request'));
      return;
    }
    const op = child(envelope, ns.soap, 'Body')?.children[0];
    if (op === undefined || op.namespace !== service) {
      reply(res, 400, soapFault('Sender', 'ActionNotSupported', 'unknown operation'));
      return;
    }
    if (op.localName !== 'GetSystemDateAndTime') {
      const why = authFailure(envelope);
      if (why !== null) {
        reply(res, 400, soapFault('Sender', 'NotAuthorized', `Sender not Authorized (${why})`));
        return;
      }
    }
    if (service === ns.tptz && ptz !== undefined) {
      const [status, xml] = ptz.answer(op, profiles().map((p) => p.token));
      reply(res, status, xml);
      return;
    }
    if (service === ns.tds && op.localName === 'StartFirmwareUpgrade') {
      const token = randomBytes(12).toString('hex');
      uploadTokens.add(token);
      reply(res, 200, soapEnvelope(
        `<tds:StartFirmwareUpgradeResponse><tds:UploadUri>${deviceXaddr.replace('/onvif/device_service', `/onvif/firmware_upload/${token}`)}</tds:UploadUri>` +
          '<tds:UploadDelay>PT0S</tds:UploadDelay><tds:ExpectedDownTime>PT30S</tds:ExpectedDownTime></tds:StartFirmwareUpgradeResponse>',
      ));
      return;
    }
    const answer = answerFor(op.localName, opts.identity, {
      deviceXaddr, mediaXaddr, ptzXaddr, nowMs: deviceNow(), profiles: profiles(), profileToken: child(op, ns.trt, 'ProfileToken')?.text ?? null,
    });
    if (answer === undefined) reply(res, 400, soapFault('Sender', 'ActionNotSupported', `${op.localName} is not supported`));
    else reply(res, 200, answer);
  }

  const server = createServer((req, res) => {
    handle(req, res).catch(() => res.destroy());
  });
  await new Promise<void>((resolve, reject) => {
    server.once('error', reject);
    server.listen(opts.port ?? 0, host, () => resolve());
  });
  const port = (server.address() as AddressInfo).port;
  deviceXaddr = `http://${urlHost}:${port}/onvif/device_service`;
  mediaXaddr = `http://${urlHost}:${port}/onvif/media_service`;
  if (ptz !== undefined) ptzXaddr = `http://${urlHost}:${port}/onvif/ptz_service`;
  return {
    xaddr: deviceXaddr,
    port,
    ptz,
    firmwareUploads,
    async close() {
      server.closeAllConnections();
      await new Promise<void>((resolve) => server.close(() => resolve()));
    },
  };
}
