import {
  actingUserId,
  ForbiddenError,
  html,
  NotFoundError,
  pagePath,
  pageReply,
  type RawReply,
  Reply,
  type RequestContext,
  type SafeHtml,
  type Translate,
} from '@plinth/sdk';
import { lmsPermissions } from '../permissions.js';
import { lmsMessages, type LmsMessage } from './messages.js';

type Ctx = RequestContext<unknown>;

/** A path parameter that must be a uuid: anything else is a page that does not exist. */
export const uuidPattern = /^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$/i;

/** The translator for the tenant's language. */
export function translator(ctx: Ctx): Translate<LmsMessage> {
  return lmsMessages.translator(ctx.tenant.locale);
}

/** A path among the tenant's pages: `/c/<tenant>/…`. */
export function tenantPath(ctx: Ctx, path: string): string {
  return pagePath(ctx.tenant.slug, path);
}

/** A date in the tenant's language and time zone. */
export function formatDate(ctx: Ctx, date: Date | string): string {
  return new Intl.DateTimeFormat(ctx.tenant.locale, { dateStyle: 'medium', timeZone: ctx.tenant.timeZone }).format(new Date(date));
}

const css =
  'nav.lms{display:flex;flex-wrap:wrap;gap:1rem;margin:0 0 1rem}' +
  'progress{inline-size:100%;block-size:.75rem}' +
  '.outline{padding-inline-start:1.25rem}.outline li{margin:.25rem 0}.state{margin-inline-start:.5rem}' +
  '.lesson-content{overflow-wrap:anywhere}.lesson-content img,.lesson-content video{max-inline-size:100%;block-size:auto}' +
  '.pager{display:flex;justify-content:space-between;gap:1rem;margin:1.5rem 0}';

/** An LMS page of the tenant: its name in the header, the catalogue and "My courses" links, the tenant's language. */
export function lmsPage(ctx: Ctx, input: { title: string; body: SafeHtml; status?: number; indexable?: boolean }): RawReply {
  const t = translator(ctx);
  const signedIn = actingUserId(ctx) !== null;
  return pageReply({
    status: input.status ?? 200,
    locale: ctx.tenant.locale,
    brand: ctx.tenant.name,
    title: input.title,
    css,
    noindex: !input.indexable,
    body: html`<nav class="lms" aria-label="${t('courses')}">
        <a href="${tenantPath(ctx, '/courses')}">${t('courses')}</a>
        ${signedIn ? html`<a href="${tenantPath(ctx, '/learn')}">${t('myCourses')}</a>` : html`<a href="${signInPath(ctx, tenantPath(ctx, '/learn'))}">${t('signIn')}</a>`}
      </nav>
      ${input.body}`,
  });
}

/** The sign-in page, returning to `next` (a path among the tenant's pages) once signed in. */
export function signInPath(ctx: Ctx, next: string): string {
  return `${tenantPath(ctx, '/account/sign-in')}?next=${encodeURIComponent(next)}`;
}

/** 303 to the sign-in page, coming back to `next`. */
export function toSignIn(ctx: Ctx, next: string): RawReply {
  return Reply.redirect(signInPath(ctx, next), 303, { 'cache-control': 'no-store' });
}

/** A page saying something cannot be shown: 403 or 404, with an optional way on. */
export function messagePage(ctx: Ctx, status: number, title: LmsMessage, text: LmsMessage, link?: { href: string; label: LmsMessage }): RawReply {
  const t = translator(ctx);
  return lmsPage(ctx, {
    status,
    title: t(title),
    body: html`<h1>${t(title)}</h1>
      <p>${t(text)}</p>
      ${link ? html`<p><a class="button" href="${link.href}">${t(link.label)}</a></p>` : html``}`,
  });
}

/** The 404 page. */
export function notFoundPage(ctx: Ctx): RawReply {
  return messagePage(ctx, 404, 'notFoundTitle', 'notFoundBody', { href: tenantPath(ctx, '/courses'), label: 'browse' });
}

/**
 * The signed-in learner on a learning page: `undefined` when the caller may learn (signed in, with
 * `lms.learning.access`), else the answer to give — 303 to sign-in (coming back to `here`), or a 403 page.
 */
export function learnerGate(ctx: Ctx, here: string): RawReply | undefined {
  if (actingUserId(ctx) === null) return toSignIn(ctx, here);
  if (!ctx.can(lmsPermissions['learning.access'])) return messagePage(ctx, 403, 'noAccessTitle', 'noAccessBody');
  return undefined;
}

/**
 * Runs a page's work, answering the access errors the LMS services throw as pages: a 404 page for what the caller
 * may not see, a 403 page (`forbidden`) for what they see but may not open. Other errors go on to the kernel.
 */
export async function asPage(ctx: Ctx, work: () => Promise<RawReply>, forbidden: () => RawReply | Promise<RawReply>): Promise<RawReply> {
  try {
    return await work();
  } catch (error) {
    if (error instanceof NotFoundError) return notFoundPage(ctx);
    if (error instanceof ForbiddenError) return forbidden();
    throw error;
  }
}
