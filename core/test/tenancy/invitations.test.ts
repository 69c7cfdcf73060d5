import { createHash, randomUUID } from 'node:crypto';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createTestKernel, signUp, type TestKernel, type TestUser } from '../../src/testing/index.js';
import { addMember, auditActions, invite, roleId, systemRows } from './tenant-admin-helpers.js';

let t: TestKernel;
beforeAll(async () => {
  t = await createTestKernel();
});
afterAll(() => t.close());

const sha256 = (text: string) => createHash('sha256').update(text).digest('hex');
const email = () => `invitee-${randomUUID()}@example.test`;

async function setQuota(owner: TestUser, quotas: Record<string, number>): Promise<void> {
  await systemRows(t, 'update tenants set quotas = $2 where id = $1', [owner.tenant!.id, quotas]);
  await t.kernel.services.tenants.forget(owner.tenant!);
}

describe('POST /invitations', () => {
  it('creates an invitation with a shareable accept_url, stores only the hash, mails the link, audits', async () => {
    const owner = await signUp(t, { tenant: true });
    const viewer = await roleId(t, owner, 'viewer');
    const to = email();
    const before = Date.now();
    const response = await t.request('POST', '/api/v1/invitations', { headers: owner.headers, body: { email: to, roles: [viewer] } });
    expect(response.status).toBe(201);
    const invitation = response.body.data;
    expect(invitation).toMatchObject({ email: to, roles: [{ id: viewer, name: 'viewer' }], invited_by: owner.id });
    const expiresIn = new Date(invitation.expires_at).getTime() - before;
    expect(expiresIn).toBeGreaterThan(7 * 24 * 3600 * 1000 - 60_000);
    expect(expiresIn).toBeLessThan(7 * 24 * 3600 * 1000 + 60_000);

    const url = new URL(invitation.accept_url);
    expect(`${url.origin}${url.pathname}`).toBe(`${t.url}/accept-invitation`);
    const token = url.searchParams.get('token')!;
    expect(Buffer.from(token, 'base64url').length).toBeGreaterThanOrEqual(16);
    const [row] = await systemRows<{ token_hash: string; tenant_id: string }>(t, 'select token_hash, tenant_id from invitations where id = $1', [
      invitation.id,
    ]);
    expect(row).toEqual({ token_hash: sha256(token), tenant_id: owner.tenant!.id });
    expect(JSON.stringify(invitation)).not.toContain(row!.token_hash);

    const mails = await systemRows<{ text: string; subject: string }>(t, 'select subject, text from mail_outbox where "to" = $1', [to]);
    expect(mails).toHaveLength(1);
    expect(mails[0]!.text).toContain(invitation.accept_url);
    expect(mails[0]!.subject).toContain(owner.tenant!.name);
    expect(await auditActions(t, owner.tenant!.id)).toEqual(['invitation.created']);
  });

  it('refuses roles the inviter does not hold (403), writing and mailing nothing', async () => {
    const owner = await signUp(t, { tenant: true });
    const admin = await addMember(t, owner, ['admin']);
    const to = email();
    const response = await t.request('POST', '/api/v1/invitations', { headers: admin.headers, body: { email: to, roles: [await roleId(t, owner, 'owner')] } });
    expect(response.status).toBe(403);
    expect(await systemRows(t, 'select 1 from invitations where email = $1', [to])).toEqual([]);
    expect(await systemRows(t, 'select 1 from mail_outbox where "to" = $1', [to])).toEqual([]);
    const allowed = await t.request('POST', '/api/v1/invitations', { headers: admin.headers, body: { email: to, roles: [await roleId(t, owner, 'member')] } });
    expect(allowed.status).toBe(201);
  });

  it('answers 409 for an email that is a member or has a pending invitation', async () => {
    const owner = await signUp(t, { tenant: true });
    const viewer = await roleId(t, owner, 'viewer');
    const member = await t.request('POST', '/api/v1/invitations', { headers: owner.headers, body: { email: owner.email.toUpperCase(), roles: [viewer] } });
    expect(member.status).toBe(409);
    expect(member.body.errors.email).toEqual(['is already a member']);
    const to = email();
    await invite(t, owner, to, ['viewer']);
    const again = await t.request('POST', '/api/v1/invitations', { headers: owner.headers, body: { email: to, roles: [viewer] } });
    expect(again.status).toBe(409);
    expect(again.body.errors.email).toEqual(['has a pending invitation']);
  });

  it('answers 409 limit_reached when the tenant is at its members quota', async () => {
    const owner = await signUp(t, { tenant: true });
    await setQuota(owner, { members: 1 });
    const response = await t.request('POST', '/api/v1/invitations', {
      headers: owner.headers,
      body: { email: email(), roles: [await roleId(t, owner, 'viewer')] },
    });
    expect(response.status).toBe(409);
    expect(response.body).toMatchObject({ code: 'limit_reached', errors: { limit: ['members'], max: ['1'], used: ['1'] } });
    expect(response.body.message).toMatch(/plan limit of 1 members/);
  });

  it('answers 422 for bad bodies and roles of another tenant', async () => {
    const owner = await signUp(t, { tenant: true });
    const other = await signUp(t, { tenant: true });
    const viewer = await roleId(t, owner, 'viewer');
    const foreign = await roleId(t, other, 'viewer');
    for (const [body, field] of [
      [{ roles: [viewer] }, 'email'],
      [{ email: 'not an email', roles: [viewer] }, 'email'],
      [{ email: email() }, 'roles'],
      [{ email: email(), roles: [randomUUID()] }, 'roles'],
      [{ email: email(), roles: [foreign] }, 'roles'],
      [{ email: email(), roles: [viewer], tenant_id: other.tenant!.id }, 'tenant_id'],
    ] as const) {
      const response = await t.request('POST', '/api/v1/invitations', { headers: owner.headers, body });
      expect(response.status, JSON.stringify(body)).toBe(422);
      expect(Object.keys(response.body.errors).join(' '), JSON.stringify(body)).toContain(field);
    }
  });

  it('needs core.members.manage, and a token', async () => {
    const owner = await signUp(t, { tenant: true });
    const viewer = await addMember(t, owner, ['viewer']);
    const body = { email: email(), roles: [await roleId(t, owner, 'viewer')] };
    expect((await t.request('POST', '/api/v1/invitations', { headers: viewer.headers, body })).status).toBe(403);
    expect((await t.request('POST', '/api/v1/invitations', { headers: { 'x-tenant': owner.tenant!.slug }, body })).status).toBe(401);
  });
});

describe('GET /invitations', () => {
  it('lists pending invitations only, newest first, paginated, never the token', async () => {
    const owner = await signUp(t, { tenant: true });
    const [first, second, expired, revoked] = [email(), email(), email(), email()];
    for (const to of [first, second, expired, revoked]) await invite(t, owner, to, ['viewer']);
    await systemRows(t, "update invitations set expires_at = now() - interval '1 second' where email = $1", [expired]);
    await systemRows(t, 'update invitations set revoked_at = now() where email = $1', [revoked]);
    await addMember(t, owner, ['viewer']); // an accepted invitation

    const response = await t.request('GET', '/api/v1/invitations?per_page=1', { headers: owner.headers });
    expect(response.status).toBe(200);
    expect(response.body.meta.pagination).toEqual({ page: 1, per_page: 1, total: 2, total_pages: 2 });
    const all = await t.request('GET', '/api/v1/invitations', { headers: owner.headers });
    expect(all.body.data.map((invitation: { email: string }) => invitation.email)).toEqual([second, first]);
    for (const invitation of all.body.data) {
      expect(Object.keys(invitation).sort()).toEqual(['created_at', 'email', 'expires_at', 'id', 'invited_by', 'roles', 'status']);
    }
    const viewer = await addMember(t, owner, ['viewer']);
    expect((await t.request('GET', '/api/v1/invitations', { headers: viewer.headers })).status).toBe(200);
    const other = await signUp(t, { tenant: true });
    expect((await t.request('GET', '/api/v1/invitations', { headers: other.headers })).body.data).toEqual([]);
    expect((await t.request('GET', '/api/v1/invitations', { headers: { 'x-tenant': owner.tenant!.slug } })).status).toBe(401);
  });
});

describe('GET /invitations/:id', () => {
  it("shows one invitation with its status, never the token; 404 for another tenant's", async () => {
    const owner = await signUp(t, { tenant: true });
    const created = await t.request('POST', '/api/v1/invitations', {
      headers: owner.headers,
      body: { email: email(), roles: [await roleId(t, owner, 'viewer')] },
    });
    const { accept_url: _url, ...invitation } = created.body.data;
    const response = await t.request('GET', `/api/v1/invitations/${invitation.id}`, { headers: owner.headers });
    expect(response.status).toBe(200);
    expect(response.body.data).toEqual({ ...invitation, status: 'pending' });
    await t.request('DELETE', `/api/v1/invitations/${invitation.id}`, { headers: owner.headers });
    expect((await t.request('GET', `/api/v1/invitations/${invitation.id}`, { headers: owner.headers })).body.data.status).toBe('revoked');

    const other = await signUp(t, { tenant: true });
    expect((await t.request('GET', `/api/v1/invitations/${invitation.id}`, { headers: other.headers })).status).toBe(404);
    expect((await t.request('GET', `/api/v1/invitations/${invitation.id}`, { headers: { 'x-tenant': owner.tenant!.slug } })).status).toBe(401);
  });
});

describe('DELETE /invitations/:id', () => {
  it('revokes an invitation: its link stops working, audited', async () => {
    const owner = await signUp(t, { tenant: true });
    const invitee = await signUp(t);
    const token = await invite(t, owner, invitee.email, ['viewer']);
    const [{ id }] = (await t.request('GET', '/api/v1/invitations', { headers: owner.headers })).body.data;
    expect((await t.request('DELETE', `/api/v1/invitations/${id}`, { headers: owner.headers })).status).toBe(204);
    expect((await t.request('DELETE', `/api/v1/invitations/${id}`, { headers: owner.headers })).status).toBe(404);
    const accept = await t.request('POST', '/api/v1/invitations/accept', { headers: invitee.headers, body: { token } });
    expect(accept.status).toBe(404);
    expect(await auditActions(t, owner.tenant!.id)).toEqual(['invitation.created', 'invitation.revoked']);
    expect((await t.request('GET', '/api/v1/invitations', { headers: owner.headers })).body.data).toEqual([]);
  });

  it("answers 404 for another tenant's invitation, 409 for an accepted one, 403/401 without the right", async () => {
    const owner = await signUp(t, { tenant: true });
    const other = await signUp(t, { tenant: true });
    await invite(t, other, email(), ['viewer']);
    const [foreign] = await systemRows<{ id: string }>(t, 'select id from invitations where tenant_id = $1', [other.tenant!.id]);
    expect((await t.request('DELETE', `/api/v1/invitations/${foreign!.id}`, { headers: owner.headers })).status).toBe(404);
    expect(await systemRows(t, 'select 1 from invitations where id = $1 and revoked_at is null', [foreign!.id])).toHaveLength(1);
    expect((await t.request('DELETE', `/api/v1/invitations/${randomUUID()}`, { headers: owner.headers })).status).toBe(404);
    expect((await t.request('DELETE', '/api/v1/invitations/nope', { headers: owner.headers })).status).toBe(422);

    const member = await addMember(t, owner, ['viewer']);
    const [accepted] = await systemRows<{ id: string }>(t, 'select id from invitations where tenant_id = $1 and accepted_at is not null', [owner.tenant!.id]);
    expect((await t.request('DELETE', `/api/v1/invitations/${accepted!.id}`, { headers: owner.headers })).status).toBe(409);

    await invite(t, owner, email(), ['viewer']);
    const [pending] = (await t.request('GET', '/api/v1/invitations', { headers: owner.headers })).body.data;
    expect((await t.request('DELETE', `/api/v1/invitations/${pending.id}`, { headers: member.headers })).status).toBe(403);
    expect((await t.request('DELETE', `/api/v1/invitations/${pending.id}`, { headers: { 'x-tenant': owner.tenant!.slug } })).status).toBe(401);
  });
});
