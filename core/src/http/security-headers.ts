/** Headers every response carries, as `[name, value]` pairs set in one pass. */
export const securityHeaders: readonly (readonly [string, string])[] = [
  ['X-Content-Type-Options', 'nosniff'],
  ['X-Frame-Options', 'DENY'],
  ['Referrer-Policy', 'no-referrer'],
  ['Cross-Origin-Resource-Policy', 'same-origin'],
  ['Content-Security-Policy', "default-src 'none'; frame-ancestors 'none'"],
];

/** {@link securityHeaders} and HSTS, for requests that arrived over TLS. */
export const tlsSecurityHeaders: readonly (readonly [string, string])[] = [
  ...securityHeaders,
  ['Strict-Transport-Security', 'max-age=31536000; includeSubDomains'],
];
