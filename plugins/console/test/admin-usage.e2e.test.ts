/**
 * Issue 21, the host's last point, in headless Chromium against a real kernel: a super-admin opens Admin → Tenants →
 * a tenant with two members and a stored file, reads each quota's usage against its limit (text and meter), is told
 * beside the field when a limit is not one the API takes, lowers the members quota to what is used and sees the meter
 * turn full, then a storage limit close above the usage and sees the warning; the same screen in Arabic.
 * Photographed as test-artifacts/admin-tenant-usage-<en|ar>-<1280|390>.png (axe-core checks each screen).
 */
import { addMember, createTestKernel, signUp, type TestKernel, type TestUser } from '@plinth/core/testing';
import type { Browser, Page } from 'playwright-core';
import { afterAll, beforeAll, describe, expect, test } from 'vitest';
import consolePlugin from '../src/index.js';
import { launchChromium, menuLink, openPage, photograph as photographScreen, recordFailures, signIn, type WatchedPage } from './browser.js';
import { ensureWebBuilt } from './web-build.js';

let t: TestKernel;
let browser: Browser;
let owner: TestUser;
let admin: WatchedPage;

/** Exactly 40 KB, so the console shows "40 KB" whatever the rounding. */
const minutes = 'Minutes of the harbour board.\n'.repeat(2048).slice(0, 40 * 1024);

beforeAll(async () => {
  await ensureWebBuilt();
  [t, browser] = await Promise.all([createTestKernel({ plugins: [consolePlugin], tenants: ['harbour'] }), launchChromium()]);
  owner = t.tenants.harbour!;
  // World setup: a second member through a real invitation, and a file the owner uploaded.
  await addMember(t, owner);
  expect((await t.upload(owner, { name: 'minutes.txt', data: minutes, type: 'text/plain' })).status).toBe(201);
  const superAdmin = await signUp(t);
  // Setup only: super-admins are made by the host's CLI, not through the API.
  await t.sql('update users set is_super_admin = true where id = $1', [superAdmin.id]);
  admin = await openPage(browser, t.url);
  admin.page.setDefaultTimeout(10_000);
  await signIn(admin, superAdmin);
});

recordFailures('admin-tenant-usage', () => admin);

afterAll(async () => {
  await browser?.close();
  await t?.close();
});

/** One quota's block on the tenant page, by its key. */
const quota = (page: Page, key: string) => page.locator(`[data-quota="${key}"]`);

/** Photographs the tenant page as `admin-tenant-usage-<language>-1280.png` and `-390.png` (browser.ts `photograph`). */
const photograph = (tab: WatchedPage, language: 'en' | 'ar') => photographScreen(tab, 'admin-tenant-usage', language);

describe.sequential("a tenant's usage against its quotas, for the host", () => {
  test('a super-admin reads the figures, lowers the members quota and sees the meter fill', async () => {
    const { page } = admin;
    await menuLink(page, 'Tenants').click();
    await page.getByRole('link', { name: 'harbour', exact: true }).click();
    await page.getByRole('heading', { name: 'Usage and quotas', level: 2 }).waitFor();

    // Each quota: usage against the host defaults (none set for this tenant), as text and as the meter's value.
    const members = page.getByRole('meter', { name: 'Members' });
    expect(await members.getAttribute('aria-valuetext')).toBe('2 of 1,000 members');
    expect(await quota(page, 'members').getByText('2 of 1,000 members').count()).toBe(1);
    expect(await page.getByRole('meter', { name: 'Storage' }).getAttribute('aria-valuetext')).toBe('40 KB of 1 GB');
    await quota(page, 'storage_bytes').getByText('1 file stored').waitFor();
    expect(await page.getByRole('meter', { name: 'API tokens' }).getAttribute('aria-valuetext')).toBe('0 of 50 API tokens');
    // The owner's setup requests (the invitation, the upload) are this minute's, if the minute has not ended yet.
    expect(await page.getByRole('meter', { name: 'Requests' }).getAttribute('aria-valuetext')).toMatch(/^\d+ of 60,000 requests this minute$/);
    expect(await quota(page, 'members').getAttribute('data-state')).toBe('ok');
    expect(await page.getByLabel('Members limit').getAttribute('placeholder')).toBe('default (1,000)');

    // A limit the API would refuse is said beside its field, in words, and nothing is sent.
    await page.getByLabel('Members limit').fill('0');
    await page.getByRole('button', { name: 'Save quotas' }).click();
    await quota(page, 'members').locator('.field-error').filter({ hasText: 'Enter a whole number of at least 1, or leave it empty.' }).waitFor();
    expect((await t.sql<{ quotas: object }>("select quotas from tenants where slug = 'harbour'"))[0]?.quotas).toEqual({});

    // Lowered to what is used: the meter is full, and says so in words.
    await page.getByLabel('Members limit').fill('2');
    await page.getByRole('button', { name: 'Save quotas' }).click();
    await page.getByRole('status').filter({ hasText: 'Quotas saved.' }).waitFor();
    await quota(page, 'members').getByText('2 of 2 members').waitFor();
    expect(await members.getAttribute('aria-valuetext')).toBe('2 of 2 members');
    expect(await members.evaluate((meter: HTMLMeterElement) => meter.value)).toBe(1);
    expect(await quota(page, 'members').getAttribute('data-state')).toBe('full');
    await quota(page, 'members').getByText('Limit reached').waitFor();
    expect((await t.sql<{ quotas: object }>("select quotas from tenants where slug = 'harbour'"))[0]?.quotas).toEqual({ members: 2 });

    // Below the usage: told before saving what that means.
    await page.getByLabel('Members limit').fill('1');
    await quota(page, 'members').getByText('Lower than what is used now: new ones are refused until usage falls below it.').waitFor();
    await page.getByLabel('Members limit').fill('2');

    // A storage limit of 48 KB (0.046875 MB) over 40 KB used: at 83 %, the warning.
    await page.getByLabel('Storage limit (MB)').fill('0.046875');
    await page.getByRole('button', { name: 'Save quotas' }).click();
    await quota(page, 'storage_bytes').getByText('40 KB of 48 KB').waitFor();
    expect(await quota(page, 'storage_bytes').getAttribute('data-state')).toBe('warn');
    await quota(page, 'storage_bytes').getByText('Near the limit').waitFor();
    expect((await t.sql<{ quotas: object }>("select quotas from tenants where slug = 'harbour'"))[0]?.quotas).toEqual({
      members: 2,
      storage_bytes: 48 * 1024,
    });
    await photograph(admin, 'en');
    expect(admin.errors).toEqual([]);
  });

  test('the same figures in Arabic, right to left', async () => {
    const { page } = admin;
    await page.locator('a[href="/account"]').first().click();
    await page.getByLabel(/^Language/).selectOption('ar');
    await page.waitForFunction(() => document.documentElement.dir === 'rtl');
    await page.getByRole('link', { name: 'مساحات العمل', exact: true }).first().click(); // "Tenants"
    await page.getByRole('link', { name: 'harbour', exact: true }).click();
    await page.getByRole('heading', { name: 'الاستخدام والحصص', level: 2 }).waitFor();
    expect(await page.getByRole('meter', { name: 'الأعضاء' }).getAttribute('aria-valuetext')).toMatch(/^[2٢] من عضوين$/); // the locale's digits
    await quota(page, 'members').getByText('بلغ الحد').waitFor();
    await quota(page, 'storage_bytes').getByText('قريب من الحد').waitFor();
    // The limit reads back exactly as saved (48 KB in megabytes), so saving the form again changes nothing.
    expect(await page.getByLabel('حد التخزين (ميغابايت)').inputValue()).toBe('0.046875');
    await photograph(admin, 'ar');
  });
});
