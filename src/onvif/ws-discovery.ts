/**
 * WS-Discovery 2005/04 probe client (ONVIF Core §7.3): a Probe for NetworkVideoTransmitter sent
 * by UDP to the multicast group 239.255.255.250:3702 on one chosen interface, and/or unicast to
 * given addresses; ProbeMatches are read through parseSafeXml (a discovery answer is as untrusted
 * as any packet) and kept only when they relate to our MessageID.
 */
import { randomUUID } from 'node:crypto';
import { createSocket } from 'node:dgram';
import { isIP } from 'node:net';
import type { AddressCheck } from '../ingest/camera-networks.ts';
import { AppError } from '../lib/errors.ts';
import { ns } from './namespaces.ts';
import { child, childrenOf, escapeXml, parseSafeXml, pathOf } from './safe-xml.ts';

/** The WS-Discovery multicast group and port. */
export const discoveryGroup = { address: '239.255.255.250', port: 3702 } as const;
const discoveryTo = 'urn:schemas-xmlsoap-org:ws:2005:04:discovery';
const probeAction = 'http://schemas.xmlsoap.org/ws/2005/04/discovery/Probe';
/** The action of a ProbeMatches answer. */
export const probeMatchesAction = 'http://schemas.xmlsoap.org/ws/2005/04/discovery/ProbeMatches';
/** A UDP datagram holds at most 64 KiB; a ProbeMatches is far smaller. */
const maxDatagram = 65_507;

/** One device that answered. */
export interface DiscoveredDevice {
  /** The endpoint reference (`urn:uuid:…`): stable across address changes. */
  readonly endpoint: string;
  readonly types: readonly string[];
  readonly scopes: readonly string[];
  /** Device service addresses (http/https only). */
  readonly xaddrs: readonly string[];
  /** The address the answer came from. */
  readonly from: string;
}

/** A Probe message with this MessageID. */
export function probeMessage(messageId: string): string {
  return (
    `<?xml version="1.0" encoding="UTF-8"?><s:Envelope xmlns:s="${ns.soap}" xmlns:a="${ns.wsa}" xmlns:d="${ns.wsd}" xmlns:dn="${ns.dn}">` +
    `<s:Header><a:Action s:mustUnderstand="1">${probeAction}</a:Action><a:MessageID>${escapeXml(messageId)}</a:MessageID>` +
    `<a:To s:mustUnderstand="1">${discoveryTo}</a:To></s:Header>` +
    `<s:Body><d:Probe><d:Types>dn:NetworkVideoTransmitter</d:Types></d:Probe></s:Body></s:Envelope>`
  );
}

const words = (s: string | undefined): string[] => (s ?? '').split(/\s+/).filter((w) => w !== '').slice(0, 64);

/** Reads a ProbeMatches datagram; [] when it is not one for `messageId` or is refused. */
export function readProbeMatches(datagram: Uint8Array, messageId: string, from: string): DiscoveredDevice[] {
  let env;
  try {
    env = parseSafeXml(datagram, { maxBytes: maxDatagram });
  } catch {
    return [];
  }
  const header = child(env, ns.soap, 'Header');
  if (child(header, ns.wsa, 'Action')?.text !== probeMatchesAction || child(header, ns.wsa, 'RelatesTo')?.text !== messageId) return [];
  const matches = childrenOf(pathOf(env, [ns.soap, 'Body'], [ns.wsd, 'ProbeMatches']), ns.wsd, 'ProbeMatch');
  return matches.flatMap((m) => {
    const endpoint = pathOf(m, [ns.wsa, 'EndpointReference'], [ns.wsa, 'Address'])?.text;
    if (endpoint === undefined || endpoint === '') return [];
    const xaddrs = words(child(m, ns.wsd, 'XAddrs')?.text).filter((x) => /^https?:\/\/[^\s]+$/i.test(x));
    return [{ endpoint: endpoint.slice(0, 200), types: words(child(m, ns.wsd, 'Types')?.text), scopes: words(child(m, ns.wsd, 'Scopes')?.text), xaddrs, from }];
  });
}

/** Options of {@link probe}. */
export interface ProbeOptions {
  /** IPv4 address of the interface the multicast Probe leaves by; without it, no multicast. */
  readonly interfaceAddress?: string;
  /** Unicast targets, `host` or `host:port` (port 3702 by default). */
  readonly unicast?: readonly string[];
  /** How long to collect answers; 3 s by default (ONVIF devices answer within a random 0-500 ms). */
  readonly timeoutMs?: number;
  /** The multicast port; 3702 unless a test says otherwise. */
  readonly multicastPort?: number;
  /** The camera network policy: unicast targets MUST then be IP addresses it admits. */
  readonly addressCheck?: AddressCheck | undefined;
}

/** Sends one Probe and collects the answers, deduplicated by endpoint. */
export async function probe(opts: ProbeOptions): Promise<DiscoveredDevice[]> {
  const targets = (opts.unicast ?? []).map((target) => {
    const m = /^(\[[^\]]+\]|[^:]+|.+?)(?::(\d+))?$/.exec(target);
    const host = (m?.[1] ?? target).replace(/^\[(.*)\]$/, '$1');
    const port = Number(m?.[2] ?? discoveryGroup.port);
    if (!Number.isInteger(port) || port < 1 || port > 65_535) throw new AppError('VALIDATION_FAILED', `bad port in unicast target ${JSON.stringify(target).slice(0, 100)}`);
    if (opts.addressCheck !== undefined && (isIP(host) === 0 || !opts.addressCheck(host))) {
      throw new AppError('VALIDATION_FAILED', `unicast target ${JSON.stringify(target).slice(0, 100)} is not an IP address inside the allowed camera networks (recording.cameraNetworks)`);
    }
    return { host, port };
  });
  const messageId = `urn:uuid:${randomUUID()}`;
  const message = Buffer.from(probeMessage(messageId));
  const socket = createSocket({ type: 'udp4' });
  const found = new Map<string, DiscoveredDevice>();
  socket.on('message', (msg, rinfo) => {
    for (const d of readProbeMatches(msg, messageId, rinfo.address)) if (!found.has(d.endpoint)) found.set(d.endpoint, d);
  });
  try {
    await new Promise<void>((resolve, reject) => {
      socket.once('error', reject);
      socket.bind(0, opts.interfaceAddress, () => resolve());
    });
    socket.on('error', () => undefined);
    const sends: Promise<void>[] = [];
    const send = (host: string, port: number): Promise<void> => new Promise((resolve, reject) => socket.send(message, port, host, (e) => (e === null ? resolve() : reject(e))));
    if (opts.interfaceAddress !== undefined) {
      socket.setMulticastInterface(opts.interfaceAddress);
      socket.setMulticastTTL(1);
      sends.push(send(discoveryGroup.address, opts.multicastPort ?? discoveryGroup.port));
    }
    for (const t of targets) sends.push(send(t.host, t.port));
    await Promise.all(sends);
    await new Promise((r) => setTimeout(r, opts.timeoutMs ?? 3_000));
  } finally {
    socket.close();
  }
  return [...found.values()];
}
