import { randomBytes } from 'node:crypto';
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

/** Registers a user through the API; `tenant: true` also creates a tenant they own. */
export async function signUp(
  t: TestKernel,
  options: { email?: string; name?: string; tenant?: boolean | { name: string; slug: string } } = {},
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
