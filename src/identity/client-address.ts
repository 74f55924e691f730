import { isIPv6 } from 'node:net';

/**
 * The key a client address is throttled and summarised under: an IPv4 address (also when
 * IPv4-mapped) as is, an IPv6 address as its /64 prefix. One subscriber or host usually holds a
 * whole /64 and can answer from any of its 2^64 addresses, so keying by the full address would
 * give one attacker a fresh login rate, lockout and summary for every request. Pure.
 */
export function clientKey(address: string): string {
  const mapped = /^::ffff:(\d{1,3}(?:\.\d{1,3}){3})$/i.exec(address);
  if (mapped) return mapped[1]!;
  const bare = address.replace(/%.*$/, '');
  if (!isIPv6(bare)) return address;
  const [head = '', tail = ''] = bare.toLowerCase().split('::', 2) as [string, string?];
  const left = head === '' ? [] : head.split(':');
  const right = bare.includes('::') ? (tail === '' ? [] : tail.split(':')) : [];
  // An embedded IPv4 tail counts as two groups; only the first four groups matter here.
  const groups = bare.includes('::') ? [...left, ...Array<string>(Math.max(0, 8 - left.length - right.length)).fill('0'), ...right] : left;
  return `${groups
    .slice(0, 4)
    .map((g) => g.replace(/^0+(?=.)/, ''))
    .join(':')}::/64`;
}
