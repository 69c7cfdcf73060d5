import { defineMigration } from '@plinth/sdk';

/**
 * A refund in an order's history carries its amount (minor units of the order's currency) as a number, so the
 * console's timeline can show it in the reader's language instead of parsing the English note.
 */
export const addOrderHistoryAmount = defineMigration({
  name: '007-order-history-amount',
  async up({ db }) {
    await db.raw('alter table shop_order_history add column amount integer');
  },
  async down({ db }) {
    await db.raw('alter table shop_order_history drop column amount');
  },
});
