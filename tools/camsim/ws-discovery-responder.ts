/**
 * camsim's WS-Discovery responder: answers a Probe for NetworkVideoTransmitter (or for any type)
 * with a ProbeMatches carrying the device's endpoint, scopes from its identity and its XAddr.
 * Joins the multicast group on one interface. Also runnable on its own (the network-namespace
 * test starts it inside a namespace):
 *   node tools/camsim/ws-discovery-responder.ts <interface-address> <xaddr> [port]
 * which prints `ready` once it listens.
 */
import { randomUUID } from 'node:crypto';
import { createSocket } from 'node:dgram';
import { fileURLToPath } from 'node:url';
import { ns } from '../../src/onvif/namespaces.ts';
import { child, escapeXml as x, parseSafeXml, pathOf } from '../../src/onvif/safe-xml.ts';
import { discoveryGroup, probeMatchesAction } from '../../src/onvif/ws-discovery.ts';

/** Options of {@link startDiscoveryResponder}. */
export interface DiscoveryResponderOptions {
  /** The interface address to join the group on and to bind to. */
  readonly interfaceAddress: string;
  readonly xaddr: string;
  readonly scopes?: readonly string[];
  readonly port?: number;
  /** Join the multicast group (default true); false answers unicast probes only. */
  readonly multicast?: boolean;
}

/** Starts the responder; resolves once it listens. */
export async function startDiscoveryResponder(opts: DiscoveryResponderOptions): Promise<{ endpoint: string; port: number; close(): Promise<void> }> {
  const endpoint = `urn:uuid:${randomUUID()}`;
  const socket = createSocket({ type: 'udp4', reuseAddr: true });
  const multicast = opts.multicast ?? true;
  socket.on('message', (msg, rinfo) => {
    let env;
    try {
      env = parseSafeXml(msg, { maxBytes: 65_507 });
    } catch {
      return;
    }
    const messageId = pathOf(env, [ns.soap, 'Header'], [ns.wsa, 'MessageID'])?.text;
    const probeEl = pathOf(env, [ns.soap, 'Body'], [ns.wsd, 'Probe']);
    if (messageId === undefined || probeEl === undefined) return;
    const types = child(probeEl, ns.wsd, 'Types')?.text ?? '';
    if (types !== '' && !/(^|\s|:)NetworkVideoTransmitter(\s|$)/.test(types)) return;
    const answer =
      `<?xml version="1.0" encoding="UTF-8"?><s:Envelope xmlns:s="${ns.soap}" xmlns:a="${ns.wsa}" xmlns:d="${ns.wsd}" xmlns:dn="${ns.dn}">` +
      `<s:Header><a:MessageID>urn:uuid:${randomUUID()}</a:MessageID><a:RelatesTo>${x(messageId)}</a:RelatesTo>` +
      `<a:To>http://schemas.xmlsoap.org/ws/2004/08/addressing/role/anonymous</a:To><a:Action>${probeMatchesAction}</a:Action></s:Header>` +
      `<s:Body><d:ProbeMatches><d:ProbeMatch><a:EndpointReference><a:Address>${endpoint}</a:Address></a:EndpointReference>` +
      `<d:Types>dn:NetworkVideoTransmitter</d:Types><d:Scopes>${x((opts.scopes ?? []).join(' '))}</d:Scopes>` +
      `<d:XAddrs>${x(opts.xaddr)}</d:XAddrs><d:MetadataVersion>1</d:MetadataVersion></d:ProbeMatch></d:ProbeMatches></s:Body></s:Envelope>`;
    socket.send(answer, rinfo.port, rinfo.address);
  });
  await new Promise<void>((resolve, reject) => {
    socket.once('error', reject);
    // Bound to the wildcard when joining: a multicast datagram's destination is the group, which a
    // socket bound to the interface's unicast address would not receive.
    socket.bind(opts.port ?? discoveryGroup.port, multicast ? undefined : opts.interfaceAddress, () => resolve());
  });
  if (multicast) socket.addMembership(discoveryGroup.address, opts.interfaceAddress);
  return {
    endpoint,
    port: socket.address().port,
    close: () => new Promise<void>((r) => socket.close(() => r())),
  };
}

if (process.argv[1] === fileURLToPath(import.meta.url)) {
  const [iface, xaddr, port] = process.argv.slice(2);
  if (iface === undefined || xaddr === undefined) {
    process.stderr.write('usage: ws-discovery-responder.ts <interface-address> <xaddr> [port]\n');
    process.exit(2);
  }
  const r = await startDiscoveryResponder({ interfaceAddress: iface, xaddr, port: port === undefined ? undefined : Number(port), scopes: ['onvif://www.onvif.org/name/camsim'] });
  process.stdout.write(`ready ${r.endpoint}\n`);
  process.on('SIGTERM', () => void r.close().then(() => process.exit(0)));
}
