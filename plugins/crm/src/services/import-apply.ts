import type { TenantDb } from '@plinth/sdk';
import type { ImportRow, RowError } from './import-rows.js';

export type OnDuplicate = 'skip' | 'update';

export interface ApplyCounts {
  created: number;
  updated: number;
  skipped: number;
  /** New rows the plan's contact limit kept out, each with its error. */
  refused: RowError[];
}

/** How many of a batch's new contacts the plan admits, and its maximum (for the refused rows' errors). */
export interface Admitted {
  admitted: number;
  max: number | null;
}

const batchSize = 5000;

/** Which of `emails` (lower-cased) belong to live contacts. */
export async function existingEmails(db: TenantDb, emails: string[]): Promise<Set<string>> {
  const rows = await db.query<{ email: string }>('select email_key as email from crm_contacts where email_key = any($1::text[]) and deleted_at is null', [
    emails,
  ]);
  return new Set(rows.map((row) => row.email));
}

/** How an import applies its rows: into a unit (`id`), updating only contacts within `reach` (its subtree). */
export interface ApplyOptions {
  onDuplicate: OnDuplicate;
  defaultSource: string;
  unit?: { id: string; reach: readonly string[] } | undefined;
  /** How many of `count` new contacts may be created (the plan's limit: services/import-limit.ts). */
  admit(count: number): Promise<Admitted>;
  /** The error of a row the limit kept out. */
  refusal(row: ImportRow, max: number | null): RowError;
}

/**
 * Writes checked rows in batches of multi-row statements: new emails are inserted (in the import's unit), existing
 * ones updated (non-empty cells overwrite, tags and custom fields are added; within the import's unit only, the
 * others are skipped) or skipped. New rows beyond what the plan's contact limit admits (one check per batch) are
 * refused, in file order.
 */
export async function applyRows(db: TenantDb, rows: ImportRow[], options: ApplyOptions): Promise<ApplyCounts> {
  const { onDuplicate, defaultSource, unit } = options;
  const counts: ApplyCounts = { created: 0, updated: 0, skipped: 0, refused: [] };
  for (let start = 0; start < rows.length; start += batchSize) {
    const batch = rows.slice(start, start + batchSize);
    const existing = await existingEmails(
      db,
      batch.map((row) => row.email.toLowerCase()),
    );
    const candidates = batch.filter((row) => !existing.has(row.email.toLowerCase()));
    const { admitted, max } = await options.admit(candidates.length);
    const fresh = candidates.slice(0, admitted);
    counts.refused.push(...candidates.slice(admitted).map((row) => options.refusal(row, max)));
    const known = batch.filter((row) => existing.has(row.email.toLowerCase()));
    // A row whose email a concurrent writer inserted first is skipped.
    const inserted = fresh.length ? await insertRows(db, fresh, defaultSource, unit?.id ?? null) : 0;
    counts.created += inserted;
    counts.skipped += fresh.length - inserted;
    const updated = onDuplicate === 'update' && known.length ? await updateRows(db, known, unit?.reach ?? null) : 0;
    counts.updated += updated;
    counts.skipped += known.length - updated;
  }
  return counts;
}

const columnsOf = (rows: ImportRow[]) => [
  rows.map((row) => row.email),
  rows.map((row) => row.name),
  rows.map((row) => row.phone),
  rows.map((row) => row.company),
  rows.map((row) => JSON.stringify(row.tags)),
  rows.map((row) => JSON.stringify(row.custom)),
  rows.map((row) => row.source),
  rows.map((row) => row.score),
  rows.map((row) => row.owner_id),
];

const unnested = `unnest($1::text[], $2::text[], $3::text[], $4::text[], $5::jsonb[], $6::jsonb[], $7::text[], $8::int[], $9::uuid[])
  as r(email, name, phone, company, tags, custom, source, score, owner_id)`;

async function insertRows(db: TenantDb, rows: ImportRow[], defaultSource: string, unitId: string | null): Promise<number> {
  const inserted = await db.query(
    `insert into crm_contacts (email, name, phone, company, tags, custom_fields, source, score, owner_id, unit_id)
     select r.email, r.name, r.phone, r.company, array(select jsonb_array_elements_text(r.tags)), r.custom,
            coalesce(r.source, $10), coalesce(r.score, 0), r.owner_id, $11::uuid
       from ${unnested}
     on conflict (tenant_id, email_key) where deleted_at is null do nothing
     returning 1`,
    [...columnsOf(rows), defaultSource, unitId],
  );
  return inserted.length;
}

/** Updates the contacts of `rows` (those within `reach`, when given). */
async function updateRows(db: TenantDb, rows: ImportRow[], reach: readonly string[] | null): Promise<number> {
  const updated = await db.query(
    `update crm_contacts c set
       name = coalesce(r.name, c.name), phone = coalesce(r.phone, c.phone), company = coalesce(r.company, c.company),
       source = coalesce(r.source, c.source), score = coalesce(r.score, c.score), owner_id = coalesce(r.owner_id, c.owner_id),
       tags = array(select distinct t from unnest(c.tags || array(select jsonb_array_elements_text(r.tags))) t order by t),
       custom_fields = c.custom_fields || r.custom, updated_at = now()
       from ${unnested}
      where c.email_key = lower(r.email) and c.deleted_at is null and ($10::uuid[] is null or c.unit_id = any($10::uuid[]))
     returning 1`,
    [...columnsOf(rows), reach],
  );
  return updated.length;
}
