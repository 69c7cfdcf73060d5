import { createTestKernel, signUp, type TestKernel, type TestUser } from '@plinth/core/testing';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import hello from '../src/plugin.js';

let t: TestKernel;
let owner: TestUser;
beforeAll(async () => {
  t = await createTestKernel({ plugins: [hello] });
  owner = await signUp(t, { tenant: { name: 'Acme', slug: `acme-${process.pid}` } });
  await t.enable(owner, 'hello');
});
afterAll(() => t?.close());

const call = (method: string, path: string, body?: unknown) => t.request(method, `/api/v1/hello${path}`, { headers: owner.headers, body });

describe('hello over HTTP', () => {
  it('greets the tenant with its salutation setting', async () => {
    expect((await call('GET', '/greeting')).body.data).toEqual({ text: 'Hello, Acme!' });
    const saved = await t.request('PUT', '/api/v1/plugins/hello/settings', { headers: owner.headers, body: { salutation: 'Kia ora' } });
    expect(saved.status).toBe(200);
    expect((await call('GET', '/greeting')).body.data).toEqual({ text: 'Kia ora, Acme!' });
  });

  it('refuses settings that do not match the schema', async () => {
    for (const body of [{ salutation: '' }, { salutation: 7 }, { shout: true }]) {
      const response = await t.request('PUT', '/api/v1/plugins/hello/settings', { headers: owner.headers, body });
      expect(response.status, JSON.stringify(body)).toBe(422);
    }
  });

  it('posts greetings, lists them newest first with pagination, and removes one', async () => {
    const first = await call('POST', '/greetings', { message: 'first' });
    expect(first.status).toBe(201);
    expect(first.body.data).toEqual({ id: expect.any(String), message: 'first', author_id: owner.id });
    await call('POST', '/greetings', { message: 'second' });
    await call('POST', '/greetings', { message: 'third' });

    const page = await call('GET', '/greetings?per_page=2');
    expect(page.body.data.map((greeting: { message: string }) => greeting.message)).toEqual(['third', 'second']);
    expect(page.body.meta.pagination).toEqual({ page: 1, per_page: 2, total: 3, total_pages: 2 });

    expect((await call('DELETE', `/greetings/${first.body.data.id}`)).status).toBe(204);
    expect((await call('DELETE', `/greetings/${first.body.data.id}`)).status).toBe(404);
    expect((await call('GET', '/greetings')).body.meta.pagination.total).toBe(2);
  });

  it('refuses bad input with 422', async () => {
    for (const body of [{}, { message: '' }, { message: 'x'.repeat(281) }, { message: 1 }, { message: 'hi', extra: true }]) {
      const response = await call('POST', '/greetings', body);
      expect(response.status, JSON.stringify(body)).toBe(422);
      expect(response.body.code).toBe('validation_failed');
    }
    expect((await call('GET', '/greetings?page=0')).status).toBe(422);
    expect((await call('DELETE', '/greetings/not-a-uuid')).status).toBe(422);
  });

  it('needs a signed-in caller, and the plugin enabled for the tenant', async () => {
    const anonymous = await t.request('GET', '/api/v1/hello/greeting', { headers: { 'x-tenant': owner.tenant!.slug } });
    expect(anonymous.status).toBe(401);
    const other = await signUp(t, { tenant: true });
    const disabled = await t.request('GET', '/api/v1/hello/greeting', { headers: other.headers });
    expect(disabled.status).toBe(404);
    expect(disabled.body.code).toBe('plugin_not_enabled');
  });

  it('has migrations that run down and up again', async () => {
    await t.checkMigrations('hello');
    const fresh = await signUp(t, { tenant: true });
    await t.enable(fresh, 'hello');
    expect((await t.request('GET', '/api/v1/hello/greetings', { headers: fresh.headers })).body.data).toEqual([]);
  });
});
