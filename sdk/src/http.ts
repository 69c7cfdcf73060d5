/** Where the kernel and plugins read the time: the system clock, or one a host or a test sets (`services.clock`). */
export interface Clock {
  now(): Date;
}

/** A request through {@link HttpClient.fetch}: the parts of `fetch`'s `RequestInit` an outbound call needs. */
export interface HttpRequestInit {
  /** `GET` by default. */
  method?: string;
  headers?: Record<string, string>;
  body?: string | Uint8Array;
  /** Gives up (rejecting with a timeout error) after this many milliseconds; 10 s by default. */
  timeoutMs?: number;
  signal?: AbortSignal;
}

/**
 * Outbound HTTP for plugins, guarded against server-side request forgery: before connecting, the host name is
 * resolved and every address it resolves to is vetted, and the connection goes to the vetted address only (a DNS
 * rebind between the check and the connection changes nothing). Loopback, private, link-local (cloud metadata),
 * carrier-grade NAT, multicast and reserved addresses are refused, in any notation the URL parser understands;
 * loopback only is allowed when the host sets `PLINTH_HTTP_ALLOW_LOOPBACK` (development, tests). Redirects are
 * not followed: a 3xx is an answer like any other.
 *
 * @example
 * ```ts
 * deps: { http: coreServices.http },
 * // in a handler
 * const response = await deps.http.fetch(endpoint.url, { method: 'POST', headers: { 'content-type': 'application/json' }, body });
 * if (!response.ok) throw new Error(`receiver answered ${response.status}`);
 * ```
 */
export interface HttpClient {
  /**
   * Sends the request and resolves with the answer (any status), like `fetch`. Rejects with
   * {@link RefusedDestinationError} before any connection when the destination is refused, or with the network
   * error or timeout.
   */
  fetch(url: string | URL, init?: HttpRequestInit): Promise<Response>;
  /**
   * Why the server may not call `url`, as a field message ("must not point to a private address (10.0.0.1)"), or
   * `undefined` when it may: for a URL a tenant registers (a webhook, a store). Checks its scheme, IP literals,
   * names of this machine and of internal networks, and what the name resolves to now (a name that does not
   * resolve yet passes: {@link fetch} checks again).
   */
  check(url: string): Promise<string | undefined>;
}

/** {@link HttpClient.fetch} refused the destination (the message says why); no request was made. */
export class RefusedDestinationError extends Error {
  override name = 'RefusedDestinationError';
}
