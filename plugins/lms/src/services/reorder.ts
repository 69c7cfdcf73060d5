import { ValidationError, type PluginAudit, type TenantDb } from '@plinth/sdk';

/** What a reorder is called in the audit log, by the table whose rows it orders. */
const auditNames = {
  lms_modules: { entity: 'course', verb: 'modules_reordered' },
  lms_lessons: { entity: 'module', verb: 'lessons_reordered' },
} as const;

/**
 * Rewrites `position` of the rows of `table` under `parentColumn = parentId` to the order of `ids`, which must
 * name every child exactly once (422 otherwise), and records the old and new order on the parent in the audit log
 * (under the course's `unit`).
 */
export async function reorder(
  deps: { db: TenantDb; audit: PluginAudit },
  table: 'lms_modules' | 'lms_lessons',
  parentColumn: 'course_id' | 'module_id',
  parentId: string,
  ids: readonly string[],
  unit: string | null,
): Promise<void> {
  const { db } = deps;
  const rows = await db.query<{ id: string }>(`select id from ${table} where ${parentColumn} = $1 order by position, id for update`, [parentId]);
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
  const before = rows.map((row) => row.id);
  await deps.audit.record({ ...auditNames[table], target: parentId, unit, before: { order: before }, after: { order: ids } });
}
