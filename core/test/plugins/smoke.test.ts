import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createTestKernel, type TestKernel, type TestUser } from '../../src/testing/index.js';
import { notesPlugin } from './fixtures/notes-plugin.js';
import { tagsPlugin } from './fixtures/tags-plugin.js';

let t: TestKernel;
let owner: TestUser;
beforeAll(async () => {
  t = await createTestKernel({ plugins: [tagsPlugin, notesPlugin], tenants: ['acme'] });
  owner = t.tenants.acme!;
});
afterAll(() => t.close());

describe('plugin smoke', () => {
  it('answers 404 plugin_not_enabled until enabled, then serves the plugin', async () => {
    const before = await t.request('GET', '/api/v1/notes/notes', { headers: owner.headers });
    expect(before.status).toBe(404);
    expect(before.body.code).toBe('plugin_not_enabled');
    await t.enable(owner, 'tags');
    const created = await t.request('POST', '/api/v1/notes/notes', { headers: owner.headers, body: { title: 'hello' } });
    expect(created.status).toBe(201);
    expect(created.body.data.title).toBe('#hello');
    const list = await t.request('GET', '/api/v1/notes/notes', { headers: owner.headers });
    expect(list.body.meta.pagination.total).toBe(1);
    expect(await t.drainEvents()).toMatchObject({ failed: 0 });
    const stats = await t.request('GET', '/api/v1/tags/stats', { headers: owner.headers });
    expect(stats.body.data).toEqual({ notes: 1, logged: 1 });
    await t.drainJobs();
    const note = await t.request('GET', `/api/v1/notes/notes/${created.body.data.id}`, { headers: owner.headers });
    expect(note.body.data.archived).toBe(true);
  });
});
