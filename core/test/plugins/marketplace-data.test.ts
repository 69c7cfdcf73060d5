import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { runAsSystem } from '../../src/db/scoped-db.js';
import { createTestKernel, signUp, type TestKernel, type TestUser } from '../../src/testing/index.js';
import { notesPlugin } from './fixtures/notes-plugin.js';
import { notesPinsPlugin } from './fixtures/table-plugins.js';
import { tagsPlugin } from './fixtures/tags-plugin.js';

let t: TestKernel;
let a: TestUser;
let b: TestUser;
beforeAll(async () => {
  t = await createTestKernel({ plugins: [notesPlugin, tagsPlugin, notesPinsPlugin] });
  a = await signUp(t, { tenant: true });
  b = await signUp(t, { tenant: true });
  for (const user of [a, b]) {
    await t.enable(user, 'tags');
    await t.enable(user, 'notes-pins');
    for (const title of ['one', 'two']) expect((await call(user, 'POST', '/notes/notes', { title })).status).toBe(201);
    await asSystem((db) => db.query("insert into notes_pins_items (tenant_id, label) values ($1, 'pinned')", [user.tenant!.id]));
  }
  await t.drainEvents();
});
afterAll(() => t.close());

const call = (user: TestUser, method: string, path: string, body?: unknown) => t.request(method, `/api/v1${path}`, { headers: user.headers, body });
const asSystem = <T>(fn: Parameters<typeof runAsSystem<T>>[1]) => runAsSystem(t.kernel.services.database, fn);
const count = (table: string, tenantId: string) =>
  asSystem((db) => db.query(`select 1 from ${table} where tenant_id = $1`, [tenantId]).then((rows) => rows.length));

describe('export', () => {
  it("offers this tenant's rows of the plugin's tables, and only those", async () => {
    const response = await call(a, 'GET', '/marketplace/notes/data');
    expect(response.status).toBe(200);
    expect(response.body.data).toMatchObject({ plugin: 'notes', version: '1.2.0' });
    expect(Object.keys(response.body.data.tables)).toEqual(['notes_notes']);
    const rows = response.body.data.tables.notes_notes as { tenant_id: string; title: string }[];
    expect(rows.map((row) => row.title)).toEqual(['#one', '#two']);
    expect(new Set(rows.map((row) => row.tenant_id))).toEqual(new Set([a.tenant!.id]));
    expect(JSON.stringify(response.body)).not.toContain(b.tenant!.id);
  });

  it('works for each plugin (tags’ log), and answers 404 for an unknown plugin', async () => {
    const tags = await call(a, 'GET', '/marketplace/tags/data');
    expect(Object.keys(tags.body.data.tables)).toEqual(['tags_log']);
    expect(tags.body.data.tables.tags_log).toHaveLength(2);
    expect((await call(a, 'GET', '/marketplace/crm/data')).status).toBe(404);
  });

  it("does not count a plugin whose name extends another's as the other's (notes-pins is not notes)", async () => {
    const pins = await call(a, 'GET', '/marketplace/notes-pins/data');
    expect(Object.keys(pins.body.data.tables)).toEqual(['notes_pins_items']);
    const notes = await call(a, 'GET', '/marketplace/notes/data');
    expect(Object.keys(notes.body.data.tables)).not.toContain('notes_pins_items');
  });
});

describe('purge', () => {
  it('refuses while the plugin is enabled (409), and changes nothing', async () => {
    const response = await call(a, 'DELETE', '/marketplace/notes/data?confirm=notes');
    expect(response.status).toBe(409);
    expect(await count('notes_notes', a.tenant!.id)).toBe(2);
  });

  it.each([['?confirm=tag'], ['?confirm=notes'], ['?confirm=TAGS'], ['']])('refuses without the right confirmation (%s): 422 naming confirm', async (query) => {
    expect((await call(a, 'POST', '/marketplace/tags/disable')).status).toBe(200);
    const response = await call(a, 'DELETE', `/marketplace/tags/data${query}`);
    expect(response.status).toBe(422);
    expect(response.body.errors).toHaveProperty('confirm');
    expect(await count('tags_log', a.tenant!.id)).toBe(2);
  });

  it("deletes this tenant's rows of a disabled plugin only: other tenants and other plugins keep theirs", async () => {
    expect((await call(a, 'POST', '/marketplace/notes/disable')).status).toBe(200);
    const response = await call(a, 'DELETE', '/marketplace/notes/data?confirm=notes');
    expect(response.status).toBe(204);
    expect(await count('notes_notes', a.tenant!.id)).toBe(0);
    expect(await count('notes_notes', b.tenant!.id)).toBe(2);
    expect(await count('notes_pins_items', a.tenant!.id)).toBe(1);
    expect(await count('tags_log', a.tenant!.id)).toBe(2);
    const enablement = await asSystem((db) => db.query("select 1 from tenant_plugins where tenant_id = $1 and plugin = 'notes'", [a.tenant!.id]));
    expect(enablement).toEqual([]);
    const audit = await asSystem((db) =>
      db.query<{ data: unknown }>("select data from audit_log where tenant_id = $1 and action = 'plugin.purged'", [a.tenant!.id]),
    );
    expect(audit).toEqual([{ data: { deleted: { notes_notes: 2 } } }]);
  });

  it('leaves B able to use the plugin as before, and A starting empty when it enables again', async () => {
    expect((await call(b, 'GET', '/notes/notes')).body.meta.pagination.total).toBe(2);
    await t.enable(a, 'notes');
    expect((await call(a, 'GET', '/notes/notes')).body.meta.pagination.total).toBe(0);
  });
});
