import { afterAll, beforeAll, describe, expect, test, vi } from 'vitest';
import { ensureCustomer, issueSignInLink } from '../../src/customers/customers.js';
import { runInTenant } from '../../src/db/scoped-db.js';
import { coreRoutes } from '../../src/http/core-routes.js';
import { addMember, createTestKernel, type TestKernel, type TestUser } from '../../src/testing/index.js';
import { codeFor, turnOnTwoFactor, wrongCodeFor } from '../auth/auth-helpers.js';

let t: TestKernel;
let owner: TestUser;
let otherOwner: TestUser;
let customer: TestUser;

beforeAll(async () => {
  t = await createTestKernel({ tenants: ['cust-a', 'cust-b'] });
  owner = t.tenants['cust-a']!;
  otherOwner = t.tenants['cust-b']!;
  customer = await t.customer(owner, 'buyer@example.test');
});
afterAll(() => t?.close());

const page = (path: string, init: RequestInit = {}) => fetch(`${t.url}${path}`, { redirect: 'manual', ...init });
const form = (fields: Record<string, string>, headers: Record<string, string> = {}): RequestInit => ({
  method: 'POST',
  headers: { 'content-type': 'application/x-www-form-urlencoded', ...headers },
  body: new URLSearchParams(fields).toString(),
});
const tenantId = (user: TestUser) => user.tenant!.id;
const linkToken = async (user: { id: string }, tenant: TestUser, next = `/c/${tenant.tenant!.slug}/account`) => {
  const link = await runInTenant(t.kernel.services.database, tenantId(tenant), (db) =>
    issueSignInLink(db, { tenantSlug: tenant.tenant!.slug, publicUrl: t.url, userId: user.id, next }),
  );
  return new URL(link!).searchParams.get('token')!;
};

describe('customers are not staff', () => {
  test('a customer token reaches no core route with permission or staff-only member access (every one counted)', async () => {
    const staffRoutes = coreRoutes.filter((route) => 'permission' in route.access || ('member' in route.access && route.access.member === true));
    const answers: string[] = [];
    for (const route of staffRoutes) {
      const path = route.path.replace(/:[A-Za-z_]+/g, '00000000-0000-4000-8000-000000000000');
      const response = await t.request(route.method, `/api/v1${path}`, { headers: customer.headers, ...(route.method === 'GET' ? {} : { body: {} }) });
      if (response.status !== 403) answers.push(`${route.method} ${route.path}: ${response.status}`);
    }
    expect(staffRoutes.length).toBeGreaterThan(30);
    expect(answers).toEqual([]);
  });

  test('a customer sees their own permissions and membership kind', async () => {
    const mine = await t.request('GET', '/api/v1/me/permissions', { headers: customer.headers });
    expect(mine.status).toBe(200);
    expect(mine.body.data.roles).toEqual(['customer']);
    const me = await t.request('GET', '/api/v1/me', { headers: customer.headers });
    expect(me.body.data.memberships).toEqual([{ tenant: expect.objectContaining({ slug: 'cust-a' }), roles: ['customer'], kind: 'customer' }]);
  });

  test('customers are not listed, not counted and cannot be given staff roles; staff cannot get the customer role', async () => {
    const members = await t.request('GET', '/api/v1/members?per_page=100', { headers: owner.headers });
    expect(members.body.data.map((member: { user_id: string }) => member.user_id)).not.toContain(customer.id);
    expect((await t.request('GET', `/api/v1/members/${customer.id}`, { headers: owner.headers })).status).toBe(404);

    const roles = (await t.request('GET', '/api/v1/roles?per_page=100', { headers: owner.headers })).body.data as { id: string; name: string }[];
    const roleId = (name: string) => roles.find((role) => role.name === name)!.id;
    const promote = await t.request('PATCH', `/api/v1/members/${customer.id}`, { headers: owner.headers, body: { roles: [roleId('admin')] } });
    expect(promote.status).toBe(409);
    const staff = await addMember(t, owner, ['member']);
    const demote = await t.request('PATCH', `/api/v1/members/${staff.id}`, { headers: owner.headers, body: { roles: [roleId('customer')] } });
    expect(demote.status).toBe(422);
    const invite = await t.request('POST', '/api/v1/invitations', { headers: owner.headers, body: { email: 'x@example.test', roles: [roleId('customer')] } });
    expect(invite.status).toBe(422);
    const held = await t.sql<{ name: string; kind: string }>(
      'select r.name, m.kind from memberships m join membership_roles mr on mr.membership_id = m.id join roles r on r.id = mr.role_id where m.user_id = any($1::uuid[]) order by r.name',
      [[customer.id, staff.id]],
    );
    expect(held).toEqual([
      { name: 'customer', kind: 'customer' },
      { name: 'member', kind: 'staff' },
    ]);
    expect(await t.sql('select 1 from invitations where email = $1', ['x@example.test'])).toEqual([]);
  });

  test('another tenant sees nothing of the customers, their links or sessions', async () => {
    const members = await t.request('GET', '/api/v1/members?per_page=100', { headers: otherOwner.headers });
    expect(members.body.data.map((member: { email: string }) => member.email)).not.toContain(customer.email);
    await t.pageSession(customer, owner);
    const seen = await runInTenant(t.kernel.services.database, tenantId(otherOwner), async (db) => ({
      accounts: await db.query('select user_id from tenant_accounts where user_id = $1', [customer.id]),
      links: await db.query('select id from sign_in_links'),
      sessions: await db.query('select id from page_sessions'),
    }));
    expect(seen).toEqual({ accounts: [], links: [], sessions: [] });
  });
});

describe('customers.ensure', () => {
  test('concurrent calls for a new email make one user and one membership', async () => {
    const { database } = t.kernel.services;
    const email = 'Racer@Example.test';
    const results = await Promise.all(
      Array.from({ length: 6 }, (_, index) =>
        runInTenant(database, tenantId(owner), (db) => ensureCustomer(database, db, { email: index % 2 ? email.toLowerCase() : email, name: 'Racer' })),
      ),
    );
    expect(new Set(results.map((result) => result.userId)).size).toBe(1);
    expect(results.filter((result) => result.created)).toHaveLength(1);
    expect(results.every((result) => result.kind === 'customer')).toBe(true);
    expect(await t.sql('select id from users where lower(email) = $1', ['racer@example.test'])).toHaveLength(1);
    const memberships = await t.sql<{ kind: string; roles: number }>(
      'select m.kind, (select count(*)::int from membership_roles mr where mr.membership_id = m.id) as roles from memberships m where m.user_id = $1',
      [results[0]!.userId],
    );
    expect(memberships).toEqual([{ kind: 'customer', roles: 1 }]);
  });

  test('staff keep their membership; a passwordless customer cannot sign in with a password', async () => {
    const { database } = t.kernel.services;
    const staff = await runInTenant(database, tenantId(owner), (db) => ensureCustomer(database, db, { email: owner.email }));
    expect(staff).toEqual({ userId: owner.id, created: false, kind: 'staff' });
    const login = await t.request('POST', '/api/v1/auth/login', { body: { email: customer.email, password: 'anything-at-all' } });
    expect(login.status).toBe(401);
  });
});

describe('sign-in links', () => {
  test('a link works once, on its own tenant only, and not after it expires', async () => {
    const token = await linkToken(customer, owner);
    const elsewhere = await t.request('POST', '/api/v1/customers/auth/verify', { headers: { 'x-tenant': 'cust-b' }, body: { token } });
    expect(elsewhere.status).toBe(422);
    expect((await page(`/c/cust-b/account/link?token=${token}`)).status).toBe(410);
    const first = await t.request('POST', '/api/v1/customers/auth/verify', { headers: { 'x-tenant': 'cust-a' }, body: { token } });
    expect(first.status).toBe(200);
    expect(first.body.data.user.id).toBe(customer.id);
    const again = await t.request('POST', '/api/v1/customers/auth/verify', { headers: { 'x-tenant': 'cust-a' }, body: { token } });
    expect(again.status).toBe(422);

    const expiring = await linkToken(customer, owner);
    await t.sql("update sign_in_links set expires_at = now() - interval '1 second' where used_at is null");
    expect((await page(`/c/cust-a/account/link?token=${expiring}`)).status).toBe(410);
    const late = await page('/c/cust-a/account/link', form({ token: expiring }));
    expect(late.status).toBe(410);
    expect(await late.text()).toContain('expired');
  });

  test('opening a link uses nothing up; Continue signs in and lands on next, never outside the tenant', async () => {
    const token = await linkToken(customer, owner, '/c/cust-a/learn/abc');
    expect((await page(`/c/cust-a/account/link?token=${token}`)).status).toBe(200);
    expect((await page(`/c/cust-a/account/link?token=${token}`)).status).toBe(200);
    const redeemed = await page('/c/cust-a/account/link', form({ token }));
    expect(redeemed.status).toBe(303);
    expect(redeemed.headers.get('location')).toBe('/c/cust-a/learn/abc');
    expect(redeemed.headers.get('set-cookie')).toMatch(/^plinth_page=[^;]+; Path=\/c\/cust-a; HttpOnly; SameSite=Lax/);

    for (const next of [
      '/c/cust-b/account',
      'https://evil.example/c/cust-a/',
      '//evil.example/c/cust-a/x',
      '/c/cust-a/../cust-b/x',
      '/c/cust-a\\x',
      '/c/cust-a/%2e%2e/cust-b/x',
    ]) {
      const outside = await linkToken(customer, owner, next);
      const answer = await page('/c/cust-a/account/link', form({ token: outside }));
      expect(answer.headers.get('location'), next).toBe('/c/cust-a/account');
    }
  });

  test('asking for a link answers the same for known and unknown emails, and mails only the known one', async () => {
    const ask = (email: string) =>
      t.request('POST', '/api/v1/customers/auth/magic-link', { headers: { 'x-tenant': 'cust-a' }, body: { email, next: '/c/cust-a/learn' } });
    const known = await ask(customer.email);
    const unknown = await ask('nobody-here@example.test');
    const strip = (body: { meta?: unknown }) => ({ ...body, meta: undefined });
    expect([known.status, unknown.status]).toEqual([202, 202]);
    expect(strip(known.body)).toEqual(strip(unknown.body));
    const pageKnown = await page('/c/cust-a/account/sign-in', form({ method: 'link', email: customer.email }));
    const pageUnknown = await page('/c/cust-a/account/sign-in', form({ method: 'link', email: 'nobody-here@example.test' }));
    expect([pageKnown.status, pageUnknown.status]).toEqual([200, 200]);
    expect((await pageKnown.text()).replace(customer.email, 'E')).toBe((await pageUnknown.text()).replace('nobody-here@example.test', 'E'));
    // The mails leave after the commit, unawaited (a known email must not answer slower): wait for them, bounded.
    const mails = await vi.waitFor(
      async () => {
        const sent = await t.mailbox(customer.email);
        expect(sent.length).toBeGreaterThanOrEqual(2);
        return sent;
      },
      { timeout: 5000, interval: 20 },
    );
    expect(mails.at(-1)!.subject).toMatch(/sign in/i);
    expect(mails.at(-1)!.text).toMatch(/\/c\/cust-a\/account\/link\?token=/);
    expect(await t.mailbox('nobody-here@example.test')).toEqual([]);
  });

  test('a link does not skip two-step sign-in: Continue asks for the code, and the link waits for it', async () => {
    const staff = await addMember(t, owner, ['member']);
    const { secret } = await turnOnTwoFactor(t, staff);
    const token = await linkToken(staff, owner);
    const asked = await page('/c/cust-a/account/link', form({ token }));
    expect(asked.status).toBe(200);
    expect(await asked.text()).toContain('name="otp"');
    const wrong = await page('/c/cust-a/account/link', form({ token, otp: wrongCodeFor(secret) }));
    expect(wrong.status).toBe(401);
    expect(await t.sql('select used_at from sign_in_links where user_id = $1', [staff.id])).toEqual([{ used_at: null }]);
    const signedIn = await page('/c/cust-a/account/link', form({ token, otp: codeFor(secret, 1) }));
    expect(signedIn.status).toBe(303);

    const json = await linkToken(staff, owner);
    const noCode = await t.request('POST', '/api/v1/customers/auth/verify', { headers: { 'x-tenant': 'cust-a' }, body: { token: json } });
    expect([noCode.status, noCode.body.code]).toEqual([401, 'otp_required']);
  });

  test('bad input to the link routes is a clear 4xx and changes nothing', async () => {
    const before = await t.sql('select count(*)::int as n from sign_in_links');
    expect((await t.request('POST', '/api/v1/customers/auth/magic-link', { headers: { 'x-tenant': 'cust-a' }, body: { email: 'not-an-email' } })).status).toBe(
      422,
    );
    expect((await t.request('POST', '/api/v1/customers/auth/magic-link', { body: { email: customer.email } })).status).toBe(400);
    expect((await t.request('POST', '/api/v1/customers/auth/verify', { headers: { 'x-tenant': 'cust-a' }, body: {} })).status).toBe(422);
    expect((await page('/c/cust-a/account/sign-in', form({ method: 'link', email: 'nope' }))).status).toBe(422);
    expect((await page('/c/no-such-tenant/account/sign-in')).status).toBe(404);
    expect(await t.sql('select count(*)::int as n from sign_in_links')).toEqual(before);
  });
});

describe('page sessions', () => {
  test('the cookie signs in on its own tenant only', async () => {
    const { headers } = await t.pageSession(customer, owner);
    const mine = await page('/c/cust-a/account', { headers });
    expect(mine.status).toBe(200);
    expect(await mine.text()).toContain(customer.email);
    const other = await page('/c/cust-b/account', { headers });
    expect(other.status).toBe(303);
    expect(other.headers.get('location')).toMatch(/^\/c\/cust-b\/account\/sign-in\?next=/);
  });

  test('a state-changing request without a same-site Origin is 403; sign-out ends the session at once', async () => {
    const { cookie, headers } = await t.pageSession(customer, owner);
    const crossSite = await page('/c/cust-a/account/sign-out', form({}, { cookie, origin: 'https://evil.example' }));
    expect(crossSite.status).toBe(403);
    const noOrigin = await page('/c/cust-a/account/sign-out', form({}, { cookie }));
    expect(noOrigin.status).toBe(403);
    expect((await page('/c/cust-a/account', { headers })).status).toBe(200);

    const signedOut = await page('/c/cust-a/account/sign-out', form({}, headers));
    expect(signedOut.status).toBe(303);
    expect(signedOut.headers.get('set-cookie')).toMatch(/^plinth_page=; .*Max-Age=0/);
    expect((await page('/c/cust-a/account', { headers })).status).toBe(303);
  });

  test('email and password sign in on the pages for a member of the tenant only', async () => {
    const wrong = await page('/c/cust-a/account/sign-in', form({ method: 'password', email: owner.email, password: 'not-the-password' }));
    expect(wrong.status).toBe(401);
    const right = await page('/c/cust-a/account/sign-in', form({ method: 'password', email: owner.email, password: owner.password, next: '/c/cust-a/x' }));
    expect(right.status).toBe(303);
    expect(right.headers.get('location')).toBe('/c/cust-a/x');
    const notMember = await page('/c/cust-b/account/sign-in', form({ method: 'password', email: owner.email, password: owner.password }));
    expect(notMember.status).toBe(401);
  });
});
