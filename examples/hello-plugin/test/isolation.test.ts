import { createTestKernel, signUp, type TestKernel, type TestUser } from '@plinth/core/testing';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import hello from '../src/plugin.js';

let t: TestKernel;
let a: TestUser;
let b: TestUser;
beforeAll(async () => {
  t = await createTestKernel({ plugins: [hello] });
  [a, b] = await Promise.all([signUp(t, { tenant: true }), signUp(t, { tenant: true })]);
  await t.enable(a, 'hello');
  await t.enable(b, 'hello');
});
afterAll(() => t?.close());

describe('hello tenant isolation', () => {
  it("tenant B sees, greets and removes nothing of tenant A's", async () => {
    const ofA = await t.request('POST', '/api/v1/hello/greetings', { headers: a.headers, body: { message: 'only for A' } });
    expect(ofA.status).toBe(201);

    const wallOfB = await t.request('GET', '/api/v1/hello/greetings', { headers: b.headers });
    expect(wallOfB.body.data).toEqual([]);
    expect(wallOfB.body.meta.pagination.total).toBe(0);
    expect((await t.request('DELETE', `/api/v1/hello/greetings/${ofA.body.data.id}`, { headers: b.headers })).status).toBe(404);

    const wallOfA = await t.request('GET', '/api/v1/hello/greetings', { headers: a.headers });
    expect(wallOfA.body.data.map((greeting: { id: string }) => greeting.id)).toEqual([ofA.body.data.id]);
  });

  it("keeps each tenant's settings to itself", async () => {
    await t.request('PUT', '/api/v1/plugins/hello/settings', { headers: a.headers, body: { salutation: 'Ahoy' } });
    expect((await t.request('GET', '/api/v1/hello/greeting', { headers: a.headers })).body.data.text).toMatch(/^Ahoy, /);
    expect((await t.request('GET', '/api/v1/hello/greeting', { headers: b.headers })).body.data.text).toMatch(/^Hello, /);
  });

  it("refuses B's user on A's tenant", async () => {
    const response = await t.request('GET', '/api/v1/hello/greetings', { headers: { ...b.headers, 'x-tenant': a.tenant!.slug } });
    expect(response.status).toBe(403);
  });
});
