import { Type } from '@plinth/sdk';
import type { Builders } from '../deps.js';
import { bioSitesPermissions as permissions } from '../permissions.js';
import { dayRange } from '../services/analytics.js';

const AnalyticsParams = Type.Object(
  {
    from: Type.String({ format: 'date', title: 'From', description: 'The first day (in the workspace’s time zone)' }),
    to: Type.String({ format: 'date', title: 'To', description: 'The last day, included; at most a year after the first' }),
    site_id: Type.Optional(Type.String({ format: 'uuid', title: 'Site', description: 'One site only; none: every site' })),
  },
  { additionalProperties: false },
);

/** The rolled-up days of sites (`s`, with `site`) in the report: `$1` first day, `$2` last day, `$3` one site or null. */
const siteDays = {
  from: 'bio_sites_daily_stats s join bio_sites_sites site on site.id = s.subject_id',
  where: "s.subject_kind = 'site' and s.day between $1::date and $2::date and ($3::uuid is null or s.subject_id = $3)",
};

/**
 * `bio-sites.analytics`: per day and site with any visit or click (oldest day first, then by site title): views,
 * unique visitors, clicks and the day's most clicked link, from the daily aggregates the rollup job writes (hits
 * not rolled up yet, at most one rollup interval of them, are not counted). Days of deleted sites are left out.
 */
export function analyticsReport({ report }: Builders) {
  return report({
    name: 'bio-sites.analytics',
    title: 'Bio site analytics',
    description: 'Views, unique visitors, clicks and the top link of each site, day by day',
    permission: permissions['analytics.view'],
    params: AnalyticsParams,
    columns: [
      { key: 'day', label: 'Day', type: 'date' },
      { key: 'site', label: 'Site' },
      { key: 'slug', label: 'Slug' },
      { key: 'views', label: 'Views', type: 'integer' },
      { key: 'unique_visitors', label: 'Unique visitors', type: 'integer' },
      { key: 'clicks', label: 'Clicks', type: 'integer' },
      { key: 'top_link', label: 'Top link' },
      { key: 'top_link_clicks', label: 'Top link clicks', type: 'integer' },
    ],
    async count({ params, deps, ctx }) {
      const range = dayRange(params, ctx.tenant.timeZone);
      const row = await deps.db.one<{ count: number }>(`select count(*)::int as count from ${siteDays.from} where ${siteDays.where}`, [
        range.from,
        range.to,
        params.site_id ?? null,
      ]);
      return row!.count;
    },
    rows({ params, deps, ctx }) {
      const range = dayRange(params, ctx.tenant.timeZone);
      return deps.db.stream(
        `select to_char(s.day, 'YYYY-MM-DD') as day, site.title as site, site.slug, s.views, s.uniques as unique_visitors, s.clicks,
                top.title as top_link, top.clicks as top_link_clicks
           from ${siteDays.from}
           left join lateral (
             select coalesce(b.data->>'title', '') as title, l.clicks from bio_sites_daily_stats l join bio_sites_blocks b on b.id = l.subject_id
              where l.subject_kind = 'link' and l.site_id = s.subject_id and l.day = s.day and l.clicks > 0
              order by l.clicks desc, b.position limit 1) top on true
          where ${siteDays.where}
          order by s.day, site.title, s.subject_id`,
        [range.from, range.to, params.site_id ?? null],
      );
    },
  });
}
