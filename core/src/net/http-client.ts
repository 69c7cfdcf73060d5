import { lookup } from 'node:dns/promises';
import http from 'node:http';
import https from 'node:https';
import { isIP, type LookupFunction } from 'node:net';
import { Readable } from 'node:stream';
import { RefusedDestinationError, type HttpClient, type HttpRequestInit } from '@plinth/sdk';
import { refusedAddress } from './address-policy.js';
import { tracedHttpClient } from '../telemetry/spans.js';
import { tracing } from '../telemetry/tracing.js';

/** Resolves a host name to its addresses (DNS by default; a test passes its own). */
export type Resolve = (hostname: string) => Promise<string[]>;

export interface HttpClientOptions {
  /** Loopback destinations are allowed (development, tests: `PLINTH_HTTP_ALLOW_LOOPBACK`); every other internal one stays refused. */
  allowLoopback: boolean;
  resolve?: Resolve;
}

/** A vetted address to connect to. */
export interface VettedAddress {
  address: string;
  family: 4 | 6;
}

const DEFAULT_TIMEOUT_MS = 10_000;
/** How long `check` waits for DNS before leaving the name to the check `fetch` makes. */
const CHECK_RESOLVE_TIMEOUT_MS = 3_000;
/** Suffixes of names that only mean something inside a network (`metadata.google.internal`, `printer.local`, …). */
const internalSuffixes = ['.internal', '.local', '.localdomain', '.home.arpa', '.lan', '.intranet', '.corp'];

const resolveWithDns: Resolve = async (hostname) => (await lookup(hostname, { all: true, verbatim: true })).map((entry) => entry.address);

/** The kernel's outbound HTTP client (`coreServices.http`): see {@link HttpClient} for the guard it applies. */
export function createHttpClient(options: HttpClientOptions): HttpClient {
  const resolve = options.resolve ?? resolveWithDns;

  /**
   * Resolves `hostname` and vets every address it resolves to (one bad address refuses the whole name, so a
   * round-robin record cannot smuggle one in). Returns the address to connect to.
   */
  async function vet(hostname: string): Promise<VettedAddress> {
    const bare = hostname.replace(/^\[(.*)\]$/, '$1');
    const addresses = isIP(bare) ? [bare] : await resolve(bare).catch(() => []);
    if (addresses.length === 0) throw new RefusedDestinationError(`${bare} does not resolve`);
    for (const address of addresses) {
      const reason = refusedAddress(address, options.allowLoopback);
      if (reason) throw new RefusedDestinationError(`${bare} resolves to ${address}, a ${reason} address`);
    }
    const chosen = addresses[0]!;
    return { address: chosen, family: isIP(chosen) === 6 ? 6 : 4 };
  }

  const client: HttpClient = {
    async fetch(input, init = {}) {
      const url = new URL(input);
      if (url.protocol !== 'http:' && url.protocol !== 'https:') throw new RefusedDestinationError(`${url.protocol} URLs are not allowed`);
      return send(url, init, await vet(url.hostname));
    },
    async check(value) {
      let url: URL;
      try {
        url = new URL(value);
      } catch {
        return 'must be an absolute http(s) URL';
      }
      if (url.protocol !== 'http:' && url.protocol !== 'https:') return 'must use http or https';
      const host = url.hostname
        .toLowerCase()
        .replace(/^\[(.*)\]$/, '$1')
        .replace(/\.$/, '');
      if (isIP(host)) {
        const reason = refusedAddress(host, options.allowLoopback);
        return reason ? `must not point to a ${reason} address (${host})` : undefined;
      }
      if (host === 'localhost' || host.endsWith('.localhost')) {
        return options.allowLoopback ? undefined : `must not point to this machine (${host} is a loopback name)`;
      }
      if (internalSuffixes.some((suffix) => host.endsWith(suffix))) return `must be a public host name (${host} names an internal network)`;
      if (!host.includes('.')) return `must be a public host name (${host} has no domain)`;
      for (const address of await resolveBriefly(resolve, host)) {
        const reason = refusedAddress(address, options.allowLoopback);
        if (reason) return `must not point to a ${reason} address (${host} resolves to ${address})`;
      }
      return undefined;
    },
  };
  return tracing ? tracedHttpClient(client) : client;
}

/** A `lookup` that always answers the vetted address, so a DNS rebind between check and connect changes nothing. */
export function pinnedLookup(vetted: VettedAddress): LookupFunction {
  return ((_hostname: string, options: { all?: boolean }, callback: (...args: unknown[]) => void) => {
    if (options?.all) callback(null, [{ address: vetted.address, family: vetted.family }]);
    else callback(null, vetted.address, vetted.family);
  }) as LookupFunction;
}

/** Sends the request to the vetted address only (no agent: no pooled connection to another address), redirects not followed. */
function send(url: URL, init: HttpRequestInit, vetted: VettedAddress): Promise<Response> {
  const timeoutMs = init.timeoutMs ?? DEFAULT_TIMEOUT_MS;
  const timeout = AbortSignal.timeout(timeoutMs);
  const signal = init.signal ? AbortSignal.any([init.signal, timeout]) : timeout;
  const method = (init.method ?? 'GET').toUpperCase();
  const headers: Record<string, string> = { ...init.headers };
  if (init.body !== undefined && !Object.keys(headers).some((name) => name.toLowerCase() === 'content-length')) {
    headers['content-length'] = Buffer.byteLength(init.body).toString();
  }
  const client = url.protocol === 'https:' ? https : http;
  return new Promise<Response>((resolve, reject) => {
    const request = client.request(url, { method, headers, lookup: pinnedLookup(vetted), signal, agent: false }, (incoming) => {
      const status = incoming.statusCode ?? 0;
      const answer = new Headers();
      for (const [name, value] of Object.entries(incoming.headers)) for (const item of [value ?? []].flat()) answer.append(name, item);
      if (status < 200 || status > 599) {
        incoming.destroy();
        reject(new Error(`${url.host} answered the invalid status ${status}`));
        return;
      }
      const empty = method === 'HEAD' || [204, 205, 304].includes(status);
      if (empty) incoming.resume();
      const body = empty ? null : (Readable.toWeb(incoming) as ReadableStream<Uint8Array>);
      resolve(new Response(body, { status, statusText: incoming.statusMessage ?? '', headers: answer }));
    });
    request.on('error', (error) => reject(timeout.aborted ? new Error(`timed out after ${timeoutMs} ms`) : error));
    request.end(init.body);
  });
}

async function resolveBriefly(resolve: Resolve, host: string): Promise<string[]> {
  let timer: NodeJS.Timeout | undefined;
  const timeout = new Promise<string[]>((done) => {
    timer = setTimeout(() => done([]), CHECK_RESOLVE_TIMEOUT_MS);
  });
  try {
    return await Promise.race([resolve(host).catch(() => []), timeout]);
  } finally {
    clearTimeout(timer);
  }
}
