import { NotFoundError, ValidationError, type TenantDb } from '@plinth/sdk';
import { utcDay } from '../public/visitor.js';

/** A date range of whole UTC days, both ends included. */
export interface DayRange {
  from: string;
  to: string;
}

const maxDays = 366;

/** The range asked for: `to` defaults to today, `from` to 29 days before `to`; at most a year, `from` ≤ `to`. */
export function dayRange(query: { from?: string; to?: string }): DayRange {
  const to = query.to ?? utcDay();
  const from = query.from ?? utcDay(new Date(Date.parse(`${to}T00:00:00Z`) - 29 * 86_400_000));
  const span = (Date.parse(`${to}T00:00:00Z`) - Date.parse(`${from}T00:00:00Z`)) / 86_400_000;
  if (span < 0) throw new ValidationError({ from: ['must not be after to'] });
  if (span >= maxDays) throw new ValidationError({ from: [`the range may span at most ${maxDays} days`] });
  return { from, to };
}

/** Daily views, clicks and unique visitors of one subject (a site, a link block or a short link), zero-filled. */
export async function dailySeries(db: TenantDb, subjectId: string, range: DayRange) {
  return db.query<{ day: string; views: number; clicks: number; uniques: number }>(
    `select to_char(d, 'YYYY-MM-DD') as day, coalesce(s.views, 0)::int as views, coalesce(s.clicks, 0)::int as clicks, coalesce(s.uniques, 0)::int as uniques
       from generate_series($2::date, $3::date, interval '1 day') as d
       left join bio_sites_daily_stats s on s.subject_id = $1 and s.day = d::date
      order by d`,
    [subjectId, range.from, range.to],
  );
}

/** Top referrers, devices and countries of a subject over the range (10 of each). */
export async function breakdown(db: TenantDb, subjectId: string, range: DayRange) {
  const rows = await db.query<{ dimension: 'referrer' | 'device' | 'country'; value: string; views: number; clicks: number }>(
    `select dimension, value, sum(views)::int as views, sum(clicks)::int as clicks from bio_sites_daily_breakdown
      where subject_id = $1 and day between $2::date and $3::date
      group by dimension, value order by dimension, sum(views) + sum(clicks) desc, value`,
    [subjectId, range.from, range.to],
  );
  const top = (dimension: string) =>
    rows
      .filter((row) => row.dimension === dimension)
      .slice(0, 10)
      .map(({ value, views, clicks }) => ({ value, views, clicks }));
  return { referrers: top('referrer'), devices: top('device'), countries: top('country') };
}

/** Sums of a series; `uniques` is the sum of daily unique visitors. */
export function totals(series: readonly { views: number; clicks: number; uniques: number }[]) {
  return series.reduce((sum, day) => ({ views: sum.views + day.views, clicks: sum.clicks + day.clicks, uniques: sum.uniques + day.uniques }), {
    views: 0,
    clicks: 0,
    uniques: 0,
  });
}

/** Clicks per link block of a site over the range, most clicked first. */
export async function linkTotals(db: TenantDb, siteId: string, range: DayRange) {
  return db.query<{ link_id: string; title: string; clicks: number; uniques: number }>(
    `select b.id as link_id, b.data->>'title' as title, coalesce(sum(s.clicks), 0)::int as clicks, coalesce(sum(s.uniques), 0)::int as uniques
       from bio_sites_blocks b left join bio_sites_daily_stats s on s.subject_id = b.id and s.day between $2::date and $3::date
      where b.site_id = $1 and b.type = 'link'
      group by b.id, b.position order by clicks desc, b.position`,
    [siteId, range.from, range.to],
  );
}

/** Checks the link block belongs to the site (and so to the tenant). */
export async function assertLink(db: TenantDb, siteId: string, linkId: string): Promise<void> {
  const found = await db.one("select 1 from bio_sites_blocks where site_id = $1 and id = $2 and type = 'link'", [siteId, linkId]);
  if (!found) throw new NotFoundError('Link not found');
}
