import { randomUUID } from 'node:crypto';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { asUser, createTestKernel, signUp, type TestKernel } from '../../src/testing/index.js';
import { addMember, auditActions, createToken, roleId, systemRows, withToken } from './tenant-admin-helpers.js';

let t: TestKernel;
beforeAll(async () => {
  t = await createTestKernel();
});
afterAll(() => t.close());

describe('GET /members', () => {
  it('lists members with their roles, paginated, oldest first', async () => {
    const owner = await signUp(t, { tenant: true, name: 'Olive Owner' });
    const viewer = await addMember(t, owner, ['viewer']);
    const admin = await addMember(t, owner, ['admin', 'member']);
    const response = await t.request('GET', '/api/v1/members?per_page=2', { headers: owner.headers });
    expect(response.status).toBe(200);
    expect(response.body.meta.pagination).toEqual({ page: 1, per_page: 2, total: 3, total_pages: 2 });
    const [first, second] = response.body.data;
    expect(first).toEqual({
      user_id: owner.id,
      email: owner.email,
      name: 'Olive Owner',
      roles: [{ id: expect.any(String), name: 'owner' }],
      unit_roles: [],
      joined_at: expect.any(String),
    });
    expect(second).toMatchObject({ user_id: viewer.id, roles: [{ name: 'viewer' }] });
    const page2 = await t.request('GET', '/api/v1/members?per_page=2&page=2', { headers: owner.headers });
    expect(page2.body.data.map((member: { user_id: string }) => member.user_id)).toEqual([admin.id]);
    expect(page2.body.data[0].roles.map((role: { name: string }) => role.name)).toEqual(['admin', 'member']);
  });

  it('filters by a fragment of name or email, treating % and _ literally', async () => {
    const owner = await signUp(t, { tenant: true, name: 'Zed Zebra' });
    await addMember(t, owner, ['viewer']);
    const byName = await t.request('GET', '/api/v1/members?q=zebra', { headers: owner.headers });
    expect(byName.body.data.map((member: { user_id: string }) => member.user_id)).toEqual([owner.id]);
    expect(byName.body.meta.pagination.total).toBe(1);
    const byEmail = await t.request('GET', `/api/v1/members?q=${encodeURIComponent(owner.email.slice(0, 12).toUpperCase())}`, { headers: owner.headers });
    expect(byEmail.body.data.map((member: { user_id: string }) => member.user_id)).toEqual([owner.id]);
    const wildcard = await t.request('GET', '/api/v1/members?q=%25', { headers: owner.headers });
    expect(wildcard.body.data).toEqual([]);
  });

  it('shows only the tenant of the request', async () => {
    const a = await signUp(t, { tenant: true });
    const b = await signUp(t, { tenant: true });
    const response = await t.request('GET', '/api/v1/members', { headers: b.headers });
    expect(response.body.data.map((member: { user_id: string }) => member.user_id)).toEqual([b.id]);
    expect(response.body.data.some((member: { user_id: string }) => member.user_id === a.id)).toBe(false);
  });

  it('answers 401 without a token, 403 to a non-member, 422 for a bad page', async () => {
    const owner = await signUp(t, { tenant: true });
    expect((await t.request('GET', '/api/v1/members', { headers: { 'x-tenant': owner.tenant!.slug } })).status).toBe(401);
    const stranger = await signUp(t);
    expect((await t.request('GET', '/api/v1/members', { headers: asUser(stranger, owner.tenant!.slug) })).status).toBe(403);
    expect((await t.request('GET', '/api/v1/members?per_page=101', { headers: owner.headers })).status).toBe(422);
    expect((await t.request('GET', '/api/v1/members?page=0', { headers: owner.headers })).status).toBe(422);
  });
});

describe('GET /members/:userId', () => {
  it("shows one member; 404 for another tenant's member or an unknown id; 403 without core.members.view", async () => {
    const owner = await signUp(t, { tenant: true });
    const member = await addMember(t, owner, ['member']);
    const response = await t.request('GET', `/api/v1/members/${member.id}`, { headers: owner.headers });
    expect(response.status).toBe(200);
    expect(response.body.data).toMatchObject({ user_id: member.id, email: member.email, roles: [{ name: 'member' }] });
    const other = await signUp(t, { tenant: true });
    expect((await t.request('GET', `/api/v1/members/${other.id}`, { headers: owner.headers })).status).toBe(404);
    expect((await t.request('GET', `/api/v1/members/${randomUUID()}`, { headers: owner.headers })).status).toBe(404);
    const powerless = await t.request('POST', '/api/v1/roles', { headers: owner.headers, body: { name: 'Powerless', permissions: [] } });
    await t.request('PATCH', `/api/v1/members/${member.id}`, { headers: owner.headers, body: { roles: [powerless.body.data.id] } });
    expect((await t.request('GET', `/api/v1/members/${owner.id}`, { headers: member.headers })).status).toBe(403);
    expect((await t.request('GET', `/api/v1/members/${owner.id}`, { headers: { 'x-tenant': owner.tenant!.slug } })).status).toBe(401);
  });
});

describe('PATCH /members/:userId', () => {
  it("replaces a member's roles, audited, effective on the member's next request", async () => {
    const owner = await signUp(t, { tenant: true });
    const member = await addMember(t, owner, ['viewer']);
    expect((await t.request('GET', '/api/v1/api-tokens', { headers: member.headers })).status).toBe(403);
    const admin = await roleId(t, owner, 'admin');
    const response = await t.request('PATCH', `/api/v1/members/${member.id}`, { headers: owner.headers, body: { roles: [admin] } });
    expect(response.status).toBe(200);
    expect(response.body.data).toMatchObject({ user_id: member.id, email: member.email, roles: [{ id: admin, name: 'admin' }] });
    expect((await t.request('GET', '/api/v1/api-tokens', { headers: member.headers })).status).toBe(200);
    const [entry] = await systemRows<{ actor_user_id: string; target_id: string; data: unknown }>(
      t,
      "select actor_user_id, target_id, data from audit_log where tenant_id = $1 and action = 'member.roles_changed'",
      [owner.tenant!.id],
    );
    expect(entry).toEqual({ actor_user_id: owner.id, target_id: member.id, data: { added: ['admin'], removed: ['viewer'] } });
  });

  it('refuses to assign a role whose permissions the actor does not hold (403)', async () => {
    const owner = await signUp(t, { tenant: true });
    const admin = await addMember(t, owner, ['admin']);
    const member = await addMember(t, owner, ['viewer']);
    const ownerRole = await roleId(t, owner, 'owner');
    const escalate = await t.request('PATCH', `/api/v1/members/${member.id}`, { headers: admin.headers, body: { roles: [ownerRole] } });
    expect(escalate.status).toBe(403);
    expect(escalate.body.message).toContain('*');
    const self = await t.request('PATCH', `/api/v1/members/${admin.id}`, { headers: admin.headers, body: { roles: [ownerRole] } });
    expect(self.status).toBe(403);
    // Nor may an admin take the owner role away from an owner.
    const demote = await t.request('PATCH', `/api/v1/members/${owner.id}`, { headers: admin.headers, body: { roles: [await roleId(t, owner, 'viewer')] } });
    expect(demote.status).toBe(403);
    const member2 = await t.request('PATCH', `/api/v1/members/${member.id}`, { headers: admin.headers, body: { roles: [await roleId(t, owner, 'member')] } });
    expect(member2.status).toBe(200);
  });

  it('keeps the last owner (409), and lets an owner step down once another owner exists', async () => {
    const owner = await signUp(t, { tenant: true });
    const viewer = await roleId(t, owner, 'viewer');
    const ownerRole = await roleId(t, owner, 'owner');
    const alone = await t.request('PATCH', `/api/v1/members/${owner.id}`, { headers: owner.headers, body: { roles: [viewer] } });
    expect(alone.status).toBe(409);
    expect(alone.body.message).toMatch(/last owner/);
    const second = await addMember(t, owner, ['owner']);
    const stepDown = await t.request('PATCH', `/api/v1/members/${owner.id}`, { headers: owner.headers, body: { roles: [viewer] } });
    expect(stepDown.status).toBe(200);
    const back = await t.request('PATCH', `/api/v1/members/${second.id}`, { headers: second.headers, body: { roles: [viewer] } });
    expect(back.status).toBe(409);
    expect((await t.request('PATCH', `/api/v1/members/${owner.id}`, { headers: second.headers, body: { roles: [ownerRole] } })).status).toBe(200);
  });

  it('answers 404 for an unknown user and for a member of another tenant', async () => {
    const owner = await signUp(t, { tenant: true });
    const other = await signUp(t, { tenant: true });
    const viewer = await roleId(t, owner, 'viewer');
    for (const userId of [randomUUID(), other.id]) {
      const response = await t.request('PATCH', `/api/v1/members/${userId}`, { headers: owner.headers, body: { roles: [viewer] } });
      expect(response.status).toBe(404);
    }
    const otherRoles = await systemRows<{ name: string }>(
      t,
      'select r.name from membership_roles mr join roles r on r.id = mr.role_id join memberships m on m.id = mr.membership_id where m.user_id = $1',
      [other.id],
    );
    expect(otherRoles).toEqual([{ name: 'owner' }]);
  });

  it('answers 422 for bad bodies and for roles of another tenant', async () => {
    const owner = await signUp(t, { tenant: true });
    const member = await addMember(t, owner, ['viewer']);
    const other = await signUp(t, { tenant: true });
    const foreignRole = await roleId(t, other, 'owner');
    const viewer = await roleId(t, owner, 'viewer');
    for (const body of [
      {},
      { roles: 'viewer' },
      { roles: ['not-a-uuid'] },
      { roles: [viewer, viewer] },
      { roles: [viewer], is_owner: true },
      { roles: [foreignRole] },
    ]) {
      const response = await t.request('PATCH', `/api/v1/members/${member.id}`, { headers: owner.headers, body });
      expect(response.status, JSON.stringify(body)).toBe(422);
    }
    expect((await t.request('PATCH', '/api/v1/members/not-a-uuid', { headers: owner.headers, body: { roles: [viewer] } })).status).toBe(422);
  });

  it('needs core.members.manage, and a token', async () => {
    const owner = await signUp(t, { tenant: true });
    const viewer = await addMember(t, owner, ['viewer']);
    const adminRole = await roleId(t, owner, 'admin');
    expect((await t.request('PATCH', `/api/v1/members/${viewer.id}`, { headers: viewer.headers, body: { roles: [adminRole] } })).status).toBe(403);
    expect(
      (await t.request('PATCH', `/api/v1/members/${viewer.id}`, { headers: { 'x-tenant': owner.tenant!.slug }, body: { roles: [adminRole] } })).status,
    ).toBe(401);
  });

  it("revokes the member's API tokens that exceed their new roles", async () => {
    const owner = await signUp(t, { tenant: true });
    const admin = await addMember(t, owner, ['admin']);
    const broad = await createToken(t, admin, ['core.members.manage']);
    const narrow = await createToken(t, admin, ['core.members.view']);
    const response = await t.request('PATCH', `/api/v1/members/${admin.id}`, { headers: owner.headers, body: { roles: [await roleId(t, owner, 'viewer')] } });
    expect(response.status).toBe(200);
    expect((await t.request('GET', '/api/v1/members', { headers: withToken(broad.token, owner.tenant!.slug) })).status).toBe(401);
    expect((await t.request('GET', '/api/v1/members', { headers: withToken(narrow.token, owner.tenant!.slug) })).status).toBe(200);
  });
});

describe('DELETE /members/:userId', () => {
  it('removes a member, revokes their API tokens here, audited, effective on the next request', async () => {
    const owner = await signUp(t, { tenant: true });
    const admin = await addMember(t, owner, ['admin']);
    const token = await createToken(t, admin, ['core.members.view']);
    expect((await t.request('GET', '/api/v1/members', { headers: admin.headers })).status).toBe(200);
    expect((await t.request('GET', '/api/v1/members', { headers: withToken(token.token, owner.tenant!.slug) })).status).toBe(200);

    const response = await t.request('DELETE', `/api/v1/members/${admin.id}`, { headers: owner.headers });
    expect(response.status).toBe(204);
    expect((await t.request('GET', '/api/v1/members', { headers: admin.headers })).status).toBe(403);
    expect((await t.request('GET', '/api/v1/members', { headers: withToken(token.token, owner.tenant!.slug) })).status).toBe(401);
    const [row] = await systemRows<{ revoked: boolean }>(t, 'select revoked_at is not null as revoked from api_tokens where id = $1', [token.id]);
    expect(row!.revoked).toBe(true);
    const actions = await auditActions(t, owner.tenant!.id);
    expect(actions.slice(-2).sort()).toEqual(['api_token.revoked', 'member.removed']); // one transaction: same timestamp
    const me = await t.request('GET', '/api/v1/me', { headers: admin.headers });
    expect(me.body.data.memberships).toEqual([]);
  });

  it('keeps the last owner (409) and lets an admin remove neither an owner (403) nor anyone without core.members.manage', async () => {
    const owner = await signUp(t, { tenant: true });
    const admin = await addMember(t, owner, ['admin']);
    const viewer = await addMember(t, owner, ['viewer']);
    expect((await t.request('DELETE', `/api/v1/members/${owner.id}`, { headers: owner.headers })).status).toBe(409);
    expect((await t.request('DELETE', `/api/v1/members/${owner.id}`, { headers: admin.headers })).status).toBe(403);
    expect((await t.request('DELETE', `/api/v1/members/${admin.id}`, { headers: viewer.headers })).status).toBe(403);
    expect((await t.request('DELETE', `/api/v1/members/${viewer.id}`, { headers: { 'x-tenant': owner.tenant!.slug } })).status).toBe(401);
    const members = await t.request('GET', '/api/v1/members', { headers: owner.headers });
    expect(members.body.meta.pagination.total).toBe(3);
    expect((await t.request('DELETE', `/api/v1/members/${viewer.id}`, { headers: admin.headers })).status).toBe(204);
  });

  it("answers 404 for an unknown user and another tenant's member, leaving them be", async () => {
    const owner = await signUp(t, { tenant: true });
    const other = await signUp(t, { tenant: true });
    expect((await t.request('DELETE', `/api/v1/members/${randomUUID()}`, { headers: owner.headers })).status).toBe(404);
    expect((await t.request('DELETE', `/api/v1/members/${other.id}`, { headers: owner.headers })).status).toBe(404);
    expect((await t.request('GET', '/api/v1/tenant', { headers: other.headers })).status).toBe(200);
    expect((await t.request('DELETE', '/api/v1/members/42', { headers: owner.headers })).status).toBe(422);
  });
});
