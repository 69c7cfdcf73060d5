// What the marketplace tells a tenant before it enables or purges a plugin: other plugins' data it uses, and whether it keeps data.
import { coreServices, definePlugin, optional } from '@plinth/sdk';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { runAsSystem } from '../../src/db/scoped-db.js';
import { createTestKernel, signUp, type TestKernel, type TestUser } from '../../src/testing/index.js';
import { noteCounterRef, notesPlugin } from './fixtures/notes-plugin.js';
import { tagsPlugin } from './fixtures/tags-plugin.js';

/** Reads notes' counter when notes is on, and says so in plain words. */
const readerPlugin = definePlugin({
  name: 'reader',
  version: '1.0.0',
  title: 'Reader',
  description: 'Counts notes',
  category: 'testing',
  requires: { core: '>=0.1.0', optionalPlugins: { notes: '^1.0.0' } },
  deps: { db: coreServices.db, counter: optional(noteCounterRef) },
  uses: { 'notes.counter': { access: 'read', what: 'Counts your notes' } },
});

let t: TestKernel;
let a: TestUser;
let b: TestUser;
beforeAll(async () => {
  t = await createTestKernel({ plugins: [notesPlugin, tagsPlugin, readerPlugin] });
  a = await signUp(t, { tenant: true });
  b = await signUp(t, { tenant: true });
  for (const user of [a, b]) await t.enable(user, 'notes');
  expect((await call(a, 'POST', '/notes/notes', { title: 'only in a' })).status).toBe(201);
  await t.drainEvents();
});
afterAll(() => t.close());

const call = (user: TestUser, method: string, path: string, body?: unknown) => t.request(method, `/api/v1${path}`, { headers: user.headers, body });

interface Entry {
  name: string;
  has_data: boolean;
  uses: { plugin: string; title: string; service: string; access: string; what: string; optional: boolean }[];
}
const entries = async (user: TestUser): Promise<Map<string, Entry>> => {
  const response = await call(user, 'GET', '/marketplace');
  expect(response.status).toBe(200);
  return new Map((response.body.data as Entry[]).map((entry) => [entry.name, entry]));
};

describe('uses', () => {
  it("lists the other plugins' services a plugin uses, in its own words when it gives them", async () => {
    const listed = await entries(a);
    expect(listed.get('reader')!.uses).toEqual([
      { plugin: 'notes', title: 'Notes', service: 'notes.counter', access: 'read', what: 'Counts your notes', optional: true },
    ]);
  });

  it('counts an undescribed service as write access, and core services and its own as nothing', async () => {
    const listed = await entries(a);
    expect(listed.get('tags')!.uses).toEqual([
      { plugin: 'notes', title: 'Notes', service: 'notes.counter', access: 'write', what: 'Notes counter', optional: false },
    ]);
    expect(listed.get('notes')!.uses).toEqual([]);
    const one = await call(a, 'GET', '/marketplace/reader');
    expect(one.body.data.uses).toHaveLength(1);
  });
});

describe('has_data', () => {
  it("is true where the tenant has rows, and another tenant's rows do not make it true", async () => {
    expect((await entries(a)).get('notes')!.has_data).toBe(true);
    expect((await entries(b)).get('notes')!.has_data).toBe(false);
    expect((await call(b, 'GET', '/marketplace/notes')).body.data.has_data).toBe(false);
    expect((await entries(a)).get('tags')!.has_data).toBe(false);
  });

  it('turns true with the first row and false again after a purge', async () => {
    expect((await call(b, 'POST', '/notes/notes', { title: 'now b too' })).status).toBe(201);
    expect((await entries(b)).get('notes')!.has_data).toBe(true);
    const disabled = await call(b, 'POST', '/marketplace/notes/disable');
    expect(disabled.body.data).toMatchObject({ enabled: false, has_data: true });
    expect((await call(b, 'DELETE', '/marketplace/notes/data?confirm=notes')).status).toBe(204);
    expect((await entries(b)).get('notes')!.has_data).toBe(false);
    expect((await entries(a)).get('notes')!.has_data).toBe(true);
  });

  it("counts the plugin's stored files of the tenant as data", async () => {
    const tenantId = b.tenant!.id;
    await runAsSystem(t.kernel.services.database, (db) =>
      db.query(
        `insert into files (tenant_id, owner_plugin, storage_key, name, content_type, size, checksum)
         values ($1, 'tags', $2, 'a.txt', 'text/plain', 1, 'x')`,
        [tenantId, `t/${tenantId}/tags/a.txt`],
      ),
    );
    expect((await entries(b)).get('tags')!.has_data).toBe(true);
    expect((await entries(a)).get('tags')!.has_data).toBe(false);
  });
});
