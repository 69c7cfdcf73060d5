import { signUp, type TestUser } from './fixtures.js';
import type { TestKernel } from './test-kernel.js';

/**
 * A new user who joined the owner's tenant with the given roles (built-in or
 * custom, by name) through a real invitation; their `headers` name that
 * tenant. Use it to test what each role may do.
 *
 * @example
 * ```ts
 * const viewer = await addMember(t, owner, ['viewer']);
 * expect((await t.request('POST', '/api/v1/crm/contacts', { headers: viewer.headers, body })).status).toBe(403);
 * ```
 */
export async function addMember(t: TestKernel, owner: TestUser, roles: readonly string[] = ['member']): Promise<TestUser> {
  if (!owner.tenant) throw new Error('addMember needs an owner signed up with a tenant (signUp(t, { tenant: true }))');
  const listed = await t.request('GET', '/api/v1/roles?per_page=100', { headers: owner.headers });
  const byName = new Map(((listed.body?.data ?? []) as { id: string; name: string }[]).map((role) => [role.name, role.id]));
  const roleIds = roles.map((name) => {
    const id = byName.get(name);
    if (!id) throw new Error(`addMember: the tenant has no role named ${name} (${listed.status} ${JSON.stringify(listed.body)})`);
    return id;
  });
  const user = await signUp(t);
  const invited = await t.request('POST', '/api/v1/invitations', { headers: owner.headers, body: { email: user.email, roles: roleIds } });
  if (invited.status !== 201) throw new Error(`addMember: invitation failed: ${invited.status} ${JSON.stringify(invited.body)}`);
  const token = new URL(invited.body.data.accept_url as string).searchParams.get('token');
  const accepted = await t.request('POST', '/api/v1/invitations/accept', { headers: user.headers, body: { token } });
  if (accepted.status !== 201) throw new Error(`addMember: accepting failed: ${accepted.status} ${JSON.stringify(accepted.body)}`);
  return { ...user, tenant: owner.tenant, headers: { ...user.headers, 'x-tenant': owner.tenant.slug } };
}
