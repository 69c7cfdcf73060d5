import { definePlugin } from '@plinth/sdk';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createTestKernel, signUp, type TestKernel, type TestUser } from '../../src/testing/index.js';

/**
 * A plugin whose routes lie in two segments (`/things/…`, `/others`) and at none (`/`, `/:kind/list`, `/:kind/:id`),
 * registered in an order that mixes them: each answer names the route that served it.
 */
const routesPlugin = definePlugin({
  name: 'routing',
  version: '1.0.0',
  title: 'Routing',
  description: 'Routes in segments and out of them',
  category: 'test',
  requires: { core: '^0.1.0' },
  routes: ({ route }) => {
    const served = (name: string) => async () => ({ served: name });
    const at = (method: 'GET' | 'DELETE' | 'POST', path: string) =>
      route({ method, path, summary: `${method} ${path}`, public: true, handler: served(`${method} ${path}`) });
    return [at('GET', '/:kind/list'), at('GET', '/things/:id'), at('DELETE', '/things/:id'), at('GET', '/'), at('GET', '/others'), at('POST', '/:kind/:id')];
  },
});

let t: TestKernel;
let owner: TestUser;
beforeAll(async () => {
  t = await createTestKernel({ plugins: [routesPlugin] });
  owner = await signUp(t, { tenant: true });
  await t.enable(owner, 'routing');
});
afterAll(() => t.close());

const call = async (method: string, path: string) => {
  const answer = await t.request(method, `/api/v1/routing${path}`, { headers: { 'x-tenant': owner.tenant!.slug } });
  return { status: answer.status, served: answer.body?.data?.served as string | undefined, allow: answer.headers.get('allow') };
};

describe("a plugin's routes, found by the segment after the plugin's name", () => {
  it('serves the routes of a segment, of another segment, and of none', async () => {
    expect(await call('GET', '/things/7')).toMatchObject({ status: 200, served: 'GET /things/:id' });
    expect(await call('DELETE', '/things/7')).toMatchObject({ status: 200, served: 'DELETE /things/:id' });
    expect(await call('GET', '/others')).toMatchObject({ status: 200, served: 'GET /others' });
    expect(await call('GET', '')).toMatchObject({ status: 200, served: 'GET /' });
    expect(await call('GET', '/shelves/list')).toMatchObject({ status: 200, served: 'GET /:kind/list' });
    // The plugin's routes with no fixed first segment are tried after a segment's own, for that segment's paths too.
    expect(await call('POST', '/things/7')).toMatchObject({ status: 200, served: 'POST /:kind/:id' });
    // A route of a fixed segment is tried first, though registered after one that matches the same path.
    expect(await call('GET', '/things/list')).toMatchObject({ status: 200, served: 'GET /things/:id' });
    // Paths match whatever their case, as before.
    expect(await call('GET', '/THINGS/7')).toMatchObject({ status: 200, served: 'GET /things/:id' });
  });

  it('answers 405 with the methods of both kinds of routes, and 404 for a path none serves', async () => {
    const refused = await call('PUT', '/things/7');
    expect(refused.status).toBe(405);
    expect(refused.allow?.split(/,\s*/).sort()).toEqual(['DELETE', 'GET', 'HEAD', 'POST']);
    expect((await call('GET', '/things/7/more')).status).toBe(404);
    expect((await call('GET', '/nothing')).status).toBe(404);
  });
});
