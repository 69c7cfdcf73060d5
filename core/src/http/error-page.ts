import { defineMessages, html, pageReply, type RawReply } from '@plinth/sdk';
import type { PlinthContext } from './context.js';

/** What a page visitor reads when a page cannot be shown, by kind of failure; English and Arabic. */
export const errorPageMessages = defineMessages({
  en: {
    badRequestTitle: 'This link is not valid',
    badRequestBody: 'Check the address, or go back and try again.',
    forbiddenTitle: 'You cannot open this page',
    forbiddenBody: 'Sign in with an account that may see it, or go back.',
    notFoundTitle: 'Not found',
    notFoundBody: 'This page is not available.',
    conflictTitle: 'This could not be done',
    conflictBody: 'Something changed in the meantime. Go back, reload the page and try again.',
    tooManyTitle: 'Too many requests',
    tooManyBody: 'Wait a moment, then try again.',
    unavailableTitle: 'Temporarily unavailable',
    unavailableBody: 'This page cannot be shown right now. Try again shortly.',
    errorTitle: 'Something went wrong',
    errorBody: 'This page could not be shown. Try again later.',
    reference: 'Reference: {id}',
  },
  ar: {
    badRequestTitle: 'هذا الرابط غير صالح',
    badRequestBody: 'تحقّق من العنوان، أو ارجع وحاول مرة أخرى.',
    forbiddenTitle: 'لا يمكنك فتح هذه الصفحة',
    forbiddenBody: 'سجّل الدخول بحساب يُسمح له برؤيتها، أو ارجع.',
    notFoundTitle: 'غير موجود',
    notFoundBody: 'هذه الصفحة غير متاحة.',
    conflictTitle: 'تعذّر تنفيذ ذلك',
    conflictBody: 'تغيّر شيء ما في الأثناء. ارجع وأعد تحميل الصفحة وحاول مرة أخرى.',
    tooManyTitle: 'طلبات كثيرة جدًا',
    tooManyBody: 'انتظر قليلًا ثم حاول مرة أخرى.',
    unavailableTitle: 'غير متاحة مؤقتًا',
    unavailableBody: 'لا يمكن عرض هذه الصفحة الآن. حاول مرة أخرى بعد قليل.',
    errorTitle: 'حدث خطأ ما',
    errorBody: 'تعذّر عرض هذه الصفحة. حاول مرة أخرى لاحقًا.',
    reference: 'المرجع: {id}',
  },
});

type Kind = 'badRequest' | 'forbidden' | 'notFound' | 'conflict' | 'tooMany' | 'unavailable' | 'error';

function kindOf(status: number): Kind {
  if (status === 401 || status === 403) return 'forbidden';
  if (status === 404 || status === 410) return 'notFound';
  if (status === 409) return 'conflict';
  if (status === 429) return 'tooMany';
  if (status === 503) return 'unavailable';
  return status < 500 ? 'badRequest' : 'error';
}

/** True when the client is a browser asking for a page (`Accept: text/html…`), not an API client (`*∕*`, JSON). */
export function wantsPage(ctx: Pick<PlinthContext, 'accepts'>): boolean {
  return ctx.accepts('json', 'html') === 'html';
}

/**
 * The page a browser gets when a server-rendered page (`/c/:tenant/…`, a bio site) fails: the status of the error,
 * words for its kind (never the error's own message, which may be a plugin's English), the request id to quote,
 * in `locale`'s language and direction.
 */
export function errorPage(status: number, locale: string, requestId: string): RawReply {
  const language = errorPageMessages.language(locale);
  const t = errorPageMessages.translator(language);
  const kind = kindOf(status);
  return pageReply({
    status,
    locale: language,
    title: t(`${kind}Title`),
    body: html`<h1>${t(`${kind}Title`)}</h1>
      <p>${t(`${kind}Body`)}</p>
      <p class="muted">${t('reference', { id: requestId })}</p>`,
  });
}
