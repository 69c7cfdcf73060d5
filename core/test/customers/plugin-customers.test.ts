// A plugin that makes customers through `coreServices.customers` and serves a page at `/c/:tenant/…`: what plugins
// (shop, LMS) rely on — the service in the caller's transaction, the page cookie as the caller, customer grants.
import { actingUserId, coreServices, definePermissions, definePlugin, rawBody, Reply, tenantPages, Type } from '@plinth/sdk';
import { afterAll, beforeAll, describe, expect, test } from 'vitest';
import { createTestKernel, type TestKernel, type TestUser } from '../../src/testing/index.js';

const shopletPermissions = definePermissions('shoplet', {
  'orders.own': { description: 'See your own orders', grantTo: ['admin', 'customer'] },
  'orders.view': { description: 'See every order', grantTo: ['admin', 'member'] },
});

const shoplet = definePlugin({
  name: 'shoplet',
  version: '1.0.0',
  title: 'Shoplet',
  description: 'Makes customers (for tests)',
  category: 'commerce',
  requires: { core: '>=0.1.0' },
  deps: { customers: coreServices.customers, members: coreServices.members, db: coreServices.db },
  permissions: shopletPermissions,
  migrations: [],
  routes: ({ route }) => [
    route({
      method: 'POST',
      path: '/buyers',
      summary: 'Make a customer and a sign-in link; `fail` rolls the request back',
      public: true,
      schema: {
        body: Type.Object({ email: Type.String({ maxLength: 254 }), next: Type.String({ maxLength: 200 }), fail: Type.Optional(Type.Boolean()) }),
        response: Type.Object({ user_id: Type.String(), created: Type.Boolean(), kind: Type.String(), link: Type.String(), member_kind: Type.String() }),
      },
      errors: [],
      async handler({ deps, body }) {
        const account = await deps.customers.ensure({ email: body.email, name: 'Buyer' });
        const link = await deps.customers.signInLink({ userId: account.userId, next: body.next });
        if (body.fail) throw new Error('the order failed');
        const member = await deps.members.get(account.userId);
        return { user_id: account.userId, created: account.created, kind: account.kind, link, member_kind: member?.kind ?? 'none' };
      },
    }),
    route({
      method: 'GET',
      path: '/mine',
      summary: 'A customer-granted route',
      permission: shopletPermissions['orders.own'],
      schema: { response: Type.Object({ user_id: Type.Union([Type.String(), Type.Null()]) }) },
      errors: [],
      async handler({ ctx }) {
        return { user_id: actingUserId(ctx) };
      },
    }),
    route({
      method: 'GET',
      path: '/all',
      summary: 'A staff route',
      permission: shopletPermissions['orders.view'],
      errors: [],
      async handler() {
        return { ok: true };
      },
    }),
    route({
      method: 'GET',
      path: '/c/:tenant/whoami',
      summary: 'Page: who the caller is',
      public: true,
      root: tenantPages,
      schema: { params: Type.Object({ tenant: Type.String({ maxLength: 100 }) }), response: rawBody('text/plain', 'The caller') },
      errors: [],
      async handler({ ctx }) {
        return Reply.raw(`caller:${actingUserId(ctx) ?? 'anonymous'}`, { contentType: 'text/plain' });
      },
    }),
  ],
});

let t: TestKernel;
let owner: TestUser;

beforeAll(async () => {
  t = await createTestKernel({ plugins: [shoplet], tenants: ['shoplet-a'] });
  owner = t.tenants['shoplet-a']!;
  await t.enable(owner, 'shoplet');
});
afterAll(() => t?.close());

const buy = (body: Record<string, unknown>) => t.request('POST', '/api/v1/shoplet/buyers', { headers: { 'x-tenant': 'shoplet-a' }, body });

describe('coreServices.customers', () => {
  test('ensure makes a customer in the caller’s transaction; a link lands on the tenant’s pages', async () => {
    const failed = await buy({ email: 'rolled@example.test', next: '/c/shoplet-a/learn', fail: true });
    expect(failed.status).toBe(500);
    expect(await t.sql("select m.id from memberships m join users u on u.id = m.user_id where u.email = 'rolled@example.test'")).toEqual([]);
    expect(await t.sql("select l.id from sign_in_links l join users u on u.id = l.user_id where u.email = 'rolled@example.test'")).toEqual([]);

    const made = await buy({ email: 'new@example.test', next: '/c/shoplet-a/learn' });
    expect(made.status).toBe(200);
    expect(made.body.data).toMatchObject({ created: true, kind: 'customer', member_kind: 'customer' });
    expect(made.body.data.link).toMatch(new RegExp(`^${t.url}/c/shoplet-a/account/link\\?token=[A-Za-z0-9_-]+$`));
    const again = await buy({ email: 'NEW@example.test', next: '/c/shoplet-a/learn' });
    expect(again.body.data).toMatchObject({ user_id: made.body.data.user_id, created: false, kind: 'customer' });
    const staff = await buy({ email: owner.email, next: '/c/shoplet-a/learn' });
    expect(staff.body.data).toMatchObject({ user_id: owner.id, kind: 'staff', member_kind: 'staff' });
  });

  test('signInLink refuses a next outside the tenant’s pages', async () => {
    const refused = await buy({ email: 'elsewhere@example.test', next: 'https://evil.example/' });
    expect(refused.status).toBe(500);
    expect(
      await t.sql("select id from users where email = 'elsewhere@example.test' and exists (select 1 from memberships m where m.user_id = users.id)"),
    ).toEqual([]);
  });

  test('the page cookie is the caller of plugin pages; the customer reaches customer-granted routes only', async () => {
    const customer = await t.customer('shoplet-a');
    const anonymous = await fetch(`${t.url}/c/shoplet-a/whoami`);
    expect(await anonymous.text()).toBe('caller:anonymous');
    const { headers } = await t.pageSession(customer, 'shoplet-a');
    expect(await (await fetch(`${t.url}/c/shoplet-a/whoami`, { headers })).text()).toBe(`caller:${customer.id}`);
    const dead = await fetch(`${t.url}/c/shoplet-a/whoami`, { headers: { cookie: 'plinth_page=AAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAA' } });
    expect(await dead.text()).toBe('caller:anonymous');

    const mine = await t.request('GET', '/api/v1/shoplet/mine', { headers: customer.headers });
    expect(mine.body.data).toEqual({ user_id: customer.id });
    expect((await t.request('GET', '/api/v1/shoplet/all', { headers: customer.headers })).status).toBe(403);
  });
});
