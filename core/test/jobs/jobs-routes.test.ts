import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { runAsSystem } from '../../src/db/scoped-db.js';
import { addMember, createTestKernel, signUp, type TestKernel, type TestUser } from '../../src/testing/index.js';
import { notesPlugin } from '../plugins/fixtures/notes-plugin.js';

let t: TestKernel;
let a: TestUser;
let b: TestUser;
let admin: TestUser;

beforeAll(async () => {
  t = await createTestKernel({ plugins: [notesPlugin] });
  [a, b, admin] = await Promise.all([signUp(t, { tenant: true }), signUp(t, { tenant: true }), signUp(t)]);
  const { database, identity } = t.kernel.services;
  await runAsSystem(database, (db) => db.query('update users set is_super_admin = true where id = $1', [admin.id]));
  await identity.forget(admin.id);
  await t.enable(a, 'notes');
  await t.enable(b, 'notes');
  expect((await t.request('POST', '/api/v1/notes/notes', { headers: a.headers, body: { title: 'one' } })).status).toBe(201);
  await t.drainJobs();
});
afterAll(() => t.close());

describe('GET /jobs', () => {
  it("lists the tenant's own jobs with their state", async () => {
    const response = await t.request('GET', '/api/v1/jobs?name=notes.note.archive', { headers: a.headers });
    expect(response.status).toBe(200);
    expect(response.body.data).toEqual([expect.objectContaining({ name: 'notes.note.archive', state: 'completed', tenant_id: a.tenant!.id })]);
    expect(response.body.meta.pagination.total).toBe(1);
  });

  it("never shows another tenant's jobs", async () => {
    const response = await t.request('GET', '/api/v1/jobs', { headers: b.headers });
    expect(response.status).toBe(200);
    expect(response.body.data.filter((job: { tenant_id: string }) => job.tenant_id !== b.tenant!.id)).toEqual([]);
    expect(response.body.data.some((job: { name: string }) => job.name === 'notes.note.archive')).toBe(false);
  });

  it('refuses bad filters and callers without the permission', async () => {
    const viewer = await addMember(t, a, ['viewer']);
    expect((await t.request('GET', '/api/v1/jobs', { headers: viewer.headers })).status).toBe(403);
    expect((await t.request('GET', '/api/v1/jobs?state=exploded', { headers: a.headers })).status).toBe(422);
    expect((await t.request('GET', '/api/v1/jobs?per_page=1000', { headers: a.headers })).status).toBe(422);
    expect((await t.request('GET', '/api/v1/jobs?sneaky=1', { headers: a.headers })).status).toBe(422);
    expect((await t.request('GET', '/api/v1/jobs', { headers: { authorization: a.headers.authorization! } })).status).toBe(400);
    expect((await t.request('GET', '/api/v1/jobs')).status).toBe(400);
  });
});

describe('GET /admin/jobs', () => {
  it('lists every tenant’s jobs for a super-admin, filterable by tenant and state', async () => {
    const response = await t.request('GET', `/api/v1/admin/jobs?tenant_id=${a.tenant!.id}&state=completed`, {
      headers: { authorization: admin.headers.authorization! },
    });
    expect(response.status).toBe(200);
    expect(response.body.data.map((job: { name: string }) => job.name)).toContain('notes.note.archive');
    expect(response.body.data.every((job: { tenant_id: string }) => job.tenant_id === a.tenant!.id)).toBe(true);
    expect(response.body.data.every((job: { tenant_slug: string }) => job.tenant_slug === a.tenant!.slug)).toBe(true);
  });

  it('refuses a malformed tenant filter', async () => {
    const response = await t.request('GET', '/api/v1/admin/jobs?tenant_id=not-a-uuid', { headers: { authorization: admin.headers.authorization! } });
    expect(response.status).toBe(422);
    expect(Object.keys(response.body.errors)).toContain('tenant_id');
  });

  it('is for super-admins only', async () => {
    expect((await t.request('GET', '/api/v1/admin/jobs', { headers: { authorization: a.headers.authorization! } })).status).toBe(403);
    expect((await t.request('GET', '/api/v1/admin/jobs')).status).toBe(401);
  });
});
