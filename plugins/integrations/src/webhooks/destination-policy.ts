import { lookup } from 'node:dns/promises';
import { isIP } from 'node:net';
import { refusedAddress } from './address-policy.js';
import { urlProblems } from './endpoint-store.js';

/** Resolves a host name to its addresses (injected in tests; DNS by default). */
export type Resolve = (hostname: string) => Promise<string[]>;

/** Suffixes of names that only mean something inside a network (`metadata.google.internal`, `printer.local`, …). */
const internalSuffixes = ['.internal', '.local', '.localdomain', '.home.arpa', '.lan', '.intranet', '.corp'];

/** How long registration waits for DNS before leaving the name to the delivery-time check. */
const RESOLVE_TIMEOUT_MS = 3_000;

const resolveWithDns: Resolve = async (hostname) => (await lookup(hostname, { all: true, verbatim: true })).map((entry) => entry.address);

/**
 * Why the server may not call `value` (a webhook URL, a store's base URL), as field messages; empty when it may.
 * Checked when the URL is registered or changed: its form, an IP literal in any notation the URL parser
 * understands (`0x7f000001`, `127.1`, `[::ffff:127.0.0.1]` are 127.0.0.1), names of the machine itself or
 * of internal networks, and what the name resolves to now. Every delivery checks the address again, since
 * DNS can change; a name that does not resolve yet is left to that check.
 */
export async function destinationProblems(value: string, allowLoopback: boolean, resolve: Resolve = resolveWithDns): Promise<string[]> {
  const problems = urlProblems(value);
  if (problems.length > 0) return problems;
  const host = new URL(value).hostname
    .toLowerCase()
    .replace(/^\[(.*)\]$/, '$1')
    .replace(/\.$/, '');
  if (isIP(host)) {
    const reason = refusedAddress(host, allowLoopback);
    return reason ? [`must not point to a ${reason} address (${host})`] : [];
  }
  if (host === 'localhost' || host.endsWith('.localhost')) return allowLoopback ? [] : [`must not point to this machine (${host} is a loopback name)`];
  if (internalSuffixes.some((suffix) => host.endsWith(suffix))) return [`must be a public host name (${host} names an internal network)`];
  if (!host.includes('.')) return [`must be a public host name (${host} has no domain)`];
  const addresses = await resolveBriefly(resolve, host);
  for (const address of addresses) {
    const reason = refusedAddress(address, allowLoopback);
    if (reason) return [`must not point to a ${reason} address (${host} resolves to ${address})`];
  }
  return [];
}

async function resolveBriefly(resolve: Resolve, host: string): Promise<string[]> {
  let timer: NodeJS.Timeout | undefined;
  const timeout = new Promise<string[]>((done) => {
    timer = setTimeout(() => done([]), RESOLVE_TIMEOUT_MS);
  });
  try {
    return await Promise.race([resolve(host).catch(() => []), timeout]);
  } finally {
    clearTimeout(timer);
  }
}
