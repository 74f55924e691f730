/**
 * The ONVIF client against camsim's ONVIF device service (a fake camera: the only kind that runs
 * here) over real HTTP on loopback, and against hostile servers made in the test.
 */
import assert from 'node:assert/strict';
import { createServer } from 'node:http';
import type { ServerResponse } from 'node:http';
import type { AddressInfo } from 'node:net';
import { describe, test } from 'node:test';
import { systemClock } from '../../src/lib/clock.ts';
import { isAppError } from '../../src/lib/errors.ts';
import { addressCheck } from '../../src/ingest/camera-networks.ts';
import { identifyCamera } from '../../src/onvif/identify.ts';
import { createOnvifClient } from '../../src/onvif/onvif-client.ts';
import { vetVendor } from '../../src/onvif/vendor-flags.ts';
import { teardown } from '../../test/helpers/teardown.ts';
import { defaultOnvifIdentity } from './onvif-identity.ts';
import type { OnvifIdentity } from './onvif-identity.ts';
import { startOnvifDevice } from './onvif-device.ts';
import { startOnvifFleet } from './onvif-fleet.ts';

const user = 'admin';
const password = 'camsim-onvif-pass';

async function device(t: { after(fn: () => unknown): void }, identity: Partial<OnvifIdentity>, clockSkewMs = 0) {
  const d = await startOnvifDevice({
    identity: { ...defaultOnvifIdentity, ...identity }, rtspUrl: 'rtsp://127.0.0.1:8554/cam1', subRtspUrl: 'rtsp://127.0.0.1:8554/cam1-sub',
    username: user, password, clock: systemClock, clockSkewMs,
  });
  teardown(t)(() => d.close());
  return d;
}

async function hostile(t: { after(fn: () => unknown): void }, answer: (res: ServerResponse) => void): Promise<string> {
  const server = createServer((req, res) => {
    req.resume();
    req.on('end', () => answer(res));
  });
  await new Promise<void>((r) => server.listen(0, '127.0.0.1', r));
  teardown(t)(() => new Promise<void>((r) => { server.closeAllConnections(); server.close(() => r()); }));
  return `http://127.0.0.1:${(server.address() as AddressInfo).port}/onvif/device_service`;
}

describe('ONVIF client against camsim', { concurrency: true }, () => {
  test('a clean camera is identified: device information, MAC, clock, both profiles with their stream URIs, and is not flagged', async (t) => {
    const d = await device(t, { manufacturer: 'Acme Optics', model: 'AO-200', firmwareVersion: '2.4.1', serialNumber: 'AO123', mac: '02:00:5E:10:20:30' });
    const client = createOnvifClient({ xaddr: d.xaddr, username: user, password, clock: systemClock });
    const ev = await identifyCamera(client, () => systemClock.now());
    assert.deepEqual(ev.device, { manufacturer: 'Acme Optics', model: 'AO-200', firmwareVersion: '2.4.1', serialNumber: 'AO123', hardwareId: 'camsim-hw-1' });
    assert.equal(ev.mac, '02:00:5e:10:20:30');
    assert.ok(Math.abs(ev.clock.offsetMs) < 2_000, `offset ${ev.clock.offsetMs}`);
    assert.equal(ev.mediaXaddr, d.xaddr.replace('device_service', 'media_service'));
    assert.deepEqual(ev.profiles.map((p) => [p.token, p.width, p.streamUri]), [['main', 1920, 'rtsp://127.0.0.1:8554/cam1'], ['sub', 640, 'rtsp://127.0.0.1:8554/cam1-sub']]);
    assert.equal(vetVendor({ ...ev.device, mac: ev.mac }).flagged, false);
  });

  test('a camera calling itself Acme with a Hikvision OUI is identified and flagged as a likely relabel', async (t) => {
    const d = await device(t, { manufacturer: 'Acme Optics', mac: 'bc:ad:28:01:02:03' });
    const ev = await identifyCamera(createOnvifClient({ xaddr: d.xaddr, username: user, password, clock: systemClock }), () => 0);
    const v = vetVendor({ ...ev.device, mac: ev.mac });
    assert.ok(v.flagged && v.likelyRelabel);
    assert.equal(v.matches[0]?.entryId, 'hikvision');
  });

  test('a wrong password is refused by the camera and surfaces as ONVIF_FAULT NotAuthorized, without the password', async (t) => {
    const d = await device(t, {});
    const client = createOnvifClient({ xaddr: d.xaddr, username: user, password: 'wrong-password-123', clock: systemClock });
    await assert.rejects(client.deviceInformation(), (e) => isAppError(e, 'ONVIF_FAULT') && e.detail?.subcode === 'NotAuthorized' && !e.message.includes('wrong-password-123'));
  });

  test('a camera whose clock is 20 minutes ahead reports the offset, and the next calls still authenticate', async (t) => {
    const d = await device(t, {}, 20 * 60_000);
    const client = createOnvifClient({ xaddr: d.xaddr, username: user, password, clock: systemClock });
    // Before the clock is read our token's Created is outside the camera's window.
    await assert.rejects(client.deviceInformation(), (e) => isAppError(e, 'ONVIF_FAULT'));
    const clock = await client.systemDateAndTime();
    assert.ok(Math.abs(clock.offsetMs - 20 * 60_000) < 2_000, `offset ${clock.offsetMs}`);
    assert.equal((await client.deviceInformation()).manufacturer, defaultOnvifIdentity.manufacturer);
  });

  test('an answer with a DOCTYPE is refused as XML_REFUSED', async (t) => {
    const xaddr = await hostile(t, (res) => res.end('<?xml version="1.0"?><!DOCTYPE e [<!ENTITY x SYSTEM "file:///etc/passwd">]><e>&x;</e>'));
    await assert.rejects(createOnvifClient({ xaddr, clock: systemClock }).deviceInformation(), (e) => isAppError(e, 'XML_REFUSED'));
  });

  test('an endless answer is cut off at the size bound (XML_REFUSED), announced or not', async (t) => {
    const chunk = Buffer.alloc(64 * 1024, 0x61);
    const streamed = await hostile(t, (res) => {
      const more = (): void => { if (!res.destroyed) res.write(chunk, () => setImmediate(more)); };
      res.on('error', () => undefined);
      more();
    });
    await assert.rejects(createOnvifClient({ xaddr: streamed, clock: systemClock, maxBytes: 100_000 }).deviceInformation(), (e) => isAppError(e, 'XML_REFUSED'));
    const announced = await hostile(t, (res) => { res.writeHead(200, { 'content-length': String(10_000_000) }); res.write(chunk); });
    await assert.rejects(createOnvifClient({ xaddr: announced, clock: systemClock }).deviceInformation(), (e) => isAppError(e, 'XML_REFUSED'));
  });

  test('a camera that never answers times out as CAMERA_UNREACHABLE', async (t) => {
    const xaddr = await hostile(t, () => undefined);
    await assert.rejects(createOnvifClient({ xaddr, clock: systemClock, timeoutMs: 300 }).deviceInformation(), (e) => isAppError(e, 'CAMERA_UNREACHABLE'));
  });

  test('a fleet (custos camsim --onvif) gives each camera its own serial, a MAC under the chosen OUI and its RTSP URL', async (t) => {
    const fleet = await startOnvifFleet({ rtspUrls: ['rtsp://127.0.0.1:8554/cam1', 'rtsp://127.0.0.1:8554/cam2'], host: '127.0.0.1', manufacturer: 'Acme', oui: '3C:EF:8C', username: user, password, clock: systemClock });
    teardown(t)(() => fleet.close());
    const seen = [];
    for (const xaddr of fleet.xaddrs) {
      const ev = await identifyCamera(createOnvifClient({ xaddr, username: user, password, clock: systemClock }), () => 0);
      seen.push([ev.device.serialNumber, ev.mac, ev.profiles[0]?.streamUri, vetVendor({ ...ev.device, mac: ev.mac }).matches.map((m) => m.entryId)]);
    }
    assert.deepEqual(seen, [
      ['SIM000001', '3c:ef:8c:00:00:01', 'rtsp://127.0.0.1:8554/cam1', ['dahua']],
      ['SIM000002', '3c:ef:8c:00:00:02', 'rtsp://127.0.0.1:8554/cam2', ['dahua']],
    ]);
  });

  test('the camera network policy refuses an ONVIF address outside it, by IP or by a name that resolves there, before connecting', async (t) => {
    const d = await device(t, {});
    const check = addressCheck({ allow: ['10.0.0.0/8'], deny: [] });
    for (const xaddr of [d.xaddr, d.xaddr.replace('127.0.0.1', 'localhost')]) {
      const client = createOnvifClient({ xaddr, username: user, password, clock: systemClock, addressCheck: check });
      await assert.rejects(client.systemDateAndTime(), (e) => isAppError(e, 'CAMERA_UNREACHABLE') && /outside the allowed camera networks/.test(e.message), xaddr);
    }
    const admitted = createOnvifClient({ xaddr: d.xaddr, username: user, password, clock: systemClock, addressCheck: addressCheck({ allow: ['127.0.0.0/8'], deny: [] }) });
    assert.equal((await admitted.deviceInformation()).model, defaultOnvifIdentity.model);
  });
});
