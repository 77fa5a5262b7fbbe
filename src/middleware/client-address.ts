import net from 'node:net';

/**
 * The key a limiter counts a client address under. IPv4 (also when mapped
 * into IPv6) counts per address; IPv6 per /64, the smallest block a provider
 * hands out, or one host could rotate through 2^64 addresses to escape a limit.
 */
export function addressKey(ip: string): string {
  const address = ip.startsWith('::ffff:') && net.isIPv4(ip.slice(7)) ? ip.slice(7) : ip;
  if (!net.isIPv6(address)) return address;
  const [head = '', tail = ''] = address.split('::');
  const left = head ? head.split(':') : [];
  const right = address.includes('::') && tail ? tail.split(':') : [];
  // Only the first four groups matter; an embedded IPv4 tail lies past them.
  const groups = [...left, ...Array<string>(Math.max(8 - left.length - right.length, 0)).fill('0'), ...right];
  return `${groups
    .slice(0, 4)
    .map((group) => Number.parseInt(group, 16).toString(16))
    .join(':')}::/64`;
}
