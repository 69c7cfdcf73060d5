import { randomBytes } from 'node:crypto';
import { runAsSystem } from '../db/scoped-db.js';
import type { TestKernel } from './test-kernel.js';

/** A signed-up user, with the headers to call the API as them. */
export interface TestUser {
  id: string;
  email: string;
  password: string;
  accessToken: string;
  refreshToken: string;
  /** Tenant created with the user (they own it), when asked for. */
  tenant?: { id: string; slug: string; name: string };
  /** `Authorization` (and `X-Tenant` when the user has a tenant). */
  headers: Record<string, string>;
}

let counter = 0;

/** A unique, valid, uncommon password. */
export function testPassword(): string {
  return `Pl1nth-${randomBytes(6).toString('hex')}`;
}

/**
 * Registers a user through the API; `tenant: true` also creates a tenant they own. The user's email counts as
 * verified, and the verification mail registration sent is taken out of the outbox (tests count the mail a user
 * gets), unless `verified: false`: then the mail with its link is there, and the user is refused on routes that
 * ask for a verified email.
 */
export async function signUp(
  t: TestKernel,
  options: { email?: string; name?: string; tenant?: boolean | { name: string; slug: string }; verified?: boolean } = {},
): Promise<TestUser> {
  const n = `${process.pid}-${++counter}-${randomBytes(2).toString('hex')}`;
  const email = options.email ?? `user-${n}@example.test`;
  const password = testPassword();
  const tenant = options.tenant === true ? { name: `Tenant ${n}`, slug: `t-${n}` } : options.tenant || undefined;
  const response = await t.request('POST', '/api/v1/auth/register', {
    body: { email, password, name: options.name ?? `User ${n}`, ...(tenant ? { tenant } : {}) },
  });
  if (response.status !== 201) throw new Error(`sign-up failed: ${response.status} ${JSON.stringify(response.body)}`);
  const { user, tokens } = response.body.data;
  const created = response.body.data.tenant as TestUser['tenant'];
  if (options.verified !== false) {
    const { database, identity } = t.kernel.services;
    await runAsSystem(database, async (db) => {
      await db.query('update users set email_verified_at = now() where id = $1', [user.id]);
      await db.query('update email_verifications set used_at = now() where user_id = $1 and used_at is null', [user.id]);
      await db.query(`delete from mail_outbox where "to" = $1 and text like '%/verify-email?token=%'`, [email]);
    });
    await identity.forget(user.id);
  }
  return {
    id: user.id,
    email,
    password,
    accessToken: tokens.access_token,
    refreshToken: tokens.refresh_token,
    ...(created ? { tenant: created } : {}),
    headers: { authorization: `Bearer ${tokens.access_token}`, ...(created ? { 'x-tenant': created.slug } : {}) },
  };
}

/** Headers to call a tenant's routes as a user. */
export function asUser(user: Pick<TestUser, 'accessToken'>, tenantSlug?: string): Record<string, string> {
  return { authorization: `Bearer ${user.accessToken}`, ...(tenantSlug ? { 'x-tenant': tenantSlug } : {}) };
}
