import { randomInt } from 'node:crypto';
import { ConflictError, NotFoundError, ValidationError, type PluginAudit, type TenantDb } from '@plinth/sdk';
import type { ShortLink, ShortLinkInput, ShortLinkPatch } from '../model/schemas.js';
import { checkUrl } from '../model/urls.js';
import { claimName, releaseName, tryClaimName } from './registry.js';

interface ShortLinkRow {
  id: string;
  code: string;
  target_url: string;
  title: string;
  active: boolean;
  created_at: Date;
  updated_at: Date;
}

export const shortLinkColumns = 'id, code, target_url, title, active, created_at, updated_at';

type Deps = { db: TenantDb; audit: PluginAudit };

/** A stored short link as the API shows it. */
export function toShortLink(row: ShortLinkRow): ShortLink {
  return { ...row, url: `/s/${row.code}`, created_at: row.created_at.toISOString(), updated_at: row.updated_at.toISOString() };
}

function targetOf(value: string): string {
  const checked = checkUrl(value);
  if ('error' in checked) throw new ValidationError({ target_url: [checked.error] });
  return checked.url;
}

/** The tenant's short link; 404 otherwise. */
export async function findShortLink(db: TenantDb, id: string, options: { lock?: boolean } = {}): Promise<ShortLinkRow> {
  const row = await db.one<ShortLinkRow>(`select ${shortLinkColumns} from bio_sites_short_links where id = $1${options.lock ? ' for update' : ''}`, [id]);
  if (!row) throw new NotFoundError('Short link not found');
  return row;
}

const alphabet = 'abcdefghijkmnpqrstuvwxyz23456789';

async function generateCode(db: TenantDb, tenantId: string): Promise<string> {
  for (let attempt = 0; attempt < 8; attempt++) {
    const code = Array.from({ length: 7 }, () => alphabet[randomInt(alphabet.length)]).join('');
    if (await tryClaimName(db, 'code', code, tenantId)) return code;
  }
  throw new ConflictError('No free short code was found; try again');
}

/** Creates a short link, claiming its (given or generated) code across every tenant. */
export async function createShortLink({ db, audit }: Deps, tenantId: string, input: ShortLinkInput): Promise<ShortLink> {
  const target = targetOf(input.target_url);
  let code = input.code;
  if (code) await claimName(db, 'code', code, tenantId);
  else code = await generateCode(db, tenantId);
  const [row] = await db.query<ShortLinkRow>(
    `insert into bio_sites_short_links (code, target_url, title, active) values ($1, $2, $3, $4) returning ${shortLinkColumns}`,
    [code, target, input.title?.trim() ?? '', input.active ?? true],
  );
  await audit.record({ entity: 'short_link', verb: 'created', target: row!.id, after: { ...row! } });
  return toShortLink(row!);
}

/** Changes a short link; a new code is claimed and the old one released in the same transaction. */
export async function updateShortLink({ db, audit }: Deps, tenantId: string, id: string, patch: ShortLinkPatch): Promise<ShortLink> {
  const current = await findShortLink(db, id, { lock: true });
  if (patch.code !== undefined && patch.code !== current.code) {
    await releaseName(db, 'code', current.code);
    await claimName(db, 'code', patch.code, tenantId);
  }
  const [row] = await db.query<ShortLinkRow>(
    `update bio_sites_short_links set code = $2, target_url = $3, title = $4, active = $5, updated_at = now() where id = $1 returning ${shortLinkColumns}`,
    [
      id,
      patch.code ?? current.code,
      patch.target_url === undefined ? current.target_url : targetOf(patch.target_url),
      patch.title?.trim() ?? current.title,
      patch.active ?? current.active,
    ],
  );
  await audit.record({ entity: 'short_link', verb: 'updated', target: id, before: { ...current }, after: { ...row! } });
  return toShortLink(row!);
}

/** Deletes a short link with its statistics and releases its code. */
export async function deleteShortLink({ db, audit }: Deps, id: string): Promise<void> {
  const current = await findShortLink(db, id, { lock: true });
  for (const table of ['bio_sites_daily_breakdown', 'bio_sites_daily_uniques', 'bio_sites_daily_stats', 'bio_sites_hits']) {
    await db.query(`delete from ${table} where subject_id = $1`, [id]);
  }
  await db.query('delete from bio_sites_short_links where id = $1', [id]);
  await releaseName(db, 'code', current.code);
  await audit.record({ entity: 'short_link', verb: 'deleted', target: id, before: { ...current } });
}
