import {
  formatMoney,
  html,
  isPlinthError,
  pagePath,
  pageReply,
  type PageSources,
  type PlinthError,
  type RawReply,
  type RequestContext,
  type SafeHtml,
  type TenantDb,
} from '@plinth/sdk';
import type { Settings } from '../deps.js';
import { pageMessages, type PageTranslate } from './messages.js';

/** The CSS the shop's pages add to the SDK's base stylesheet. */
const shopCss =
  '.product-image{inline-size:100%;max-block-size:20rem;object-fit:cover;border-radius:.75rem}' +
  '.description{white-space:pre-line}.price{font-size:1.25rem;font-weight:700}.compare-at{font-weight:400;margin-inline-end:.4em}' +
  '.hint{display:block;font-weight:400;font-size:.875rem}.totals th{font-weight:400}.totals tr.grand th,.totals tr.grand td{font-weight:700}' +
  '.choices{display:flex;flex-wrap:wrap;gap:.75rem}ul.plain{padding-inline-start:1.25rem}';

/** What every shop page knows: the request, its translator and locale. */
export interface PageScope {
  ctx: RequestContext<Settings>;
  t: PageTranslate;
  locale: string;
}

/** The scope of a page request: the tenant's locale picks the language (Arabic pages are laid out right to left). */
export function pageScope(ctx: RequestContext<Settings>): PageScope {
  const locale = ctx.tenant.locale;
  return { ctx, t: pageMessages.translator(locale), locale };
}

/** A whole shop page: the tenant's name in the header, the shop's stylesheet, a strict CSP. */
export function shopPage(
  { ctx, locale }: PageScope,
  input: { title: string; body: SafeHtml; status?: number; sources?: PageSources; head?: SafeHtml; noindex?: boolean },
): RawReply {
  return pageReply({ locale, brand: ctx.tenant.name, css: shopCss, ...input });
}

/** A page that only says something (not found, expired): `status` is its HTTP status. */
export function messagePage(scope: PageScope, status: number, title: string, text: string): RawReply {
  return shopPage(scope, {
    status,
    title,
    body: html`<h1>${title}</h1>
      <p>${text}</p>`,
  });
}

/** The 404 page of the shop's pages (unknown product or token, another tenant's order). */
export function notFoundPage(scope: PageScope): RawReply {
  return messagePage(scope, 404, scope.t('notFoundTitle'), scope.t('notFoundBody'));
}

/** A tenant page's path: `/c/<tenant>/<path>`. */
export function shopPath(scope: PageScope, path: string): string {
  return pagePath(scope.ctx.tenant.slug, path);
}

/** Money in the page's locale. */
export function money(scope: PageScope, minorUnits: number, currency: string): string {
  return formatMoney(minorUnits, currency, scope.locale);
}

/**
 * Runs `fn` under a savepoint: when it throws a client error (out of stock, a declined input) everything it wrote
 * is rolled back and the error is returned, so the page can answer with a form and its message instead of the
 * JSON envelope, and no half-written order is left behind. Other errors propagate (the whole unit rolls back).
 */
export async function attempt<T>(db: TenantDb, fn: () => Promise<T>): Promise<{ ok: true; value: T } | { ok: false; error: PlinthError }> {
  await db.query('savepoint shop_page_attempt');
  try {
    const value = await fn();
    await db.query('release savepoint shop_page_attempt');
    return { ok: true, value };
  } catch (error) {
    if (!isPlinthError(error)) throw error;
    await db.query('rollback to savepoint shop_page_attempt');
    return { ok: false, error };
  }
}

/** The order tokens the pages accept: 64 lower-case hex characters (see migration 005). */
export const ORDER_TOKEN = /^[0-9a-f]{64}$/;
