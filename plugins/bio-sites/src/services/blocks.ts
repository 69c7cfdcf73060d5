import { listPage, NotFoundError, type PageQuery, ValidationError, type PluginAudit, type PluginCache, type PluginFiles, type TenantDb } from '@plinth/sdk';
import { bioSitesErrors } from '../errors.js';
import { maxBlocksPerSite, parseBlockData, type BlockType } from '../model/blocks.js';
import type { Block, BlockInput, BlockPatch } from '../model/schemas.js';
import { invalidatePage } from './page-cache.js';
import { resolveProduct, type ShopOffers } from './shop-offers.js';
import { attachSiteImage, blockFileId, releaseSiteImage } from './site-files.js';
import { findSite } from './sites.js';

interface BlockRow {
  id: string;
  site_id: string;
  type: BlockType;
  position: number;
  data: Record<string, unknown>;
  active: boolean;
  starts_at: Date | null;
  ends_at: Date | null;
  live: boolean;
  created_at: Date;
  updated_at: Date;
}

type Deps = { db: TenantDb; cache: PluginCache; files: PluginFiles; shop: ShopOffers | undefined; audit: PluginAudit };

/** Records a change of one block (the site it is on in `data`). */
async function auditBlock(deps: Deps, verb: string, siteId: string, before: BlockRow | undefined, after: BlockRow | undefined): Promise<void> {
  const target = (after ?? before)!.id;
  await deps.audit.record({
    entity: 'block',
    verb,
    target,
    ...(before ? { before: { ...before } } : {}),
    ...(after ? { after: { ...after } } : {}),
    data: { site_id: siteId },
  });
}

/** A product block's data gets the id of the product its slug names (422 when the shop does not sell it). */
async function withProduct(deps: Deps, type: BlockType, data: Record<string, unknown>): Promise<Record<string, unknown>> {
  if (type !== 'product') return data;
  return { ...data, product_id: await resolveProduct(deps, data.product_slug as string) };
}

/** Whether a block is on the page now, in SQL (`b` is the blocks table). */
export const liveCondition = 'b.active and (b.starts_at is null or b.starts_at <= now()) and (b.ends_at is null or b.ends_at > now())';
export const blockColumns = `b.id, b.site_id, b.type, b.position, b.data, b.active, b.starts_at, b.ends_at, ${liveCondition} as live, b.created_at, b.updated_at`;

/** A stored block as the API shows it. */
export function toBlock(row: BlockRow): Block {
  return {
    ...row,
    starts_at: row.starts_at?.toISOString() ?? null,
    ends_at: row.ends_at?.toISOString() ?? null,
    created_at: row.created_at.toISOString(),
    updated_at: row.updated_at.toISOString(),
  };
}

async function findBlock(db: TenantDb, siteId: string, id: string): Promise<BlockRow> {
  const row = await db.one<BlockRow>(`select ${blockColumns} from bio_sites_blocks b where b.site_id = $1 and b.id = $2`, [siteId, id]);
  if (!row) throw new NotFoundError('Block not found');
  return row;
}

function checkSchedule(startsAt: string | Date | null, endsAt: string | Date | null): void {
  if (startsAt && endsAt && new Date(endsAt).getTime() <= new Date(startsAt).getTime()) {
    throw new ValidationError({ ends_at: ['must be after starts_at'] });
  }
}

async function countBlocks(db: TenantDb, siteId: string): Promise<number> {
  const [row] = await db.query<{ total: number }>('select count(*)::int as total from bio_sites_blocks where site_id = $1', [siteId]);
  return row?.total ?? 0;
}

/** Adds a block at `position` (default: the end), shifting the blocks after it. */
export async function createBlock(deps: Deps, siteId: string, input: BlockInput): Promise<Block> {
  const site = await findSite(deps.db, siteId, { lock: true });
  const data = await withProduct(deps, input.type, parseBlockData(input.type, input.data));
  checkSchedule(input.starts_at ?? null, input.ends_at ?? null);
  const fileId = blockFileId(input.type, data);
  if (fileId) await attachSiteImage(deps.files, fileId, siteId, 'data.file_id');
  const count = await countBlocks(deps.db, siteId);
  if (count >= maxBlocksPerSite) throw bioSitesErrors.too_many_blocks(`A site holds at most ${maxBlocksPerSite} blocks`);
  const position = Math.min(input.position ?? count, count);
  await deps.db.query('update bio_sites_blocks set position = position + 1 where site_id = $1 and position >= $2', [siteId, position]);
  const [row] = await deps.db.query<{ id: string }>(
    `insert into bio_sites_blocks (site_id, position, type, data, active, starts_at, ends_at) values ($1, $2, $3, $4, $5, $6, $7) returning id`,
    [siteId, position, input.type, JSON.stringify(data), input.active ?? true, input.starts_at ?? null, input.ends_at ?? null],
  );
  const created = await findBlock(deps.db, siteId, row!.id);
  await auditBlock(deps, 'created', siteId, undefined, created);
  invalidatePage(deps, site.slug);
  return toBlock(created);
}

/** The site's blocks in page order. */
export async function listBlocks(db: TenantDb, siteId: string, page: PageQuery, type?: BlockType) {
  await findSite(db, siteId);
  const { items, total } = await listPage<BlockRow>(
    db,
    {
      select: blockColumns,
      from: 'bio_sites_blocks b',
      where: 'b.site_id = $1 and ($2::text is null or b.type = $2)',
      orderBy: 'b.position, b.id',
      values: [siteId, type ?? null],
    },
    page,
  );
  return { blocks: items.map(toBlock), total };
}

/** One block of the site. */
export async function getBlock(db: TenantDb, siteId: string, id: string): Promise<Block> {
  return toBlock(await findBlock(db, siteId, id));
}

/** Changes a block: `data` is replaced (and validated for the block's type); `position` moves it. */
export async function updateBlock(deps: Deps, siteId: string, id: string, patch: BlockPatch): Promise<Block> {
  const site = await findSite(deps.db, siteId, { lock: true });
  const current = await findBlock(deps.db, siteId, id);
  const data = patch.data ? await withProduct(deps, current.type, parseBlockData(current.type, patch.data)) : current.data;
  const startsAt = patch.starts_at === undefined ? current.starts_at : patch.starts_at;
  const endsAt = patch.ends_at === undefined ? current.ends_at : patch.ends_at;
  checkSchedule(startsAt, endsAt);
  const [fileId, previousFileId] = [blockFileId(current.type, data), blockFileId(current.type, current.data)];
  if (fileId && fileId !== previousFileId) await attachSiteImage(deps.files, fileId, siteId, 'data.file_id');
  if (patch.position !== undefined && patch.position !== current.position) {
    const last = (await countBlocks(deps.db, siteId)) - 1;
    const target = Math.min(patch.position, last);
    await deps.db.query(
      `update bio_sites_blocks set position = case when position > $2 and position <= $3 then position - 1
                                                   when position < $2 and position >= $3 then position + 1 else position end
        where site_id = $1 and id <> $4`,
      [siteId, current.position, target, id],
    );
    await deps.db.query('update bio_sites_blocks set position = $2 where id = $1', [id, target]);
  }
  await deps.db.query('update bio_sites_blocks set data = $2, active = $3, starts_at = $4, ends_at = $5, updated_at = now() where id = $1', [
    id,
    JSON.stringify(data),
    patch.active ?? current.active,
    startsAt,
    endsAt,
  ]);
  if (previousFileId !== fileId) await releaseSiteImage(deps, previousFileId);
  const updated = await findBlock(deps.db, siteId, id);
  await auditBlock(deps, 'updated', siteId, current, updated);
  invalidatePage(deps, site.slug);
  return toBlock(updated);
}

/** Removes a block and closes the gap in the order. */
export async function deleteBlock(deps: Deps, siteId: string, id: string): Promise<void> {
  const site = await findSite(deps.db, siteId, { lock: true });
  const current = await findBlock(deps.db, siteId, id);
  await deps.db.query('delete from bio_sites_blocks where id = $1', [id]);
  await deps.db.query('update bio_sites_blocks set position = position - 1 where site_id = $1 and position > $2', [siteId, current.position]);
  await releaseSiteImage(deps, blockFileId(current.type, current.data));
  await auditBlock(deps, 'deleted', siteId, current, undefined);
  invalidatePage(deps, site.slug);
}

/** Puts the site's blocks in the order given: `ids` must list every block of the site exactly once. */
export async function reorderBlocks(deps: Deps, siteId: string, ids: readonly string[]): Promise<Block[]> {
  const site = await findSite(deps.db, siteId, { lock: true });
  const existing = await deps.db.query<{ id: string }>('select id from bio_sites_blocks where site_id = $1 order by position, id', [siteId]);
  const known = new Set(existing.map((row) => row.id));
  if (ids.length !== known.size || ids.some((id) => !known.has(id))) {
    throw new ValidationError({ ids: ['must list every block of the site exactly once'] });
  }
  await deps.db.query(
    'update bio_sites_blocks b set position = o.position - 1, updated_at = now() from unnest($2::uuid[]) with ordinality as o(id, position) where b.id = o.id and b.site_id = $1',
    [siteId, ids],
  );
  const before = existing.map((row) => row.id);
  if (before.some((blockId, index) => blockId !== ids[index])) {
    await deps.audit.record({ entity: 'site', verb: 'blocks_reordered', target: siteId, before: { block_order: before }, after: { block_order: [...ids] } });
  }
  invalidatePage(deps, site.slug);
  return (await listBlocks(deps.db, siteId, { page: 1, per_page: 100 })).blocks;
}
