import { randomUUID } from 'node:crypto';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { asUser, createTestKernel, signUp, testPassword, type TestKernel } from '../../src/testing/index.js';
import { invite, roleId, systemRows } from './tenant-admin-helpers.js';

let t: TestKernel;
beforeAll(async () => {
  t = await createTestKernel();
});
afterAll(() => t.close());

const accept = (body: Record<string, unknown>, headers: Record<string, string> = {}) => t.request('POST', '/api/v1/invitations/accept', { headers, body });
const email = () => `invitee-${randomUUID()}@example.test`;

describe('POST /invitations/accept as a signed-in user', () => {
  it('joins the tenant with the invited roles, marks the invitation used, audits in the tenant', async () => {
    const owner = await signUp(t, { tenant: true });
    const invitee = await signUp(t);
    const token = await invite(t, owner, invitee.email.toUpperCase(), ['member', 'viewer']);
    const response = await accept({ token }, invitee.headers);
    expect(response.status).toBe(201);
    expect(response.body.data).toMatchObject({
      user: { id: invitee.id, email: invitee.email },
      tenant: { id: owner.tenant!.id, slug: owner.tenant!.slug, name: owner.tenant!.name },
      roles: [{ name: 'member' }, { name: 'viewer' }],
    });
    expect(response.body.data.tokens).toBeUndefined();
    expect(response.body.data.user.password_hash).toBeUndefined();

    const members = await t.request('GET', '/api/v1/members', { headers: asUser(invitee, owner.tenant!.slug) });
    expect(members.status).toBe(200);
    expect(members.body.meta.pagination.total).toBe(2);
    const [invitation] = await systemRows<{ accepted: boolean }>(t, 'select accepted_at is not null as accepted from invitations where tenant_id = $1', [
      owner.tenant!.id,
    ]);
    expect(invitation!.accepted).toBe(true);
    const [entry] = await systemRows(t, "select actor_user_id, data from audit_log where tenant_id = $1 and action = 'invitation.accepted'", [
      owner.tenant!.id,
    ]);
    expect(entry).toEqual({
      actor_user_id: invitee.id,
      data: { user_id: invitee.id, email: invitee.email.toUpperCase(), roles: ['member', 'viewer'], new_account: false },
    });
  });

  it('refuses an invitation for another email (403) and a member accepting again (409)', async () => {
    const owner = await signUp(t, { tenant: true });
    const intended = await signUp(t);
    const interloper = await signUp(t);
    const token = await invite(t, owner, intended.email, ['viewer']);
    const wrong = await accept({ token }, interloper.headers);
    expect(wrong.status).toBe(403);
    expect(wrong.body.message).toMatch(/another email/);
    expect((await t.request('GET', '/api/v1/members', { headers: asUser(interloper, owner.tenant!.slug) })).status).toBe(403);

    await systemRows(t, 'insert into memberships (tenant_id, user_id) values ($1, $2)', [owner.tenant!.id, intended.id]);
    const again = await accept({ token }, intended.headers);
    expect(again.status).toBe(409);
    expect(again.body.message).toMatch(/already a member/);
  });

  it('answers 404 for an unknown or revoked token and 400 for a used or expired one', async () => {
    const owner = await signUp(t, { tenant: true });
    const invitee = await signUp(t);
    expect((await accept({ token: 'no-such-token' }, invitee.headers)).status).toBe(404);

    const expiredToken = await invite(t, owner, invitee.email, ['viewer']);
    await systemRows(t, "update invitations set expires_at = now() - interval '1 second' where tenant_id = $1", [owner.tenant!.id]);
    const expired = await accept({ token: expiredToken }, invitee.headers);
    expect(expired.status).toBe(400);
    expect(expired.body.message).toMatch(/expired/);

    const revokedToken = await invite(t, owner, invitee.email, ['viewer']);
    await systemRows(t, 'update invitations set revoked_at = now() where tenant_id = $1 and revoked_at is null', [owner.tenant!.id]);
    expect((await accept({ token: revokedToken }, invitee.headers)).status).toBe(404);

    const token = await invite(t, owner, invitee.email, ['viewer']);
    expect((await accept({ token }, invitee.headers)).status).toBe(201);
    const used = await accept({ token }, invitee.headers);
    expect(used.status).toBe(400);
    expect(used.body.message).toMatch(/already been used/);
  });

  it('answers 409 limit_reached when joining would exceed the members quota', async () => {
    const owner = await signUp(t, { tenant: true });
    const first = await signUp(t);
    const second = await signUp(t);
    const firstToken = await invite(t, owner, first.email, ['viewer']);
    const secondToken = await invite(t, owner, second.email, ['viewer']);
    await systemRows(t, 'update tenants set quotas = $2 where id = $1', [owner.tenant!.id, { members: 2 }]);
    await t.kernel.services.tenants.forget(owner.tenant!);
    expect((await accept({ token: firstToken }, first.headers)).status).toBe(201);
    const over = await accept({ token: secondToken }, second.headers);
    expect(over.status).toBe(409);
    expect(over.body).toMatchObject({ code: 'limit_reached', errors: { limit: ['members'], max: ['2'], used: ['2'] } });
    expect(over.body.message).toMatch(/plan limit of 2 members/);
    expect(await systemRows(t, 'select 1 from memberships where user_id = $1', [second.id])).toEqual([]);
  });

  it('answers 403 tenant_suspended for a suspended tenant', async () => {
    const owner = await signUp(t, { tenant: true });
    const invitee = await signUp(t);
    const token = await invite(t, owner, invitee.email, ['viewer']);
    await systemRows(t, "update tenants set status = 'suspended' where id = $1", [owner.tenant!.id]);
    const response = await accept({ token }, invitee.headers);
    expect(response.status).toBe(403);
    expect(response.body.code).toBe('tenant_suspended');
  });

  it('answers 401 for a bad Bearer token, an API token, or no credentials and no registration', async () => {
    const owner = await signUp(t, { tenant: true });
    const invitee = await signUp(t);
    const token = await invite(t, owner, invitee.email, ['viewer']);
    expect((await accept({ token }, { authorization: 'Bearer not-a-jwt' })).status).toBe(401);
    expect((await accept({ token }, { authorization: 'Bearer plt_abcdefghijklmnop' })).status).toBe(401);
    const anonymous = await accept({ token });
    expect(anonymous.status).toBe(401);
    expect(anonymous.body.message).toMatch(/name and password/);
    expect((await accept({ token }, invitee.headers)).status).toBe(201);
  });
});

describe('POST /invitations/accept as a new user', () => {
  it('registers the invited email, joins the tenant and signs in', async () => {
    const owner = await signUp(t, { tenant: true });
    const to = email();
    const token = await invite(t, owner, to, ['viewer']);
    const response = await accept({ token, name: 'New Person', password: testPassword() });
    expect(response.status).toBe(201);
    const { user, tenant, tokens, roles } = response.body.data;
    expect(user).toMatchObject({ email: to, name: 'New Person', status: 'active' });
    expect(tenant).toEqual({ id: owner.tenant!.id, slug: owner.tenant!.slug, name: owner.tenant!.name });
    expect(roles).toEqual([{ id: await roleId(t, owner, 'viewer'), name: 'viewer' }]);
    expect(tokens).toMatchObject({ token_type: 'Bearer' });
    const headers = { authorization: `Bearer ${tokens.access_token}`, 'x-tenant': owner.tenant!.slug };
    expect((await t.request('GET', '/api/v1/tenant', { headers })).status).toBe(200);
    expect((await t.request('PATCH', '/api/v1/tenant', { headers, body: { name: 'Nope' } })).status).toBe(403);
    const registered = await systemRows(t, "select 1 from host_audit_log where action = 'auth.registered' and actor_user_id = $1", [user.id]);
    expect(registered).toHaveLength(1);
    const [entry] = await systemRows<{ data: { new_account: boolean } }>(
      t,
      "select data from audit_log where tenant_id = $1 and action = 'invitation.accepted'",
      [owner.tenant!.id],
    );
    expect(entry!.data.new_account).toBe(true);
  });

  it('answers 409 when the invited email already has an account', async () => {
    const owner = await signUp(t, { tenant: true });
    const existing = await signUp(t);
    const token = await invite(t, owner, existing.email, ['viewer']);
    const response = await accept({ token, name: 'Impostor', password: testPassword() });
    expect(response.status).toBe(409);
    expect(response.body.errors.email).toBeDefined();
    expect(await systemRows(t, 'select 1 from memberships where user_id = $1 and tenant_id = $2', [existing.id, owner.tenant!.id])).toEqual([]);
  });

  it('creates no account when the members quota is reached', async () => {
    const owner = await signUp(t, { tenant: true });
    const to = email();
    const token = await invite(t, owner, to, ['viewer']);
    await systemRows(t, 'update tenants set quotas = $2 where id = $1', [owner.tenant!.id, { members: 1 }]);
    await t.kernel.services.tenants.forget(owner.tenant!);
    expect((await accept({ token, name: 'Late', password: testPassword() })).body.code).toBe('limit_reached');
    expect(await systemRows(t, 'select 1 from users where email = $1', [to])).toEqual([]);
  });

  it.each([
    [{ name: 'Only Name' }, 'password'],
    [{ password: 'x7-long-enough-pw' }, 'name'],
    [{ name: 'Weak', password: 'password1' }, 'password'],
    [{ name: '  ', password: 'x7-long-enough-pw' }, 'name'],
    [{ name: 'A', password: 'x7-long-enough-pw', roles: ['owner'] }, 'roles'],
    [{ name: 'A', password: 'x7-long-enough-pw', token: 42 }, 'token'],
  ])('answers 422 for %o, creating nothing', async (extra, field) => {
    const owner = await signUp(t, { tenant: true });
    const to = email();
    const token = await invite(t, owner, to, ['viewer']);
    const response = await accept({ token, ...extra });
    expect(response.status).toBe(422);
    expect(Object.keys(response.body.errors)).toContain(field);
    expect(await systemRows(t, 'select 1 from users where email = $1', [to])).toEqual([]);
  });

  it('answers 422 when a signed-in user also sends a password', async () => {
    const owner = await signUp(t, { tenant: true });
    const invitee = await signUp(t);
    const token = await invite(t, owner, invitee.email, ['viewer']);
    const response = await accept({ token, password: testPassword() }, invitee.headers);
    expect(response.status).toBe(422);
    expect(response.body.errors.password).toBeDefined();
  });
});
