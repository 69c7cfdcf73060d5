import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createTestKernel, signUp, type TestKernel, type TestUser } from '../../src/testing/index.js';
import { notesPlugin } from './fixtures/notes-plugin.js';
import { tagsPlugin } from './fixtures/tags-plugin.js';

let t: TestKernel;
let owner: TestUser;
beforeAll(async () => {
  t = await createTestKernel({ plugins: [notesPlugin, tagsPlugin] });
  owner = await signUp(t, { tenant: true });
});
afterAll(() => t.close());

const call = (method: string, path: string, body?: unknown) => t.request(method, `/api/v1${path}`, { headers: owner.headers, body });
const enabled = async () =>
  Object.fromEntries(((await call('GET', '/marketplace')).body.data as { name: string; enabled: boolean }[]).map((plugin) => [plugin.name, plugin.enabled]));

describe('concurrent marketplace changes in one tenant', () => {
  it('never leave a plugin enabled without what it requires: enabling tags while disabling notes lets exactly one through', async () => {
    for (let round = 0; round < 10; round++) {
      await t.enable(owner, 'notes');
      const [enableTags, disableNotes] = await Promise.all([call('POST', '/marketplace/tags/enable', {}), call('POST', '/marketplace/notes/disable')]);
      expect([enableTags.status, disableNotes.status].sort()).toEqual([200, 409]);
      const state = await enabled();
      expect(state.tags && !state.notes, `round ${round}: ${JSON.stringify(state)}`).toBe(false);
      if (state.tags) expect((await call('POST', '/marketplace/tags/disable')).status).toBe(200);
    }
  });

  it('never purge a plugin that a concurrent request enables', async () => {
    await t.enable(owner, 'notes');
    expect((await call('POST', '/notes/notes', { title: 'keep me' })).status).toBe(201);
    expect((await call('POST', '/marketplace/notes/disable')).status).toBe(200);
    const [purge, enable] = await Promise.all([call('DELETE', '/marketplace/notes/data?confirm=notes'), call('POST', '/marketplace/notes/enable', {})]);
    expect(enable.status).toBe(200);
    if (purge.status === 204) expect((await call('GET', '/notes/notes')).body.meta.pagination.total).toBe(0);
    else expect(purge.status).toBe(409);
    expect((await enabled()).notes).toBe(true);
  });
});
