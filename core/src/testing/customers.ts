import { randomBytes } from 'node:crypto';
import { ensureCustomer, issueSignInLink } from '../customers/customers.js';
import { runInTenant } from '../db/scoped-db.js';
import type { TestUser } from './fixtures.js';
import type { TestKernel } from './test-kernel.js';

type TenantRow = { id: string; slug: string; name: string };

async function tenantOf(t: TestKernel, tenant: string | TestUser): Promise<TenantRow> {
  const key = typeof tenant === 'string' ? tenant : tenant.tenant?.slug;
  if (!key) throw new Error('t.customer: name a tenant by slug, or pass its owner (signed up with a tenant)');
  const [row] = await t.sql<TenantRow>('select id, slug, name from tenants where slug = lower($1) or id::text = $1', [key]);
  if (!row) throw new Error(`t.customer: no tenant ${key}`);
  return row;
}

/** A fresh single-use sign-in link token of a member of the tenant, as `coreServices.customers.signInLink` makes it. */
export async function signInToken(t: TestKernel, tenant: TenantRow, userId: string, next = `/c/${tenant.slug}/account`): Promise<string> {
  const link = await runInTenant(t.kernel.services.database, tenant.id, (db) =>
    issueSignInLink(db, { tenantSlug: tenant.slug, publicUrl: t.url, userId, next }),
  );
  if (!link) throw new Error(`user ${userId} is not a member of ${tenant.slug}`);
  return new URL(link).searchParams.get('token')!;
}

/**
 * A customer of a tenant (its slug, or its owner): the account `coreServices.customers.ensure` makes, signed in
 * through a real sign-in link redeemed at `POST /api/v1/customers/auth/verify`. `headers` carry the bearer token
 * and name the tenant; the customer has no password (`password` is empty).
 */
export async function testCustomer(t: TestKernel, tenant: string | TestUser, email?: string): Promise<TestUser> {
  const row = await tenantOf(t, tenant);
  const address = email ?? `customer-${process.pid}-${randomBytes(4).toString('hex')}@example.test`;
  const { database } = t.kernel.services;
  const { userId } = await runInTenant(database, row.id, (db) => ensureCustomer(database, db, { email: address }));
  const token = await signInToken(t, row, userId);
  const redeemed = await t.request('POST', '/api/v1/customers/auth/verify', { headers: { 'x-tenant': row.slug }, body: { token } });
  if (redeemed.status !== 200) throw new Error(`t.customer: redeeming failed: ${redeemed.status} ${JSON.stringify(redeemed.body)}`);
  const { tokens } = redeemed.body.data;
  return {
    id: userId,
    email: address,
    password: '',
    accessToken: tokens.access_token,
    refreshToken: tokens.refresh_token,
    tenant: row,
    headers: { authorization: `Bearer ${tokens.access_token}`, 'x-tenant': row.slug },
  };
}

/**
 * Signs a member (staff or customer) in on a tenant's pages through a real sign-in link ("Continue" posted): the
 * `plinth_page` cookie, and `headers` (Cookie and a same-site Origin) to send with page requests.
 */
export async function testPageSession(
  t: TestKernel,
  user: { id: string },
  tenant: string | TestUser,
): Promise<{ cookie: string; headers: Record<string, string> }> {
  const row = await tenantOf(t, tenant);
  const token = await signInToken(t, row, user.id);
  const response = await fetch(`${t.url}/c/${row.slug}/account/link`, {
    method: 'POST',
    redirect: 'manual',
    headers: { 'content-type': 'application/x-www-form-urlencoded', origin: t.url },
    body: new URLSearchParams({ token }).toString(),
  });
  const setCookie = response.headers.get('set-cookie') ?? '';
  const cookie = /plinth_page=[^;]+/.exec(setCookie)?.[0];
  if (response.status !== 303 || !cookie) throw new Error(`page sign-in failed: ${response.status} ${await response.text()}`);
  return { cookie, headers: { cookie, origin: t.url } };
}
