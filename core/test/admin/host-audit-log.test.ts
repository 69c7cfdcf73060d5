import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createTestKernel, signUp, type TestKernel, type TestUser } from '../../src/testing/index.js';
import { signUpSuperAdmin } from '../isolation/fixtures.js';

let t: TestKernel;
let admin: TestUser;
let owner: TestUser;

beforeAll(async () => {
  t = await createTestKernel();
  admin = await signUpSuperAdmin(t);
  owner = await signUp(t, { tenant: true });
});
afterAll(() => t.close());

const headers = () => ({ authorization: `Bearer ${admin.accessToken}` });

describe('GET /admin/audit-log', () => {
  it('lists host events newest first: sign-ups, admin actions (with actor email and tenant), and the admin reads themselves', async () => {
    const suspend = await t.request('POST', `/api/v1/admin/tenants/${owner.tenant!.id}/suspend`, { headers: headers() });
    await t.request('POST', `/api/v1/admin/tenants/${owner.tenant!.id}/unsuspend`, { headers: headers() });
    const response = await t.request('GET', '/api/v1/admin/audit-log', { headers: headers() });
    expect(response.status).toBe(200);
    const actions = response.body.data.map((entry: { action: string }) => entry.action);
    expect(actions.slice(0, 2)).toEqual(['admin.tenant.unsuspended', 'admin.tenant.suspended']);
    expect(actions).toContain('auth.registered');
    const suspended = response.body.data[1];
    expect(suspended).toEqual({
      id: expect.any(String),
      action: 'admin.tenant.suspended',
      actor: { user_id: admin.id, email: admin.email },
      tenant_id: owner.tenant!.id,
      target: { type: 'tenant', id: owner.tenant!.id },
      data: {},
      ip: expect.stringContaining('127.0.0.1'),
      user_agent: expect.any(String),
      request_id: suspend.headers.get('x-request-id'),
      created_at: expect.any(String),
    });
    const next = await t.request('GET', '/api/v1/admin/audit-log?per_page=1', { headers: headers() });
    expect(next.body.data[0].action).toBe('admin.audit_log.viewed');
    expect(next.body.meta.pagination.total).toBe(response.body.meta.pagination.total + 1);
  });

  it('filters by tenant, action prefix, actor and time', async () => {
    await t.request('GET', `/api/v1/admin/tenants/${owner.tenant!.id}`, { headers: headers() });
    const byTenant = await t.request('GET', `/api/v1/admin/audit-log?tenant_id=${owner.tenant!.id}&action=admin.tenant.`, { headers: headers() });
    expect(byTenant.body.data.map((entry: { action: string }) => entry.action)).toEqual([
      'admin.tenant.viewed',
      'admin.tenant.unsuspended',
      'admin.tenant.suspended',
    ]);
    const byActor = await t.request('GET', `/api/v1/admin/audit-log?actor_user_id=${admin.id}&per_page=100`, { headers: headers() });
    const actorActions: string[] = byActor.body.data.map((entry: { action: string }) => entry.action);
    expect(actorActions.length).toBeGreaterThan(3);
    expect(actorActions.every((action) => action.startsWith('admin.'))).toBe(true);
    const byOwner = await t.request('GET', `/api/v1/admin/audit-log?actor_user_id=${owner.id}`, { headers: headers() });
    expect(byOwner.body.meta.pagination.total).toBe(0);
    const future = await t.request('GET', '/api/v1/admin/audit-log?from=2999-01-01', { headers: headers() });
    expect(future.body.meta.pagination.total).toBe(0);
    const bad = await t.request('GET', '/api/v1/admin/audit-log?tenant_id=acme', { headers: headers() });
    expect(bad.status).toBe(422);
  });

  it('is for super-admins only', async () => {
    expect((await t.request('GET', '/api/v1/admin/audit-log', { headers: owner.headers })).status).toBe(403);
    expect((await t.request('GET', '/api/v1/admin/audit-log')).status).toBe(401);
  });
});
