import { NotFoundError, Type, UnitRef, type Static, type TenantDb } from '@plinth/sdk';

/** An import as the API shows it: its progress, counts and the rows it refused. */
export const Import = Type.Object({
  id: Type.String({ format: 'uuid' }),
  status: Type.Union([Type.Literal('queued'), Type.Literal('running'), Type.Literal('completed')]),
  on_duplicate: Type.Union([Type.Literal('skip'), Type.Literal('update')]),
  unit_id: Type.Union([UnitRef(), Type.Null()]),
  total_rows: Type.Integer(),
  processed_rows: Type.Integer(),
  /** 0–100. */
  progress: Type.Integer(),
  created: Type.Integer(),
  updated: Type.Integer(),
  skipped: Type.Integer(),
  failed: Type.Integer(),
  errors: Type.Array(Type.Object({ line: Type.Integer(), field: Type.String(), message: Type.String() })),
  created_at: Type.String({ format: 'date-time' }),
  finished_at: Type.Union([Type.String({ format: 'date-time' }), Type.Null()]),
});
export type Import = Static<typeof Import>;

/** Reported errors kept per import (the counts stay exact). */
export const keptErrors = 1000;

export const importColumns = `id, status, on_duplicate, unit_id, total_rows, processed_rows, created_count as created, updated_count as updated,
  skipped_count as skipped, failed_count as failed, errors, created_at, finished_at`;

type ImportRow = Omit<Import, 'progress' | 'created_at' | 'finished_at'> & { created_at: Date; finished_at: Date | null };

/** A row read with {@link importColumns}, as the API shows it. */
export function toImport(row: ImportRow): Import {
  return {
    ...row,
    progress: row.total_rows === 0 ? 100 : Math.floor((100 * row.processed_rows) / row.total_rows),
    created_at: row.created_at.toISOString(),
    finished_at: row.finished_at ? row.finished_at.toISOString() : null,
  };
}

/** One import, or 404. */
export async function findImport(db: TenantDb, id: string): Promise<Import> {
  const row = await db.one<ImportRow>(`select ${importColumns} from crm_imports where id = $1`, [id]);
  if (!row) throw new NotFoundError('Import not found');
  return toImport(row);
}
