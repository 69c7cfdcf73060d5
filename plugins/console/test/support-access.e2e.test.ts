/**
 * Support access in headless Chromium, both sides: a host operator asks for access to a tenant from its admin page,
 * the owner (whose settings require approval) sees the notice, approves it read-only on the "Support access" page,
 * the operator opens the tenant under a banner (reason, read-only, time left) and ends it with "End now"; then the
 * same in Arabic. Screens are photographed (test-artifacts/support-<screen>-<en|ar>-<width>.png); axe runs on each.
 */
import { createTestKernel, signUp, type TestKernel, type TestUser } from '@plinth/core/testing';
import type { Browser } from 'playwright-core';
import { afterAll, beforeAll, describe, expect, test } from 'vitest';
import consolePlugin from '../src/index.js';
import { launchChromium, menuLink, openPage, photograph as photographScreen, recordFailures, servedCopy, signIn, type WatchedPage } from './browser.js';
import { ensureWebBuilt } from './web-build.js';

let t: TestKernel;
let browser: Browser;
let owner: TestUser;
let operator: TestUser;
let ownerTab: WatchedPage;
let operatorTab: WatchedPage;
const tenant = { name: 'Acme Trading', slug: 'acme-trading' };

const photograph = (tab: WatchedPage, screen: string, language: 'en' | 'ar') => photographScreen(tab, `support-${screen}`, language);

beforeAll(async () => {
  await ensureWebBuilt();
  [t, browser] = await Promise.all([createTestKernel({ plugins: [servedCopy(consolePlugin)] }), launchChromium()]);
  owner = await signUp(t, { name: 'Nadia Owner', tenant });
  const approval = await t.request('PATCH', '/api/v1/tenant', { headers: owner.headers, body: { settings: { support_access_approval: true } } });
  expect(approval.status).toBe(200);
  operator = await signUp(t, { name: 'Omar Operator' });
  // Setup only: super-admins are made by the host's CLI, not through the API.
  await t.sql('update users set is_super_admin = true where id = $1', [operator.id]);
  [ownerTab, operatorTab] = await Promise.all([openPage(browser, t.url), openPage(browser, t.url)]);
  ownerTab.page.setDefaultTimeout(10_000);
  operatorTab.page.setDefaultTimeout(10_000);
  await signIn(ownerTab, owner);
  await signIn(operatorTab, operator);
});

recordFailures('support', () => operatorTab);

afterAll(async () => {
  await browser?.close();
  await t?.close();
});

const tenantId = () => owner.tenant!.id;

/** The operator asks from the tenant's admin page: reason and duration in the dialog. */
async function requestAccess(reason: string, labels: { open: RegExp; reason: RegExp; minutes: RegExp; send: RegExp }) {
  const { page } = operatorTab;
  await page.goto(`/admin/tenants/${tenantId()}`);
  await page.getByRole('button', { name: labels.open }).click();
  const dialog = page.getByRole('dialog');
  await dialog.getByLabel(labels.reason).fill(reason);
  await dialog.getByLabel(labels.minutes).fill('45');
  await dialog.getByRole('button', { name: labels.send }).click();
  await dialog.waitFor({ state: 'detached' });
}

describe.sequential('support access in the console', () => {
  test('the operator asks with a reason and a duration; refused input is shown, then the request waits for approval', async () => {
    const { page } = operatorTab;
    await page.goto(`/admin/tenants/${tenantId()}`);
    await page.getByRole('button', { name: 'Request support access' }).click();
    const dialog = page.getByRole('dialog', { name: 'Request support access' });
    await dialog.getByLabel(/^Reason/).fill('help');
    await dialog.getByLabel(/^Duration/).fill('5000');
    await photograph(operatorTab, 'request-dialog', 'en');
    await dialog.getByRole('button', { name: 'Send request' }).click();
    await dialog.locator('.field-error').first().waitFor();
    expect(await t.sql('select id from support_sessions')).toEqual([]);
    await dialog.getByLabel(/^Reason/).fill('Ticket #4711: invoices missing');
    await dialog.getByLabel(/^Duration/).fill('45');
    await dialog.getByRole('button', { name: 'Send request' }).click();
    await page.getByText('Your request is waiting for an owner to approve it.').waitFor();
    // The owners' notification is mailed by a delivery job: wait for it.
    await expect.poll(async () => (await t.mailbox(owner.email)).at(-1)?.subject, { timeout: 20_000 }).toBe(`Support access to ${tenant.name} requested`);
  });

  test('the owner sees the notice, and approves it read-only on the Support access page', async () => {
    const { page } = ownerTab;
    await page.goto(`/t/${tenant.slug}`);
    await page.getByText('A support request waits for your approval.').waitFor();
    await menuLink(page, 'Support access').click();
    await page.getByRole('heading', { name: 'Support access', level: 1 }).waitFor();
    const row = page.getByRole('row').filter({ hasText: 'Ticket #4711: invoices missing' });
    await row.getByRole('cell', { name: operator.email }).waitFor();
    await photograph(ownerTab, 'tenant-pending', 'en');
    await row.getByRole('button', { name: 'Approve' }).click();
    const dialog = page.getByRole('dialog');
    expect(await dialog.getByLabel('Access').inputValue()).toBe('');
    await dialog.getByRole('button', { name: 'Approve for 45 minutes' }).click();
    await dialog.waitFor({ state: 'detached' });
    await page.getByRole('row').filter({ hasText: 'Ticket #4711' }).getByRole('button', { name: 'End now' }).waitFor();
    await page.getByText(/A host operator \(.*\) has support access \(Read-only\) until/).waitFor();
    await photograph(ownerTab, 'tenant-active', 'en');
  });

  test('the operator opens the tenant under the banner, reads it, and ends the session', async () => {
    const { page } = operatorTab;
    await page.goto(`/admin/tenants/${tenantId()}`);
    await page.getByRole('button', { name: 'Open the tenant' }).click();
    await page.waitForURL(`**/t/${tenant.slug}`);
    const banner = page.locator('.support-banner');
    await banner.getByText(/Support session in Acme Trading: read-only, 4[45] minutes left\. Reason: Ticket #4711: invoices missing/).waitFor();
    await menuLink(page, 'Members').click();
    await page.getByRole('row').filter({ hasText: owner.email }).waitFor();
    await banner.waitFor();
    await photograph(operatorTab, 'operator-banner', 'en');
    const logged = await t.sql<{ path: string }>(
      "select data->>'path' as path from audit_log where action = 'support.request' and data->>'path' like '/api/v1/members%'",
    );
    expect(logged.length).toBeGreaterThan(0);
    await banner.getByRole('button', { name: 'End now' }).click();
    await page.waitForURL(`**/admin/tenants/${tenantId()}`);
    await page.getByRole('button', { name: 'Request support access' }).waitFor();
    expect((await t.request('GET', '/api/v1/members', { headers: { authorization: `Bearer ${operator.accessToken}`, 'x-tenant': tenant.slug } })).status).toBe(
      403,
    );
  });

  test('in Arabic, right to left: the operator asks', async () => {
    for (const tab of [ownerTab, operatorTab]) {
      await tab.page.goto('/account');
      await tab.page.getByLabel(/^Language/).selectOption('ar');
      await tab.page.waitForFunction(() => document.documentElement.dir === 'rtl');
    }
    await requestAccess('التذكرة 4712: تقرير ناقص', { open: /^طلب وصول الدعم$/, reason: /^السبب/, minutes: /^المدة/, send: /^إرسال الطلب$/ });
    await operatorTab.page.getByText('طلبك بانتظار موافقة أحد المالكين.').waitFor();
    await photograph(operatorTab, 'request-pending', 'ar');
  });

  test('in Arabic: the owner approves, the operator works under the banner, the owner ends it', async () => {
    await ownerTab.page.goto(`/t/${tenant.slug}/support-access`);
    const row = ownerTab.page.getByRole('row').filter({ hasText: 'التذكرة 4712' });
    await row.getByRole('button', { name: 'موافقة' }).waitFor();
    await photograph(ownerTab, 'tenant-pending', 'ar');
    await row.getByRole('button', { name: 'موافقة' }).click();
    await ownerTab.page
      .getByRole('dialog')
      .getByRole('button', { name: /^موافقة لمدة/ })
      .click();
    await ownerTab.page.getByRole('row').filter({ hasText: 'التذكرة 4712' }).getByRole('button', { name: 'إنهاء الآن' }).waitFor();

    const { page } = operatorTab;
    await page.goto(`/t/${tenant.slug}`);
    await page
      .locator('.support-banner')
      .getByText(/جلسة دعم في Acme Trading/)
      .waitFor();
    await photograph(operatorTab, 'operator-banner', 'ar');

    // The owner ends it from their side: the operator is refused at once.
    ownerTab.page.once('dialog', (confirm) => void confirm.accept());
    await ownerTab.page.getByRole('row').filter({ hasText: 'التذكرة 4712' }).getByRole('button', { name: 'إنهاء الآن' }).click();
    await ownerTab.page
      .getByRole('row')
      .filter({ hasText: 'التذكرة 4712' })
      .getByText(/منتهية/)
      .waitFor();
    await photograph(ownerTab, 'tenant-past', 'ar');
    expect((await t.request('GET', '/api/v1/members', { headers: { authorization: `Bearer ${operator.accessToken}`, 'x-tenant': tenant.slug } })).status).toBe(
      403,
    );
  });

  test('no page logged an error', () => {
    expect([...ownerTab.errors, ...operatorTab.errors]).toEqual([]);
  });
});
