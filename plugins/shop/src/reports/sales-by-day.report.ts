import { Type, type ReportDefinition, type TObject } from '@plinth/sdk';
import type { Builders } from '../deps.js';
import { shopPermissions } from '../permissions.js';
import { checkRange, FromDay, paidInRange, ToDay } from './report-range.js';

const SalesByDayParams = Type.Object(
  {
    from: FromDay,
    to: ToDay,
    currency: Type.Optional(
      Type.String({ pattern: '^[A-Z]{3}$', title: 'Currency', description: 'Only orders in this currency (ISO 4217); every currency when unset' }),
    ),
  },
  { additionalProperties: false },
);

/**
 * `shop.sales-by-day`: per day of the tenant's zone and per currency, the orders paid that day (whatever happened
 * to them later), their items, their value before discounts (items, shipping and tax), the discounts, what has been
 * refunded of them so far, and the net (gross − discounts − refunds). Days without sales have no row.
 */
export function salesByDayReport({ report }: Builders): ReportDefinition<TObject, unknown, unknown> {
  return report({
    name: 'shop.sales-by-day',
    title: 'Sales by day',
    description: 'Orders paid per day and currency: items, gross, discounts, refunds and net',
    permission: shopPermissions['orders.view'],
    params: SalesByDayParams,
    check: checkRange,
    columns: [
      { key: 'day', label: 'Day', type: 'date' },
      { key: 'currency', label: 'Currency' },
      { key: 'orders', label: 'Orders', type: 'integer' },
      { key: 'items', label: 'Items', type: 'integer' },
      { key: 'gross', label: 'Gross', type: 'money', currencyKey: 'currency' },
      { key: 'discounts', label: 'Discounts', type: 'money', currencyKey: 'currency' },
      { key: 'refunds', label: 'Refunds', type: 'money', currencyKey: 'currency' },
      { key: 'net', label: 'Net', type: 'money', currencyKey: 'currency' },
    ],
    rows({ params, deps, ctx }) {
      // Sums are int8 (past 2^31 minor units), which pg hands over as text: the writers read them as numbers.
      return deps.db.stream(
        `select to_char(o.paid_at at time zone $3, 'YYYY-MM-DD') as day, o.currency, count(*)::int as orders,
                coalesce(sum(l.items), 0)::int8 as items, sum(o.total + o.discount)::int8 as gross, sum(o.discount)::int8 as discounts,
                sum(o.refunded_amount)::int8 as refunds, sum(o.total - o.refunded_amount)::int8 as net
           from shop_orders o
           left join lateral (select sum(quantity) as items from shop_order_lines where order_id = o.id) l on true
          where ${paidInRange} and ($4::text is null or o.currency = $4)
          group by 1, 2 order by 1, 2`,
        [params.from, params.to, ctx.tenant.timeZone, params.currency ?? null],
      );
    },
  });
}
