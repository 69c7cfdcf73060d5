import { randomUUID } from 'node:crypto';
import pg from 'pg';
import { afterAll, beforeAll, describe, expect, it, vi } from 'vitest';
import type * as passwords from '../../src/auth/passwords.js';
import { sha256 } from '../../src/crypto/secrets.js';
import { createTestKernel, signUp, testPassword, type TestKernel } from '../../src/testing/index.js';
import { invite } from '../tenancy/tenant-admin-helpers.js';
import { asSignedIn, freshIp, systemQuery, trustProxyEnv } from './auth-helpers.js';

// Each password hash and check runs `during` first (when set): what the database looks like while a request hashes.
const hooks = vi.hoisted(() => ({ during: undefined as (() => Promise<void>) | undefined }));
vi.mock('../../src/auth/passwords.js', async (importOriginal) => {
  const real = await importOriginal<typeof passwords>();
  const first = async <T>(work: () => Promise<T>) => {
    await hooks.during?.();
    return work();
  };
  return {
    ...real,
    hashPassword: (password: string) => first(() => real.hashPassword(password)),
    verifyPassword: (hash: string | null, password: string) => first(() => real.verifyPassword(hash, password)),
  };
});

let t: TestKernel;
let probe: pg.Client;
beforeAll(async () => {
  t = await createTestKernel({ env: trustProxyEnv });
  probe = new pg.Client({ connectionString: t.database.url });
  await probe.connect();
});
afterAll(async () => {
  await probe?.end();
  await t?.close();
});

/**
 * Runs `request` and, at each password hash or check it makes, whether the row `lockSql` selects can be locked at once
 * (`nowait`): a request holding it (and so a transaction and a connection) while it hashes makes that false.
 */
async function lockableWhileHashing(lockSql: string, values: unknown[], request: () => Promise<{ status: number }>) {
  const lockable: boolean[] = [];
  hooks.during = async () => {
    await probe.query('begin');
    try {
      lockable.push((await probe.query(`${lockSql} for update nowait`, values)).rowCount === 1);
    } catch (error) {
      if ((error as { code?: string }).code !== '55P03') throw error;
      lockable.push(false);
    } finally {
      await probe.query('rollback');
    }
  };
  try {
    return { response: await request(), lockable };
  } finally {
    hooks.during = undefined;
  }
}

describe('password hashing runs outside the request’s transaction', () => {
  it('accepting an invitation as a new user hashes before the invitation is locked', async () => {
    const owner = await signUp(t, { tenant: true });
    const token = await invite(t, owner, `invitee-${randomUUID()}@example.test`, ['viewer']);
    const { response, lockable } = await lockableWhileHashing('select 1 from invitations where token_hash = $1', [sha256(token)], () =>
      t.request('POST', '/api/v1/invitations/accept', { body: { token, name: 'New Person', password: testPassword() } }),
    );
    expect(response.status).toBe(201);
    expect(lockable).toEqual([true]);
  });

  it('a reset link hashes the new password before the link is locked, and a link used meanwhile is refused', async () => {
    const user = await signUp(t);
    const resetToken = async () => {
      const token = randomUUID();
      await systemQuery(t, "insert into password_resets (user_id, token_hash, expires_at) values ($1, $2, now() + interval '1 hour')", [
        user.id,
        sha256(token),
      ]);
      return token;
    };
    const reset = (token: string, password: string) => t.request('POST', '/api/v1/auth/password/reset', { body: { token, password }, headers: freshIp() });
    const token = await resetToken();
    const { response, lockable } = await lockableWhileHashing('select 1 from password_resets where token_hash = $1', [sha256(token)], () =>
      reset(token, testPassword()),
    );
    expect(response.status).toBe(204);
    expect(lockable).toEqual([true]);

    // Used by another request while this one hashed: refused, and its password is not the one set.
    const raced = await resetToken();
    hooks.during = () => systemQuery(t, 'update password_resets set used_at = now() where token_hash = $1', [sha256(raced)]).then(() => undefined);
    const late = await reset(raced, 'a-late-password-9137').finally(() => (hooks.during = undefined));
    expect(late.status).toBe(422);
    expect(late.body.errors.token).toBeDefined();
    expect((await t.request('POST', '/api/v1/auth/login', { body: { email: user.email, password: 'a-late-password-9137' } })).status).toBe(401);
  });

  it('changing one’s password checks and hashes with nothing locked, and refuses when it changed meanwhile', async () => {
    const user = await signUp(t);
    const change = (current: string, next: string) =>
      t.request('POST', '/api/v1/me/password', { headers: asSignedIn(user), body: { current_password: current, new_password: next } });
    const { response, lockable } = await lockableWhileHashing('select 1 from users where id = $1', [user.id], () =>
      change(user.password, 'a-new-password-5521'),
    );
    expect(response.status).toBe(204);
    expect(lockable).toEqual([true, true]);

    // Another session sets a password while this change checks the current one: this change is refused, theirs stays.
    const [{ password_hash: theirs } = { password_hash: '' }] = await systemQuery<{ password_hash: string }>(
      t,
      'select password_hash from users where id = $1',
      [user.id],
    );
    hooks.during = async () => {
      hooks.during = undefined;
      await systemQuery(t, 'update users set password_hash = $2 where id = $1', [user.id, `${theirs}-theirs`]);
    };
    const raced = await change('a-new-password-5521', 'another-password-7714').finally(() => (hooks.during = undefined));
    expect(raced.status).toBe(409);
    expect(await systemQuery(t, 'select password_hash from users where id = $1', [user.id])).toEqual([{ password_hash: `${theirs}-theirs` }]);
  });
});
