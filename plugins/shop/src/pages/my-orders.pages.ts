import { actingUserId, type AnyRoute, formatMoney, html, pagePath, pageReply, rawBody, Reply, tenantPages, Type } from '@plinth/sdk';
import type { Builders } from '../deps.js';
import { myOrders } from '../services/my-orders.js';
import { myOrdersMessages } from './my-orders-messages.js';

const PER_PAGE = 50;
const statuses = ['pending', 'paid', 'fulfilled', 'cancelled', 'refunded'] as const;

/**
 * `GET /c/:tenant/orders`: the signed-in buyer's orders (page cookie), newest first, each linking to its receipt
 * page. Not signed in: 303 to the sign-in page, coming back here.
 */
export function myOrdersPages({ route }: Builders): AnyRoute[] {
  return [
    route({
      method: 'GET',
      path: '/c/:tenant/orders',
      summary: 'Page: the signed-in buyer’s orders',
      public: true,
      root: tenantPages,
      schema: {
        params: Type.Object({ tenant: Type.String({ maxLength: 100 }) }),
        query: Type.Object({ page: Type.Optional(Type.Integer({ minimum: 1, maximum: 1000 })) }),
        response: rawBody('text/html', 'The page, or 303 to sign in', [200, 303]),
      },
      async handler({ query, deps, ctx }) {
        const { slug, locale, timeZone, name } = ctx.tenant;
        const here = pagePath(slug, '/orders');
        const userId = actingUserId(ctx);
        if (!userId) return Reply.redirect(`${pagePath(slug, '/account/sign-in')}?next=${encodeURIComponent(here)}`, 303, { 'cache-control': 'no-store' });
        const page = query.page ?? 1;
        const { items, total } = await myOrders(deps.db, slug, userId, { page, per_page: PER_PAGE });
        const t = myOrdersMessages.translator(locale);
        const date = new Intl.DateTimeFormat(locale, { dateStyle: 'medium', timeZone });
        const list = items.length
          ? html`<ul class="cards">
              ${items.map(
                (order) =>
                  html`<li class="card">
                    <div class="row spread">
                      <strong>${t('order', { number: order.number })}</strong>
                      <span>${formatMoney(order.total, order.currency, locale)}</span>
                    </div>
                    <p class="muted">
                      ${t('placed', { date: date.format(new Date(order.placed_at)) })} ·
                      ${statuses.includes(order.status as never) ? t(order.status as (typeof statuses)[number]) : order.status}
                    </p>
                    <p><a href="${order.receipt_path}">${t('receipt')}</a></p>
                  </li>`,
              )}
            </ul>`
          : html`<p>${t('none')}</p>`;
        const more = total > page * PER_PAGE ? html`<p><a href="${`${here}?page=${page + 1}`}">${t('more')}</a></p>` : html``;
        return pageReply({
          locale,
          brand: name,
          title: t('title'),
          body: html`<h1>${t('title')}</h1>
            ${list} ${more}
            <p><a href="${pagePath(slug, '/account')}">${t('account')}</a></p>`,
        });
      },
    }),
  ];
}
