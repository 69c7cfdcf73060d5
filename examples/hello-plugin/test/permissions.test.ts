import { addMember, createTestKernel, signUp, type TestKernel, type TestUser } from '@plinth/core/testing';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import hello from '../src/plugin.js';

let t: TestKernel;
let owner: TestUser;
let viewer: TestUser;
let member: TestUser;
beforeAll(async () => {
  t = await createTestKernel({ plugins: [hello] });
  owner = await signUp(t, { tenant: true });
  await t.enable(owner, 'hello');
  [viewer, member] = [await addMember(t, owner, ['viewer']), await addMember(t, owner, ['member'])];
});
afterAll(() => t?.close());

describe('hello permissions', () => {
  it('a viewer reads the greeting and the wall (hello.greetings.view)', async () => {
    expect((await t.request('GET', '/api/v1/hello/greeting', { headers: viewer.headers })).status).toBe(200);
    expect((await t.request('GET', '/api/v1/hello/greetings', { headers: viewer.headers })).status).toBe(200);
  });

  it('a viewer cannot post or remove greetings (hello.greetings.manage)', async () => {
    const posted = await t.request('POST', '/api/v1/hello/greetings', { headers: member.headers, body: { message: 'by a member' } });
    expect(posted.status).toBe(201);
    const denied = await t.request('POST', '/api/v1/hello/greetings', { headers: viewer.headers, body: { message: 'by a viewer' } });
    expect(denied.status).toBe(403);
    expect(denied.body.code).toBe('forbidden');
    expect((await t.request('DELETE', `/api/v1/hello/greetings/${posted.body.data.id}`, { headers: viewer.headers })).status).toBe(403);
    expect((await t.request('GET', '/api/v1/hello/greetings', { headers: owner.headers })).body.meta.pagination.total).toBe(1);
  });

  it('answers plugin_not_enabled to its members once the tenant disables Hello', async () => {
    await t.request('POST', '/api/v1/marketplace/hello/disable', { headers: owner.headers });
    const response = await t.request('GET', '/api/v1/hello/greeting', { headers: member.headers });
    expect(response.status).toBe(404);
    expect(response.body.code).toBe('plugin_not_enabled');
  });
});
