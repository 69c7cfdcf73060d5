import bioSites from '@plinth/plugin-bio-sites';
import crm from '@plinth/plugin-crm';
import integrations from '@plinth/plugin-integrations';
import lms from '@plinth/plugin-lms';
import payments from '@plinth/plugin-payments';
import shop from '@plinth/plugin-shop';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { addMember, createTestKernel, signUp, type TestKernel, type TestUser } from '../../src/testing/index.js';

// Least privilege of the built-in roles over every first-party plugin (issue 19): customer data — CRM contacts and
// campaigns, shop orders and customers, payments, learners' enrolments and reports, bio-site subscribers — is the
// admins' by default; `member` and `viewer` keep what is not customer data (products, courses, their own learning).

/** Permissions guarding customer data, by plugin: every route they guard answers 403 to `member` and `viewer`. */
const customerData: Record<string, (name: string) => boolean> = {
  crm: (name) => name.startsWith('crm.'),
  shop: (name) => ['shop.orders.view', 'shop.orders.manage', 'shop.orders.refund'].includes(name),
  payments: (name) => name.startsWith('payments.'),
  lms: (name) => ['lms.enrollments.view', 'lms.enrollments.manage', 'lms.reports.view', 'lms.guardians.manage'].includes(name),
  'bio-sites': (name) => name === 'bio-sites.subscribers.manage',
};
const isCustomerData = (name: string) => Object.values(customerData).some((test) => test(name));

interface GuardedRoute {
  method: string;
  path: string;
  permission: string;
}

let t: TestKernel;
let owner: TestUser;
let guarded: GuardedRoute[];
/** Every route of core and the plugins whose permission the `customer` role does not hold. */
let staffRoutes: GuardedRoute[];
const customerGrants = new Set(['lms.learning.access', 'shop.orders.own']);

beforeAll(async () => {
  t = await createTestKernel({ plugins: [payments, shop, crm, lms, bioSites, integrations] });
  owner = await signUp(t, { tenant: true });
  for (const plugin of ['payments', 'shop', 'crm', 'lms', 'bio-sites', 'integrations']) await t.enable(owner, plugin);
  const document = await t.request('GET', '/api/v1/openapi.json', { headers: owner.headers });
  expect(document.status).toBe(200);
  guarded = [];
  staffRoutes = [];
  for (const [template, operations] of Object.entries(document.body.paths as Record<string, Record<string, { 'x-permission'?: string }>>)) {
    for (const [method, operation] of Object.entries(operations)) {
      const permission = operation['x-permission'];
      if (!permission) continue;
      // Any value fits a path parameter: the permission is checked before the parameters are validated.
      const route = { method: method.toUpperCase(), path: template.replace(/\{[^}]+\}/g, '00000000-0000-4000-8000-000000000000'), permission };
      if (isCustomerData(permission)) guarded.push(route);
      if (!customerGrants.has(permission)) staffRoutes.push(route);
    }
  }
});
afterAll(() => t?.close());

/** How many routes each plugin guards with customer-data permissions. */
const countByPlugin = (routes: GuardedRoute[]) =>
  Object.fromEntries(Object.keys(customerData).map((plugin) => [plugin, routes.filter((route) => customerData[plugin]!(route.permission)).length]));

describe('default grants of the built-in roles over first-party plugins', () => {
  it('finds the routes guarding customer data in the OpenAPI document', () => {
    const counts = countByPlugin(guarded);
    // At least what each plugin had when the defaults were reviewed; new routes only raise these.
    expect(counts.crm).toBeGreaterThanOrEqual(30);
    expect(counts.shop).toBeGreaterThanOrEqual(10);
    expect(counts.payments).toBeGreaterThanOrEqual(20);
    expect(counts.lms).toBeGreaterThanOrEqual(7);
    expect(counts['bio-sites']).toBe(2);
    for (const permission of [
      'crm.contacts.view',
      'crm.campaigns.view',
      'shop.orders.view',
      'shop.orders.manage',
      'payments.transactions.view',
      'payments.intents.create',
    ])
      expect(
        guarded.some((route) => route.permission === permission),
        permission,
      ).toBe(true);
  });

  it('answers 403 to member and viewer on every one of them, and lets an admin through', async () => {
    const answered: Record<string, GuardedRoute[]> = {};
    for (const role of ['member', 'viewer']) {
      const user = await addMember(t, owner, [role]);
      answered[role] = [];
      for (const route of guarded) {
        const response = await t.request(route.method, route.path, { headers: user.headers });
        expect(response.status, `${role} ${route.method} ${route.path} (${route.permission})`).toBe(403);
        expect(response.body.code).toBe('forbidden');
        answered[role].push(route);
      }
    }
    expect(countByPlugin(answered.member!)).toEqual(countByPlugin(guarded));
    expect(countByPlugin(answered.viewer!)).toEqual(countByPlugin(guarded));
    const admin = await addMember(t, owner, ['admin']);
    for (const path of ['/api/v1/crm/contacts', '/api/v1/shop/orders', '/api/v1/shop/customers', '/api/v1/payments/intents', '/api/v1/lms/enrollments'])
      expect((await t.request('GET', path, { headers: admin.headers })).status, path).toBe(200);
  });

  it('keeps what is not customer data: products, courses, their own learning and orders', async () => {
    const roles = (await t.request('GET', '/api/v1/roles?per_page=100', { headers: owner.headers })).body.data as { name: string; permissions: string[] }[];
    const held = (name: string) => roles.find((role) => role.name === name)!.permissions;
    for (const role of ['member', 'viewer']) {
      expect(held(role).filter(isCustomerData), role).toEqual([]);
      expect(held(role), role).toEqual(expect.arrayContaining(['shop.products.view', 'lms.learning.access', 'shop.orders.own', 'bio-sites.sites.view']));
    }
    expect(held('viewer')).toContain('lms.courses.view');
    expect(held('admin')).toEqual(expect.arrayContaining(['crm.contacts.view', 'shop.orders.view', 'payments.transactions.view', 'lms.enrollments.view']));
    const viewer = await addMember(t, owner, ['viewer']);
    for (const path of ['/api/v1/shop/products', '/api/v1/lms/courses', '/api/v1/lms/my/courses', '/api/v1/bio-sites/sites'])
      expect((await t.request('GET', path, { headers: viewer.headers })).status, path).toBe(200);
  });

  it('answers 403 to a customer on every staff route of core and every plugin (all but its self-service grants)', async () => {
    const customer = await t.customer(owner);
    expect(staffRoutes.length).toBeGreaterThan(150);
    for (const route of staffRoutes) {
      const response = await t.request(route.method, route.path, { headers: customer.headers });
      expect(response.status, `customer ${route.method} ${route.path} (${route.permission})`).toBe(403);
      expect(response.body.code).toBe('forbidden');
    }
    for (const path of ['/api/v1/shop/my/orders', '/api/v1/lms/my/courses'])
      expect((await t.request('GET', path, { headers: customer.headers })).status, path).toBe(200);
  });

  it('gives the customer role self-service permissions only', async () => {
    const catalogue = (await t.request('GET', '/api/v1/permissions', { headers: owner.headers })).body.data as { name: string; grant_to: string[] }[];
    const toCustomers = catalogue
      .filter((permission) => !permission.name.startsWith('core.') && permission.grant_to.includes('customer'))
      .map((permission) => permission.name);
    expect(toCustomers.sort()).toEqual(['lms.learning.access', 'shop.orders.own']);
  });

  it('shows in the marketplace, before a plugin is enabled, which built-in roles get each permission', async () => {
    const fresh = await signUp(t, { tenant: true });
    const listed = await t.request('GET', '/api/v1/marketplace', { headers: fresh.headers });
    expect(listed.status).toBe(200);
    const shopEntry = (listed.body.data as { name: string; enabled: boolean; permissions: { name: string; description: string; grant_to: string[] }[] }[]).find(
      (plugin) => plugin.name === 'shop',
    )!;
    expect(shopEntry.enabled).toBe(false);
    const grants = Object.fromEntries(shopEntry.permissions.map((permission) => [permission.name, permission.grant_to]));
    expect(grants['shop.orders.view']).toEqual(['admin']);
    expect(grants['shop.products.view']).toEqual(['admin', 'member', 'viewer']);
    expect(grants['shop.orders.own']).toEqual(['admin', 'member', 'viewer', 'customer']);
    expect(shopEntry.permissions.every((permission) => permission.description.length > 0)).toBe(true);
    const crmDetail = await t.request('GET', '/api/v1/marketplace/crm', { headers: fresh.headers });
    expect(crmDetail.body.data.permissions.find((permission: { name: string }) => permission.name === 'crm.contacts.view').grant_to).toEqual(['admin']);
  });

  it('lets a tenant grant customer data to a custom role', async () => {
    const permissions = ['crm.contacts.view', 'shop.orders.view', 'payments.transactions.view', 'lms.enrollments.view'];
    const role = await t.request('POST', '/api/v1/roles', { headers: owner.headers, body: { name: 'sales-desk', permissions } });
    expect(role.status).toBe(201);
    const clerk = await addMember(t, owner, ['member', 'sales-desk']);
    for (const path of ['/api/v1/crm/contacts', '/api/v1/shop/orders', '/api/v1/shop/customers', '/api/v1/payments/intents', '/api/v1/lms/enrollments'])
      expect((await t.request('GET', path, { headers: clerk.headers })).status, path).toBe(200);
    // Only what the role names: writing orders and payments stays refused.
    expect((await t.request('POST', '/api/v1/crm/contacts', { headers: clerk.headers, body: { email: 'x@example.test' } })).status).toBe(403);
    expect((await t.request('POST', '/api/v1/payments/intents', { headers: clerk.headers, body: { amount: 100, currency: 'USD' } })).status).toBe(403);
  });
});
