import { isIPv4, isIPv6 } from 'node:net';

/** For session lists and logs: IPv4 keeps its /24 (`203.0.113.*`), IPv6 its /48 (`2001:db8:1::*`). */
export function maskIp(ip: string | undefined): string | undefined {
  if (ip === undefined) return undefined;
  const v4 = ip.startsWith('::ffff:') && isIPv4(ip.slice(7)) ? ip.slice(7) : ip;
  if (isIPv4(v4)) return `${v4.split('.').slice(0, 3).join('.')}.*`;
  if (isIPv6(ip)) {
    const [head] = ip.split('::');
    return `${head.split(':').slice(0, 3).join(':')}::*`;
  }
  return '*';
}
