/**
 * The host's screens in headless Chromium: a super-admin sees the installed plugins with their
 * migrations and tenants, suspends and reactivates a tenant, overrides a quota and reads a failed
 * job's reason; a tenant owner gets no Host menu, and neither the page nor the API lets them in.
 */
import { createTestKernel, signUp, type TestKernel, type TestUser } from '@plinth/core/testing';
import hello from '@plinth-examples/hello-plugin';
import { coreServices, definePermissions, definePlugin, Type } from '@plinth/sdk';
import type { Browser } from 'playwright-core';
import { afterAll, beforeAll, describe, expect, test } from 'vitest';
import consolePlugin from '../src/index.js';
import { launchChromium, openPage, signIn, type WatchedPage } from './browser.js';
import { ensureWebBuilt } from './web-build.js';

declare module '@plinth/sdk' {
  interface PlinthJobs {
    'chores.doomed': { label: string };
  }
}

const chorePermissions = definePermissions('chores', { 'chores.run': { description: 'Queue chores', grantTo: ['admin'] } });

/** Queues a job that always fails, so the host's failed-jobs screen has something to show. */
const chores = definePlugin({
  name: 'chores',
  version: '0.2.0',
  title: 'Chores',
  description: 'Queues background work that fails.',
  category: 'testing',
  requires: { core: '^0.1.0' },
  deps: { jobs: coreServices.jobs },
  permissions: chorePermissions,
  routes: ({ route }) => [
    route({
      method: 'POST',
      path: '/doomed',
      summary: 'Queues a job that always fails',
      permission: chorePermissions['chores.run'],
      schema: { body: Type.Object({ label: Type.String() }, { additionalProperties: false }) },
      async handler({ body, deps }) {
        await deps.jobs.enqueue('chores.doomed', { label: body.label });
        return { queued: true };
      },
    }),
  ],
  jobs: ({ job }) => [
    job({
      name: 'chores.doomed',
      maxRetries: 0,
      async run({ payload }) {
        throw new Error(`chores.doomed cannot do ${payload.label}`);
      },
    }),
  ],
});

let t: TestKernel;
let browser: Browser;
let owner: TestUser;
let admin: WatchedPage;

/** A link of the main menu. */
const menu = (tab: WatchedPage, name: string) => tab.page.getByRole('navigation', { name: 'Main' }).getByRole('link', { name, exact: true });

beforeAll(async () => {
  await ensureWebBuilt();
  [t, browser] = await Promise.all([createTestKernel({ plugins: [consolePlugin, hello, chores], tenants: ['wall'] }), launchChromium()]);
  owner = t.tenants.wall!;
  await t.enable(owner, 'hello');
  await t.enable(owner, 'chores');
  expect((await t.request('POST', '/api/v1/chores/doomed', { headers: owner.headers, body: { label: 'the dishes' } })).status).toBe(200);
  await t.drainJobs();
  const superAdmin = await signUp(t);
  // Setup only: super-admins are made by the host's CLI, not through the API.
  await t.sql('update users set is_super_admin = true where id = $1', [superAdmin.id]);
  admin = await openPage(browser, t.url);
  admin.page.setDefaultTimeout(10_000);
  await signIn(admin, superAdmin);
});

afterAll(async () => {
  await browser?.close();
  await t?.close();
});

describe.sequential('the host admin screens', () => {
  test('a tenant owner sees no Host menu, and the host pages and API stay closed to them', async () => {
    const tab = await openPage(browser, t.url);
    tab.page.setDefaultTimeout(10_000);
    await signIn(tab, owner);
    await tab.page.waitForURL('**/t/wall');
    await menu(tab, 'Marketplace').waitFor();
    expect(await tab.page.getByRole('navigation', { name: 'Main' }).getByRole('heading', { name: 'Host' }).count()).toBe(0);
    expect(await menu(tab, 'Installed plugins').count()).toBe(0);
    await tab.page.goto('/admin/plugins');
    await tab.page.getByRole('heading', { name: 'Page not found' }).waitFor();
    expect(await tab.page.getByRole('table').count()).toBe(0);
    expect((await t.request('GET', '/api/v1/admin/plugins', { headers: owner.headers })).status).toBe(403);
    expect(tab.errors).toEqual([]);
    await tab.context.close();
  });

  test('a super-admin sees the installed plugins with their migrations and how many tenants enabled them', async () => {
    const { page } = admin;
    await menu(admin, 'Installed plugins').click();
    await page.getByRole('heading', { name: 'Installed plugins', level: 1 }).waitFor();
    const row = (name: string) => page.locator(`tr[data-plugin="${name}"]`);
    const migrations = hello.migrations.length;
    await row('hello').getByText(`${migrations} of ${migrations} applied`).waitFor();
    expect(await row('hello').locator('td[data-label="Tenants"]').innerText()).toBe('1');
    expect(await row('hello').locator('td[data-label="Version"]').innerText()).toBe(hello.version);
    expect(await row('chores').locator('td[data-label="Migrations"]').innerText()).toBe('none');
    expect(await row('chores').locator('td[data-label="Version"]').innerText()).toBe('0.2.0');
    expect(await row('console').locator('td[data-label="Scope"]').innerText()).toBe('host');
    expect(await row('console').locator('td[data-label="Tenants"]').innerText()).toBe('all (host)');
    expect(await page.locator('.badge.warn').count()).toBe(0); // nothing pending on a migrated host
    await admin.screenshot('admin-plugins');
  });

  test('a super-admin suspends and reactivates a tenant and overrides a quota', async () => {
    const { page } = admin;
    await menu(admin, 'Tenants').click();
    await page.getByRole('link', { name: 'wall', exact: true }).click();
    await page.getByRole('button', { name: 'Suspend tenant' }).click();
    const confirm = page.getByRole('dialog');
    expect(await confirm.getByRole('button', { name: 'Suspend tenant' }).isDisabled()).toBe(true); // until the slug is typed
    await confirm.getByLabel('Type wall to confirm').fill('wall');
    await confirm.getByRole('button', { name: 'Suspend tenant' }).click();
    await page.getByRole('button', { name: 'Reactivate' }).waitFor();
    const refused = await t.request('GET', '/api/v1/hello/greetings', { headers: owner.headers });
    expect(refused.status).toBe(403);
    await admin.screenshot('admin-tenant');
    await page.getByRole('button', { name: 'Reactivate' }).click();
    await page.getByRole('button', { name: 'Suspend tenant' }).waitFor();
    expect((await t.request('GET', '/api/v1/hello/greetings', { headers: owner.headers })).status).toBe(200);

    await page.getByLabel('Members limit', { exact: true }).fill('-1');
    await page.getByRole('button', { name: 'Save quotas' }).click();
    await page.locator('.field.invalid').filter({ hasText: 'members' }).locator('.field-error').waitFor(); // refused beside the field
    await page.getByLabel('Members limit', { exact: true }).fill('7');
    await page.getByRole('button', { name: 'Save quotas' }).click();
    await page.getByRole('status').filter({ hasText: 'Quotas saved.' }).waitFor();
    const [stored] = await t.sql<{ quotas: Record<string, number> }>('select quotas from tenants where slug = $1', ['wall']);
    expect(stored?.quotas).toEqual({ members: 7 });
  });

  test("a super-admin reads a failed job's reason, and the host audit log", async () => {
    const { page } = admin;
    await menu(admin, 'Background jobs').click();
    await page.getByRole('cell').getByText('chores.doomed', { exact: true }).waitFor();
    await page.getByText('chores.doomed cannot do the dishes').waitFor();
    await admin.screenshot('admin-failed-jobs');
    await menu(admin, 'Host audit log').click();
    await page.getByText('admin.tenant.suspended').first().waitFor();
  });

  test('an upgrade the host has not migrated yet is flagged', async () => {
    // Setup only: the database as it is when newer code starts before `plinth migrate` ran.
    await t.sql("update plinth_plugins set version = '0.1.0' where name = 'chores'");
    await t.sql("delete from plinth_migrations where scope = 'hello'");
    const { page } = admin;
    await menu(admin, 'Tenants').click();
    await menu(admin, 'Installed plugins').click();
    const pending = hello.migrations.map((migration) => migration.name).join(', ');
    await page.locator('tr[data-plugin="hello"] .badge.warn').getByText(`pending: ${pending}`).waitFor();
    await page.locator('tr[data-plugin="hello"]').getByText(`0 of ${hello.migrations.length} applied`).waitFor();
    await page.locator('tr[data-plugin="chores"] .badge.warn').getByText('database at 0.1.0').waitFor();
    expect(await page.locator('tr[data-plugin="console"] .badge.warn').count()).toBe(0);
  });

  test('no page logged an error', () => {
    expect(admin.errors).toEqual([]);
  });
});
