/**
 * WS-Discovery between our probe client and camsim's responder: unicast on loopback, and
 * multicast for real inside a network namespace joined by a veth pair the test creates as root
 * (nothing leaves the machine; skipped with the reason when not root).
 */
import assert from 'node:assert/strict';
import { execFileSync, spawn } from 'node:child_process';
import { once } from 'node:events';
import { fileURLToPath } from 'node:url';
import { describe, test } from 'node:test';
import { addressCheck } from '../../src/ingest/camera-networks.ts';
import { isAppError } from '../../src/lib/errors.ts';
import { probe, probeMessage, readProbeMatches } from '../../src/onvif/ws-discovery.ts';
import { teardown } from '../../test/helpers/teardown.ts';
import { startDiscoveryResponder } from './ws-discovery-responder.ts';

const responderScript = fileURLToPath(new URL('./ws-discovery-responder.ts', import.meta.url));
function hasIp(): boolean {
  try {
    execFileSync('ip', ['-V'], { stdio: 'ignore' });
    return true;
  } catch {
    return false;
  }
}
const notRoot = process.getuid?.() !== 0 ? 'needs root to create a network namespace and a veth pair' : !hasIp() ? 'needs the ip command (iproute2)' : false;

describe('WS-Discovery', { concurrency: true }, () => {
  test('a unicast Probe to a camsim responder on loopback finds its endpoint and device address', async (t) => {
    const r = await startDiscoveryResponder({ interfaceAddress: '127.0.0.1', port: 0, multicast: false, xaddr: 'http://127.0.0.1:8080/onvif/device_service', scopes: ['onvif://www.onvif.org/hardware/SIM-1080'] });
    teardown(t)(() => r.close());
    const found = await probe({ unicast: [`127.0.0.1:${r.port}`], timeoutMs: 400 });
    assert.deepEqual(found.map((d) => [d.endpoint, d.xaddrs, d.scopes, d.from]), [[r.endpoint, ['http://127.0.0.1:8080/onvif/device_service'], ['onvif://www.onvif.org/hardware/SIM-1080'], '127.0.0.1']]);
  });

  test('under a camera network policy, a unicast target outside it or given by name is refused before sending', async () => {
    const check = addressCheck({ allow: ['10.0.0.0/8'], deny: [] });
    for (const target of ['127.0.0.1:3702', 'localhost', '[::1]:3702']) {
      await assert.rejects(probe({ unicast: [target], timeoutMs: 50, addressCheck: check }), (e) => isAppError(e, 'VALIDATION_FAILED'), target);
    }
  });

  test('an answer to another Probe, a non-http XAddr and a DOCTYPE datagram are ignored', () => {
    const ours = 'urn:uuid:1';
    const answer = (relatesTo: string, xaddr: string, prefix = ''): Buffer => Buffer.from(
      `${prefix}<s:Envelope xmlns:s="http://www.w3.org/2003/05/soap-envelope" xmlns:a="http://schemas.xmlsoap.org/ws/2004/08/addressing" xmlns:d="http://schemas.xmlsoap.org/ws/2005/04/discovery">` +
      `<s:Header><a:RelatesTo>${relatesTo}</a:RelatesTo><a:Action>http://schemas.xmlsoap.org/ws/2005/04/discovery/ProbeMatches</a:Action></s:Header>` +
      `<s:Body><d:ProbeMatches><d:ProbeMatch><a:EndpointReference><a:Address>urn:uuid:cam</a:Address></a:EndpointReference><d:XAddrs>${xaddr}</d:XAddrs></d:ProbeMatch></d:ProbeMatches></s:Body></s:Envelope>`);
    assert.equal(readProbeMatches(answer(ours, 'http://10.0.0.2/onvif/device_service'), ours, 'x').length, 1);
    assert.deepEqual(readProbeMatches(answer('urn:uuid:2', 'http://10.0.0.2/x'), ours, 'x'), []);
    assert.deepEqual(readProbeMatches(answer(ours, 'file:///etc/passwd javascript:x'), ours, 'x')[0]?.xaddrs, []);
    assert.deepEqual(readProbeMatches(answer(ours, 'http://a/', '<!DOCTYPE x>'), ours, 'x'), []);
    assert.match(probeMessage(ours), /NetworkVideoTransmitter/);
  });

  test('a multicast Probe on a chosen interface finds a camera in another network namespace', { skip: notRoot }, async (t) => {
    const defer = teardown(t);
    const tag = `cw${process.pid % 100_000}`;
    const ns = `custos-wsd-${process.pid}`;
    const octet = 1 + (process.pid % 250);
    const [hostIp, camIp] = [`10.203.${octet}.1`, `10.203.${octet}.2`];
    const ip = (...args: string[]): void => { execFileSync('ip', args, { stdio: 'pipe' }); };
    ip('netns', 'add', ns);
    defer(() => ip('netns', 'del', ns));
    ip('link', 'add', `${tag}a`, 'type', 'veth', 'peer', 'name', `${tag}b`);
    defer(() => { try { ip('link', 'del', `${tag}a`); } catch { /* gone with the namespace */ } });
    ip('link', 'set', `${tag}b`, 'netns', ns);
    ip('addr', 'add', `${hostIp}/24`, 'dev', `${tag}a`);
    ip('link', 'set', `${tag}a`, 'up');
    ip('netns', 'exec', ns, 'ip', 'addr', 'add', `${camIp}/24`, 'dev', `${tag}b`);
    ip('netns', 'exec', ns, 'ip', 'link', 'set', `${tag}b`, 'up');
    ip('netns', 'exec', ns, 'ip', 'link', 'set', 'lo', 'up');

    const child = spawn('ip', ['netns', 'exec', ns, process.execPath, responderScript, camIp, `http://${camIp}/onvif/device_service`], { stdio: ['ignore', 'pipe', 'inherit'] });
    defer(async () => { if (child.exitCode === null) { child.kill('SIGTERM'); await once(child, 'exit'); } });
    const [line] = (await once(child.stdout, 'data')) as [Buffer];
    const endpoint = /^ready (\S+)/.exec(line.toString())?.[1];
    assert.ok(endpoint !== undefined, line.toString());

    const found = await probe({ interfaceAddress: hostIp, timeoutMs: 800 });
    assert.deepEqual(found.map((d) => [d.endpoint, d.from, d.xaddrs]), [[endpoint, camIp, [`http://${camIp}/onvif/device_service`]]]);
  });
});
