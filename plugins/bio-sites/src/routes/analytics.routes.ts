import { type AnyRoute, Reply, Type, withStatus } from '@plinth/sdk';
import type { Builders } from '../deps.js';
import { bioSitesPermissions as permissions } from '../permissions.js';
import { assertLink, breakdown, dailySeries, dayRange, linkTotals, totals } from '../services/analytics.js';
import { findShortLink } from '../services/short-links.js';
import { findSite } from '../services/sites.js';

const Id = Type.String({ format: 'uuid' });
const RangeQuery = Type.Object({
  from: Type.Optional(Type.String({ format: 'date', description: "First day, in the tenant's time zone (default: 29 days before `to`)" })),
  to: Type.Optional(Type.String({ format: 'date', description: "Last day, in the tenant's time zone (default: today there)" })),
});
const Counts = { views: Type.Integer(), clicks: Type.Integer(), uniques: Type.Integer() };
const Day = Type.Object({ day: Type.String(), ...Counts });
const Share = Type.Array(Type.Object({ value: Type.String(), views: Type.Integer(), clicks: Type.Integer() }));
const Breakdown = { referrers: Share, devices: Share, countries: Share };
const SubjectAnalytics = Type.Object({ from: Type.String(), to: Type.String(), totals: Type.Object(Counts), series: Type.Array(Day), ...Breakdown });
const SiteAnalytics = Type.Composite([
  SubjectAnalytics,
  Type.Object({ links: Type.Array(Type.Object({ link_id: Id, title: Type.String(), clicks: Type.Integer(), uniques: Type.Integer() })) }),
]);

/**
 * Analytics of sites, link blocks and short links: daily series, totals and top referrers, devices and countries
 * for a range of days in the tenant's time zone. Site `views`/`uniques` count page visits and unique visitors;
 * `clicks` count clicks (and `uniques` unique clickers) of links. Figures are live: the rolled-up aggregates plus
 * the hits the next rollup will take (a visit shows about a second after it happened).
 */
export function analyticsRoutes({ route }: Builders): AnyRoute[] {
  async function subject(db: Parameters<typeof dailySeries>[0], id: string, query: { from?: string; to?: string }, timeZone: string) {
    const range = dayRange(query, timeZone);
    const series = await dailySeries(db, id, range, timeZone);
    return { ...range, totals: totals(series), series, ...(await breakdown(db, id, range, timeZone)) };
  }
  return [
    route({
      method: 'GET',
      readOnly: true,
      path: '/sites/:id/analytics',
      summary: "A site's visits, unique visitors and clicks per day, per link and by referrer, device and country",
      permission: permissions['analytics.view'],
      schema: { params: Type.Object({ id: Id }), query: RangeQuery, response: SiteAnalytics },
      async handler({ params, query, deps, ctx }) {
        await findSite(deps.db, params.id);
        const analytics = await subject(deps.db, params.id, query, ctx.tenant.timeZone);
        return { ...analytics, links: await linkTotals(deps.db, params.id, analytics, ctx.tenant.timeZone) };
      },
    }),
    route({
      method: 'GET',
      readOnly: true,
      path: '/sites/:id/links/:linkId/analytics',
      summary: "A link block's clicks and unique clickers per day and by referrer, device and country",
      permission: permissions['analytics.view'],
      schema: { params: Type.Object({ id: Id, linkId: Id }), query: RangeQuery, response: SubjectAnalytics },
      async handler({ params, query, deps, ctx }) {
        await assertLink(deps.db, params.id, params.linkId);
        return subject(deps.db, params.linkId, query, ctx.tenant.timeZone);
      },
    }),
    route({
      method: 'GET',
      readOnly: true,
      path: '/short-links/:id/analytics',
      summary: "A short link's clicks and unique clickers per day and by referrer, device and country",
      permission: permissions['analytics.view'],
      schema: { params: Type.Object({ id: Id }), query: RangeQuery, response: SubjectAnalytics },
      async handler({ params, query, deps, ctx }) {
        await findShortLink(deps.db, params.id);
        return subject(deps.db, params.id, query, ctx.tenant.timeZone);
      },
    }),
    route({
      method: 'POST',
      path: '/analytics/rollup',
      summary: 'Roll pending visits and clicks up now instead of at the next scheduled run',
      permission: permissions['analytics.view'],
      schema: { response: withStatus(Type.Object({ queued: Type.Boolean() }, { additionalProperties: false }), 202) },
      async handler({ deps }) {
        await deps.jobs.enqueue('bio-sites.analytics.rollup', {});
        return Reply.accepted({ queued: true });
      },
    }),
  ];
}
