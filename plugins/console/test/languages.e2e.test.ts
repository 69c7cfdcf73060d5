/**
 * The console in English and Arabic, in headless Chromium against a real kernel: a language chosen on the sign-in
 * page holds there and becomes the user's on signing in; the core screens read right to left in Arabic with the
 * locale's digits; nothing is wider than a 390 px phone; the tenant's language setting is offered by name; and
 * every request names the console's language. Screens are photographed (test-artifacts/languages-*.png) and
 * checked by axe-core (browser.ts).
 */
import { createTestKernel, type TestKernel, type TestUser } from '@plinth/core/testing';
import type { Browser, Page } from 'playwright-core';
import { afterAll, beforeAll, describe, expect, test } from 'vitest';
import consolePlugin from '../src/index.js';
import { launchChromium, openPage, type WatchedPage } from './browser.js';
import { ensureWebBuilt } from './web-build.js';

let t: TestKernel;
let browser: Browser;
let tab: WatchedPage;
let owner: TestUser;

beforeAll(async () => {
  await ensureWebBuilt();
  [t, browser] = await Promise.all([createTestKernel({ plugins: [consolePlugin], tenants: ['souk'] }), launchChromium()]);
  owner = t.tenants.souk!;
  tab = await openPage(browser, t.url);
  tab.page.setDefaultTimeout(10_000);
});

afterAll(async () => {
  await browser?.close();
  await t?.close();
});

const documentLocale = (page: Page) => page.evaluate(() => ({ lang: document.documentElement.lang, dir: document.documentElement.dir }));

/** Photographs the screen at 1280 and 390 px; at 390 nothing may make the page scroll sideways. */
async function photograph(screen: string, language: 'en' | 'ar'): Promise<void> {
  const { page } = tab;
  await tab.settled();
  await tab.screenshot(`languages-${screen}-${language}-1280`);
  await page.setViewportSize({ width: 390, height: 844 });
  try {
    const { width, outside } = await page.evaluate(() => ({
      width: document.documentElement.scrollWidth,
      // What sticks out, to name in the failure: elements reaching past either edge.
      outside: Array.from(document.querySelectorAll('body *'))
        .filter((element) => {
          const box = element.getBoundingClientRect();
          return box.width > 0 && (box.right > 391 || box.left < -1);
        })
        .slice(0, 5)
        .map(
          (element) =>
            `${element.tagName.toLowerCase()}.${Array.from(element.classList).join('.')} ${Math.round(element.getBoundingClientRect().left)}..${Math.round(element.getBoundingClientRect().right)}`,
        ),
    }));
    expect.soft(width, `${screen} (${language}) is wider than a 390 px phone: ${outside.join('; ')}`).toBeLessThanOrEqual(390);
    await tab.screenshot(`languages-${screen}-${language}-390`);
  } finally {
    await page.setViewportSize({ width: 1280, height: 860 });
  }
}

describe.sequential('the console in English and Arabic', () => {
  test('Arabic chosen on the sign-in page reads right to left, and becomes the user’s language on signing in', async () => {
    const { page } = tab;
    const languages: string[] = [];
    page.on('request', (request) => {
      if (new URL(request.url()).pathname.startsWith('/api/v1/')) languages.push(request.headers()['accept-language'] ?? '(none)');
    });
    await page.goto('/login');
    await page.getByLabel('Email').waitFor();
    expect(await documentLocale(page)).toEqual({ lang: 'en', dir: 'ltr' });
    await photograph('sign-in', 'en');

    await page.getByLabel('Language').selectOption('ar');
    await page.getByRole('heading', { name: 'تسجيل الدخول', level: 1 }).waitFor();
    expect(await documentLocale(page)).toEqual({ lang: 'ar', dir: 'rtl' });
    await photograph('sign-in', 'ar');
    // The choice is remembered on this browser.
    await page.reload();
    await page.getByRole('heading', { name: 'تسجيل الدخول', level: 1 }).waitFor();

    await page.getByLabel('البريد الإلكتروني').fill(owner.email);
    await page.getByLabel('كلمة المرور').fill(owner.password);
    await page.getByRole('button', { name: 'تسجيل الدخول' }).click();
    await page.waitForURL('**/t/souk');
    await page.getByText('لا توجد إضافة مفعّلة بعد.').waitFor();
    expect(await documentLocale(page)).toEqual({ lang: 'ar', dir: 'rtl' });
    await photograph('dashboard', 'ar');

    const me = await t.request('GET', '/api/v1/me', { headers: owner.headers });
    expect(me.body.data.locale).toBe('ar');
    expect(languages.length).toBeGreaterThan(0);
    expect(new Set(languages.slice(-3))).toEqual(new Set(['ar']));
  });

  test('the core screens in Arabic: headings, plurals and the locale’s digits', async () => {
    const { page } = tab;
    await page.goto('/t/souk/members');
    await page.getByRole('heading', { name: 'الأعضاء', level: 1 }).waitFor();
    await page.getByRole('cell', { name: owner.email }).waitFor();
    await photograph('members', 'ar');

    await page.goto('/t/souk/roles');
    await page.getByRole('heading', { name: 'الأدوار', level: 1 }).waitFor();
    // The admin role has one member: Arabic's `one` form, not "1 member".
    await page
      .getByText(/عضو واحد/)
      .first()
      .waitFor();
    await photograph('roles', 'ar');

    await page.goto('/t/souk/api-tokens');
    await page.getByText('لا توجد رموز API بعد.').waitFor();
    await photograph('tokens', 'ar');

    await page.goto('/t/souk/audit-log');
    await page.getByRole('heading', { name: 'سجل التدقيق', level: 1 }).waitFor();
    await photograph('audit', 'ar');
  });

  test('the owner sets the workspace language by name; the user’s own choice goes back to automatic', async () => {
    const { page } = tab;
    await page.goto('/t/souk');
    const locale = page.getByLabel('اللغة والمنطقة');
    await locale.waitFor();
    // Named in the console's language and in its own.
    expect(await locale.locator('option[value="ar-EG"]').textContent()).toContain('مصر');
    await locale.selectOption('ar-EG');
    await page.getByLabel('العملة').selectOption('EGP');
    await page.getByRole('button', { name: 'حفظ' }).click();
    await page.getByText('تم الحفظ.').waitFor();
    const tenant = await t.request('GET', '/api/v1/tenant', { headers: owner.headers });
    expect(tenant.body.data).toMatchObject({ locale: 'ar-EG', currency: 'EGP' });
    // ar-EG writes Arabic-Indic digits.
    await page.getByText(/١٬٢٣٤٫٥٦/).waitFor();
    await photograph('tenant-settings', 'ar');

    // Within the app: the account page (outside any tenant) keeps the locale of the tenant last shown.
    await page.locator('a[href="/account"]').first().click();
    const language = page.getByLabel(/^اللغة$/);
    await language.waitFor();
    await photograph('account', 'ar');
    // Automatic: the workspace's language (Arabic, now) still applies; then the workspace goes back to English.
    await language.selectOption('');
    await expect.poll(async () => (await t.request('GET', '/api/v1/me', { headers: owner.headers })).body.data.locale).toBeNull();
    expect(await documentLocale(page)).toEqual({ lang: 'ar', dir: 'rtl' });
    expect((await t.request('PATCH', '/api/v1/tenant', { headers: owner.headers, body: { locale: 'en' } })).status).toBe(200);
    await page.reload();
    await page.getByRole('heading', { name: 'Your account', level: 1 }).waitFor();
    expect(await documentLocale(page)).toEqual({ lang: 'en', dir: 'ltr' });
    await photograph('account', 'en');
  });

  test('no page logged an error', () => {
    expect(tab.errors).toEqual([]);
  });
});
