import { Reply, type RawReply } from '@plinth/sdk';
import { renderNotFound, type RenderedPage } from './render-page.js';

/** A rendered page as the reply, with its CSP; not cached by browsers unless `headers` say otherwise. */
export function htmlReply(page: RenderedPage, headers: Record<string, string> = {}): RawReply {
  return Reply.raw(page.html, {
    contentType: 'text/html; charset=utf-8',
    status: page.status,
    headers: { 'content-security-policy': page.csp, 'cache-control': 'no-store', ...headers },
  });
}

const notFound = renderNotFound();

/** The plugin's HTML 404 page, for unknown sites and links, whether the plugin or the kernel finds them missing. */
export function notFoundReply(): RawReply {
  return htmlReply(notFound);
}
