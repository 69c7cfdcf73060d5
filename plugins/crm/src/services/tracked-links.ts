/** `href="…"` attributes of an HTML part (double or single quoted). */
const hrefPattern = /\bhref\s*=\s*(?:"([^"]*)"|'([^']*)')/gi;

const decode = (value: string) => value.replace(/&amp;/g, '&');

/**
 * The links of a campaign's HTML that clicks are tracked for: absolute http(s) URLs without merge fields,
 * each once, in order. The click route redirects only to these (by index), never to a URL from the request.
 */
export function trackableLinks(html: string): string[] {
  const links: string[] = [];
  for (const match of html.matchAll(hrefPattern)) {
    const url = decode(match[1] ?? match[2] ?? '').trim();
    if (!/^https?:\/\/[^\s{}]+$/i.test(url) || links.includes(url)) continue;
    try {
      new URL(url);
      links.push(url);
    } catch {
      // not a URL: left as written, untracked
    }
  }
  return links;
}

/** Points each tracked link of rendered HTML at its click-tracking URL. */
export function rewriteLinks(html: string, links: readonly string[], clickUrl: (index: number) => string): string {
  return html.replace(hrefPattern, (whole, double: string | undefined, single: string | undefined) => {
    const index = links.indexOf(decode(double ?? single ?? '').trim());
    return index === -1 ? whole : `href="${clickUrl(index)}"`;
  });
}
