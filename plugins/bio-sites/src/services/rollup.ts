import type { PluginEvents, TenantDb } from '@plinth/sdk';
import { zoneDay } from '../public/visitor.js';

interface HitRow {
  id: string;
  kind: 'visit' | 'click' | 'short';
  site_id: string | null;
  subject_id: string;
  occurred_at: Date;
  referrer: string;
  device: string;
  country: string;
  visitor_hash: string;
}

interface Stat {
  day: string;
  kind: 'site' | 'link' | 'short_link';
  subject: string;
  site: string | null;
  views: number;
  clicks: number;
}

/** Hits aggregated in memory, keyed for the upserts. */
class Aggregate {
  readonly stats = new Map<string, Stat>();
  readonly breakdown = new Map<string, { day: string; subject: string; dimension: string; value: string; views: number; clicks: number }>();
  readonly uniques = new Map<string, { day: string; subject: string; hash: string }>();
  readonly linkClicks = new Map<string, { siteId: string; clicks: number; from: Date; to: Date }>();

  /** `timeZone`: the tenant's; a hit counts on its date there (see `zoneDay`). */
  constructor(private readonly timeZone: string) {}

  add(hit: HitRow): void {
    const day = zoneDay(this.timeZone, hit.occurred_at);
    const view = hit.kind === 'visit' ? 1 : 0;
    const click = 1 - view;
    if (hit.kind === 'visit') this.count(day, 'site', hit.subject_id, hit.site_id, 1, 0);
    else if (hit.kind === 'click') {
      this.count(day, 'link', hit.subject_id, hit.site_id, 0, 1);
      this.count(day, 'site', hit.site_id!, hit.site_id, 0, 1);
      this.dimensions(day, hit.site_id!, hit, 0, 1);
      const link = this.linkClicks.get(hit.subject_id) ?? { siteId: hit.site_id!, clicks: 0, from: hit.occurred_at, to: hit.occurred_at };
      link.clicks += 1;
      if (hit.occurred_at < link.from) link.from = hit.occurred_at;
      if (hit.occurred_at > link.to) link.to = hit.occurred_at;
      this.linkClicks.set(hit.subject_id, link);
    } else this.count(day, 'short_link', hit.subject_id, null, 0, 1);
    this.dimensions(day, hit.subject_id, hit, view, click);
    this.uniques.set(`${day}|${hit.subject_id}|${hit.visitor_hash}`, { day, subject: hit.subject_id, hash: hit.visitor_hash });
  }

  private count(day: string, kind: Stat['kind'], subject: string, site: string | null, views: number, clicks: number): void {
    const key = `${day}|${subject}`;
    const stat = this.stats.get(key) ?? { day, kind, subject, site, views: 0, clicks: 0 };
    stat.views += views;
    stat.clicks += clicks;
    this.stats.set(key, stat);
  }

  private dimensions(day: string, subject: string, hit: HitRow, views: number, clicks: number): void {
    for (const [dimension, value] of [
      ['referrer', hit.referrer],
      ['device', hit.device],
      ['country', hit.country],
    ] as const) {
      const key = `${day}|${subject}|${dimension}|${value}`;
      const entry = this.breakdown.get(key) ?? { day, subject, dimension, value, views: 0, clicks: 0 };
      entry.views += views;
      entry.clicks += clicks;
      this.breakdown.set(key, entry);
    }
  }
}

async function write(db: TenantDb, aggregate: Aggregate): Promise<void> {
  const stats = [...aggregate.stats.values()];
  await db.query(
    `insert into bio_sites_daily_stats as s (day, subject_kind, subject_id, site_id, views, clicks)
     select * from unnest($1::date[], $2::text[], $3::uuid[], $4::uuid[], $5::int[], $6::int[])
     on conflict (tenant_id, subject_id, day) do update set views = s.views + excluded.views, clicks = s.clicks + excluded.clicks, updated_at = now()`,
    [
      stats.map((s) => s.day),
      stats.map((s) => s.kind),
      stats.map((s) => s.subject),
      stats.map((s) => s.site),
      stats.map((s) => s.views),
      stats.map((s) => s.clicks),
    ],
  );
  const rows = [...aggregate.breakdown.values()];
  await db.query(
    `insert into bio_sites_daily_breakdown as b (day, subject_id, dimension, value, views, clicks)
     select * from unnest($1::date[], $2::uuid[], $3::text[], $4::text[], $5::int[], $6::int[])
     on conflict (tenant_id, subject_id, day, dimension, value) do update set views = b.views + excluded.views, clicks = b.clicks + excluded.clicks, updated_at = now()`,
    [
      rows.map((r) => r.day),
      rows.map((r) => r.subject),
      rows.map((r) => r.dimension),
      rows.map((r) => r.value),
      rows.map((r) => r.views),
      rows.map((r) => r.clicks),
    ],
  );
  const uniques = [...aggregate.uniques.values()];
  await db.query(
    `insert into bio_sites_daily_uniques (day, subject_id, visitor_hash) select * from unnest($1::date[], $2::uuid[], $3::text[]) on conflict do nothing`,
    [uniques.map((u) => u.day), uniques.map((u) => u.subject), uniques.map((u) => u.hash)],
  );
  await db.query(
    `update bio_sites_daily_stats s set uniques = (select count(*) from bio_sites_daily_uniques u where u.subject_id = s.subject_id and u.day = s.day)
       from unnest($1::date[], $2::uuid[]) as t(day, subject_id) where s.day = t.day and s.subject_id = t.subject_id`,
    [stats.map((s) => s.day), stats.map((s) => s.subject)],
  );
}

/**
 * Rolls pending hits up into the daily aggregates and deletes them, all in the caller's transaction (so a hit is
 * counted exactly once: rows are locked with SKIP LOCKED, so concurrent runs take disjoint batches). Emits one
 * `bio-sites.link.clicked` per link clicked in this run. Returns how many hits were rolled up, and whether
 * more remain beyond `maxHits`.
 */
export async function rollUpHits(
  deps: { db: TenantDb; events: PluginEvents },
  options: { timeZone: string; batchSize: number; maxHits: number; touch(): Promise<void> },
) {
  const aggregate = new Aggregate(options.timeZone);
  let total = 0;
  let more = false;
  for (;;) {
    const hits = await deps.db.query<HitRow>(
      'select id, kind, site_id, subject_id, occurred_at, referrer, device, country, visitor_hash from bio_sites_hits order by occurred_at, id limit $1 for update skip locked',
      [options.batchSize],
    );
    for (const hit of hits) aggregate.add(hit);
    if (hits.length > 0) await deps.db.query('delete from bio_sites_hits where id = any($1::uuid[])', [hits.map((hit) => hit.id)]);
    total += hits.length;
    if (hits.length < options.batchSize) break;
    if (total >= options.maxHits) {
      more = true;
      break;
    }
    await options.touch();
  }
  if (total > 0) await write(deps.db, aggregate);
  for (const [linkId, link] of aggregate.linkClicks) {
    await deps.events.emit('bio-sites.link.clicked', {
      siteId: link.siteId,
      linkId,
      clicks: link.clicks,
      from: link.from.toISOString(),
      to: link.to.toISOString(),
    });
  }
  await forgetOldVisitors(deps.db, options.timeZone);
  return { hits: total, more };
}

/** Deletes past days' salts, and visitor hashes of days no pending hit can still add to: old visits cannot be linked. */
async function forgetOldVisitors(db: TenantDb, timeZone: string): Promise<void> {
  const today = zoneDay(timeZone);
  await db.query('delete from bio_sites_salts where day < $1::date', [today]);
  await db.query(
    `delete from bio_sites_daily_uniques where day < least($1::date - 1, coalesce((select min((occurred_at at time zone $2)::date) from bio_sites_hits), $1::date))`,
    [today, timeZone],
  );
}
