import { createHash, randomUUID } from 'node:crypto';
import { afterAll, beforeAll, describe, expect, it, vi } from 'vitest';
import { createTestKernel, signUp, type TestKernel } from '../../src/testing/index.js';
import { addMember, auditActions, createToken, roleId, systemRows, withToken } from '../tenancy/tenant-admin-helpers.js';

let t: TestKernel;
beforeAll(async () => {
  t = await createTestKernel();
});
afterAll(() => t.close());

const sha256 = (text: string) => createHash('sha256').update(text).digest('hex');
const inAnHour = () => new Date(Date.now() + 3600_000).toISOString();

describe('POST /api-tokens', () => {
  it('creates a token shown once: plt_ + 256 random bits, stored as sha256, listed without secret or hash', async () => {
    const owner = await signUp(t, { tenant: true });
    const expiresAt = inAnHour();
    const response = await t.request('POST', '/api/v1/api-tokens', {
      headers: owner.headers,
      body: { name: 'CI', permissions: ['core.members.view'], expires_at: expiresAt },
    });
    expect(response.status).toBe(201);
    const created = response.body.data;
    expect(created.token).toMatch(/^plt_[A-Za-z0-9_-]{43}$/);
    expect(created).toMatchObject({
      name: 'CI',
      prefix: created.token.slice(4, 12),
      permissions: ['core.members.view'],
      created_by: owner.id,
      last_used_at: null,
    });
    expect(new Date(created.expires_at).toISOString()).toBe(expiresAt);
    const [row] = await systemRows<{ token_hash: string }>(t, 'select token_hash from api_tokens where id = $1', [created.id]);
    expect(row!.token_hash).toBe(sha256(created.token));

    const list = await t.request('GET', '/api/v1/api-tokens', { headers: owner.headers });
    expect(list.status).toBe(200);
    expect(list.body.meta.pagination.total).toBe(1);
    const { token: _secret, ...shown } = created;
    expect(list.body.data).toEqual([shown]);
    const text = JSON.stringify(list.body);
    expect(text).not.toContain(created.token.slice(4));
    expect(text).not.toContain(row!.token_hash);
    expect(await auditActions(t, owner.tenant!.id)).toEqual(['api_token.created']);
  });

  it('refuses permissions the creator does not hold (403)', async () => {
    const owner = await signUp(t, { tenant: true });
    const admin = await addMember(t, owner, ['admin']);
    for (const permissions of [['*'], ['core.*'], ['core.members.view', 'core.roles.*']]) {
      const response = await t.request('POST', '/api/v1/api-tokens', { headers: admin.headers, body: { name: 'x', permissions } });
      expect(response.status, JSON.stringify(permissions)).toBe(403);
    }
    expect((await t.request('POST', '/api/v1/api-tokens', { headers: admin.headers, body: { name: 'x', permissions: ['core.members.manage'] } })).status).toBe(
      201,
    );
    // A token that may mint tokens passes on only what it holds itself.
    const minter = await createToken(t, owner, ['core.api-tokens.manage', 'core.members.view']);
    const headers = withToken(minter.token, owner.tenant!.slug);
    expect((await t.request('POST', '/api/v1/api-tokens', { headers, body: { name: 'y', permissions: ['core.members.manage'] } })).status).toBe(403);
    const child = await t.request('POST', '/api/v1/api-tokens', { headers, body: { name: 'y', permissions: ['core.members.view'] } });
    expect(child.status).toBe(201);
    expect(child.body.data.created_by).toBe(owner.id);
  });

  it.each([
    [{ permissions: ['core.members.view'] }, 'name'],
    [{ name: 'x' }, 'permissions'],
    [{ name: 'x', permissions: [] }, 'permissions'],
    [{ name: 'x', permissions: ['core.members.view', 'core.members.view'] }, 'permissions'],
    [{ name: 'x', permissions: ['Core.Members.View'] }, 'permissions.0'],
    [{ name: 'x', permissions: ['core.members.view', 'crm.contacts.view'] }, 'permissions.1'],
    [{ name: 'x', permissions: ['nothing.*'] }, 'permissions.0'],
    [{ name: 'x', permissions: ['core.members.view'], expires_at: 'tomorrow' }, 'expires_at'],
    [{ name: 'x', permissions: ['core.members.view'], expires_at: new Date(Date.now() - 1000).toISOString() }, 'expires_at'],
    [{ name: 'x', permissions: ['core.members.view'], token_hash: 'abc' }, 'token_hash'],
  ])('answers 422 for %o', async (body, field) => {
    const owner = await signUp(t, { tenant: true });
    const response = await t.request('POST', '/api/v1/api-tokens', { headers: owner.headers, body });
    expect(response.status).toBe(422);
    expect(Object.keys(response.body.errors)).toContain(field);
  });

  it('answers 409 limit_reached at the api_tokens quota, counting only active tokens', async () => {
    const owner = await signUp(t, { tenant: true });
    await systemRows(t, 'update tenants set quotas = $2 where id = $1', [owner.tenant!.id, { api_tokens: 2 }]);
    await t.kernel.services.tenants.forget(owner.tenant!);
    const first = await createToken(t, owner, ['core.members.view']);
    const expired = await createToken(t, owner, ['core.members.view']);
    const over = await t.request('POST', '/api/v1/api-tokens', { headers: owner.headers, body: { name: 'third', permissions: ['core.members.view'] } });
    expect(over.status).toBe(409);
    expect(over.body).toMatchObject({ code: 'limit_reached', errors: { limit: ['api_tokens'], max: ['2'], used: ['2'] } });
    expect(over.body.message).toMatch(/plan limit of 2 API tokens/);
    await systemRows(t, "update api_tokens set expires_at = now() - interval '1 second' where id = $1", [expired.id]);
    await createToken(t, owner, ['core.members.view']);
    expect((await t.request('DELETE', `/api/v1/api-tokens/${first.id}`, { headers: owner.headers })).status).toBe(204);
    await createToken(t, owner, ['core.members.view']);
  });

  it('needs core.api-tokens.manage, and a token', async () => {
    const owner = await signUp(t, { tenant: true });
    const member = await addMember(t, owner, ['member']);
    const body = { name: 'x', permissions: ['core.members.view'] };
    expect((await t.request('POST', '/api/v1/api-tokens', { headers: member.headers, body })).status).toBe(403);
    expect((await t.request('GET', '/api/v1/api-tokens', { headers: member.headers })).status).toBe(403);
    expect((await t.request('POST', '/api/v1/api-tokens', { headers: { 'x-tenant': owner.tenant!.slug }, body })).status).toBe(401);
    expect((await t.request('GET', '/api/v1/api-tokens', { headers: { 'x-tenant': owner.tenant!.slug } })).status).toBe(401);
  });
});

describe('an API token on tenant routes', () => {
  it('acts with its permissions only: lists members but cannot manage them; records last use', async () => {
    const owner = await signUp(t, { tenant: true });
    const viewer = await addMember(t, owner, ['viewer']);
    const { id, token } = await createToken(t, owner, ['core.members.view']);
    const headers = withToken(token, owner.tenant!.slug);
    const list = await t.request('GET', '/api/v1/members', { headers });
    expect(list.status).toBe(200);
    expect(list.body.meta.pagination.total).toBe(2);
    expect((await t.request('PATCH', `/api/v1/members/${viewer.id}`, { headers, body: { roles: [await roleId(t, owner, 'admin')] } })).status).toBe(403);
    expect((await t.request('DELETE', `/api/v1/members/${viewer.id}`, { headers })).status).toBe(403);
    expect((await t.request('GET', '/api/v1/tenant', { headers })).status).toBe(403);
    await vi.waitFor(async () => {
      const [row] = await systemRows<{ used: boolean }>(t, 'select last_used_at is not null as used from api_tokens where id = $1', [id]);
      expect(row!.used).toBe(true);
    });
  });

  it('gets 401 once expired, once revoked, with another tenant, and on user routes', async () => {
    const owner = await signUp(t, { tenant: true });
    const other = await signUp(t, { tenant: true });
    const expired = await createToken(t, owner, ['core.members.view']);
    await systemRows(t, "update api_tokens set expires_at = now() - interval '1 second' where id = $1", [expired.id]);
    expect((await t.request('GET', '/api/v1/members', { headers: withToken(expired.token, owner.tenant!.slug) })).status).toBe(401);

    const live = await createToken(t, owner, ['core.members.view']);
    expect((await t.request('GET', '/api/v1/members', { headers: withToken(live.token, owner.tenant!.slug) })).status).toBe(200);
    const crossed = await t.request('GET', '/api/v1/members', { headers: withToken(live.token, other.tenant!.slug) });
    expect(crossed.status).toBe(401);
    expect((await t.request('GET', '/api/v1/me', { headers: { authorization: `Bearer ${live.token}` } })).status).toBe(401);

    expect((await t.request('DELETE', `/api/v1/api-tokens/${live.id}`, { headers: owner.headers })).status).toBe(204);
    expect((await t.request('GET', '/api/v1/members', { headers: withToken(live.token, owner.tenant!.slug) })).status).toBe(401);
  });
});

describe('GET /api-tokens/:id', () => {
  it("shows one token without its secret; 404 once revoked and for another tenant's", async () => {
    const owner = await signUp(t, { tenant: true });
    const other = await signUp(t, { tenant: true });
    const created = await t.request('POST', '/api/v1/api-tokens', { headers: owner.headers, body: { name: 'one', permissions: ['core.members.view'] } });
    const { token: _secret, ...shown } = created.body.data;
    const response = await t.request('GET', `/api/v1/api-tokens/${shown.id}`, { headers: owner.headers });
    expect(response.status).toBe(200);
    expect(response.body.data).toEqual(shown);
    expect((await t.request('GET', `/api/v1/api-tokens/${shown.id}`, { headers: other.headers })).status).toBe(404);
    await t.request('DELETE', `/api/v1/api-tokens/${shown.id}`, { headers: owner.headers });
    expect((await t.request('GET', `/api/v1/api-tokens/${shown.id}`, { headers: owner.headers })).status).toBe(404);
  });
});

describe('DELETE /api-tokens/:id', () => {
  it('revokes, audited; the token leaves the list; a second revoke is 404', async () => {
    const owner = await signUp(t, { tenant: true });
    const { id } = await createToken(t, owner, ['core.members.view']);
    expect((await t.request('DELETE', `/api/v1/api-tokens/${id}`, { headers: owner.headers })).status).toBe(204);
    expect((await t.request('DELETE', `/api/v1/api-tokens/${id}`, { headers: owner.headers })).status).toBe(404);
    expect((await t.request('GET', '/api/v1/api-tokens', { headers: owner.headers })).body.data).toEqual([]);
    const [row] = await systemRows<{ revoked: boolean }>(t, 'select revoked_at is not null as revoked from api_tokens where id = $1', [id]);
    expect(row!.revoked).toBe(true);
    const [entry] = await systemRows(t, "select actor_user_id, target_id, data from audit_log where action = 'api_token.revoked' and tenant_id = $1", [
      owner.tenant!.id,
    ]);
    expect(entry).toEqual({ actor_user_id: owner.id, target_id: id, data: { reason: 'revoked' } });
  });

  it("answers 404 for another tenant's token (which keeps working) and unknown ids, 403/401 without the right", async () => {
    const owner = await signUp(t, { tenant: true });
    const other = await signUp(t, { tenant: true });
    const foreign = await createToken(t, other, ['core.members.view']);
    expect((await t.request('DELETE', `/api/v1/api-tokens/${foreign.id}`, { headers: owner.headers })).status).toBe(404);
    expect((await t.request('GET', '/api/v1/members', { headers: withToken(foreign.token, other.tenant!.slug) })).status).toBe(200);
    expect((await t.request('GET', '/api/v1/api-tokens', { headers: owner.headers })).body.data).toEqual([]);
    expect((await t.request('DELETE', `/api/v1/api-tokens/${randomUUID()}`, { headers: owner.headers })).status).toBe(404);
    expect((await t.request('DELETE', '/api/v1/api-tokens/xyz', { headers: owner.headers })).status).toBe(422);

    const mine = await createToken(t, owner, ['core.members.view']);
    const viewer = await addMember(t, owner, ['viewer']);
    expect((await t.request('DELETE', `/api/v1/api-tokens/${mine.id}`, { headers: viewer.headers })).status).toBe(403);
    expect((await t.request('DELETE', `/api/v1/api-tokens/${mine.id}`, { headers: { 'x-tenant': owner.tenant!.slug } })).status).toBe(401);
  });
});
