import { ValidationError, type PluginMembers, type TenantMember } from '@plinth/sdk';

/** Members by id; 422 on `field` naming every id that is not a member of the tenant. */
export async function requireMembers(members: PluginMembers, ids: readonly string[], field: string): Promise<TenantMember[]> {
  const found = await Promise.all(ids.map((id) => members.get(id)));
  const missing = ids.filter((_, index) => !found[index]);
  if (missing.length) throw new ValidationError({ [field]: missing.map((id) => `${id} is not a member of this tenant`) });
  return found as TenantMember[];
}
