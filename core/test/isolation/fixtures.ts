import { runAsSystem, type ScopedDb } from '../../src/db/scoped-db.js';
import { signUp, type TestKernel, type TestUser } from '../../src/testing/index.js';

/** Runs `fn` on the system path of the test kernel's database (sees every tenant's rows). */
export function asSystem<T>(t: TestKernel, fn: (db: ScopedDb) => Promise<T>): Promise<T> {
  return runAsSystem(t.kernel.services.database, fn);
}

/** Signs up a user and makes them a host administrator (effective on their next request). */
export async function signUpSuperAdmin(t: TestKernel): Promise<TestUser> {
  const user = await signUp(t);
  await asSystem(t, (db) => db.query('update users set is_super_admin = true where id = $1', [user.id]));
  await t.kernel.services.identity.forget(user.id);
  return user;
}

/** Signs up a user and makes them a member of `tenant` with built-in `roles`, directly in the database. */
export async function signUpMember(t: TestKernel, tenant: { id: string; slug: string }, roles: string[]): Promise<TestUser> {
  const user = await signUp(t);
  await asSystem(t, async (db) => {
    const [membership] = await db.query<{ id: string }>('insert into memberships (tenant_id, user_id) values ($1, $2) returning id', [tenant.id, user.id]);
    await db.query(
      `insert into membership_roles (tenant_id, membership_id, role_id)
       select $1, $2, id from roles where tenant_id = $1 and builtin = any($3::text[])`,
      [tenant.id, membership!.id, roles],
    );
  });
  return { ...user, headers: { ...user.headers, 'x-tenant': tenant.slug } };
}
