import { ValidationError, type PluginMembers, type TenantMember } from '@plinth/sdk';

/**
 * Members by id (staff or customers; only staff with `staffOnly`, for instructors, who manage a course);
 * 422 on `field` naming every id that is not one.
 */
export async function requireMembers(
  members: PluginMembers,
  ids: readonly string[],
  field: string,
  options: { staffOnly?: boolean } = {},
): Promise<TenantMember[]> {
  const found = await Promise.all(ids.map((id) => members.get(id)));
  const problems = ids.flatMap((id, index) => {
    if (!found[index]) return [`${id} is not a member of this tenant`];
    return options.staffOnly && found[index].kind !== 'staff' ? [`${id} is a customer, not staff: only staff instruct courses`] : [];
  });
  if (problems.length) throw new ValidationError({ [field]: problems });
  return found as TenantMember[];
}
