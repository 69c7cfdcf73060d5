/** `bio-site-analytics`: a site's visits, unique visitors and clicks over a range, per day and per link block. */
import type { ConsoleContext } from '@plinth/sdk/web';
import { useEffect, useState } from 'preact/hooks';
import { rangeQuery, type RangeChoice, type SiteAnalytics } from './analytics-data';
import { Breakdowns, DailyChart, DataTable, ErrorBanner, Figures, RangePicker, rateText, useAnalytics } from './analytics-parts';

interface SiteSummary {
  id: string;
  title: string;
  url: string;
}

export function SiteAnalyticsScreen({ plinth }: { plinth: ConsoleContext }) {
  const { t, format } = plinth;
  const id = plinth.params.id ?? '';
  const [choice, setChoice] = useState<RangeChoice>({ preset: 30 });
  const [site, setSite] = useState<SiteSummary>();
  const path = `/bio-sites/sites/${encodeURIComponent(id)}`;
  useEffect(() => {
    if (id)
      plinth.call<SiteSummary>('GET', path).then(
        (answer) => setSite(answer.data),
        () => undefined,
      );
  }, [path]);
  const { data, error, loading } = useAnalytics<SiteAnalytics>(plinth, `${path}/analytics`, choice);
  if (!id) return <ErrorBanner error={new Error(t('No site was given: open the analytics from a site.'))} />;
  const shown = data ?? rangeQuery(choice, plinth.tenant.timeZone);
  return (
    <div class="analytics-screen">
      {site && (
        <p class="analytics-subject">
          <strong>{site.title}</strong> ·{' '}
          <a href={plinth.publicUrl(site.url)} target="_blank" rel="noopener">
            {plinth.publicUrl(site.url)}
          </a>{' '}
          · <a href={plinth.href(`/w/bio-sites/bio-site-editor?id=${encodeURIComponent(id)}`)}>{t('Edit the page')}</a>
        </p>
      )}
      <RangePicker plinth={plinth} choice={choice} current={shown} onChoose={setChoice} />
      <ErrorBanner error={error} />
      {loading && (
        <p class="loading" role="status">
          <span class="spinner" aria-hidden="true" /> {t('Loading the figures…')}
        </p>
      )}
      {data && (
        <>
          <Figures
            items={[
              { label: t('Views'), value: format.number(data.totals.views) },
              { label: t('Unique visitors'), value: format.number(data.totals.uniques) },
              { label: t('Clicks'), value: format.number(data.totals.clicks) },
              { label: t('Click-through rate'), value: rateText(plinth, data.totals.clicks, data.totals.views) },
            ]}
          />
          <section class="panel" aria-labelledby="analytics-daily">
            <h2 id="analytics-daily">{t('Views per day')}</h2>
            <DailyChart
              plinth={plinth}
              data={data}
              series={[
                { key: 'views', label: t('Views') },
                { key: 'uniques', label: t('Unique visitors') },
              ]}
              summary={t(
                'Views and unique visitors per day, {from} to {to}: {views, plural, one {# view} other {# views}}, {uniques, plural, one {# unique visitor} other {# unique visitors}}',
                {
                  from: format.date(data.from),
                  to: format.date(data.to),
                  views: data.totals.views,
                  uniques: data.totals.uniques,
                },
              )}
            />
          </section>
          <section class="panel" aria-labelledby="analytics-links">
            <h2 id="analytics-links">{t('Clicks per link')}</h2>
            {data.links.length === 0 ? (
              <p class="muted">{t('This page has no links yet.')}</p>
            ) : (
              <div class="analytics-pair">
                <plinth-chart
                  chart={{
                    kind: 'bar',
                    labels: data.links.map((link) => link.title),
                    series: [{ label: t('Clicks'), values: data.links.map((link) => link.clicks) }],
                  }}
                  label={t('Clicks per link, {from} to {to}: {clicks, plural, one {# click} other {# clicks}} in all', {
                    from: format.date(data.from),
                    to: format.date(data.to),
                    clicks: data.totals.clicks,
                  })}
                />
                <DataTable
                  caption={t('Clicks per link')}
                  head={[t('Link'), t('Clicks'), t('Unique clickers'), t('Click-through rate')]}
                  rows={data.links.map((link) => [
                    link.title,
                    format.number(link.clicks),
                    format.number(link.uniques),
                    rateText(plinth, link.clicks, data.totals.views),
                  ])}
                />
              </div>
            )}
          </section>
          <Breakdowns plinth={plinth} data={data} measure="views" />
        </>
      )}
    </div>
  );
}
