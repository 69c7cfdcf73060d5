import { Type, type ReportDefinition, type TObject } from '@plinth/sdk';
import type { Builders } from '../deps.js';
import { shopPermissions } from '../permissions.js';
import { checkRange, FromDay, paidInRange, ToDay } from './report-range.js';

const SalesByProductParams = Type.Object({ from: FromDay, to: ToDay }, { additionalProperties: false });

/**
 * `shop.sales-by-product`: per SKU and currency, the units sold and what their lines took (before order-wide
 * discounts and refunds) in orders paid within the range, highest revenue first in each currency. The product's
 * name is the one its lines carried most recently.
 */
export function salesByProductReport({ report }: Builders): ReportDefinition<TObject, unknown, unknown> {
  return report({
    name: 'shop.sales-by-product',
    title: 'Sales by product',
    description: 'Units sold and revenue per product and SKU, in orders paid in the range',
    permission: shopPermissions['orders.view'],
    params: SalesByProductParams,
    check: checkRange,
    columns: [
      { key: 'product', label: 'Product' },
      { key: 'sku', label: 'SKU' },
      { key: 'currency', label: 'Currency' },
      { key: 'units', label: 'Units', type: 'integer' },
      { key: 'revenue', label: 'Revenue', type: 'money', currencyKey: 'currency' },
    ],
    rows({ params, deps, ctx }) {
      return deps.db.stream(
        `select (array_agg(l.name order by o.paid_at desc, l.id))[1] as product, l.sku, o.currency,
                sum(l.quantity)::int8 as units, sum(l.total)::int8 as revenue
           from shop_orders o join shop_order_lines l on l.order_id = o.id
          where ${paidInRange}
          group by l.sku, o.currency order by o.currency, revenue desc, l.sku`,
        [params.from, params.to, ctx.tenant.timeZone],
      );
    },
  });
}
