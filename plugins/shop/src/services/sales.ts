import { type TenantDb, Type, type Static, ValidationError } from '@plinth/sdk';

/** The longest range one report covers: a year of days (a leap year's included). */
const MAX_DAYS = 366;
const DAY_MS = 86_400_000;

const SalesDay = Type.Object({
  date: Type.String({ format: 'date' }),
  orders: Type.Integer(),
  revenue: Type.Integer(),
  refunds: Type.Integer(),
});
const TopProduct = Type.Object({
  product_id: Type.Union([Type.String({ format: 'uuid' }), Type.Null()]),
  name: Type.String(),
  quantity: Type.Integer(),
  revenue: Type.Integer(),
});
/** One currency's figures: amounts never mix currencies. */
const CurrencySales = Type.Object({
  currency: Type.String(),
  orders: Type.Integer({ description: 'Orders paid in the range' }),
  revenue: Type.Integer({ description: 'What those orders took, in minor units (before refunds)' }),
  refunds: Type.Integer({ description: 'What has been refunded of those orders so far' }),
  net_revenue: Type.Integer(),
  average_order_value: Type.Integer({ description: 'revenue / orders, rounded; 0 without orders' }),
  days: Type.Array(SalesDay, { description: 'Every day of the range, oldest first, zeros included' }),
  top_products: Type.Array(TopProduct, { description: 'The five products that took the most, most first' }),
});
/** `GET /shop/sales`: orders paid per day of the tenant's zone, per currency. */
export const SalesReport = Type.Object({
  from: Type.String({ format: 'date' }),
  to: Type.String({ format: 'date' }),
  time_zone: Type.String(),
  currencies: Type.Array(CurrencySales, { description: 'One entry per currency with orders in the range (the shop’s first; empty without orders)' }),
});
export const SalesQuery = Type.Object({
  from: Type.Optional(Type.String({ format: 'date', description: "First day, in the tenant's zone (default: 29 days before `to`)" })),
  to: Type.Optional(Type.String({ format: 'date', description: "Last day, in the tenant's zone (default: today)" })),
});
type SalesReportView = Static<typeof SalesReport>;

/** Today's date in a zone (`YYYY-MM-DD`). */
function today(timeZone: string): string {
  return new Intl.DateTimeFormat('en-CA', { timeZone, year: 'numeric', month: '2-digit', day: '2-digit' }).format(new Date());
}

function dayNumber(date: string): number {
  return Date.parse(`${date}T00:00:00Z`) / DAY_MS;
}

function dateOf(day: number): string {
  return new Date(day * DAY_MS).toISOString().slice(0, 10);
}

/** The range asked for, with defaults; 422 when it is backwards or longer than a year. */
export function salesRange(query: { from?: string; to?: string }, timeZone: string): { from: string; to: string } {
  const to = query.to ?? today(timeZone);
  const from = query.from ?? dateOf(dayNumber(to) - 29);
  // `format: date` accepts 2026-02-30; Date.parse does not, and a real calendar day is what the SQL needs.
  const problems: Record<string, string[]> = {};
  if (Number.isNaN(dayNumber(from)) || dateOf(dayNumber(from)) !== from) problems.from = ['not a calendar day'];
  if (Number.isNaN(dayNumber(to)) || dateOf(dayNumber(to)) !== to) problems.to = ['not a calendar day'];
  if (!Object.keys(problems).length) {
    const span = dayNumber(to) - dayNumber(from) + 1;
    if (span < 1) problems.to = ['must not be before from'];
    else if (span > MAX_DAYS) problems.from = [`the range is at most ${MAX_DAYS} days`];
  }
  if (Object.keys(problems).length) throw new ValidationError(problems);
  return { from, to };
}

/**
 * Sales of orders paid from `from` to `to` (days of `timeZone`, both included), per currency: counts and amounts
 * per day, totals and the top products. An order counts on the day it was paid, whatever happened to it later; its
 * refunds so far are subtracted in `refunds` (so a cancelled paid order shows as revenue refunded in full).
 */
export async function salesReport(db: TenantDb, range: { from: string; to: string }, timeZone: string, shopCurrency: string): Promise<SalesReportView> {
  // The range's instants: local midnight of `from` to local midnight after `to`, in the tenant's zone.
  const paidIn = `o.paid_at is not null and o.paid_at >= ($1::date::timestamp at time zone $3) and o.paid_at < (($2::date + 1)::timestamp at time zone $3)`;
  const values = [range.from, range.to, timeZone];
  const days = await db.query<{ currency: string; day: string; orders: number; revenue: number; refunds: number }>(
    `select o.currency, to_char(o.paid_at at time zone $3, 'YYYY-MM-DD') as day, count(*)::int as orders,
            sum(o.total)::int as revenue, sum(o.refunded_amount)::int as refunds
       from shop_orders o where ${paidIn} group by 1, 2`,
    values,
  );
  const products = await db.query<{ currency: string; product_id: string | null; name: string; quantity: number; revenue: number }>(
    `select currency, product_id, name, quantity, revenue from (
       select o.currency, l.product_id, (array_agg(l.name order by o.paid_at desc))[1] as name,
              sum(l.quantity)::int as quantity, sum(l.total)::int as revenue,
              row_number() over (partition by o.currency order by sum(l.total) desc, sum(l.quantity) desc) as rank
         from shop_orders o join shop_order_lines l on l.order_id = o.id
        where ${paidIn}
        group by o.currency, l.product_id, case when l.product_id is null then l.sku end
     ) ranked where rank <= 5 order by currency, rank`,
    values,
  );
  const first = dayNumber(range.from);
  const span = dayNumber(range.to) - first + 1;
  const currencies = [...new Set(days.map((row) => row.currency))].sort((a, b) => (a === shopCurrency ? -1 : b === shopCurrency ? 1 : a.localeCompare(b)));
  return {
    ...range,
    time_zone: timeZone,
    currencies: currencies.map((currency) => {
      const byDay = new Map(days.filter((row) => row.currency === currency).map((row) => [row.day, row]));
      const series = Array.from({ length: span }, (_, index) => {
        const date = dateOf(first + index);
        const row = byDay.get(date);
        return { date, orders: row?.orders ?? 0, revenue: row?.revenue ?? 0, refunds: row?.refunds ?? 0 };
      });
      const sum = (key: 'orders' | 'revenue' | 'refunds') => series.reduce((total, day) => total + day[key], 0);
      const orders = sum('orders');
      const revenue = sum('revenue');
      const refunds = sum('refunds');
      return {
        currency,
        orders,
        revenue,
        refunds,
        net_revenue: revenue - refunds,
        average_order_value: orders ? Math.round(revenue / orders) : 0,
        days: series,
        top_products: products
          .filter((row) => row.currency === currency)
          .map((row) => ({ product_id: row.product_id, name: row.name, quantity: row.quantity, revenue: row.revenue })),
      };
    }),
  };
}
