import { type AnyRoute, rawBody, Reply, tenantPages, Type } from '@plinth/sdk';
import type { Builders } from '../deps.js';

/**
 * Mounts Stripe's Payment Element on the checkout page: the keys and the return URL come from `data-` attributes of
 * `#stripe-payment` (so the page needs no inline script and its CSP allows only this file and js.stripe.com). Stripe
 * sends the buyer back to the return URL once the payment is confirmed or needs no more; its webhook settles it.
 */
export const stripeCheckoutScript = `(function () {
  var root = document.getElementById('stripe-payment');
  var form = document.getElementById('stripe-payment-form');
  var message = document.getElementById('stripe-payment-message');
  if (!root || !form || typeof Stripe !== 'function') return;
  var stripe = Stripe(root.getAttribute('data-publishable-key'));
  var elements = stripe.elements({ clientSecret: root.getAttribute('data-client-secret'), locale: document.documentElement.lang || 'auto' });
  elements.create('payment').mount('#stripe-payment-element');
  form.addEventListener('submit', function (event) {
    event.preventDefault();
    var button = form.querySelector('button');
    if (button) button.disabled = true;
    stripe.confirmPayment({ elements: elements, confirmParams: { return_url: root.getAttribute('data-return-url') } }).then(function (result) {
      if (result.error) {
        if (message) message.textContent = result.error.message || '';
        if (button) button.disabled = false;
      }
    });
  });
})();
`;

/** Static files of the checkout pages, served under the tenant's pages (same origin, allowed by their CSP). */
export function assetRoutes({ route }: Builders): AnyRoute[] {
  return [
    route({
      method: 'GET',
      path: '/c/:tenant/shop-assets/stripe-checkout.js',
      summary: "Script: mounts Stripe's Payment Element on the hosted checkout",
      public: true,
      root: tenantPages,
      schema: { params: Type.Object({ tenant: Type.String({ maxLength: 100 }) }), response: rawBody('text/javascript', 'The script') },
      async handler() {
        return Reply.raw(stripeCheckoutScript, {
          contentType: 'text/javascript; charset=utf-8',
          headers: { 'cache-control': 'public, max-age=3600', 'x-content-type-options': 'nosniff' },
        });
      },
    }),
  ];
}
