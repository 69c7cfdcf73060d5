import { defineMigration } from '@plinth/sdk';

/** Orders by the time they were paid: what the sales overview and the sales reports read, day by day. */
export const addShopOrdersPaidIndex = defineMigration({
  name: '010-add-shop-orders-paid-index',
  async up({ db }) {
    await db.raw('create index shop_orders_paid_at on shop_orders (tenant_id, paid_at) where paid_at is not null');
  },
  async down({ db }) {
    await db.raw('drop index shop_orders_paid_at');
  },
});
