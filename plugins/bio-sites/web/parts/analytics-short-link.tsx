/** `bio-short-link-analytics`: a short link's clicks and unique clickers over a range, per day, referrer, device and country. */
import type { ConsoleContext } from '@plinth/sdk/web';
import { useEffect, useState } from 'preact/hooks';
import { rangeQuery, type RangeChoice, type SubjectAnalytics } from './analytics-data';
import { Breakdowns, DailyChart, ErrorBanner, Figures, RangePicker, useAnalytics } from './analytics-parts';

interface ShortLinkSummary {
  id: string;
  code: string;
  title: string;
  target_url: string;
  url: string;
}

export function ShortLinkAnalyticsScreen({ plinth }: { plinth: ConsoleContext }) {
  const { t, format } = plinth;
  const id = plinth.params.id ?? '';
  const [choice, setChoice] = useState<RangeChoice>({ preset: 30 });
  const [link, setLink] = useState<ShortLinkSummary>();
  const path = `/bio-sites/short-links/${encodeURIComponent(id)}`;
  useEffect(() => {
    if (id)
      plinth.call<ShortLinkSummary>('GET', path).then(
        (answer) => setLink(answer.data),
        () => undefined,
      );
  }, [path]);
  const { data, error, loading } = useAnalytics<SubjectAnalytics>(plinth, `${path}/analytics`, choice);
  if (!id) return <ErrorBanner error={new Error(t('No short link was given: open the analytics from a short link.'))} />;
  const shown = data ?? rangeQuery(choice, plinth.tenant.timeZone);
  return (
    <div class="analytics-screen">
      {link && (
        <p class="analytics-subject">
          <strong>{link.title || link.code}</strong> · <bdi>{plinth.publicUrl(link.url)}</bdi> → <bdi>{link.target_url}</bdi>
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
              { label: t('Clicks'), value: format.number(data.totals.clicks) },
              { label: t('Unique clickers'), value: format.number(data.totals.uniques) },
            ]}
          />
          <section class="panel" aria-labelledby="analytics-daily">
            <h2 id="analytics-daily">{t('Clicks per day')}</h2>
            <DailyChart
              plinth={plinth}
              data={data}
              series={[
                { key: 'clicks', label: t('Clicks') },
                { key: 'uniques', label: t('Unique clickers') },
              ]}
              summary={t(
                'Clicks and unique clickers per day, {from} to {to}: {clicks, plural, one {# click} other {# clicks}}, {uniques, plural, one {# unique clicker} other {# unique clickers}}',
                {
                  from: format.date(data.from),
                  to: format.date(data.to),
                  clicks: data.totals.clicks,
                  uniques: data.totals.uniques,
                },
              )}
            />
          </section>
          <Breakdowns plinth={plinth} data={data} measure="clicks" />
        </>
      )}
    </div>
  );
}
