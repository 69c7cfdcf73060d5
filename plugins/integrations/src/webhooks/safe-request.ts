import { lookup } from 'node:dns/promises';
import http from 'node:http';
import https from 'node:https';
import { isIP, type LookupFunction } from 'node:net';
import { refusedAddress } from './address-policy.js';

/** The destination was refused by the SSRF policy (the message says why; no request was made). */
export class RefusedDestinationError extends Error {
  override name = 'RefusedDestinationError';
}

/** A vetted address to connect to. */
export interface VettedAddress {
  address: string;
  family: 4 | 6;
}

/**
 * Resolves `hostname` and vets every address it resolves to (one bad address refuses the whole name, so a
 * round-robin record cannot smuggle one in). Returns the address to connect to.
 */
export async function vetHost(hostname: string, allowLoopback: boolean): Promise<VettedAddress> {
  const bare = hostname.startsWith('[') ? hostname.slice(1, -1) : hostname;
  const addresses = isIP(bare) ? [{ address: bare, family: isIP(bare) }] : await resolveAll(bare);
  if (addresses.length === 0) throw new RefusedDestinationError(`${bare} does not resolve`);
  for (const { address } of addresses) {
    const reason = refusedAddress(address, allowLoopback);
    if (reason) throw new RefusedDestinationError(`${bare} resolves to ${address}, a ${reason} address`);
  }
  const chosen = addresses[0]!;
  return { address: chosen.address, family: chosen.family === 6 ? 6 : 4 };
}

async function resolveAll(hostname: string): Promise<{ address: string; family: number }[]> {
  try {
    return await lookup(hostname, { all: true, verbatim: true });
  } catch {
    throw new RefusedDestinationError(`${hostname} does not resolve`);
  }
}

/** A `lookup` that always answers the vetted address, so a DNS rebind between check and connect changes nothing. */
export function pinnedLookup(vetted: VettedAddress): LookupFunction {
  return ((_hostname: string, options: { all?: boolean }, callback: (...args: unknown[]) => void) => {
    if (options?.all) callback(null, [{ address: vetted.address, family: vetted.family }]);
    else callback(null, vetted.address, vetted.family);
  }) as LookupFunction;
}

/** What a receiver answered (the body cut at `maxBodyBytes`). */
export interface SafeResponse {
  status: number;
  headers: Record<string, string>;
  body: string;
}

export interface SafePostInput {
  url: string;
  headers: Record<string, string>;
  body: string;
  timeoutMs: number;
  allowLoopback: boolean;
  maxBodyBytes: number;
}

/**
 * POSTs `body` to `url` after vetting its host, connecting to the vetted address only. Redirects are not
 * followed (a 3xx is just an answer). Rejects with {@link RefusedDestinationError} before any request when
 * the destination is refused, or with the network error / timeout.
 */
export async function safePost(input: SafePostInput): Promise<SafeResponse> {
  const url = new URL(input.url);
  if (url.protocol !== 'http:' && url.protocol !== 'https:') throw new RefusedDestinationError(`${url.protocol} URLs are not allowed`);
  const vetted = await vetHost(url.hostname, input.allowLoopback);
  const client = url.protocol === 'https:' ? https : http;
  return new Promise<SafeResponse>((resolve, reject) => {
    const request = client.request(
      url,
      {
        method: 'POST',
        headers: { ...input.headers, 'content-length': Buffer.byteLength(input.body).toString() },
        lookup: pinnedLookup(vetted),
        signal: AbortSignal.timeout(input.timeoutMs),
        agent: false,
      },
      (response) => {
        const chunks: Buffer[] = [];
        let size = 0;
        response.on('data', (chunk: Buffer) => {
          if (size < input.maxBodyBytes) chunks.push(chunk.subarray(0, input.maxBodyBytes - size));
          size += chunk.length;
        });
        response.on('end', () => {
          const headers: Record<string, string> = {};
          for (const [name, value] of Object.entries(response.headers)) if (value !== undefined) headers[name] = String(value);
          resolve({ status: response.statusCode ?? 0, headers, body: Buffer.concat(chunks).toString('utf8') });
        });
        response.on('error', reject);
      },
    );
    request.on('error', (error) => reject(error.name === 'AbortError' ? new Error(`timed out after ${input.timeoutMs} ms`) : error));
    request.end(input.body);
  });
}
