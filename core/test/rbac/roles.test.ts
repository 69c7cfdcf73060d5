import { randomUUID } from 'node:crypto';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { corePermissionList } from '../../src/rbac/permissions.js';
import { createTestKernel, signUp, type TestKernel, type TestUser } from '../../src/testing/index.js';
import { addMember, auditActions, createToken, invite, roleId, systemRows, withToken } from '../tenancy/tenant-admin-helpers.js';

let t: TestKernel;
beforeAll(async () => {
  t = await createTestKernel();
});
afterAll(() => t.close());

async function createRole(user: TestUser, body: Record<string, unknown>): Promise<{ id: string }> {
  const response = await t.request('POST', '/api/v1/roles', { headers: user.headers, body });
  if (response.status !== 201) throw new Error(`role failed: ${response.status} ${JSON.stringify(response.body)}`);
  return response.body.data;
}

async function assignRoles(owner: TestUser, user: TestUser, roleIds: string[]): Promise<void> {
  const response = await t.request('PATCH', `/api/v1/members/${user.id}`, { headers: owner.headers, body: { roles: roleIds } });
  expect(response.status).toBe(200);
}

describe('GET /roles and /permissions', () => {
  it('lists built-in roles first with their effective permissions, then custom ones, paginated', async () => {
    const owner = await signUp(t, { tenant: true });
    await addMember(t, owner, ['viewer']);
    await createRole(owner, { name: 'Auditor', permissions: ['core.audit.view'], description: 'Reads the log' });
    const response = await t.request('GET', '/api/v1/roles', { headers: owner.headers });
    expect(response.status).toBe(200);
    expect(response.body.meta.pagination).toEqual({ page: 1, per_page: 20, total: 6, total_pages: 1 });
    const roles = response.body.data;
    expect(roles.map((role: { name: string }) => role.name)).toEqual(['owner', 'admin', 'member', 'viewer', 'customer', 'Auditor']);
    expect(roles[0]).toMatchObject({ builtin: true, permissions: ['*'], member_count: 1 });
    const defaults = (role: string) => corePermissionList.filter((p) => p.grantTo.includes(role as 'admin')).map((p) => p.name);
    expect(roles[1].permissions).toEqual(defaults('admin'));
    expect(roles[3]).toMatchObject({ builtin: true, member_count: 1, permissions: defaults('viewer') });
    expect(roles[3].permissions).toContain('core.members.view');
    expect(roles[4]).toMatchObject({ name: 'customer', builtin: true, member_count: 0, permissions: [] });
    expect(roles[5]).toMatchObject({ name: 'Auditor', builtin: false, permissions: ['core.audit.view'], description: 'Reads the log', member_count: 0 });
  });

  it('serves the catalogue with descriptions and default grants', async () => {
    const owner = await signUp(t, { tenant: true });
    const response = await t.request('GET', '/api/v1/permissions', { headers: owner.headers });
    expect(response.status).toBe(200);
    expect(response.body.data).toEqual(
      corePermissionList.map((p) => ({ name: p.name, description: p.description, grant_to: p.grantTo, units: p.units === true })),
    );
  });

  it('needs core.roles.view (members have it, viewers do not), and a token', async () => {
    const owner = await signUp(t, { tenant: true });
    const viewer = await addMember(t, owner, ['viewer']);
    const member = await addMember(t, owner, ['member']);
    for (const path of ['/api/v1/roles', '/api/v1/permissions']) {
      expect((await t.request('GET', path, { headers: viewer.headers })).status).toBe(403);
      expect((await t.request('GET', path, { headers: member.headers })).status).toBe(200);
      expect((await t.request('GET', path, { headers: { 'x-tenant': owner.tenant!.slug } })).status).toBe(401);
    }
  });
});

describe('GET /roles/:id', () => {
  it("shows one role with its effective permissions; 404 for another tenant's", async () => {
    const owner = await signUp(t, { tenant: true });
    const ownerRole = await t.request('GET', `/api/v1/roles/${await roleId(t, owner, 'owner')}`, { headers: owner.headers });
    expect(ownerRole.status).toBe(200);
    expect(ownerRole.body.data).toMatchObject({ name: 'owner', builtin: true, permissions: ['*'], member_count: 1 });
    const custom = await createRole(owner, { name: 'Custom', permissions: ['core.members.*'] });
    expect((await t.request('GET', `/api/v1/roles/${custom.id}`, { headers: owner.headers })).body.data).toMatchObject({
      name: 'Custom',
      permissions: ['core.members.*'],
    });
    const other = await signUp(t, { tenant: true });
    expect((await t.request('GET', `/api/v1/roles/${custom.id}`, { headers: other.headers })).status).toBe(404);
    const viewer = await addMember(t, owner, ['viewer']);
    expect((await t.request('GET', `/api/v1/roles/${custom.id}`, { headers: viewer.headers })).status).toBe(403);
  });
});

describe('POST /roles', () => {
  it('creates a custom role that grants its permissions once assigned, audited', async () => {
    const owner = await signUp(t, { tenant: true });
    const viewer = await addMember(t, owner, ['viewer']);
    const response = await t.request('POST', '/api/v1/roles', { headers: owner.headers, body: { name: ' Token keeper ', permissions: ['core.api-tokens.*'] } });
    expect(response.status).toBe(201);
    expect(response.body.data).toMatchObject({ name: 'Token keeper', builtin: false, permissions: ['core.api-tokens.*'], description: null, member_count: 0 });
    expect((await t.request('GET', '/api/v1/api-tokens', { headers: viewer.headers })).status).toBe(403);
    await assignRoles(owner, viewer, [response.body.data.id, await roleId(t, owner, 'viewer')]);
    expect((await t.request('GET', '/api/v1/api-tokens', { headers: viewer.headers })).status).toBe(200);
    expect(await auditActions(t, owner.tenant!.id)).toContain('role.created');
  });

  it('refuses permissions the actor does not hold (403)', async () => {
    const owner = await signUp(t, { tenant: true });
    const admin = await addMember(t, owner, ['admin']);
    for (const permissions of [['*'], ['core.*'], ['core.members.view', 'core.tenant.*']]) {
      const response = await t.request('POST', '/api/v1/roles', { headers: admin.headers, body: { name: `r-${randomUUID()}`, permissions } });
      expect(response.status, JSON.stringify(permissions)).toBe(403);
    }
    expect((await t.request('POST', '/api/v1/roles', { headers: admin.headers, body: { name: 'Helper', permissions: ['core.members.manage'] } })).status).toBe(
      201,
    );
    expect((await t.request('POST', '/api/v1/roles', { headers: owner.headers, body: { name: 'Everything', permissions: ['*'] } })).status).toBe(201);
  });

  it('answers 409 for a taken name in any case, built-in names included', async () => {
    const owner = await signUp(t, { tenant: true });
    await createRole(owner, { name: 'Editors', permissions: [] });
    for (const name of ['editors', 'Owner', 'VIEWER']) {
      const response = await t.request('POST', '/api/v1/roles', { headers: owner.headers, body: { name, permissions: [] } });
      expect(response.status, name).toBe(409);
      expect(response.body.errors.name).toEqual(['is taken']);
    }
    const other = await signUp(t, { tenant: true });
    expect((await t.request('POST', '/api/v1/roles', { headers: other.headers, body: { name: 'Editors', permissions: [] } })).status).toBe(201);
  });

  it.each([
    [{ permissions: [] }, 'name'],
    [{ name: '  ', permissions: [] }, 'name'],
    [{ name: 'x' }, 'permissions'],
    [{ name: 'x', permissions: 'core.members.view' }, 'permissions'],
    [{ name: 'x', permissions: ['core.members.view', 'core.members.view'] }, 'permissions'],
    [{ name: 'x', permissions: ['core..view'] }, 'permissions.0'],
    [{ name: 'x', permissions: ['core.members.view.extra'] }, 'permissions.0'],
    [{ name: 'x', permissions: ['crm.contacts.view'] }, 'permissions.0'],
    [{ name: 'x', permissions: ['crm.*'] }, 'permissions.0'],
    [{ name: 'x', permissions: [], builtin: 'owner' }, 'builtin'],
    [{ name: 'x', permissions: [], tenant_id: randomUUID() }, 'tenant_id'],
  ])('answers 422 for %o', async (body, field) => {
    const owner = await signUp(t, { tenant: true });
    const response = await t.request('POST', '/api/v1/roles', { headers: owner.headers, body });
    expect(response.status).toBe(422);
    expect(Object.keys(response.body.errors)).toContain(field);
  });

  it('needs core.roles.manage', async () => {
    const owner = await signUp(t, { tenant: true });
    const member = await addMember(t, owner, ['member']);
    expect((await t.request('POST', '/api/v1/roles', { headers: member.headers, body: { name: 'x', permissions: [] } })).status).toBe(403);
    expect((await t.request('POST', '/api/v1/roles', { headers: { 'x-tenant': owner.tenant!.slug }, body: { name: 'x', permissions: [] } })).status).toBe(401);
  });
});

describe('PATCH /roles/:id', () => {
  it("changes a role; its holders' access follows on their next request and their excess tokens are revoked", async () => {
    const owner = await signUp(t, { tenant: true });
    const holder = await addMember(t, owner, ['viewer']);
    const role = await createRole(owner, { name: 'Keys', permissions: ['core.api-tokens.view', 'core.api-tokens.manage', 'core.members.view'] });
    await assignRoles(owner, holder, [role.id]);
    const manageToken = await createToken(t, holder, ['core.api-tokens.view']);
    const viewToken = await createToken(t, holder, ['core.members.view']);
    expect((await t.request('GET', '/api/v1/api-tokens', { headers: holder.headers })).status).toBe(200);

    const response = await t.request('PATCH', `/api/v1/roles/${role.id}`, {
      headers: owner.headers,
      body: { name: 'Readers', permissions: ['core.members.view'], description: 'Read only' },
    });
    expect(response.status).toBe(200);
    expect(response.body.data).toMatchObject({ id: role.id, name: 'Readers', permissions: ['core.members.view'], description: 'Read only', member_count: 1 });
    expect((await t.request('GET', '/api/v1/api-tokens', { headers: holder.headers })).status).toBe(403);
    expect((await t.request('GET', '/api/v1/members', { headers: withToken(manageToken.token, owner.tenant!.slug) })).status).toBe(401);
    expect((await t.request('GET', '/api/v1/members', { headers: withToken(viewToken.token, owner.tenant!.slug) })).status).toBe(200);
    expect(await auditActions(t, owner.tenant!.id)).toContain('role.updated');

    const cleared = await t.request('PATCH', `/api/v1/roles/${role.id}`, { headers: owner.headers, body: { description: null } });
    expect(cleared.body.data).toMatchObject({ name: 'Readers', description: null, permissions: ['core.members.view'] });
  });

  it('refuses built-in roles (409), taken names (409), and roles granting what the actor lacks (403)', async () => {
    const owner = await signUp(t, { tenant: true });
    const admin = await addMember(t, owner, ['admin']);
    const viewerRole = await roleId(t, owner, 'viewer');
    const builtin = await t.request('PATCH', `/api/v1/roles/${viewerRole}`, { headers: owner.headers, body: { permissions: ['*'] } });
    expect(builtin.status).toBe(409);
    await createRole(owner, { name: 'Taken', permissions: [] });
    const mine = await createRole(admin, { name: 'Mine', permissions: ['core.members.view'] });
    const rename = await t.request('PATCH', `/api/v1/roles/${mine.id}`, { headers: admin.headers, body: { name: 'TAKEN' } });
    expect(rename.status).toBe(409);
    expect((await t.request('PATCH', `/api/v1/roles/${mine.id}`, { headers: admin.headers, body: { permissions: ['*'] } })).status).toBe(403);
    const mighty = await createRole(owner, { name: 'Mighty', permissions: ['core.*'] });
    // Even narrowing a role the admin could not have created is refused.
    expect((await t.request('PATCH', `/api/v1/roles/${mighty.id}`, { headers: admin.headers, body: { permissions: [] } })).status).toBe(403);
    const [row] = await systemRows<{ permissions: string[] }>(t, 'select permissions from roles where id = $1', [mighty.id]);
    expect(row!.permissions).toEqual(['core.*']);
  });

  it("answers 404 for another tenant's role, 422 for bad bodies, 403 without core.roles.manage", async () => {
    const owner = await signUp(t, { tenant: true });
    const other = await signUp(t, { tenant: true });
    const foreign = await createRole(other, { name: 'Theirs', permissions: [] });
    expect((await t.request('PATCH', `/api/v1/roles/${foreign.id}`, { headers: owner.headers, body: { name: 'Stolen' } })).status).toBe(404);
    expect((await t.request('PATCH', `/api/v1/roles/${randomUUID()}`, { headers: owner.headers, body: { name: 'X' } })).status).toBe(404);
    const [row] = await systemRows<{ name: string }>(t, 'select name from roles where id = $1', [foreign.id]);
    expect(row!.name).toBe('Theirs');
    const role = await createRole(owner, { name: 'Ours', permissions: [] });
    for (const body of [{}, { name: '' }, { permissions: ['bogus'] }, { builtin: 'owner' }, { permissions: [1] }]) {
      expect((await t.request('PATCH', `/api/v1/roles/${role.id}`, { headers: owner.headers, body })).status, JSON.stringify(body)).toBe(422);
    }
    const member = await addMember(t, owner, ['member']);
    expect((await t.request('PATCH', `/api/v1/roles/${role.id}`, { headers: member.headers, body: { name: 'X' } })).status).toBe(403);
  });
});

describe('DELETE /roles/:id', () => {
  it('deletes a role in use: holders lose it on their next request, pending invitations drop it', async () => {
    const owner = await signUp(t, { tenant: true });
    const holder = await addMember(t, owner, ['viewer']);
    const role = await createRole(owner, { name: 'Auditors', permissions: ['core.audit.view', 'core.api-tokens.view'] });
    await assignRoles(owner, holder, [role.id, await roleId(t, owner, 'viewer')]);
    expect((await t.request('GET', '/api/v1/api-tokens', { headers: holder.headers })).status).toBe(200);
    const invitee = await signUp(t);
    const token = await invite(t, owner, invitee.email, ['Auditors', 'viewer']);

    expect((await t.request('DELETE', `/api/v1/roles/${role.id}`, { headers: owner.headers })).status).toBe(204);
    expect((await t.request('GET', '/api/v1/api-tokens', { headers: holder.headers })).status).toBe(403);
    const member = (await t.request('GET', '/api/v1/members', { headers: owner.headers })).body.data.find((m: { user_id: string }) => m.user_id === holder.id);
    expect(member.roles.map((r: { name: string }) => r.name)).toEqual(['viewer']);
    const invitations = await t.request('GET', '/api/v1/invitations', { headers: owner.headers });
    expect(invitations.body.data[0].roles.map((r: { name: string }) => r.name)).toEqual(['viewer']);
    const accepted = await t.request('POST', '/api/v1/invitations/accept', { headers: invitee.headers, body: { token } });
    expect(accepted.body.data.roles.map((r: { name: string }) => r.name)).toEqual(['viewer']);
    expect(await auditActions(t, owner.tenant!.id)).toContain('role.deleted');
    expect((await t.request('DELETE', `/api/v1/roles/${role.id}`, { headers: owner.headers })).status).toBe(404);
  });

  it("refuses built-in roles (409) and roles the actor could not grant (403); 404 for another tenant's", async () => {
    const owner = await signUp(t, { tenant: true });
    const admin = await addMember(t, owner, ['admin']);
    const other = await signUp(t, { tenant: true });
    for (const name of ['owner', 'viewer']) {
      expect((await t.request('DELETE', `/api/v1/roles/${await roleId(t, owner, name)}`, { headers: owner.headers })).status).toBe(409);
    }
    const mighty = await createRole(owner, { name: 'Mighty', permissions: ['*'] });
    expect((await t.request('DELETE', `/api/v1/roles/${mighty.id}`, { headers: admin.headers })).status).toBe(403);
    const foreign = await createRole(other, { name: 'Theirs', permissions: [] });
    expect((await t.request('DELETE', `/api/v1/roles/${foreign.id}`, { headers: owner.headers })).status).toBe(404);
    expect(await systemRows(t, 'select 1 from roles where id = $1', [foreign.id])).toHaveLength(1);
    const viewer = await addMember(t, owner, ['viewer']);
    expect((await t.request('DELETE', `/api/v1/roles/${mighty.id}`, { headers: viewer.headers })).status).toBe(403);
    expect((await t.request('DELETE', `/api/v1/roles/${mighty.id}`, { headers: { 'x-tenant': owner.tenant!.slug } })).status).toBe(401);
    expect((await t.request('DELETE', '/api/v1/roles/bad', { headers: owner.headers })).status).toBe(422);
  });
});
