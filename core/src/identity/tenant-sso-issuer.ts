import type { HttpClient } from '@plinth/sdk';
import * as client from 'openid-client';

/** Whether an issuer URL is on this machine (plain http is allowed there only, and only when loopback calls are). */
function isLoopback(url: URL): boolean {
  const host = url.hostname.replace(/^\[(.*)\]$/, '$1');
  return host === 'localhost' || host === '::1' || /^127\.\d+\.\d+\.\d+$/.test(host);
}

/**
 * `fetch` for openid-client through the kernel's guarded HTTP client: a tenant's issuer is a URL a tenant typed, so
 * every call it leads to (discovery, JWKS, token) must refuse internal destinations like any other outbound call.
 */
export function guardedFetch(http: HttpClient): client.CustomFetch {
  return (url, options) => {
    const body = options.body;
    return http.fetch(url, {
      method: options.method,
      headers: options.headers,
      ...(typeof body === 'string' ? { body } : body instanceof URLSearchParams ? { body: body.toString() } : {}),
      ...(options.signal ? { signal: options.signal } : {}),
    });
  };
}

/**
 * Why an issuer cannot be used, or undefined when it can: it must be an https URL (http only on loopback, for
 * development and tests), pass the outbound-call guard, and serve an OpenID configuration naming itself as issuer.
 */
export async function issuerProblem(http: HttpClient, issuer: string, clientId: string): Promise<string | undefined> {
  let url: URL;
  try {
    url = new URL(issuer);
  } catch {
    return 'must be an absolute https URL';
  }
  if (url.search || url.hash) return 'must not have a query or fragment';
  if (url.protocol !== 'https:' && !(url.protocol === 'http:' && isLoopback(url))) return 'must be an https URL';
  const refused = await http.check(issuer);
  if (refused) return refused;
  try {
    await client.discovery(url, clientId, undefined, undefined, {
      [client.customFetch]: guardedFetch(http),
      ...(url.protocol === 'http:' ? { execute: [client.allowInsecureRequests] } : {}),
    });
    return undefined;
  } catch (error) {
    const reason = error instanceof Error ? error.message : 'no answer';
    return `has no OpenID configuration that could be read (${reason.slice(0, 200)})`;
  }
}
