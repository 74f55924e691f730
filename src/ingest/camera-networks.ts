/**
 * The networks a camera URL may reach (`recording.cameraNetworks`). Whoever holds
 * `camera.manage` chooses camera URLs, so without a policy Custos connects wherever they say;
 * with one, every connection to a camera — the native ingest's, the ffmpeg bridge's, after each
 * redirect — MUST go only to an address the policy admits, checked after DNS resolution on the
 * address actually dialled (a name that resolves elsewhere later is checked again).
 * Deny wins over allow; an empty allow list admits every address not denied.
 */
import { lookup as dnsLookup, type LookupAddress } from 'node:dns';
import { BlockList, isIP, type LookupFunction } from 'node:net';
import { parseCidr } from '../lib/cidr.ts';

/** The policy as configured: CIDR strings. */
export interface CameraNetworkPolicy {
  readonly allow: readonly string[];
  readonly deny: readonly string[];
}

/** The error code of a refused address (classified by ingest-failure.ts). */
export const NETWORK_REFUSED = 'ECAMERANETWORK';

function blockList(cidrs: readonly string[]): BlockList {
  const list = new BlockList();
  for (const c of cidrs) {
    const n = parseCidr(c);
    if (n !== undefined) list.addSubnet(n.address, n.prefix, n.family);
  }
  return list;
}

/** Decides one address; undefined when no policy is configured (every address admitted). */
export type AddressCheck = (address: string) => boolean;

/** The check of a policy, or undefined when both lists are empty. */
export function addressCheck(policy: CameraNetworkPolicy | undefined): AddressCheck | undefined {
  if (policy === undefined || (policy.allow.length === 0 && policy.deny.length === 0)) return undefined;
  const allow = blockList(policy.allow);
  const deny = blockList(policy.deny);
  return (raw) => {
    const address = raw.replace(/^\[(.*)\]$/, '$1');
    const family = isIP(address) === 6 ? 'ipv6' : 'ipv4';
    // An IPv4-mapped IPv6 address (::ffff:10.0.0.1) is judged as the IPv4 address it is.
    const mapped = /^::ffff:(\d+\.\d+\.\d+\.\d+)$/i.exec(address)?.[1];
    const [a, f] = mapped === undefined ? [address, family] as const : [mapped, 'ipv4'] as const;
    if (isIP(a) === 0 || deny.check(a, f)) return false;
    return policy.allow.length === 0 || allow.check(a, f);
  };
}

/** The error a refused address gives (a Node-style error with a code, like a failed connect). */
export function networkRefused(): NodeJS.ErrnoException {
  return Object.assign(new Error('the camera address is outside the allowed camera networks'), { code: NETWORK_REFUSED });
}

/**
 * A `lookup` for net.connect / tls.connect that resolves the name and keeps only admitted
 * addresses, so the socket can only dial those; none left fails with {@link NETWORK_REFUSED}.
 */
export function admittedLookup(check: AddressCheck): LookupFunction {
  const lookup = (hostname: string, options: { all?: boolean }, callback: (err: NodeJS.ErrnoException | null, address: string | LookupAddress[], family?: number) => void): void => {
    dnsLookup(hostname, { ...options, all: true }, (err, addresses) => {
      if (err !== null) {
        callback(err, options.all === true ? [] : '', 0);
        return;
      }
      const admitted = addresses.filter((a) => check(a.address));
      const first = admitted[0];
      if (first === undefined) callback(networkRefused(), options.all === true ? [] : '', 0);
      else if (options.all === true) callback(null, admitted);
      else callback(null, first.address, first.family);
    });
  };
  return lookup;
}

/**
 * Connection options that enforce the policy for `host`: an IP literal is checked now (throwing
 * {@link NETWORK_REFUSED}), a name through {@link admittedLookup}. Empty without a policy.
 */
export function admittedConnectOptions(host: string, check: AddressCheck | undefined): { lookup?: LookupFunction } {
  if (check === undefined) return {};
  if (isIP(host) !== 0) {
    if (!check(host)) throw networkRefused();
    return {};
  }
  return { lookup: admittedLookup(check) };
}
