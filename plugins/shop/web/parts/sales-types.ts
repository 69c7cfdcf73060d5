/** `GET /shop/sales` (see the shop's services/sales.ts). */
export interface SalesDay {
  date: string;
  orders: number;
  revenue: number;
  refunds: number;
}

export interface CurrencySales {
  currency: string;
  orders: number;
  revenue: number;
  refunds: number;
  net_revenue: number;
  average_order_value: number;
  days: SalesDay[];
  top_products: { product_id: string | null; name: string; quantity: number; revenue: number }[];
}

export interface SalesReport {
  from: string;
  to: string;
  time_zone: string;
  currencies: CurrencySales[];
}

/** `<plinth-chart>`'s `chart` property (the console defines the element). */
export interface ChartData {
  kind: 'line' | 'bar';
  labels: string[];
  series: { label: string; values: number[] }[];
  format?: 'number' | 'money' | 'percent';
  currency?: string;
}

/** Today in a time zone, `YYYY-MM-DD`. */
export function todayIn(timeZone: string): string {
  return new Intl.DateTimeFormat('en-CA', { timeZone, year: 'numeric', month: '2-digit', day: '2-digit' }).format(new Date());
}

/** `date` moved by `days` (calendar arithmetic on UTC dates: no zone or daylight saving in the way). */
export function addDays(date: string, days: number): string {
  return new Date(Date.parse(`${date}T00:00:00Z`) + days * 86_400_000).toISOString().slice(0, 10);
}
