/** The longest URL a site, block or short link may store. */
export const maxUrlLength = 2048;

/**
 * Checks a URL a visitor will be sent to or shown: absolute, `http:` or `https:` only (never `javascript:`,
 * `data:`, `file:`…), no credentials, at most {@link maxUrlLength} characters. Returns the normalised URL, or
 * the reason it is refused.
 */
export function checkUrl(value: string, options: { httpsOnly?: boolean } = {}): { url: string } | { error: string } {
  const allowed = options.httpsOnly ? ['https:'] : ['http:', 'https:'];
  const expected = options.httpsOnly ? 'must be an https URL' : 'must be an http or https URL';
  if (value.length > maxUrlLength) return { error: `must be at most ${maxUrlLength} characters` };
  let parsed: URL;
  try {
    parsed = new URL(value.trim());
  } catch {
    return { error: expected };
  }
  if (!allowed.includes(parsed.protocol)) return { error: expected };
  if (parsed.username || parsed.password) return { error: 'must not carry a user name or password' };
  if (!parsed.hostname) return { error: expected };
  return { url: parsed.href };
}
