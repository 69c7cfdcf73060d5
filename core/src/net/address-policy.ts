import { isIP } from 'node:net';

/** Why an address may not be called, or `undefined` when it may. */
export function refusedAddress(address: string, allowLoopback: boolean): string | undefined {
  const family = isIP(address);
  if (family === 4) return refusedIPv4(ipv4ToNumber(address), allowLoopback);
  if (family === 6) return refusedIPv6(address, allowLoopback);
  return 'not an IP address';
}

const IPV4_BLOCKS: readonly [string, number, string][] = [
  ['0.0.0.0', 8, 'unspecified'],
  ['10.0.0.0', 8, 'private'],
  ['100.64.0.0', 10, 'carrier-grade NAT'],
  ['127.0.0.0', 8, 'loopback'],
  ['169.254.0.0', 16, 'link-local (cloud metadata)'],
  ['172.16.0.0', 12, 'private'],
  ['192.0.0.0', 24, 'IETF protocol assignments'],
  ['192.168.0.0', 16, 'private'],
  ['198.18.0.0', 15, 'benchmarking'],
  ['224.0.0.0', 4, 'multicast'],
  ['240.0.0.0', 4, 'reserved'],
];

function ipv4ToNumber(address: string): number {
  return address.split('.').reduce((value, part) => value * 256 + Number(part), 0);
}

function refusedIPv4(value: number, allowLoopback: boolean): string | undefined {
  for (const [base, bits, reason] of IPV4_BLOCKS) {
    const size = 2 ** (32 - bits);
    const start = ipv4ToNumber(base);
    if (value >= start && value < start + size) return reason === 'loopback' && allowLoopback ? undefined : reason;
  }
  return undefined;
}

/** The eight 16-bit groups of an IPv6 address (with an embedded IPv4 tail understood). */
function ipv6Groups(address: string): number[] {
  let text = address.toLowerCase().split('%')[0]!;
  const tail = /(\d+\.\d+\.\d+\.\d+)$/.exec(text);
  if (tail) {
    const v4 = ipv4ToNumber(tail[1]!);
    text = `${text.slice(0, -tail[1]!.length)}${(v4 >>> 16).toString(16)}:${(v4 & 0xffff).toString(16)}`;
  }
  const [head, rest] = text.split('::') as [string, string | undefined];
  const parse = (part: string) => (part ? part.split(':').map((group) => parseInt(group, 16)) : []);
  const left = parse(head);
  const right = rest === undefined ? [] : parse(rest);
  return [...left, ...new Array<number>(8 - left.length - right.length).fill(0), ...right];
}

function refusedIPv6(address: string, allowLoopback: boolean): string | undefined {
  const g = ipv6Groups(address);
  const zeros = (count: number) => g.slice(0, count).every((group) => group === 0);
  const embeddedV4 = (g[6]! << 16) + g[7]!;
  if (zeros(8)) return 'unspecified';
  if (zeros(7) && g[7] === 1) return allowLoopback ? undefined : 'loopback';
  // IPv4-mapped (::ffff:a.b.c.d), IPv4-compatible (::a.b.c.d) and NAT64 (64:ff9b::a.b.c.d) carry an IPv4 address.
  if ((zeros(5) && g[5] === 0xffff) || zeros(6) || (g[0] === 0x64 && g[1] === 0xff9b && g.slice(2, 6).every((group) => group === 0))) {
    return refusedIPv4(embeddedV4 >>> 0, allowLoopback);
  }
  if ((g[0]! & 0xfe00) === 0xfc00) return 'private (unique local)';
  if ((g[0]! & 0xffc0) === 0xfe80) return 'link-local';
  if ((g[0]! & 0xff00) === 0xff00) return 'multicast';
  return undefined;
}
