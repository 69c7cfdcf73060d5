import type { ConsoleContext } from '@plinth/sdk/web';
import { useEffect, useState } from 'preact/hooks';
import { ErrorAlert } from './order-dialog';
import { addDays, todayIn, type ChartData, type CurrencySales, type SalesReport } from './sales-types';
import './sales.css';

type Period = '7' | '30' | '90' | 'custom';

/**
 * Sales overview (`shop-sales`, on the orders list): orders paid in a range of days of the tenant's zone — totals,
 * revenue per day (line chart), orders per day (bar chart), the same figures in a table, and the top products.
 * One block per currency when the shop sold in several.
 */
export function SalesOverview({ plinth }: { plinth: ConsoleContext }) {
  const { t } = plinth;
  const today = todayIn(plinth.tenant.timeZone);
  const [period, setPeriod] = useState<Period>('30');
  const [range, setRange] = useState({ from: addDays(today, -29), to: today });
  const [custom, setCustom] = useState(range);
  const [report, setReport] = useState<SalesReport>();
  const [error, setError] = useState<unknown>();
  const [loading, setLoading] = useState(true);

  useEffect(() => {
    let live = true;
    setLoading(true);
    plinth.call<SalesReport>('GET', '/shop/sales', { query: range }).then(
      (answer) => {
        if (!live) return;
        setReport(answer.data);
        setError(undefined);
        setLoading(false);
      },
      (caught: unknown) => {
        if (!live) return;
        setError(caught);
        setLoading(false);
      },
    );
    return () => {
      live = false;
    };
  }, [range.from, range.to]);

  function choose(next: Period) {
    setPeriod(next);
    if (next !== 'custom') setRange({ from: addDays(today, 1 - Number(next)), to: today });
  }

  return (
    <div class="shop-sales">
      <form
        class="toolbar shop-sales-range"
        onSubmit={(event) => {
          event.preventDefault();
          setRange({ ...custom });
        }}
      >
        <label>
          {t('Period')}
          <select value={period} onChange={(event) => choose(event.currentTarget.value as Period)}>
            <option value="7">{t('Last 7 days')}</option>
            <option value="30">{t('Last 30 days')}</option>
            <option value="90">{t('Last 90 days')}</option>
            <option value="custom">{t('Custom range')}</option>
          </select>
        </label>
        {period === 'custom' && (
          <>
            <label>
              {t('From')}
              <input type="date" required value={custom.from} max={custom.to} onInput={(event) => setCustom({ ...custom, from: event.currentTarget.value })} />
            </label>
            <label>
              {t('To')}
              <input type="date" required value={custom.to} min={custom.from} onInput={(event) => setCustom({ ...custom, to: event.currentTarget.value })} />
            </label>
            <button type="submit">{t('Show')}</button>
          </>
        )}
      </form>
      <p class="muted" aria-live="polite">
        {loading
          ? t('Loading sales…')
          : t('{from} to {to}, days in {zone}', { from: plinth.format.date(range.from), to: plinth.format.date(range.to), zone: plinth.tenant.timeZone })}
      </p>
      <ErrorAlert error={error} />
      {report && !error && report.currencies.length === 0 && <p class="empty">{t('No paid orders in this period.')}</p>}
      {report &&
        !error &&
        report.currencies.map((sales) => <CurrencyBlock key={sales.currency} plinth={plinth} sales={sales} several={report.currencies.length > 1} />)}
    </div>
  );
}

/**
 * A `<plinth-chart>` (the console defines it at start-up, so Preact sets `chart` as the element's property). The
 * same figures are in the table below it.
 */
function Chart({ chart, label }: { chart: ChartData; label: string }) {
  return <plinth-chart chart={chart} label={label} class="shop-sales-chart" />;
}

function CurrencyBlock({ plinth, sales, several }: { plinth: ConsoleContext; sales: CurrencySales; several: boolean }) {
  const { t } = plinth;
  const money = (minor: number) => plinth.format.money(minor, sales.currency);
  // Short day labels under the charts ("7 Nov"); the table gives each full date.
  const short = new Intl.DateTimeFormat(plinth.language, { month: 'short', day: 'numeric', timeZone: 'UTC' });
  const labels = sales.days.map((day) => short.format(Date.parse(`${day.date}T00:00:00Z`)));
  const heading = (text: string) => (several ? t('{title} ({currency})', { title: text, currency: sales.currency }) : text);
  const id = `shop-sales-${sales.currency}`;
  return (
    <section class="shop-sales-currency" aria-labelledby={`${id}-totals`}>
      <h2 id={`${id}-totals`}>{heading(t('Totals'))}</h2>
      <dl class="shop-sales-totals">
        <div>
          <dt>{t('Orders')}</dt>
          <dd>{plinth.format.number(sales.orders)}</dd>
        </div>
        <div>
          <dt>{t('Revenue')}</dt>
          <dd>{money(sales.revenue)}</dd>
        </div>
        <div>
          <dt>{t('Average order value')}</dt>
          <dd>{money(sales.average_order_value)}</dd>
        </div>
        <div>
          <dt>{t('Refunds')}</dt>
          <dd>{money(sales.refunds)}</dd>
        </div>
        <div>
          <dt>{t('Net revenue')}</dt>
          <dd>{money(sales.net_revenue)}</dd>
        </div>
      </dl>
      <div class="shop-sales-charts">
        <figure class="panel">
          <figcaption>{t('Revenue per day')}</figcaption>
          <Chart
            label={t('Revenue per day')}
            chart={{
              kind: 'line',
              labels,
              series: [{ label: t('Revenue'), values: sales.days.map((day) => day.revenue) }],
              format: 'money',
              currency: sales.currency,
            }}
          />
        </figure>
        <figure class="panel">
          <figcaption>{t('Orders per day')}</figcaption>
          <Chart
            label={t('Orders per day')}
            chart={{ kind: 'bar', labels, series: [{ label: t('Orders'), values: sales.days.map((day) => day.orders) }], format: 'number' }}
          />
        </figure>
      </div>
      <h3 id={`${id}-days`}>{heading(t('Per day'))}</h3>
      {/* Scrolls on its own when the range is long: focusable, so a keyboard can scroll it too. */}
      <div class="table-wrap shop-sales-days" tabIndex={0} role="region" aria-labelledby={`${id}-days`}>
        <table aria-labelledby={`${id}-days`}>
          <thead>
            <tr>
              <th scope="col">{t('Day')}</th>
              <th scope="col" class="number">
                {t('Orders')}
              </th>
              <th scope="col" class="number">
                {t('Revenue')}
              </th>
              <th scope="col" class="number">
                {t('Refunds')}
              </th>
            </tr>
          </thead>
          <tbody>
            {[...sales.days].reverse().map((day) => (
              <tr key={day.date}>
                <th scope="row">
                  <time dateTime={day.date}>{plinth.format.date(day.date)}</time>
                </th>
                <td class="number" data-label={t('Orders')}>
                  {plinth.format.number(day.orders)}
                </td>
                <td class="number" data-label={t('Revenue')}>
                  {money(day.revenue)}
                </td>
                <td class="number" data-label={t('Refunds')}>
                  {money(day.refunds)}
                </td>
              </tr>
            ))}
          </tbody>
        </table>
      </div>
      <h3 id={`${id}-top`}>{heading(t('Top products'))}</h3>
      {sales.top_products.length === 0 ? (
        <p class="muted">{t('No products sold in this period.')}</p>
      ) : (
        <div class="table-wrap">
          <table aria-labelledby={`${id}-top`}>
            <thead>
              <tr>
                <th scope="col">{t('Product')}</th>
                <th scope="col" class="number">
                  {t('Units sold')}
                </th>
                <th scope="col" class="number">
                  {t('Revenue')}
                </th>
              </tr>
            </thead>
            <tbody>
              {sales.top_products.map((product) => (
                <tr key={product.product_id ?? product.name}>
                  <th scope="row">
                    {product.product_id ? <a href={plinth.href(`/w/shop/shop-product-editor?id=${product.product_id}`)}>{product.name}</a> : product.name}
                  </th>
                  <td class="number" data-label={t('Units sold')}>
                    {plinth.format.number(product.quantity)}
                  </td>
                  <td class="number" data-label={t('Revenue')}>
                    {money(product.revenue)}
                  </td>
                </tr>
              ))}
            </tbody>
          </table>
        </div>
      )}
    </section>
  );
}
