import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { runAsSystem } from '../../src/db/scoped-db.js';
import { addMember, createTestKernel, signUp, type TestKernel, type TestUser } from '../../src/testing/index.js';
import { signUpMember } from '../isolation/fixtures.js';
import { journalPlugin } from './fixtures/journal-plugin.js';
import { notesPlugin } from './fixtures/notes-plugin.js';
import { tagsPlugin } from './fixtures/tags-plugin.js';

let t: TestKernel;
let owner: TestUser;
let other: TestUser;
beforeAll(async () => {
  t = await createTestKernel({ plugins: [tagsPlugin, notesPlugin, journalPlugin] });
  owner = await signUp(t, { tenant: true });
  other = await signUp(t, { tenant: true });
});
afterAll(() => t.close());

const call = (user: TestUser, method: string, path: string, body?: unknown) => t.request(method, `/api/v1${path}`, { headers: user.headers, body });
const enabledIn = async (user: TestUser) => {
  const response = await call(user, 'GET', '/marketplace');
  expect(response.status).toBe(200);
  return Object.fromEntries((response.body.data as { name: string; enabled: boolean }[]).map((plugin) => [plugin.name, plugin.enabled]));
};
const stored = (tenantId: string) =>
  runAsSystem(t.kernel.services.database, (db) =>
    db.query<{ plugin: string; enabled: boolean; settings: unknown }>(
      'select plugin, enabled, settings from tenant_plugins where tenant_id = $1 order by plugin',
      [tenantId],
    ),
  );

describe('browsing', () => {
  it('lists every installed plugin with whether this tenant enabled it', async () => {
    const response = await call(owner, 'GET', '/marketplace');
    expect(response.status).toBe(200);
    const tags = (response.body.data as { name: string }[]).find((plugin) => plugin.name === 'tags');
    expect(tags).toEqual({
      name: 'tags',
      title: 'Tags',
      description: 'Tags notes',
      version: '0.3.0',
      category: 'productivity',
      icon: null,
      author: null,
      permissions: [
        { name: 'tags.stats.view', description: 'See tag stats', grant_to: ['admin', 'member'] },
        { name: 'tags.settings.manage', description: 'Change the tag prefix', grant_to: ['admin'] },
      ],
      requires: { core: '>=0.1.0', plugins: { notes: '^1.0.0' }, optional_plugins: {} },
      navigation: [],
      web: null,
      screens: [],
      settings_permission: 'tags.settings.manage',
      uses: [{ plugin: 'notes', title: 'Notes', service: 'notes.counter', access: 'write', what: 'Notes counter', optional: false }],
      unit_tables: [],
      enabled: false,
      has_data: false,
      // The default plan includes every plugin the host does not sell (core/test/billing/marketplace-entitlements.test.ts).
      entitlement: { included: true, addon: null, upgrade: null },
    });
    expect(await enabledIn(owner)).toEqual({ notes: false, tags: false, journal: false });
  });

  it('shows one plugin with its settings schema and the permissions it adds', async () => {
    const response = await call(owner, 'GET', '/marketplace/notes');
    expect(response.status).toBe(200);
    expect(response.body.data.settings_schema).toMatchObject({
      type: 'object',
      properties: { maxTitle: { type: 'integer', default: 100, minimum: 1, maximum: 500 } },
    });
    expect(response.body.data.permissions.map((permission: { name: string }) => permission.name)).toEqual(['notes.notes.view', 'notes.notes.manage']);
    expect(response.body.data.settings).toBeNull();
    expect(response.body.data.enabled).toBe(false);
  });

  it('answers 404 for a plugin that is not installed and 422 for a malformed name', async () => {
    expect((await call(owner, 'GET', '/marketplace/crm')).body.code).toBe('not_found');
    expect((await call(owner, 'POST', '/marketplace/crm/enable', {})).status).toBe(404);
    const malformed = await call(owner, 'GET', '/marketplace/Not_A_Plugin');
    expect(malformed.status).toBe(422);
    expect(malformed.body.errors).toHaveProperty('plugin');
  });
});

describe('enabling', () => {
  it('refuses a plugin whose dependencies are off: 409 dependency_not_enabled naming them, nothing changed', async () => {
    const response = await call(owner, 'POST', '/marketplace/tags/enable', {});
    expect(response.status).toBe(409);
    expect(response.body.code).toBe('dependency_not_enabled');
    expect(response.body.errors).toEqual({ dependencies: ['notes'] });
    expect(response.body.message).toContain('notes');
    expect(await stored(owner.tenant!.id)).toEqual([]);
  });

  it.each([
    [{ maxTitle: 0 }, 'maxTitle'],
    [{ maxTitle: 'long' }, 'maxTitle'],
    [{ colour: 'red' }, 'colour'],
  ])('refuses invalid settings %j with 422 naming the field, nothing changed', async (settings, field) => {
    const response = await call(owner, 'POST', '/marketplace/notes/enable', { settings });
    expect(response.status).toBe(422);
    expect(response.body.code).toBe('validation_failed');
    expect(Object.keys(response.body.errors).join(' ')).toContain(field);
    expect(await stored(owner.tenant!.id)).toEqual([]);
  });

  it('refuses unknown body fields and a non-boolean with_dependencies', async () => {
    expect((await call(owner, 'POST', '/marketplace/notes/enable', { setting: {} })).status).toBe(422);
    expect((await call(owner, 'POST', '/marketplace/notes/enable?with_dependencies=maybe', {})).status).toBe(422);
  });

  it('enables the dependencies too with ?with_dependencies=true, with their defaults', async () => {
    const response = await call(owner, 'POST', '/marketplace/tags/enable?with_dependencies=true', {});
    expect(response.status).toBe(200);
    expect(response.body.data).toMatchObject({ name: 'tags', enabled: true, settings: { prefix: '#' }, enabled_dependencies: ['notes'] });
    expect(await enabledIn(owner)).toEqual({ notes: true, tags: true, journal: false });
    expect(await stored(owner.tenant!.id)).toEqual([
      { plugin: 'notes', enabled: true, settings: { maxTitle: 100 } },
      { plugin: 'tags', enabled: true, settings: { prefix: '#' } },
    ]);
    const audit = await runAsSystem(t.kernel.services.database, (db) =>
      db.query<{ target_id: string }>("select target_id from audit_log where tenant_id = $1 and action = 'plugin.enabled' order by created_at, target_id", [
        owner.tenant!.id,
      ]),
    );
    expect(audit.map((row) => row.target_id).sort()).toEqual(['notes', 'tags']);
  });

  it('leaves another tenant untouched', async () => {
    expect(await enabledIn(other)).toEqual({ notes: false, tags: false, journal: false });
    expect((await call(other, 'GET', '/notes/notes')).body.code).toBe('plugin_not_enabled');
    expect((await call(other, 'GET', '/plugins/notes/settings')).body.code).toBe('plugin_not_enabled');
  });
});

describe('settings', () => {
  it('reads the settings with defaults applied', async () => {
    const response = await call(owner, 'GET', '/plugins/notes/settings');
    expect(response.status).toBe(200);
    expect(response.body.data).toEqual({ maxTitle: 100 });
    expect((await call(owner, 'GET', '/marketplace/notes')).body.data.settings).toEqual({ maxTitle: 100 });
  });

  it('replaces them, effective on the next request', async () => {
    const put = await call(owner, 'PUT', '/plugins/notes/settings', { maxTitle: 3 });
    expect(put.status).toBe(200);
    expect(put.body.data).toEqual({ maxTitle: 3 });
    const note = await call(owner, 'POST', '/notes/notes', { title: 'abcdef' });
    expect(note.body.data.title).toBe('#ab');
    expect((await call(owner, 'PUT', '/plugins/notes/settings', {})).body.data).toEqual({ maxTitle: 100 });
    expect((await call(owner, 'POST', '/notes/notes', { title: 'abcdef' })).body.data.title).toBe('#abcdef');
  });

  it.each([[{ maxTitle: 501 }], [{ maxTitle: 2.5 }], [{ extra: true }]])('refuses %j with 422 and keeps the old settings', async (settings) => {
    const response = await call(owner, 'PUT', '/plugins/notes/settings', settings);
    expect(response.status).toBe(422);
    expect((await call(owner, 'GET', '/plugins/notes/settings')).body.data).toEqual({ maxTitle: 100 });
  });

  it('answers 404 plugin_not_enabled for a plugin the tenant has not enabled, and not_found for an unknown one', async () => {
    for (const method of ['GET', 'PUT']) {
      const response = await call(owner, method, '/plugins/journal/settings', method === 'PUT' ? {} : undefined);
      expect(response.status).toBe(404);
      expect(response.body.code).toBe('plugin_not_enabled');
    }
    expect((await call(owner, 'GET', '/plugins/crm/settings')).body.code).toBe('not_found');
  });

  it('enables with settings given up front', async () => {
    const response = await call(owner, 'POST', '/marketplace/journal/enable', { settings: {} });
    expect(response.status).toBe(200);
    expect(response.body.data).toMatchObject({ enabled: true, settings: {}, enabled_dependencies: [] });
  });
});

describe('permissions', () => {
  let viewer: TestUser;
  let member: TestUser;
  let admin: TestUser;
  beforeAll(async () => {
    viewer = await signUpMember(t, owner.tenant!, ['viewer']);
    member = await signUpMember(t, owner.tenant!, ['member']);
    admin = await signUpMember(t, owner.tenant!, ['admin']);
  });

  it('lets a viewer browse but not enable, disable, configure, export or purge (403)', async () => {
    expect((await call(viewer, 'GET', '/marketplace')).status).toBe(200);
    expect((await call(viewer, 'GET', '/plugins/notes/settings')).status).toBe(200);
    for (const [method, path, body] of [
      ['POST', '/marketplace/journal/enable', {}],
      ['POST', '/marketplace/journal/disable', undefined],
      ['PUT', '/plugins/notes/settings', { maxTitle: 5 }],
      ['GET', '/marketplace/notes/data', undefined],
      ['DELETE', '/marketplace/notes/data?confirm=notes', undefined],
    ] as const) {
      for (const user of [viewer, member]) {
        const response = await call(user, method, path, body);
        expect(response.status, `${method} ${path}`).toBe(403);
        expect(response.body.code).toBe('forbidden');
      }
    }
    expect((await call(owner, 'GET', '/plugins/notes/settings')).body.data).toEqual({ maxTitle: 100 });
  });

  it("lets a member holding the plugin's settings permission change that plugin's settings, and no other's", async () => {
    const role = await call(owner, 'POST', '/roles', { name: 'tag-editor', permissions: ['tags.settings.manage'] });
    expect(role.status).toBe(201);
    const editor = await addMember(t, owner, ['tag-editor']);
    const changed = await call(editor, 'PUT', '/plugins/tags/settings', { prefix: '!' });
    expect([changed.status, changed.body.data]).toEqual([200, { prefix: '!' }]);
    const refused = await call(editor, 'PUT', '/plugins/notes/settings', { maxTitle: 5 });
    expect([refused.status, refused.body.message]).toEqual([403, 'Missing permission core.plugins.manage']);
    const viewerRefused = await call(viewer, 'PUT', '/plugins/tags/settings', { prefix: '?' });
    expect([viewerRefused.status, viewerRefused.body.message]).toEqual([403, 'Missing permission core.plugins.manage or tags.settings.manage']);
    expect((await call(owner, 'PUT', '/plugins/tags/settings', { prefix: '#' })).body.data).toEqual({ prefix: '#' });
  });

  it('lets an admin manage plugins', async () => {
    expect((await call(admin, 'POST', '/marketplace/journal/disable')).status).toBe(200);
    expect((await call(admin, 'POST', '/marketplace/journal/enable', {})).status).toBe(200);
  });

  it('answers 401 without a token', async () => {
    expect((await t.request('GET', '/api/v1/marketplace', { headers: { 'x-tenant': owner.tenant!.slug } })).status).toBe(401);
  });
});

describe('disabling', () => {
  it('refuses while an enabled plugin depends on it: 409 naming the dependents', async () => {
    const response = await call(owner, 'POST', '/marketplace/notes/disable');
    expect(response.status).toBe(409);
    expect(response.body.errors).toEqual({ dependents: ['tags'] });
    expect(response.body.message).toContain('tags');
    expect((await enabledIn(owner)).notes).toBe(true);
  });

  it('disables once the dependents are off, effective on the next request, data kept', async () => {
    expect((await call(owner, 'POST', '/marketplace/tags/disable')).body.data.enabled).toBe(false);
    const disabled = await call(owner, 'POST', '/marketplace/notes/disable');
    expect(disabled.status).toBe(200);
    expect(disabled.body.data.enabled).toBe(false);
    expect((await call(owner, 'GET', '/notes/notes')).body.code).toBe('plugin_not_enabled');
    expect(await enabledIn(owner)).toEqual({ notes: false, tags: false, journal: true });
    expect((await stored(owner.tenant!.id)).map((row) => [row.plugin, row.enabled])).toEqual([
      ['journal', true],
      ['notes', false],
      ['tags', false],
    ]);
  });

  it('is idempotent for a plugin that is already off, without a second event', async () => {
    const count = () =>
      runAsSystem(t.kernel.services.database, (db) =>
        db.query("select 1 from plinth_events where tenant_id = $1 and name = 'core.plugin.disabled'", [owner.tenant!.id]).then((rows) => rows.length),
      );
    const before = await count();
    expect((await call(owner, 'POST', '/marketplace/notes/disable')).status).toBe(200);
    expect(await count()).toBe(before);
  });

  it('brings the data back on re-enable', async () => {
    await t.enable(owner, 'notes');
    const list = await call(owner, 'GET', '/notes/notes');
    expect(list.body.meta.pagination.total).toBe(2);
  });
});
