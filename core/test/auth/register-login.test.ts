import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createTestKernel, signUp, testPassword, type TestKernel } from '../../src/testing/index.js';

let t: TestKernel;
beforeAll(async () => {
  t = await createTestKernel();
});
afterAll(() => t.close());

describe('POST /auth/register', () => {
  it('creates a user and a tenant they own, with tokens', async () => {
    const password = testPassword();
    const response = await t.request('POST', '/api/v1/auth/register', {
      body: { email: 'Ada@Example.test', password, name: 'Ada', tenant: { name: 'Ada School', slug: 'ada-school' } },
    });
    expect(response.status).toBe(201);
    const { user, tenant, tokens } = response.body.data;
    expect(user).toMatchObject({ email: 'Ada@Example.test', name: 'Ada', status: 'active' });
    expect(user.password_hash).toBeUndefined();
    expect(tenant).toMatchObject({ slug: 'ada-school', name: 'Ada School', status: 'active' });
    expect(tokens).toMatchObject({ token_type: 'Bearer', expires_in: 900 });
    const me = await t.request('GET', '/api/v1/me', { headers: { authorization: `Bearer ${tokens.access_token}` } });
    expect(me.status).toBe(200);
    expect(me.body.data.memberships).toEqual([{ tenant: expect.objectContaining({ slug: 'ada-school' }), roles: ['owner'], kind: 'staff' }]);
  });

  it('refuses a taken email (any case) and a taken slug, writing nothing', async () => {
    const first = await signUp(t, { tenant: true });
    const again = await t.request('POST', '/api/v1/auth/register', { body: { email: first.email.toUpperCase(), password: testPassword(), name: 'X' } });
    expect(again.status).toBe(409);
    expect(again.body.errors.email).toBeDefined();
    const email = `slug-clash-${Date.now()}@example.test`;
    const clash = await t.request('POST', '/api/v1/auth/register', {
      body: { email, password: testPassword(), name: 'Y', tenant: { name: 'Z', slug: first.tenant!.slug } },
    });
    expect(clash.status).toBe(409);
    const retry = await t.request('POST', '/api/v1/auth/register', { body: { email, password: testPassword(), name: 'Y' } });
    expect(retry.status).toBe(201);
  });

  it.each([
    [{ email: 'not-an-email', password: 'x7-long-enough-pw', name: 'A' }, 'email'],
    [{ email: 'a@example.test', password: 'short', name: 'A' }, 'password'],
    [{ email: 'a@example.test', password: 'password1', name: 'A' }, 'password'],
    [{ email: 'a@example.test', password: 'x'.repeat(129), name: 'A' }, 'password'],
    [{ email: 'a@example.test', password: 'x7-long-enough-pw' }, 'name'],
    [{ email: 'a@example.test', password: 'x7-long-enough-pw', name: 'A', is_super_admin: true }, 'is_super_admin'],
    [{ email: 'a@example.test', password: 'x7-long-enough-pw', name: 'A', tenant: { name: 'T', slug: 'Bad Slug' } }, 'tenant.slug'],
  ])('answers 422 naming the field for %o', async (body, field) => {
    const response = await t.request('POST', '/api/v1/auth/register', { body });
    expect(response.status).toBe(422);
    expect(response.body.code).toBe('validation_failed');
    expect(Object.keys(response.body.errors)).toContain(field);
  });
});

describe('POST /auth/login', () => {
  it('signs in with the right password, any email case', async () => {
    const user = await signUp(t);
    const response = await t.request('POST', '/api/v1/auth/login', { body: { email: user.email.toUpperCase(), password: user.password } });
    expect(response.status).toBe(200);
    expect(response.body.data.user.id).toBe(user.id);
    expect(response.body.data.tokens.access_token).toBeTruthy();
  });

  it('gives the same answer for a wrong password and an unknown email', async () => {
    const user = await signUp(t);
    const wrong = await t.request('POST', '/api/v1/auth/login', { body: { email: user.email, password: 'not-the-password' } });
    const unknown = await t.request('POST', '/api/v1/auth/login', { body: { email: `nobody-${Date.now()}@example.test`, password: 'not-the-password' } });
    expect(wrong.status).toBe(401);
    expect(unknown.status).toBe(401);
    expect(wrong.body.message).toBe(unknown.body.message);
    expect(wrong.body.code).toBe('unauthenticated');
  });
});
