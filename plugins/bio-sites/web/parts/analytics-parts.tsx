/** What both analytics screens show: the range picker, the totals, the daily chart with its table, the breakdowns. */
import type { ConsoleApiError, ConsoleContext } from '@plinth/sdk/web';
import { useEffect, useState } from 'preact/hooks';
import { clickRate, rangeQuery, type RangeChoice, type Share, type SubjectAnalytics } from './analytics-data';
import './analytics.css';

type Plinth = ConsoleContext;

/** Loads `path` for the chosen range, again whenever the range changes; keeps the last answer while loading. */
export function useAnalytics<T>(plinth: Plinth, path: string, choice: RangeChoice) {
  const [state, setState] = useState<{ data?: T; error?: unknown; loading: boolean }>({ loading: true });
  const query = rangeQuery(choice, plinth.tenant.timeZone);
  useEffect(() => {
    let live = true;
    setState((previous) => ({ data: previous.data, loading: true }));
    plinth.call<T>('GET', path, { query }).then(
      (answer) => live && setState({ data: answer.data, loading: false }),
      (error: unknown) => live && setState((previous) => ({ data: previous.data, error, loading: false })),
    );
    return () => {
      live = false;
    };
  }, [path, query.from, query.to]);
  return state;
}

/** The API's error in a `role="alert"` banner, with its messages per field (a custom range the API refused). */
export function ErrorBanner({ error }: { error: unknown }) {
  if (!error) return null;
  const { message, errors } = error as Partial<ConsoleApiError>;
  const details = Object.values(errors ?? {}).flat();
  return (
    <div class="banner error" role="alert">
      <p>{message ?? String(error)}</p>
      {details.length > 0 && (
        <ul>
          {details.map((detail) => (
            <li key={detail}>{detail}</li>
          ))}
        </ul>
      )}
    </div>
  );
}

/** 7, 30 or 90 days ending today in the tenant's zone, or custom dates (applied with a button, not on each keystroke). */
export function RangePicker({
  plinth,
  choice,
  current,
  onChoose,
}: {
  plinth: Plinth;
  choice: RangeChoice;
  current: { from: string; to: string };
  onChoose(choice: RangeChoice): void;
}) {
  const { t } = plinth;
  const [from, setFrom] = useState(current.from);
  const [to, setTo] = useState(current.to);
  const custom = choice.preset === 'custom';
  const pick = (value: string) => {
    if (value === 'custom') {
      setFrom(current.from);
      setTo(current.to);
      onChoose({ preset: 'custom', from: current.from, to: current.to });
    } else onChoose({ preset: Number(value) as 7 | 30 | 90 });
  };
  return (
    <form
      class="toolbar analytics-range"
      onSubmit={(event) => {
        event.preventDefault();
        onChoose({ preset: 'custom', from, to });
      }}
    >
      <div class="analytics-control">
        <label for="analytics-period">{t('Period')}</label>
        <select id="analytics-period" value={String(choice.preset)} onChange={(event) => pick(event.currentTarget.value)}>
          <option value="7">{t('Last 7 days')}</option>
          <option value="30">{t('Last 30 days')}</option>
          <option value="90">{t('Last 90 days')}</option>
          <option value="custom">{t('Custom dates')}</option>
        </select>
      </div>
      {custom && (
        <>
          <div class="analytics-control">
            <label for="analytics-from">{t('From')}</label>
            <input id="analytics-from" type="date" required value={from} onInput={(event) => setFrom(event.currentTarget.value)} />
          </div>
          <div class="analytics-control">
            <label for="analytics-to">{t('To')}</label>
            <input id="analytics-to" type="date" required value={to} onInput={(event) => setTo(event.currentTarget.value)} />
          </div>
          <button type="submit" class="secondary">
            {t('Show')}
          </button>
        </>
      )}
      <p class="muted analytics-zone">{t('Days in the time zone {zone}', { zone: plinth.tenant.timeZone })}</p>
    </form>
  );
}

/** Figures side by side (stacked on a phone): a label and a number each. */
export function Figures({ items }: { items: { label: string; value: string }[] }) {
  return (
    <dl class="analytics-figures">
      {items.map((item) => (
        <div key={item.label}>
          <dt>{item.label}</dt>
          <dd>{item.value}</dd>
        </div>
      ))}
    </dl>
  );
}

/** A click-through rate as a percentage, or a dash without views. */
export function rateText(plinth: Plinth, clicks: number, views: number): string {
  const rate = clickRate(clicks, views);
  return rate === undefined ? '—' : plinth.format.percent(rate);
}

/** A table in a bordered frame; a tall one scrolls inside and can be scrolled with the keyboard (it takes focus). */
export function DataTable({ caption, head, rows, tall }: { caption: string; head: string[]; rows: string[][]; tall?: boolean }) {
  return (
    <div class={tall ? 'table-wrap analytics-tall' : 'table-wrap'} {...(tall ? { tabIndex: 0, role: 'region', 'aria-label': caption } : {})}>
      <table>
        <caption class="visually-hidden">{caption}</caption>
        <thead>
          <tr>
            {head.map((cell, index) => (
              <th key={cell} scope="col" class={index > 0 ? 'number' : undefined}>
                {cell}
              </th>
            ))}
          </tr>
        </thead>
        <tbody>
          {rows.map((row, rowIndex) => (
            <tr key={rowIndex}>
              {row.map((cell, index) =>
                index === 0 ? (
                  <th key={index} scope="row">
                    {cell}
                  </th>
                ) : (
                  <td key={index} class="number" data-label={head[index]}>
                    {cell}
                  </td>
                ),
              )}
            </tr>
          ))}
        </tbody>
      </table>
    </div>
  );
}

/**
 * A line chart of daily figures and, beside it, the same numbers per day (newest first). `series`: which counts,
 * and their names; `summary`: the chart's accessible name, which states the totals.
 */
export function DailyChart({
  plinth,
  data,
  series,
  summary,
}: {
  plinth: Plinth;
  data: SubjectAnalytics;
  series: { key: 'views' | 'clicks' | 'uniques'; label: string }[];
  summary: string;
}) {
  const { t, format } = plinth;
  const chart = {
    kind: 'line' as const,
    labels: data.series.map((day) => format.date(day.day)),
    series: series.map(({ key, label }) => ({ label, values: data.series.map((day) => day[key]) })),
  };
  return (
    <div class="analytics-pair">
      <plinth-chart chart={chart} label={summary} />
      <DataTable
        tall
        caption={t('Per day')}
        head={[t('Day'), ...series.map((item) => item.label)]}
        rows={[...data.series].reverse().map((day) => [format.date(day.day), ...series.map(({ key }) => format.number(day[key]))])}
      />
    </div>
  );
}

/** Top referrers, devices and countries, each a small table (hidden when empty). */
export function Breakdowns({ plinth, data, measure }: { plinth: Plinth; data: SubjectAnalytics; measure: 'views' | 'clicks' }) {
  const { t, format } = plinth;
  const regions = typeof Intl.DisplayNames === 'function' ? new Intl.DisplayNames([plinth.language], { type: 'region' }) : undefined;
  const names: Record<string, (value: string) => string> = {
    referrers: (value) => (value === 'direct' ? t('Direct or unknown') : value === 'internal' ? t('The same site') : value),
    devices: (value) => ({ mobile: t('Phone'), tablet: t('Tablet'), desktop: t('Computer') })[value] ?? value,
    countries: (value) => (value === 'unknown' ? t('Unknown') : (regions?.of(value) ?? value)),
  };
  const groups = [
    { key: 'referrers', title: t('Referrers'), column: t('Referrer') },
    { key: 'devices', title: t('Devices'), column: t('Device') },
    { key: 'countries', title: t('Countries'), column: t('Country') },
  ] as const;
  const shown = groups.filter((group) => data[group.key].length > 0);
  if (shown.length === 0) return null;
  const head = measure === 'views' ? [t('Views'), t('Clicks')] : [t('Clicks')];
  return (
    <div class="analytics-breakdowns">
      {shown.map((group) => (
        <section key={group.key} class="panel" aria-labelledby={`analytics-${group.key}`}>
          <h3 id={`analytics-${group.key}`}>{group.title}</h3>
          <DataTable
            caption={group.title}
            head={[group.column, ...head]}
            rows={data[group.key].map((share: Share) => [
              names[group.key]!(share.value),
              ...(measure === 'views' ? [format.number(share.views), format.number(share.clicks)] : [format.number(share.clicks)]),
            ])}
          />
        </section>
      ))}
    </div>
  );
}
