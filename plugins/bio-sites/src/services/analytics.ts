import { NotFoundError, ValidationError, type TenantDb } from '@plinth/sdk';
import { zoneDay } from '../public/visitor.js';

/** A date range of whole days in the tenant's time zone, both ends included. */
export interface DayRange {
  from: string;
  to: string;
}

/** Figures of one subject on one day. */
export interface DayCounts {
  day: string;
  views: number;
  clicks: number;
  uniques: number;
}

const maxDays = 366;
const dayMs = 86_400_000;

/** The range asked for: `to` defaults to today in `timeZone`, `from` to 29 days before `to`; at most a year, `from` ≤ `to`. */
export function dayRange(query: { from?: string; to?: string }, timeZone: string): DayRange {
  const to = query.to ?? zoneDay(timeZone);
  const from = query.from ?? new Date(Date.parse(`${to}T00:00:00Z`) - 29 * dayMs).toISOString().slice(0, 10);
  const span = (Date.parse(`${to}T00:00:00Z`) - Date.parse(`${from}T00:00:00Z`)) / dayMs;
  // The messages say it all too: a report run shows only the message.
  if (span < 0)
    throw new ValidationError({ from: ['must not be after to'] }, 'The first day must not be after the last', {
      translations: { ar: 'يجب ألا يكون اليوم الأول بعد اليوم الأخير' },
    });
  if (span >= maxDays)
    throw new ValidationError({ from: [`the range may span at most ${maxDays} days`] }, `The range may span at most ${maxDays} days`, {
      translations: { ar: `يمكن أن يمتد النطاق ${maxDays} يومًا على الأكثر` },
    });
  return { from, to };
}

/**
 * The hits not rolled up yet (at most one rollup interval of them), as rows of the subjects they count for: a visit
 * counts for its site; a click for its link block and (as a click, without a unique) for the link's site; a short
 * link's click for the short link. `hash` is set only where the visitor is not yet among the day's rolled-up uniques.
 * Parameters: $1 subject ids, $2 first day, $3 last day, $4 the tenant's time zone.
 */
const pendingHits = `pending as (
  select t.subject_id, (h.occurred_at at time zone $4)::date as day, (h.kind = 'visit')::int as view, (h.kind <> 'visit')::int as click,
         case when t.own and not exists (
           select 1 from bio_sites_daily_uniques u
            where u.subject_id = h.subject_id and u.day = (h.occurred_at at time zone $4)::date and u.visitor_hash = h.visitor_hash
         ) then h.visitor_hash end as hash,
         h.referrer, h.device, h.country
    from bio_sites_hits h
   cross join lateral (values (h.subject_id, true), (case when h.kind = 'click' then h.site_id end, false)) as t(subject_id, own)
   where t.subject_id = any($1::uuid[])
     and h.occurred_at >= $2::date::timestamp at time zone $4 and h.occurred_at < ($3::date + 1)::timestamp at time zone $4
)`;

/**
 * Daily figures of subjects (sites, link blocks, short links) over the range, days without any left out: the
 * rolled-up aggregates plus the hits still waiting for the rollup, so a visit shows as soon as it is written (about
 * a second), not after the next rollup.
 */
export async function subjectDays(db: TenantDb, subjectIds: readonly string[], range: DayRange, timeZone: string) {
  return db.query<DayCounts & { subject_id: string }>(
    `with ${pendingHits},
     live as (
       select subject_id, day, sum(view) as views, sum(click) as clicks, count(distinct hash) as uniques from pending group by subject_id, day
     ),
     rolled as (
       select subject_id, day, views, clicks, uniques from bio_sites_daily_stats where subject_id = any($1::uuid[]) and day between $2::date and $3::date
     )
     select coalesce(r.subject_id, l.subject_id) as subject_id, to_char(coalesce(r.day, l.day), 'YYYY-MM-DD') as day,
            (coalesce(r.views, 0) + coalesce(l.views, 0))::int as views, (coalesce(r.clicks, 0) + coalesce(l.clicks, 0))::int as clicks,
            (coalesce(r.uniques, 0) + coalesce(l.uniques, 0))::int as uniques
       from rolled r full join live l on l.subject_id = r.subject_id and l.day = r.day`,
    [subjectIds, range.from, range.to, timeZone],
  );
}

/** Every day of the range, in order. */
function daysOf(range: DayRange): string[] {
  const days: string[] = [];
  for (let at = Date.parse(`${range.from}T00:00:00Z`); at <= Date.parse(`${range.to}T00:00:00Z`); at += dayMs) {
    days.push(new Date(at).toISOString().slice(0, 10));
  }
  return days;
}

/** Daily views, clicks and unique visitors of one subject (a site, a link block or a short link), zero-filled. */
export async function dailySeries(db: TenantDb, subjectId: string, range: DayRange, timeZone: string): Promise<DayCounts[]> {
  const byDay = new Map((await subjectDays(db, [subjectId], range, timeZone)).map(({ subject_id: _subject, ...counts }) => [counts.day, counts]));
  return daysOf(range).map((day) => byDay.get(day) ?? { day, views: 0, clicks: 0, uniques: 0 });
}

/** Top referrers, devices and countries of a subject over the range (10 of each), rolled-up and pending hits together. */
export async function breakdown(db: TenantDb, subjectId: string, range: DayRange, timeZone: string) {
  const rows = await db.query<{ dimension: 'referrer' | 'device' | 'country'; value: string; views: number; clicks: number }>(
    `with ${pendingHits},
     shares as (
       select dimension, value, views, clicks from bio_sites_daily_breakdown where subject_id = any($1::uuid[]) and day between $2::date and $3::date
       union all select 'referrer', referrer, view, click from pending
       union all select 'device', device, view, click from pending
       union all select 'country', country, view, click from pending
     )
     select dimension, value, sum(views)::int as views, sum(clicks)::int as clicks from shares
      group by dimension, value order by dimension, sum(views) + sum(clicks) desc, value`,
    [[subjectId], range.from, range.to, timeZone],
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

/** Clicks and unique clickers per link block of a site over the range, most clicked first (then in page order). */
export async function linkTotals(db: TenantDb, siteId: string, range: DayRange, timeZone: string) {
  const links = await db.query<{ link_id: string; title: string }>(
    "select id as link_id, coalesce(data->>'title', '') as title from bio_sites_blocks where site_id = $1 and type = 'link' order by position",
    [siteId],
  );
  const days = await subjectDays(
    db,
    links.map((link) => link.link_id),
    range,
    timeZone,
  );
  return links
    .map((link) => {
      const own = days.filter((day) => day.subject_id === link.link_id);
      return { ...link, clicks: own.reduce((sum, day) => sum + day.clicks, 0), uniques: own.reduce((sum, day) => sum + day.uniques, 0) };
    })
    .sort((a, b) => b.clicks - a.clicks);
}

/** Checks the link block belongs to the site (and so to the tenant). */
export async function assertLink(db: TenantDb, siteId: string, linkId: string): Promise<void> {
  const found = await db.one("select 1 from bio_sites_blocks where site_id = $1 and id = $2 and type = 'link'", [siteId, linkId]);
  if (!found) throw new NotFoundError('Link not found');
}
