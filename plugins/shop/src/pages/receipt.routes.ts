import { type AnyRoute, html, rawBody, tenantPages, Type } from '@plinth/sdk';
import type { Builders } from '../deps.js';
import { notFoundPage, pageScope, shopPage, shopPath } from './page-kit.js';
import { isExpired, orderByToken, orderTable, payerIntent } from './public-order.js';
import { receiptLinks } from './receipt-links.js';

const TokenParams = Type.Object({ tenant: Type.String({ maxLength: 100 }), token: Type.String({ maxLength: 200 }) });

/** `/c/:tenant/orders/:token`: the receipt of an order, for whoever holds its public token (the buyer's link). */
export function receiptRoutes({ route }: Builders): AnyRoute[] {
  return [
    route({
      method: 'GET',
      path: '/c/:tenant/orders/:token',
      summary: "Page: an order's receipt (status, lines, totals, invoice, access links)",
      public: true,
      root: tenantPages,
      schema: { params: TokenParams, response: rawBody('text/html', 'The receipt; 404 for an unknown token', [200, 404]) },
      async handler({ params, deps, ctx }) {
        const scope = pageScope(ctx);
        const { t } = scope;
        const order = await orderByToken(deps.db, params.token);
        if (!order) return notFoundPage(scope);
        const paid = order.status === 'paid' || order.status === 'fulfilled';
        const intent = order.status === 'pending' ? await payerIntent(deps, order) : undefined;
        const checkout = shopPath(scope, `/checkout/${order.public_token}`);
        let status;
        if (paid) status = html`<p class="notice ok" role="status">${t('statusPaid')}</p>`;
        else if (order.status === 'cancelled') status = html`<p class="notice" role="status">${t('statusCancelled')}</p>`;
        else if (order.status === 'refunded') status = html`<p class="notice" role="status">${t('statusRefunded')}</p>`;
        else if (intent?.status === 'processing' || intent?.status === 'succeeded') status = html`<p class="notice" role="status">${t('statusProcessing')}</p>`;
        else if (intent?.status === 'failed')
          status = html`<div class="notice error" role="status">
            <p>${t('statusFailed')}</p>
            ${isExpired(order) ? html`` : html`<a class="button" href="${checkout}">${t('tryAgain')}</a>`}
          </div>`;
        else
          status = html`<div class="notice" role="status">
            <p>${t('statusAwaiting')}</p>
            ${isExpired(order) || intent?.next_action?.type === 'manual_payment' ? html`` : html`<a class="button" href="${checkout}">${t('payNow')}</a>`}
          </div>`;
        const links = paid ? await receiptLinks({ deps, ctx }, order) : [];
        const invoice =
          paid && order.invoice_file_id ? await deps.files.signedUrl(order.invoice_file_id, { expiresInSeconds: 3600 }).catch(() => undefined) : undefined;
        const signIn = shopPath(scope, `/account/sign-in?next=${encodeURIComponent(shopPath(scope, '/orders'))}`);
        const body = html`<h1>${t('receiptTitle', { number: order.number })}</h1>
          ${status}
          ${
            links.length
              ? html`<h2>${t('yourAccess')}</h2>
                  <ul class="plain">
                    ${links.map((link) => html`<li><a href="${link.href}">${link.label}</a></li>`)}
                  </ul>`
              : html``
          }
          ${orderTable(scope, order)}
          <p class="muted">${t('placedFor', { email: order.customer_email })}</p>
          ${invoice ? html`<p><a href="${invoice.url}">${t('invoice')}</a></p>` : html``}
          <p><a href="${signIn}">${t('signIn')}</a></p>`;
        return shopPage(scope, { title: t('receiptTitle', { number: order.number }), body });
      },
    }),
  ];
}
