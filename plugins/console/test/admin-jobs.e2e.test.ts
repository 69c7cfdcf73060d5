/**
 * Issue 25, job control, in headless Chromium against a real kernel: a super-admin opens Host → Background jobs,
 * which lists the dead jobs (retries used up) first, filters them by name with the keyboard, reads each one's error,
 * attempts and tenant, retries one (it runs again, fails again and comes back with two attempts), then selects the
 * others with the keyboard and discards them in bulk after a confirmation; the same screen in Arabic.
 * Photographed as test-artifacts/admin-jobs-<en|ar>-<1280|390>.png (axe-core checks each screen).
 */
import { coreServices, definePermissions, definePlugin, Type } from '@plinth/sdk';
import { createTestKernel, signUp, type TestKernel, type TestUser } from '@plinth/core/testing';
import type { Browser, Locator, Page } from 'playwright-core';
import { afterAll, beforeAll, describe, expect, test } from 'vitest';
import consolePlugin from '../src/index.js';
import { launchChromium, menuLink, openPage, photograph, recordFailures, servedCopy, signIn, type WatchedPage } from './browser.js';
import { ensureWebBuilt } from './web-build.js';

declare module '@plinth/sdk' {
  interface PlinthJobs {
    'errands.doomed': { label: string };
  }
}

const errandPermissions = definePermissions('errands', { 'errands.run': { description: 'Queue errands', grantTo: ['admin'] } });

/** Queues errands that always fail and have no retries: each is dead after its first run. */
const errands = definePlugin({
  name: 'errands',
  version: '1.0.0',
  title: 'Errands',
  description: 'Background work that always fails.',
  category: 'testing',
  requires: { core: '^0.1.0' },
  deps: { jobs: coreServices.jobs },
  permissions: errandPermissions,
  routes: ({ route }) => [
    route({
      method: 'POST',
      path: '/doomed',
      summary: 'Queues errands that always fail',
      permission: errandPermissions['errands.run'],
      schema: { body: Type.Object({ labels: Type.Array(Type.String()) }, { additionalProperties: false }) },
      async handler({ body, deps }) {
        for (const label of body.labels) await deps.jobs.enqueue('errands.doomed', { label });
        return { queued: body.labels.length };
      },
    }),
  ],
  jobs: ({ job }) => [
    job({
      name: 'errands.doomed',
      maxRetries: 0,
      async run({ payload }) {
        throw new Error(`errands.doomed cannot ${payload.label}`);
      },
    }),
  ],
});

let t: TestKernel;
let browser: Browser;
let owner: TestUser;
let admin: WatchedPage;

const labels = ['fetch the mail', 'water the plants', 'feed the cat', 'fix the gate'];

beforeAll(async () => {
  await ensureWebBuilt();
  [t, browser] = await Promise.all([createTestKernel({ plugins: [servedCopy(consolePlugin), errands], tenants: ['harbour'] }), launchChromium()]);
  owner = t.tenants.harbour!;
  await t.enable(owner, 'errands');
  expect((await t.request('POST', '/api/v1/errands/doomed', { headers: owner.headers, body: { labels } })).status).toBe(200);
  await t.drainJobs();
  const superAdmin = await signUp(t);
  // Setup only: super-admins are made by the host's CLI, not through the API.
  await t.sql('update users set is_super_admin = true where id = $1', [superAdmin.id]);
  admin = await openPage(browser, t.url);
  admin.page.setDefaultTimeout(10_000);
  await signIn(admin, superAdmin);
});

recordFailures('admin-jobs', () => admin);

afterAll(async () => {
  await browser?.close();
  await t?.close();
});

/** The stored job of an errand, by its label. */
const stored = async (label: string) =>
  (await t.sql<{ id: string; fail_count: number }>("select id, fail_count from plinth_jobs where data->'payload'->>'label' = $1", [label]))[0];

/** Presses Tab until `target` has the focus (it must be reachable from the keyboard), at most 60 times. */
async function tabTo(page: Page, target: Locator): Promise<void> {
  for (let presses = 0; presses < 60; presses++) {
    if (await target.evaluate((element) => element === document.activeElement)) return;
    await page.keyboard.press('Tab');
  }
  throw new Error('not reachable with the Tab key');
}

/** A job's row on the screen, by the errand's label. */
const row = async (page: Page, label: string) => page.locator(`tr[data-job="${(await stored(label))!.id}"]`);

describe.sequential('job control for the host', () => {
  test('a super-admin filters the dead jobs, retries one and discards the rest in bulk, with the keyboard', async () => {
    const { page } = admin;
    await menuLink(page, 'Background jobs').click();
    await page.getByRole('heading', { name: 'Jobs (host)', level: 1 }).waitFor();
    expect(await page.getByLabel('State').inputValue()).toBe('dead');

    // Filter by name from the keyboard: typed, then Enter.
    const name = page.getByLabel('Job name');
    await tabTo(page, name);
    await page.keyboard.type('errands.doomed');
    await page.keyboard.press('Enter');
    await page.waitForURL((url) => url.searchParams.get('name') === 'errands.doomed');
    for (const label of labels) {
      const job = await row(page, label);
      await job.getByText(`errands.doomed cannot ${label}`).waitFor();
      expect(await job.getAttribute('data-state')).toBe('dead');
      expect(await job.locator('td[data-label="Attempts"]').innerText()).toBe('1');
      await job.getByRole('link', { name: 'harbour', exact: true }).waitFor();
    }
    await photograph(admin, 'admin-jobs', 'en');

    // Retry one: asked to confirm, then it runs again, fails again and is dead with its second attempt.
    const retried = await row(page, labels[0]!);
    await retried.getByRole('button', { name: /^Retry errands\.doomed/ }).click();
    const dialog = page.getByRole('dialog', { name: 'Retry this job?' });
    await dialog.getByText('the attempts made so far are kept').waitFor();
    await dialog.getByRole('button', { name: 'Retry job', exact: true }).click();
    await page.getByRole('status').filter({ hasText: '1 job retried.' }).waitFor();
    await expect.poll(async () => (await stored(labels[0]!))?.fail_count, { timeout: 15_000, interval: 100 }).toBe(2);
    expect((await t.sql("select 1 from host_audit_log where action = 'admin.job.retried'")).length).toBe(1);

    // Select the other three with the keyboard and discard them together.
    await page.reload(); // the list as it is now
    await (await row(page, labels[0]!)).locator('td[data-label="Attempts"]').getByText('2').waitFor();
    for (const label of labels.slice(1)) {
      const box = (await row(page, label)).getByRole('checkbox');
      await tabTo(page, box);
      await page.keyboard.press('Space');
      expect(await box.isChecked()).toBe(true);
    }
    await page.getByText('3 jobs selected').waitFor();
    const discard = page.getByRole('button', { name: 'Discard (3)' });
    await tabTo(page, discard);
    await page.keyboard.press('Enter');
    const confirm = page.getByRole('dialog', { name: 'Discard 3 jobs?' });
    await confirm.getByText('They are deleted from the list, error and all.').waitFor();
    expect(await confirm.getByRole('listitem').count()).toBe(3);
    await confirm.getByRole('button', { name: 'Discard 3 jobs', exact: true }).click();
    await page.getByRole('status').filter({ hasText: '3 jobs discarded.' }).waitFor();
    for (const label of labels.slice(1)) expect(await stored(label)).toBeUndefined();
    expect(await stored(labels[0]!)).toBeDefined();
    // The list reloads after the status is shown: wait until it holds the one job left.
    await expect.poll(() => page.locator('tr[data-job]').count()).toBe(1);
    const [bulk] = await t.sql<{ data: { count: number } }>("select data from host_audit_log where action = 'admin.jobs.discarded'");
    expect(bulk?.data.count).toBe(3);
    expect(admin.errors).toEqual([]);
  });

  test('the same screen in Arabic, right to left', async () => {
    const { page } = admin;
    expect((await t.request('POST', '/api/v1/errands/doomed', { headers: owner.headers, body: { labels: ['sweep the deck'] } })).status).toBe(200);
    await t.drainJobs();
    await page.locator('a[href="/account"]').first().click();
    await page.getByLabel(/^Language/).selectOption('ar');
    await page.waitForFunction(() => document.documentElement.dir === 'rtl');
    await page.getByRole('link', { name: 'المهام في الخلفية', exact: true }).first().click(); // "Background jobs"
    await page.getByRole('heading', { name: 'المهام (المضيف)', level: 1 }).waitFor();
    await page.getByText('errands.doomed cannot sweep the deck').waitFor();
    await (await row(page, 'sweep the deck')).getByRole('checkbox').check();
    await page.getByText('مهمة واحدة محددة').waitFor(); // "1 job selected"
    await photograph(admin, 'admin-jobs', 'ar');
    expect(admin.errors).toEqual([]);
  });
});
