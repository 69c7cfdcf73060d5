import type { ScopedDb } from '../db/scoped-db.js';

/** A role row with how many members hold it. */
export interface RoleRecord {
  id: string;
  name: string;
  description: string | null;
  builtin: string | null;
  permissions: string[];
  member_count: number;
  created_at: Date;
  updated_at: Date;
}

export const roleColumns = `r.id, r.name, r.description, r.builtin, r.permissions, r.created_at, r.updated_at,
  (select count(*)::int from membership_roles mr where mr.role_id = r.id) as member_count`;
export const roleSelect = `select ${roleColumns} from roles r`;

/** Built-in roles first, strongest first; then custom roles by name. */
export const roleOrder = "r.builtin is null, array_position(array['owner', 'admin', 'member', 'viewer', 'customer'], r.builtin), lower(r.name), r.id";

/** A role as the API shows it: `permissions` are the effective ones (built-in roles follow the live catalogue). */
export function roleView(grantsOf: (role: RoleRecord) => string[], role: RoleRecord) {
  return {
    id: role.id,
    name: role.name,
    description: role.description,
    builtin: role.builtin !== null,
    permissions: grantsOf(role),
    member_count: role.member_count,
    created_at: role.created_at.toISOString(),
    updated_at: role.updated_at.toISOString(),
  };
}

/** A role of the tenant, locked for a change. */
export async function lockRole(db: ScopedDb, id: string): Promise<RoleRecord | undefined> {
  return db.one<RoleRecord>(`${roleSelect} where r.id = $1 for update of r`, [id]);
}

/** The users holding a role. */
export async function holdersOf(db: ScopedDb, roleId: string): Promise<string[]> {
  const rows = await db.query<{ user_id: string }>(
    'select m.user_id from membership_roles mr join memberships m on m.id = mr.membership_id where mr.role_id = $1',
    [roleId],
  );
  return rows.map((row) => row.user_id);
}
