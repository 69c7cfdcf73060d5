import { type HttpClient, RefusedDestinationError, ValidationError } from '@plinth/sdk';
import { checkUrl } from '../model/urls.js';

/** The most of a page read looking for its title: titles sit in the `<head>`, near the top. */
const maxBytes = 256 * 1024;
const timeoutMs = 5_000;

const entities: Record<string, string> = { amp: '&', lt: '<', gt: '>', quot: '"', apos: "'", nbsp: ' ' };

/** Decodes the character references a title holds (`&amp;`, `&#39;`, `&#x2014;`). */
function decode(text: string): string {
  return text.replace(/&(#x[0-9a-f]+|#\d+|[a-z]+);/gi, (whole, name: string) => {
    if (name[0] === '#') {
      const code = name[1] === 'x' || name[1] === 'X' ? parseInt(name.slice(2), 16) : parseInt(name.slice(1), 10);
      return code > 0 && code <= 0x10ffff ? String.fromCodePoint(code) : whole;
    }
    return entities[name.toLowerCase()] ?? whole;
  });
}

/** The page's `og:title`, else its `<title>`: trimmed, spaces collapsed, at most 100 characters (a link's title). */
export function titleOf(page: string): string | null {
  const og =
    /<meta\s[^>]*property\s*=\s*["']og:title["'][^>]*content\s*=\s*["']([^"']*)["']/i.exec(page) ??
    /<meta\s[^>]*content\s*=\s*["']([^"']*)["'][^>]*property\s*=\s*["']og:title["']/i.exec(page);
  const raw = og?.[1] ?? /<title[^>]*>([^<]*)<\/title>/i.exec(page)?.[1];
  const title = raw === undefined ? '' : decode(raw).replace(/\s+/g, ' ').trim();
  return title ? title.slice(0, 100) : null;
}

/** Reads at most `maxBytes` of the answer's body as text. */
async function readHead(response: Response): Promise<string> {
  if (!response.body) return '';
  const reader = response.body.getReader();
  const chunks: Uint8Array[] = [];
  let size = 0;
  while (size < maxBytes) {
    const { done, value } = await reader.read();
    if (done) break;
    chunks.push(value);
    size += value.byteLength;
  }
  await reader.cancel().catch(() => undefined);
  return new TextDecoder().decode(Buffer.concat(chunks).subarray(0, maxBytes));
}

/**
 * The title of the page at `url`, for a link block's title: fetched through the kernel's SSRF-guarded client (no
 * internal address, no redirect followed). A URL a link may not hold, or a destination the server must not call, is
 * a `url` field error (422); a page that cannot be read or has no title gives `null` (the creator types one).
 */
export async function fetchLinkTitle(http: HttpClient, url: string): Promise<{ url: string; title: string | null }> {
  const checked = checkUrl(url);
  if ('error' in checked) throw new ValidationError({ url: [checked.error] });
  let response: Response;
  try {
    response = await http.fetch(checked.url, { headers: { accept: 'text/html', 'user-agent': 'PlinthBioSites/1 (link title)' }, timeoutMs });
  } catch (error) {
    if (error instanceof RefusedDestinationError) throw new ValidationError({ url: [error.message] });
    return { url: checked.url, title: null };
  }
  const type = response.headers.get('content-type') ?? '';
  if (!response.ok || !/text\/html|application\/xhtml/i.test(type)) {
    await response.body?.cancel().catch(() => undefined);
    return { url: checked.url, title: null };
  }
  try {
    return { url: checked.url, title: titleOf(await readHead(response)) };
  } catch {
    return { url: checked.url, title: null };
  }
}
