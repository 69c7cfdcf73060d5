import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createTestKernel, signUp, type TestKernel, type TestUser } from '../../src/testing/index.js';
import { signUpMember } from '../isolation/fixtures.js';
import { notesPlugin } from './fixtures/notes-plugin.js';
import { tagsPlugin } from './fixtures/tags-plugin.js';

let t: TestKernel;
let owner: TestUser;
let member: TestUser;
let viewer: TestUser;
beforeAll(async () => {
  t = await createTestKernel({ plugins: [notesPlugin, tagsPlugin] });
  owner = await signUp(t, { tenant: true });
  member = await signUpMember(t, owner.tenant!, ['member']);
  viewer = await signUpMember(t, owner.tenant!, ['viewer']);
});
afterAll(() => t.close());

const call = (user: { headers: Record<string, string> }, method: string, path: string, body?: unknown) =>
  t.request(method, `/api/v1${path}`, { headers: user.headers, body });

describe("built-in roles and a plugin's default grants", () => {
  it('before the plugin is enabled, a member cannot create notes and holds none of its permissions', async () => {
    const refused = await call(member, 'POST', '/notes/notes', { title: 'early' });
    expect(refused.status).toBe(404);
    expect(refused.body.code).toBe('plugin_not_enabled');
    const access = await t.kernel.services.tenantAccess.of(owner.tenant!.id, member.id);
    expect(access!.permissions.filter((permission) => permission.startsWith('notes.'))).toEqual([]);
  });

  it('after enabling, on the very next request, a member creates notes through the default grant (no restart, no re-login)', async () => {
    await t.enable(owner, 'notes');
    const created = await call(member, 'POST', '/notes/notes', { title: 'by a member' });
    expect(created.status).toBe(201);
    const access = await t.kernel.services.tenantAccess.of(owner.tenant!.id, member.id);
    expect(access!.permissions).toEqual(expect.arrayContaining(['notes.notes.view', 'notes.notes.manage']));
  });

  it('a viewer gets only what grantTo gives viewers: reading, not writing (403 naming the permission)', async () => {
    expect((await call(viewer, 'GET', '/notes/notes')).status).toBe(200);
    const refused = await call(viewer, 'POST', '/notes/notes', { title: 'by a viewer' });
    expect(refused.status).toBe(403);
    expect(refused.body.code).toBe('forbidden');
    expect(refused.body.message).toContain('notes.notes.manage');
  });

  it("a plugin's grants follow its own enablement: tags' permission appears and goes with tags", async () => {
    expect((await call(member, 'GET', '/tags/stats')).body.code).toBe('plugin_not_enabled');
    await t.enable(owner, 'tags');
    expect((await call(member, 'GET', '/tags/stats')).status).toBe(200);
    expect((await call(viewer, 'GET', '/tags/stats')).status).toBe(403);
    expect((await call(owner, 'POST', '/marketplace/tags/disable')).status).toBe(200);
    expect((await call(member, 'GET', '/tags/stats')).body.code).toBe('plugin_not_enabled');
    const access = await t.kernel.services.tenantAccess.of(owner.tenant!.id, member.id);
    expect(access!.permissions).not.toContain('tags.stats.view');
    expect(access!.permissions).toContain('notes.notes.manage');
  });

  it("does not grant another tenant's members anything", async () => {
    const stranger = await signUp(t, { tenant: true });
    const access = await t.kernel.services.tenantAccess.of(stranger.tenant!.id, stranger.id);
    expect(access!.permissions).toEqual(['*']);
    const strangerMember = await signUpMember(t, stranger.tenant!, ['member']);
    const memberAccess = await t.kernel.services.tenantAccess.of(stranger.tenant!.id, strangerMember.id);
    expect(memberAccess!.permissions.filter((permission) => !permission.startsWith('core.'))).toEqual([]);
  });
});

describe('the permission catalogue', () => {
  it("lists an enabled plugin's permissions with descriptions and default grants", async () => {
    const response = await call(member, 'GET', '/permissions');
    expect(response.status).toBe(200);
    expect(response.body.data).toEqual(
      expect.arrayContaining([
        { name: 'notes.notes.view', description: 'Read notes', grant_to: ['admin', 'member', 'viewer'], units: false },
        { name: 'notes.notes.manage', description: 'Write notes', grant_to: ['admin', 'member'], units: false },
      ]),
    );
  });
});

describe('API tokens on plugin routes', () => {
  it('hold exactly the plugin permissions they were given', async () => {
    const created = await call(owner, 'POST', '/api-tokens', { name: 'reader', permissions: ['notes.notes.view'] });
    expect(created.status).toBe(201);
    const token = { authorization: `Bearer ${created.body.data.token}`, 'x-tenant': owner.tenant!.slug };
    expect((await t.request('GET', '/api/v1/notes/notes', { headers: token })).status).toBe(200);
    expect((await t.request('POST', '/api/v1/notes/notes', { headers: token, body: { title: 'by a token' } })).status).toBe(403);
  });
});
