import { defineMigration } from '@plinth/sdk';

/**
 * The hosted checkout and receipt pages find an order by `public_token`: 64 hex characters of randomness (two
 * UUIDv4s), the buyer's unguessable key to their order, filled in by the database for every order (existing ones
 * too). `payment_client_secret` keeps the payment intent's client secret, sealed with the host's key, so the
 * hosted checkout can pay the intent as its payer.
 */
export const addOrderPublicToken = defineMigration({
  name: '005-order-public-token',
  async up({ db }) {
    await db.raw(
      `alter table shop_orders
         add column public_token text not null default replace(gen_random_uuid()::text || gen_random_uuid()::text, '-', ''),
         add column payment_client_secret text`,
    );
    await db.raw('create unique index shop_orders_public_token_unique on shop_orders (public_token)');
  },
  async down({ db }) {
    await db.raw('drop index shop_orders_public_token_unique');
    await db.raw('alter table shop_orders drop column payment_client_secret, drop column public_token');
  },
});
