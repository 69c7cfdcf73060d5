import { addMember, createTestKernel, signUp, type TestKernel, type TestUser } from '@plinth/core/testing';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createIntegrationsPlugin } from '../src/plugin.js';

let t: TestKernel;
let owner: TestUser;
const holders: Record<string, TestUser> = {};

/** A route each permission opens, and its request. */
const guarded: Record<string, [string, string, unknown?]> = {
  'integrations.webhooks.view': ['GET', '/webhooks'],
  'integrations.webhooks.manage': ['POST', '/webhooks', { url: 'https://example.com/hook', events: ['*'] }],
  'integrations.channels.manage': ['GET', '/channels'],
  'integrations.notifications.view': ['GET', '/notification-log'],
  'integrations.notifications.manage': ['DELETE', '/notification-rules/00000000-0000-4000-8000-000000000000'],
};

beforeAll(async () => {
  t = await createTestKernel({ plugins: [createIntegrationsPlugin()] });
  owner = await signUp(t, { tenant: true });
  await t.enable(owner, 'integrations');
  for (const permission of Object.keys(guarded)) {
    const role = await t.request('POST', '/api/v1/roles', { headers: owner.headers, body: { name: `only-${permission}`, permissions: [permission] } });
    expect(role.status, JSON.stringify(role.body)).toBe(201);
    holders[permission] = await addMember(t, owner, [`only-${permission}`]);
  }
  for (const role of ['admin', 'member', 'viewer']) holders[role] = await addMember(t, owner, [role]);
});
afterAll(() => t?.close());

const call = (user: TestUser, [method, path, body]: [string, string, unknown?]) =>
  t.request(method, `/api/v1/integrations${path}`, { headers: user.headers, body });

describe('integrations permissions', () => {
  it('each permission opens its routes and no other', async () => {
    for (const [permission, holder] of Object.entries(holders).filter(([name]) => name.includes('.'))) {
      for (const [needed, request] of Object.entries(guarded)) {
        const response = await call(holder, request);
        if (needed === permission) expect(response.status, `${permission} → ${request.join(' ')}`).not.toBe(403);
        else expect(response.status, `${permission} → ${request.join(' ')}`).toBe(403);
      }
    }
  });

  it("admins hold every integrations permission by default; members and viewers none (their inbox is the kernel's)", async () => {
    for (const request of Object.values(guarded)) expect((await call(holders.admin!, request)).status, request.join(' ')).not.toBe(403);
    for (const role of ['member', 'viewer']) {
      for (const request of Object.values(guarded)) expect((await call(holders[role]!, request)).status, `${role} → ${request.join(' ')}`).toBe(403);
      expect((await t.request('GET', '/api/v1/notifications/unread-count', { headers: holders[role]!.headers })).status, role).toBe(200);
    }
  });

  it('lists its permissions in the catalogue', async () => {
    const catalogue = await t.request('GET', '/api/v1/permissions', { headers: owner.headers });
    const names = JSON.stringify(catalogue.body.data);
    for (const permission of Object.keys(guarded)) expect(names).toContain(permission);
  });

  it('documents its routes in the OpenAPI document', async () => {
    const document = await t.request('GET', '/api/v1/openapi.json');
    expect(document.status).toBe(200);
    const paths = Object.keys(document.body.paths as Record<string, unknown>);
    for (const path of ['/api/v1/integrations/webhooks', '/api/v1/integrations/notification-rules', '/api/v1/integrations/woocommerce/connections']) {
      expect(paths).toContain(path);
    }
    // The plugin's own inbox moved to the kernel's notifications.
    expect(paths).not.toContain('/api/v1/integrations/notifications');
  });

  it('needs a signed-in caller and the plugin enabled', async () => {
    expect((await t.request('GET', '/api/v1/integrations/webhooks', { headers: { 'x-tenant': owner.tenant!.slug } })).status).toBe(401);
    const other = await signUp(t, { tenant: true });
    const response = await t.request('GET', '/api/v1/integrations/webhooks', { headers: other.headers });
    expect(response.status).toBe(404);
    expect(response.body.code).toBe('plugin_not_enabled');
  });

  it('has migrations that run down and up again', async () => {
    await t.checkMigrations('integrations');
    const fresh = await signUp(t, { tenant: true });
    await t.enable(fresh, 'integrations');
    expect((await t.request('GET', '/api/v1/integrations/webhooks', { headers: fresh.headers })).body.data).toEqual([]);
  });
});
