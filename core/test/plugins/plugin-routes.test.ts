import { randomUUID } from 'node:crypto';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { runAsSystem } from '../../src/db/scoped-db.js';
import { createTestKernel, signUp, type TestKernel, type TestUser } from '../../src/testing/index.js';
import { signUpMember } from '../isolation/fixtures.js';
import { notesPlugin } from './fixtures/notes-plugin.js';
import { tagsPlugin } from './fixtures/tags-plugin.js';

let t: TestKernel;
let owner: TestUser;
let bystander: TestUser;
beforeAll(async () => {
  t = await createTestKernel({ plugins: [notesPlugin, tagsPlugin] });
  owner = await signUp(t, { tenant: true });
  bystander = await signUp(t, { tenant: true });
});
afterAll(() => t.close());

const call = (user: { headers: Record<string, string> }, method: string, path: string, body?: unknown) =>
  t.request(method, `/api/v1${path}`, { headers: user.headers, body });
const tenantOnly = (user: TestUser) => ({ headers: { 'x-tenant': user.tenant!.slug } });

describe('the plugin gate', () => {
  it('answers 404 plugin_not_enabled on every route, public ones included, before validation', async () => {
    for (const [method, path, body] of [
      ['GET', '/notes/notes', undefined],
      ['POST', '/notes/notes', { title: 'x' }],
      ['POST', '/notes/notes', { wrong: true }],
      ['GET', `/notes/notes/${randomUUID()}`, undefined],
      ['GET', '/notes/notes/not-a-uuid', undefined],
      ['GET', '/tags/stats', undefined],
    ] as const) {
      const response = await call(owner, method, path, body);
      expect(response.status, `${method} ${path}`).toBe(404);
      expect(response.body).toMatchObject({ success: false, code: 'plugin_not_enabled' });
      expect(response.body.message).toContain(path.split('/')[1]);
    }
    expect((await call(tenantOnly(owner), 'GET', '/notes/ping')).body.code).toBe('plugin_not_enabled');
  });

  it('opens on the next request after enabling, closes after disabling; the data stays and comes back', async () => {
    await t.enable(owner, 'notes');
    const created = await call(owner, 'POST', '/notes/notes', { title: 'kept', body: 'across a disable' });
    expect(created.status).toBe(201);
    expect(created.body.data).toMatchObject({ title: 'kept', body: 'across a disable', archived: false });
    expect((await call(owner, 'POST', '/marketplace/notes/disable')).status).toBe(200);
    const closed = await call(owner, 'GET', `/notes/notes/${created.body.data.id}`);
    expect(closed.status).toBe(404);
    expect(closed.body.code).toBe('plugin_not_enabled');
    await t.enable(owner, 'notes');
    const back = await call(owner, 'GET', `/notes/notes/${created.body.data.id}`);
    expect(back.status).toBe(200);
    expect(back.body.data.title).toBe('kept');
  });

  it('stays closed for a tenant that never enabled it', async () => {
    expect((await call(bystander, 'GET', '/notes/notes')).body.code).toBe('plugin_not_enabled');
  });
});

describe('the request path in front of plugin routes', () => {
  it('answers 401 without a token or with a bad one', async () => {
    expect((await call(tenantOnly(owner), 'GET', '/notes/notes')).status).toBe(401);
    const bad = await t.request('GET', '/api/v1/notes/notes', { headers: { authorization: 'Bearer nonsense', 'x-tenant': owner.tenant!.slug } });
    expect(bad.status).toBe(401);
    expect(bad.body.code).toBe('unauthenticated');
  });

  it('answers 400 tenant_required without a tenant, 403 to a non-member', async () => {
    const noTenant = await t.request('GET', '/api/v1/notes/notes', { headers: { authorization: owner.headers.authorization! } });
    expect(noTenant.status).toBe(400);
    expect(noTenant.body.code).toBe('tenant_required');
    expect((await call({ headers: { ...bystander.headers, 'x-tenant': owner.tenant!.slug } }, 'GET', '/notes/notes')).status).toBe(403);
  });

  it('answers 403 to a member whose roles lack the permission', async () => {
    const limited = await signUpMember(t, owner.tenant!, []);
    await runAsSystem(t.kernel.services.database, async (db) => {
      const [role] = await db.query<{ id: string }>(
        "insert into roles (tenant_id, name, permissions) values ($1, 'tenant viewers', '{core.tenant.view}') returning id",
        [owner.tenant!.id],
      );
      await db.query(
        'insert into membership_roles (tenant_id, membership_id, role_id) select $1, id, $2 from memberships where user_id = $3 and tenant_id = $1',
        [owner.tenant!.id, role!.id, limited.id],
      );
    });
    await t.kernel.services.tenantAccess.forget(owner.tenant!.id, [limited.id]);
    const response = await call(limited, 'GET', '/notes/notes');
    expect(response.status).toBe(403);
    expect(response.body.message).toContain('notes.notes.view');
  });

  it('answers 403 tenant_suspended in a suspended tenant', async () => {
    const suspended = await signUp(t, { tenant: true });
    await t.enable(suspended, 'notes');
    await runAsSystem(t.kernel.services.database, (db) => db.query("update tenants set status = 'suspended' where id = $1", [suspended.tenant!.id]));
    await t.kernel.services.tenants.forget(suspended.tenant!);
    const response = await call(suspended, 'GET', '/notes/notes');
    expect(response.status).toBe(403);
    expect(response.body.code).toBe('tenant_suspended');
  });

  it.each([
    [{}, 'title', 'is required'],
    [{ title: '' }, 'title', 'must NOT have fewer than 1 characters'],
    [{ title: 42 }, 'title', 'must be string'],
    [{ title: 'x', body: ['no'] }, 'body', 'must be string'],
    [{ title: 'x', colour: 'red' }, 'colour', 'is not allowed'],
  ])('answers 422 to the body %j naming %s', async (body, field, message) => {
    const response = await call(owner, 'POST', '/notes/notes', body);
    expect(response.status).toBe(422);
    expect(response.body.code).toBe('validation_failed');
    expect(response.body.errors[field]).toContain(message);
  });

  it('answers 422 to bad params and queries, and stores nothing for any refused body', async () => {
    expect((await call(owner, 'GET', '/notes/notes/not-a-uuid')).body.errors).toHaveProperty('id');
    expect((await call(owner, 'GET', '/notes/notes?per_page=101')).body.errors).toHaveProperty('per_page');
    expect((await call(owner, 'GET', '/notes/notes?page=0')).status).toBe(422);
    expect((await call(owner, 'GET', '/notes/notes')).body.meta.pagination.total).toBe(1);
  });

  it('answers 400 to a body that is not JSON, and 404 to an unknown plugin path', async () => {
    const response = await t.request('POST', '/api/v1/notes/notes', { headers: { ...owner.headers, 'content-type': 'application/json' }, body: '{"title":' });
    expect(response.status).toBe(400);
    expect((await call(owner, 'GET', '/notes/nope')).body.code).toBe('not_found');
  });

  it('wraps results in the envelope: 201 for created, meta.pagination for lists', async () => {
    const list = await call(owner, 'GET', '/notes/notes?per_page=1&page=1');
    expect(list.body).toMatchObject({ success: true, meta: { pagination: { page: 1, per_page: 1, total: 1, total_pages: 1 } } });
    expect(list.body.meta.request_id).toBeTruthy();
  });
});

describe('public plugin routes', () => {
  it('work without a token, within the named tenant', async () => {
    const response = await call(tenantOnly(owner), 'GET', '/notes/ping');
    expect(response.status).toBe(200);
    expect(response.body.data).toEqual({ tenant: owner.tenant!.slug });
  });

  it('still need a tenant', async () => {
    const response = await t.request('GET', '/api/v1/notes/ping');
    expect(response.status).toBe(400);
    expect(response.body.code).toBe('tenant_required');
    expect((await t.request('GET', '/api/v1/notes/ping', { headers: { 'x-tenant': 'no-such-tenant' } })).status).toBeGreaterThanOrEqual(400);
  });
});

describe('/api/v1/openapi.json', () => {
  it('documents every plugin route with its schemas, permission and tag', async () => {
    const response = await t.request('GET', '/api/v1/openapi.json');
    expect(response.status).toBe(200);
    const { paths, openapi } = response.body;
    expect(openapi).toBe('3.1.0');
    expect(paths['/api/v1/notes/notes'].get).toMatchObject({ summary: 'List notes', tags: ['notes'], 'x-permission': 'notes.notes.view' });
    expect(paths['/api/v1/notes/notes'].get.parameters.map((parameter: { name: string }) => parameter.name)).toEqual(
      expect.arrayContaining(['page', 'per_page', 'X-Tenant']),
    );
    expect(paths['/api/v1/notes/notes'].post.requestBody.content['application/json'].schema).toMatchObject({
      required: ['title'],
      properties: { title: { type: 'string' } },
    });
    expect(paths['/api/v1/notes/notes/{id}'].get.parameters[0]).toMatchObject({ name: 'id', in: 'path', required: true });
    expect(paths['/api/v1/notes/ping'].get.security).toEqual([]);
    expect(paths['/api/v1/tags/stats'].get['x-permission']).toBe('tags.stats.view');
    expect(paths['/api/v1/marketplace/{plugin}/enable'].post).toBeDefined();
  });
});
