import { createHash } from 'node:crypto';
import { IntlMessageFormat } from 'intl-messageformat';
import { Reply, type RawReply } from './reply.js';
import type { RootMount } from './routes.js';

/**
 * Server-rendered pages for a tenant's customers (checkout, receipts, catalogue, learning, sign-in): one HTML
 * builder that escapes every value, one page shell with a strict CSP, one way to translate and format money.
 * Pages work without script; they live at `/c/:tenant/…` (see {@link tenantPages}).
 */

const entities: Record<string, string> = { '&': '&amp;', '<': '&lt;', '>': '&gt;', '"': '&quot;', "'": '&#39;', '`': '&#96;' };

/** Escapes text for HTML element content and double-quoted attribute values. Every user string goes through it. */
export function escapeHtml(value: string | null | undefined): string {
  return (value ?? '').replace(/[&<>"'`]/g, (character) => entities[character]!);
}

/** HTML known to be safe: built by {@link html} from escaped values. */
export class SafeHtml {
  constructor(readonly value: string) {}
}

/** A value {@link html} interpolates: text (escaped), safe HTML, or a list of safe HTML; null/undefined/false render nothing. */
export type HtmlValue = string | number | SafeHtml | null | undefined | false | readonly SafeHtml[];

/** A tagged template that escapes every interpolated value, unless it is already {@link SafeHtml}. */
export function html(strings: TemplateStringsArray, ...values: HtmlValue[]): SafeHtml {
  let out = squash(strings[0]!);
  values.forEach((value, index) => {
    if (value instanceof SafeHtml) out += value.value;
    else if (Array.isArray(value)) out += value.map((item: SafeHtml) => item.value).join('');
    else if (value !== null && value !== undefined && value !== false) out += escapeHtml(String(value));
    out += squash(strings[index + 1]!);
  });
  return new SafeHtml(out);
}

/**
 * The template's own layout is not sent: whitespace with a line break next to a tag (indentation between tags) goes,
 * other line breaks become one space, self-closing slashes go. A space on one line is text and stays:
 * `${name} <span>` keeps its space.
 */
function squash(markup: string): string {
  return markup
    .replace(/>[ \t]*\n\s*</g, '><')
    .replace(/^[ \t]*\n\s*</, '<')
    .replace(/>[ \t]*\n\s*$/, '>')
    .replace(/\n\s*/g, ' ')
    .replace(/\s*\/?>/g, '>');
}

/**
 * The `root` option of a customer page route: the page's path starts with `/c/:tenant` (the tenant's slug or id),
 * so the tenant is known before anything else and one tenant's page cookie never reaches another's pages.
 *
 * @example
 * ```ts
 * route({ method: 'GET', path: '/c/:tenant/checkout/:token', public: true, root: tenantPages, … })
 * ```
 */
export const tenantPages: RootMount = {
  resolveTenant: async ({ params }) => params['tenant'],
  notFound: (request) => notFoundPage(request?.locale ?? 'en'),
};

/** The words of the kernel's own customer pages (the 404 page), English and Arabic. */
export const pageKitMessages = defineMessages({
  en: { notFoundTitle: 'Not found', notFoundBody: 'This page is not available.' },
  ar: { notFoundTitle: 'غير موجود', notFoundBody: 'هذه الصفحة غير متاحة.' },
});

/** The customer pages' `404` page, in `locale`'s language (English or Arabic, right to left). */
export function notFoundPage(locale: string): RawReply {
  const language = pageKitMessages.language(locale);
  const t = pageKitMessages.translator(language);
  return pageReply({
    status: 404,
    locale: language,
    title: t('notFoundTitle'),
    body: html`<h1>${t('notFoundTitle')}</h1>
      <p>${t('notFoundBody')}</p>`,
  });
}

/** The path of a tenant page: `pagePath('acme', '/checkout/abc')` → `/c/acme/checkout/abc`. */
export function pagePath(tenantSlug: string, path: string): string {
  return `/c/${encodeURIComponent(tenantSlug)}${path.startsWith('/') ? path : `/${path}`}`;
}

/** Sources a page may load beyond itself (each a CSP source: `https://js.stripe.com`). */
export interface PageSources {
  script?: readonly string[];
  frame?: readonly string[];
  connect?: readonly string[];
  /** Where its forms may post besides the page's own origin (a gateway's hosted page). */
  formAction?: readonly string[];
  img?: readonly string[];
}

export interface PageInput {
  status?: number;
  /** BCP 47; Arabic, Hebrew, Persian and Urdu pages are laid out right to left. */
  locale: string;
  title: string;
  /** The content of `<main>`. */
  body: SafeHtml;
  /** More CSS after the base stylesheet (inlined, allowed by its hash). */
  css?: string;
  /** The tenant's name, shown in the page header. */
  brand?: string;
  sources?: PageSources;
  /** Extra `<head>` content (meta tags; scripts must be external and allowed in `sources.script`). */
  head?: SafeHtml;
  /** Extra response headers (`set-cookie`, `cache-control`…). */
  headers?: Record<string, string>;
  /** Kept out of search engines (checkout, receipts, account pages): default true. */
  noindex?: boolean;
}

const rtlLanguages = new Set(['ar', 'he', 'fa', 'ur']);

/** `rtl` for right-to-left languages, else `ltr`. */
export function textDirection(locale: string): 'ltr' | 'rtl' {
  return rtlLanguages.has(locale.split('-')[0]!.toLowerCase()) ? 'rtl' : 'ltr';
}

/**
 * The base stylesheet of customer pages: mobile first, logical properties (right-to-left works unchanged), 44 px
 * targets, visible focus, contrast above WCAG AA.
 */
export const basePageCss =
  ':root{--bg:#fff;--fg:#1a1a1a;--muted:#555;--ac:#1d4ed8;--on:#fff;--line:#d0d5dd;--ok:#166534;--bad:#b42318}' +
  '*{box-sizing:border-box}' +
  'body{margin:0;background:var(--bg);color:var(--fg);font:16px/1.5 system-ui,-apple-system,"Segoe UI",Roboto,"Noto Sans","Noto Sans Arabic",sans-serif;-webkit-text-size-adjust:100%}' +
  'header.site{border-block-end:1px solid var(--line);padding:.75rem 1rem}header.site a{color:var(--fg);font-weight:700;text-decoration:none}' +
  'main{max-width:40rem;margin:0 auto;padding:1.5rem 1rem 3rem}' +
  'h1{font-size:1.5rem;margin:0 0 1rem}h2{font-size:1.125rem;margin:1.5rem 0 .5rem}' +
  'a{color:var(--ac)}p{margin:.5rem 0}' +
  'a:focus-visible,button:focus-visible,input:focus-visible,select:focus-visible,textarea:focus-visible{outline:3px solid var(--ac);outline-offset:2px}' +
  'form{display:grid;gap:.75rem;margin:1rem 0}label{font-weight:600}' +
  'input,select,textarea{font:inherit;inline-size:100%;min-height:44px;padding:.625rem .75rem;border:1px solid var(--muted);border-radius:.5rem;background:var(--bg);color:var(--fg)}' +
  'button,.button{display:inline-flex;align-items:center;justify-content:center;font:inherit;font-weight:600;min-height:44px;padding:.625rem 1rem;border:0;border-radius:.5rem;background:var(--ac);color:var(--on);cursor:pointer;text-decoration:none}' +
  'button.secondary,.button.secondary{background:transparent;color:var(--ac);border:1px solid var(--ac)}' +
  'table{inline-size:100%;border-collapse:collapse}th,td{text-align:start;padding:.5rem .25rem;border-block-end:1px solid var(--line);vertical-align:top}' +
  'td.num,th.num{text-align:end;white-space:nowrap}' +
  '.muted{color:var(--muted)}.error{color:var(--bad);font-weight:600}.ok{color:var(--ok);font-weight:600}' +
  '.notice{padding:.75rem 1rem;border:2px solid var(--ac);border-radius:.5rem;margin:1rem 0}' +
  '.notice.error{border-color:var(--bad)}' +
  '.cards{list-style:none;margin:0;padding:0;display:grid;gap:1rem}.card{border:1px solid var(--line);border-radius:.75rem;padding:1rem}' +
  '.row{display:flex;flex-wrap:wrap;gap:.5rem;align-items:center}.spread{justify-content:space-between}' +
  '.hp{position:absolute;inset-inline-start:-10000px;width:1px;height:1px;overflow:hidden}';

function sha256Source(css: string): string {
  return `'sha256-${createHash('sha256').update(css).digest('base64')}'`;
}

function list(extra: readonly string[] | undefined): string {
  return extra?.length ? ` ${extra.join(' ')}` : '';
}

/**
 * A whole customer page as the reply: `<html lang dir>`, the base stylesheet plus `css` inlined under a hash-based
 * CSP (no inline script, forms post only to the page's origin unless `sources.formAction` says otherwise), not
 * stored by caches, out of search engines unless `noindex: false`.
 */
export function pageReply(input: PageInput): RawReply {
  const css = basePageCss + (input.css ?? '');
  const sources = input.sources ?? {};
  const csp = [
    "default-src 'none'",
    `style-src ${sha256Source(css)}`,
    `img-src 'self' https: data:${list(sources.img)}`,
    `script-src ${sources.script?.length ? sources.script.join(' ') : "'none'"}`,
    `frame-src ${sources.frame?.length ? sources.frame.join(' ') : "'none'"}`,
    `connect-src 'self'${list(sources.connect)}`,
    `form-action 'self'${list(sources.formAction)}`,
    "base-uri 'none'",
    "frame-ancestors 'none'",
  ].join('; ');
  const document = html`<!doctype html>
    <html lang="${input.locale}" dir="${textDirection(input.locale)}">
      <head>
        <meta charset="utf-8" />
        <meta name="viewport" content="width=device-width,initial-scale=1" />
        ${input.noindex === false ? html`` : html`<meta name="robots" content="noindex" />`}
        <title>${input.brand ? `${input.title} · ${input.brand}` : input.title}</title>
        <link rel="icon" href="data:," />
        <style>
          ${new SafeHtml(css)}
        </style>
        ${input.head}
      </head>
      <body>
        ${input.brand ? html`<header class="site"><span>${input.brand}</span></header>` : html``}
        <main>${input.body}</main>
      </body>
    </html>`;
  return Reply.raw(document.value, {
    contentType: 'text/html; charset=utf-8',
    status: input.status ?? 200,
    headers: { 'content-security-policy': csp, 'cache-control': 'no-store', 'referrer-policy': 'same-origin', ...input.headers },
  });
}

/** Messages of one language: ICU MessageFormat strings by key. */
export type MessageCatalogue<Key extends string> = Record<Key, string>;

/** A translator for one locale: `t('total', { amount })`. */
export type Translate<Key extends string> = (key: Key, values?: Record<string, string | number | Date>) => string;

/**
 * Translations for customer pages and mails, in ICU MessageFormat (plurals, selects, numbers, dates). `en` is the
 * fallback for a locale (or a key) a catalogue lacks; the tenant's locale picks the language (`ar-EG` → `ar`).
 *
 * @example
 * ```ts
 * const messages = defineMessages({ en: { items: '{count, plural, one {# item} other {# items}}' }, ar: { items: '…' } });
 * const t = messages.translator(ctx.tenant.locale);
 * t('items', { count: 3 });
 * ```
 */
export function defineMessages<Key extends string>(catalogues: { en: MessageCatalogue<Key> } & Record<string, Partial<MessageCatalogue<Key>>>) {
  const compiled = new Map<string, IntlMessageFormat>();
  const format = (language: string, locale: string, key: Key): IntlMessageFormat => {
    const id = `${locale}\u0000${language}\u0000${key}`;
    let message = compiled.get(id);
    if (!message) {
      const source = catalogues[language]?.[key] ?? catalogues.en[key];
      message = new IntlMessageFormat(source, locale);
      compiled.set(id, message);
    }
    return message;
  };
  return {
    /** The catalogues as given, by language (tests check a rendered page against them). */
    catalogues,
    /** The language a locale gets: its own catalogue when there is one, else English. */
    language(locale: string): string {
      const language = locale.split('-')[0]!.toLowerCase();
      return catalogues[language] ? language : 'en';
    },
    translator(locale: string): Translate<Key> {
      const language = this.language(locale);
      const formatLocale = language === 'en' && !locale.toLowerCase().startsWith('en') ? 'en' : locale;
      return (key, values) => String(format(language, formatLocale, key).format(values));
    },
  };
}

/**
 * The locale a mail to someone is written in: the recipient's own (`users.locale`, when the host knows it), else the
 * tenant's, else English.
 *
 * @example
 * ```ts
 * const learner = await deps.members.get(userId);
 * const t = lmsMailMessages.translator(recipientLocale(learner, ctx.tenant));
 * ```
 */
export function recipientLocale(recipient?: { locale?: string | null } | null, tenant?: { locale?: string | null } | null): string {
  return recipient?.locale || tenant?.locale || 'en';
}

/** Formats an amount in minor units (`1999`, `'USD'`) for a locale: `$19.99`, `١٩٫٩٩ US$`. */
export function formatMoney(minorUnits: number, currency: string, locale: string): string {
  const { formatter, digits } = moneyFormatter(locale, currency.toUpperCase());
  return formatter.format(minorUnits / 10 ** digits);
}

/** Building an `Intl.NumberFormat` costs ~100× a format call: one per locale and currency, kept (bounded). */
const moneyFormatters = new Map<string, { formatter: Intl.NumberFormat; digits: number }>();

function moneyFormatter(locale: string, currency: string): { formatter: Intl.NumberFormat; digits: number } {
  const key = `${locale}\u0000${currency}`;
  let entry = moneyFormatters.get(key);
  if (!entry) {
    const formatter = new Intl.NumberFormat(locale, { style: 'currency', currency });
    entry = { formatter, digits: formatter.resolvedOptions().maximumFractionDigits ?? 2 };
    if (moneyFormatters.size >= 1000) moneyFormatters.clear();
    moneyFormatters.set(key, entry);
  }
  return entry;
}
