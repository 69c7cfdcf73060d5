import { runAsSystem } from '../../src/db/scoped-db.js';
import { signUp, type TestKernel, type TestUser } from '../../src/testing/index.js';

/** Rows of a query on the system path (sees every tenant). */
export function systemRows<Row = Record<string, unknown>>(t: TestKernel, sql: string, params: unknown[] = []): Promise<Row[]> {
  return runAsSystem(t.kernel.services.database, (db) => db.query<Row>(sql, params));
}

/** Actions in a tenant's audit log, oldest first. */
export async function auditActions(t: TestKernel, tenantId: string): Promise<string[]> {
  const rows = await systemRows<{ action: string }>(t, 'select action from audit_log where tenant_id = $1 order by created_at, id', [tenantId]);
  return rows.map((row) => row.action);
}

/** The id of a tenant's role by name, looked up through the API as `owner`. */
export async function roleId(t: TestKernel, owner: TestUser, name: string): Promise<string> {
  const response = await t.request('GET', '/api/v1/roles?per_page=100', { headers: owner.headers });
  const role = (response.body.data as { id: string; name: string }[] | undefined)?.find((candidate) => candidate.name === name);
  if (!role) throw new Error(`no role ${name}: ${response.status} ${JSON.stringify(response.body)}`);
  return role.id;
}

/** Invites `email` with roles (by name) as `inviter`; returns the raw token from the accept_url. */
export async function invite(t: TestKernel, inviter: TestUser, email: string, roleNames: string[], headers = inviter.headers): Promise<string> {
  const roles = await Promise.all(roleNames.map((name) => roleId(t, inviter, name)));
  const response = await t.request('POST', '/api/v1/invitations', { headers, body: { email, roles } });
  if (response.status !== 201) throw new Error(`invite failed: ${response.status} ${JSON.stringify(response.body)}`);
  return new URL(response.body.data.accept_url as string).searchParams.get('token')!;
}

/** A new user who joined `owner`'s tenant with the given roles (through a real invitation); headers name that tenant. */
export async function addMember(t: TestKernel, owner: TestUser, roleNames: string[] = ['viewer']): Promise<TestUser> {
  const user = await signUp(t);
  const token = await invite(t, owner, user.email, roleNames);
  const accepted = await t.request('POST', '/api/v1/invitations/accept', { headers: user.headers, body: { token } });
  if (accepted.status !== 201) throw new Error(`accept failed: ${accepted.status} ${JSON.stringify(accepted.body)}`);
  return { ...user, tenant: owner.tenant!, headers: { ...user.headers, 'x-tenant': owner.tenant!.slug } };
}

/** Creates an API token as `creator`; returns its id and secret. */
export async function createToken(
  t: TestKernel,
  creator: TestUser,
  permissions: string[],
  extra: Record<string, unknown> = {},
): Promise<{ id: string; token: string }> {
  const response = await t.request('POST', '/api/v1/api-tokens', { headers: creator.headers, body: { name: 'test token', permissions, ...extra } });
  if (response.status !== 201) throw new Error(`token failed: ${response.status} ${JSON.stringify(response.body)}`);
  return { id: response.body.data.id, token: response.body.data.token };
}

/** Headers calling `slug` with an API token. */
export function withToken(token: string, slug: string): Record<string, string> {
  return { authorization: `Bearer ${token}`, 'x-tenant': slug };
}
