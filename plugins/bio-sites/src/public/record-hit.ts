import type { PluginCache, RequestContext, TenantDb } from '@plinth/sdk';
import { countryOf, deviceClass, isBotAgent, referrerHost, utcDay, visitorHash } from './visitor.js';

/** A visit of a page, a click on a link block, or a click on a short link. */
export type Hit = { kind: 'visit'; siteId: string } | { kind: 'click'; siteId: string; linkId: string } | { kind: 'short'; shortLinkId: string };

/**
 * Records one hit with a single insert in the request's transaction (the rollup job aggregates it later), unless
 * the visitor is a bot. Stores the referrer's host, the device class, the country when a CDN header gives it,
 * and a daily visitor hash, never the address.
 */
export async function recordHit(deps: { db: TenantDb; cache: PluginCache }, ctx: RequestContext<unknown>, hit: Hit): Promise<void> {
  if (isBotAgent(ctx.userAgent)) return;
  const now = new Date();
  const hash = await visitorHash(deps.db, deps.cache, ctx.ip, ctx.userAgent, utcDay(now));
  const siteId = hit.kind === 'short' ? null : hit.siteId;
  const subjectId = hit.kind === 'visit' ? hit.siteId : hit.kind === 'click' ? hit.linkId : hit.shortLinkId;
  await deps.db.prepared(
    'bio_sites_record_hit',
    'insert into bio_sites_hits (kind, site_id, subject_id, occurred_at, referrer, device, country, visitor_hash) values ($1, $2, $3, $4, $5, $6, $7, $8)',
    [hit.kind, siteId, subjectId, now, referrerHost(ctx.headers), deviceClass(ctx.userAgent), countryOf(ctx.headers), hash],
  );
}
