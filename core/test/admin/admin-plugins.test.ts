import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createTestKernel, signUp, type TestKernel, type TestUser } from '../../src/testing/index.js';
import { signUpSuperAdmin } from '../isolation/fixtures.js';
import { notesPlugin } from '../plugins/fixtures/notes-plugin.js';
import { tagsPlugin } from '../plugins/fixtures/tags-plugin.js';

let t: TestKernel;
let admin: TestUser;
let owner: TestUser;
beforeAll(async () => {
  t = await createTestKernel({ plugins: [notesPlugin, tagsPlugin] });
  admin = await signUpSuperAdmin(t);
  owner = await signUp(t, { tenant: true });
  await t.enable(owner, 'notes');
});
afterAll(() => t.close());

describe('GET /admin/plugins', () => {
  it('lists installed plugins with their migrations and how many tenants enabled them', async () => {
    const response = await t.request('GET', '/api/v1/admin/plugins', { headers: { authorization: `Bearer ${admin.accessToken}` } });
    expect(response.status).toBe(200);
    const byName = Object.fromEntries(response.body.data.map((plugin: { name: string }) => [plugin.name, plugin]));
    expect(byName.notes).toMatchObject({ version: notesPlugin.version, installed_version: notesPlugin.version, scope: 'tenant', tenants_enabled: 1 });
    expect(byName.notes.migrations.length).toBe(notesPlugin.migrations.length);
    expect(byName.notes.migrations.every((migration: { applied_at: string | null }) => migration.applied_at !== null)).toBe(true);
    expect(byName.tags.tenants_enabled).toBe(0);
  });

  it('is for super-admins only', async () => {
    expect((await t.request('GET', '/api/v1/admin/plugins')).status).toBe(401);
    expect((await t.request('GET', '/api/v1/admin/plugins', { headers: owner.headers })).status).toBe(403);
  });
});
