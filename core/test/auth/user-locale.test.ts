import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createTestKernel, signUp, type TestKernel, type TestUser } from '../../src/testing/index.js';

// A user's console language: null until chosen, set and cleared with PATCH /me, shown by GET /me, canonical,
// and only in a language the host supports.

let t: TestKernel;
let user: TestUser;
let other: TestUser;

beforeAll(async () => {
  t = await createTestKernel();
  user = await signUp(t, { tenant: true });
  other = await signUp(t, { tenant: true });
});
afterAll(() => t?.close());

const me = (who: TestUser) => t.request('GET', '/api/v1/me', { headers: who.headers });
const patchMe = (who: TestUser, body: unknown) => t.request('PATCH', '/api/v1/me', { headers: who.headers, body });

describe('users.locale', () => {
  it('is null until the user chooses a language', async () => {
    const response = await me(user);
    expect(response.status).toBe(200);
    expect(response.body.data.locale).toBeNull();
  });

  it('is set in canonical form, shown by GET /me, kept when only the name changes, and cleared with null', async () => {
    const set = await patchMe(user, { locale: 'AR-eg' });
    expect(set.status, JSON.stringify(set.body)).toBe(200);
    expect(set.body.data.locale).toBe('ar-EG');
    expect((await me(user)).body.data.locale).toBe('ar-EG');

    const renamed = await patchMe(user, { name: 'Lina' });
    expect(renamed.status).toBe(200);
    expect(renamed.body.data).toMatchObject({ name: 'Lina', locale: 'ar-EG' });

    // Another user's choice is their own.
    expect((await me(other)).body.data.locale).toBeNull();

    const cleared = await patchMe(user, { locale: null });
    expect(cleared.status).toBe(200);
    expect(cleared.body.data).toMatchObject({ name: 'Lina', locale: null });
    expect((await me(user)).body.data.locale).toBeNull();
  });

  it('refuses a language the host does not support, or a tag that is not BCP 47, with a 422 naming locale', async () => {
    await patchMe(user, { locale: 'en' });
    for (const locale of ['fr-FR', 'not a tag', 'x']) {
      const response = await patchMe(user, { locale });
      expect(response.status, locale).toBe(422);
      expect(response.body.code).toBe('validation_failed');
      expect(Object.keys(response.body.errors)).toEqual(['locale']);
    }
    const wrongType = await patchMe(user, { locale: 42 });
    expect(wrongType.status).toBe(422);
    // Nothing changed.
    expect((await me(user)).body.data.locale).toBe('en');
  });
});
