import type { PluginCache, PluginWriteBehind, RequestContext, TenantDb } from '@plinth/sdk';
import { countryOf, deviceClass, isBotAgent, referrerHost, visitorHash, zoneDay } from './visitor.js';

/** A visit of a page, a click on a link block, or a click on a short link. */
export type Hit = { kind: 'visit'; siteId: string } | { kind: 'click'; siteId: string; linkId: string } | { kind: 'short'; shortLinkId: string };

/**
 * Records one hit, unless the visitor is a bot: queued for the kernel's batched write-behind, so the visitor does
 * not wait for a write (the rollup job aggregates the rows later; a crash may lose the last second of hits). Stores the referrer's host, the device class, the country when a CDN header gives it,
 * and a daily visitor hash, never the address.
 */
export async function recordHit(
  deps: { db: TenantDb; cache: PluginCache; writeBehind: PluginWriteBehind },
  ctx: RequestContext<unknown>,
  hit: Hit,
): Promise<void> {
  if (isBotAgent(ctx.userAgent)) return;
  const now = new Date();
  const hash = await visitorHash(deps.db, deps.cache, ctx.ip, ctx.userAgent, zoneDay(ctx.tenant.timeZone, now));
  const siteId = hit.kind === 'short' ? null : hit.siteId;
  const subjectId = hit.kind === 'visit' ? hit.siteId : hit.kind === 'click' ? hit.linkId : hit.shortLinkId;
  deps.writeBehind.insert('bio_sites_hits', {
    kind: hit.kind,
    site_id: siteId,
    subject_id: subjectId,
    occurred_at: now,
    referrer: referrerHost(ctx.headers),
    device: deviceClass(ctx.userAgent),
    country: countryOf(ctx.headers),
    visitor_hash: hash,
  });
}
