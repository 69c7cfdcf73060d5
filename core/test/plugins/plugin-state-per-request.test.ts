import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createCache, type Cache } from '../../src/cache/cache.js';
import { createTestKernel, signUp, type TestKernel, type TestUser } from '../../src/testing/index.js';
import { notesPlugin } from './fixtures/notes-plugin.js';

/** The kernel's cache, counting the lookups of tenants' plugin state (`plugins:<tenant>`): a host on Redis fetches and parses each one. */
function countingCache(): { cache: Cache; lookups: () => number; reset: () => void } {
  const cache = createCache({});
  let lookups = 0;
  const counted = (key: string) => {
    if (key.startsWith('plugins:')) lookups++;
  };
  return {
    cache: {
      ...cache,
      kind: cache.kind,
      counters: cache.counters,
      peek: (key) => (counted(key), cache.peek(key)),
      get: (key) => (counted(key), cache.get(key)),
      getOrLoad: (key, ttlMs, load) => (counted(key), cache.getOrLoad(key, ttlMs, load)),
    },
    lookups: () => lookups,
    reset: () => (lookups = 0),
  };
}

let t: TestKernel;
let owner: TestUser;
const counting = countingCache();
beforeAll(async () => {
  t = await createTestKernel({ plugins: [notesPlugin], services: { cache: () => counting.cache } });
  owner = await signUp(t, { tenant: true });
  await t.enable(owner, 'notes', { maxTitle: 5 });
});
afterAll(() => t.close());

describe("a tenant's plugin state in a request", () => {
  it('is read once per plugin request: the membership, the plugin gate and the handler share it', async () => {
    const call = (method: string, path: string, headers: Record<string, string>, body?: unknown) =>
      t.request(method, `/api/v1/notes${path}`, { headers, body });
    const created = await call('POST', '/notes', owner.headers, { title: 'a long title' });
    expect(created.status).toBe(201);
    // The handler's settings are the state the gate admitted the request with.
    expect(created.body.data.title).toBe('a lon');
    // The note's event and job read the state in their own units of work: let them finish first.
    await t.drainEvents();
    await t.drainJobs();
    counting.reset();
    expect((await call('GET', '/notes', owner.headers)).status).toBe(200);
    expect((await call('GET', `/notes/${created.body.data.id}`, owner.headers)).status).toBe(200);
    expect((await call('GET', '/ping', { 'x-tenant': owner.tenant!.slug })).status).toBe(200);
    expect(counting.lookups()).toBe(3);
  });

  it('still refuses a tenant that has not enabled the plugin', async () => {
    const other = await signUp(t, { tenant: true });
    expect((await t.request('GET', '/api/v1/notes/notes', { headers: other.headers })).body.code).toBe('plugin_not_enabled');
  });
});
