import { ValidationError, type TenantDb } from '@plinth/sdk';

/**
 * Rewrites `position` of the rows of `table` under `parentColumn = parentId` to the order of `ids`, which must
 * name every child exactly once (422 otherwise).
 */
export async function reorder(
  db: TenantDb,
  table: 'lms_modules' | 'lms_lessons',
  parentColumn: 'course_id' | 'module_id',
  parentId: string,
  ids: readonly string[],
): Promise<void> {
  const rows = await db.query<{ id: string }>(`select id from ${table} where ${parentColumn} = $1 for update`, [parentId]);
  const current = new Set(rows.map((row) => row.id));
  const unknown = ids.filter((id) => !current.has(id));
  if (unknown.length || ids.length !== current.size) {
    throw new ValidationError({
      ids: [`must list each of the ${current.size} current items exactly once${unknown.length ? `; unknown: ${unknown.join(', ')}` : ''}`],
    });
  }
  await db.query(
    `update ${table} set position = o.position, updated_at = now() from unnest($1::uuid[]) with ordinality as o(id, position) where ${table}.id = o.id`,
    [ids],
  );
}
