import { Reply, type RawReply } from '@plinth/sdk';
import { pageMessages } from './page-messages.js';
import { renderNotFound, type RenderedPage } from './render-page.js';

/** A rendered page as the reply, with its CSP; not cached by browsers unless `headers` say otherwise. */
export function htmlReply(page: RenderedPage, headers: Record<string, string> = {}): RawReply {
  return Reply.raw(page.html, {
    contentType: 'text/html; charset=utf-8',
    status: page.status,
    headers: { 'content-security-policy': page.csp, 'cache-control': 'no-store', ...headers },
  });
}

/** The 404 pages, one per language and kind, rendered once each. */
const notFoundPages = new Map<string, RenderedPage>();

/**
 * The plugin's HTML 404 page for an unknown site (`page`) or link (`link`), whether the plugin or the kernel finds
 * it missing, in the tenant's language (the visitor's when no tenant was found).
 */
export function notFoundReply(request?: { locale: string }, what: 'page' | 'link' = 'page'): RawReply {
  const language = pageMessages.language(request?.locale ?? 'en');
  const key = `${language}:${what}`;
  let page = notFoundPages.get(key);
  if (!page) notFoundPages.set(key, (page = renderNotFound(language, what)));
  return htmlReply(page);
}
