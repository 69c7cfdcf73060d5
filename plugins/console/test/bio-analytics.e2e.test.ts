/// <reference lib="dom" /> // page.evaluate callbacks run in the browser
/**
 * Issue 21, the creator's analytics, in headless Chromium against a real kernel. A visitor (another browser
 * context, not signed in) opens a published bio page twice and clicks one of its links, and opens a short link;
 * the creator then opens the site's page in the console, follows "Analytics", and sees the 2 views and the 1 click
 * in the totals, the chart's accessible summary and the tables — at once, without a rollup (the figures include the
 * hits the next rollup will take) and on today's date in the tenant's zone (Los Angeles). She picks other ranges,
 * and a custom range the API refuses shows its message. Both screens are photographed in English and Arabic at 1280
 * and 390 px (test-artifacts/bio-<screen>-<en|ar>-<1280|390>.png) and checked by axe-core.
 */
import { createTestKernel, type TestKernel, type TestUser } from '@plinth/core/testing';
import bioSites from '@plinth/plugin-bio-sites';
import type { Browser, BrowserContext, Page } from 'playwright-core';
import { afterAll, beforeAll, describe, expect, test } from 'vitest';
import consolePlugin from '../src/index.js';
import { launchChromium, openPage, photograph as photographScreen, recordFailures, servedCopy, signIn, type WatchedPage } from './browser.js';
import { ensureWebBuilt } from './web-build.js';

/**
 * What a person's Chrome says it is. Chromium driven by Playwright says `HeadlessChrome`, which the bot filter
 * rightly leaves out of the figures (scrapers and link previewers run it), so the visitor's browser says this.
 */
const personsChrome = 'Mozilla/5.0 (X11; Linux x86_64) AppleWebKit/537.36 (KHTML, like Gecko) Chrome/131.0.0.0 Safari/537.36';

let t: TestKernel;
let browser: Browser;
let owner: TestUser;
let creator: WatchedPage;
let visitor: BrowserContext;
let siteAnalyticsUrl = '';
let shortAnalyticsUrl = '';

beforeAll(async () => {
  await ensureWebBuilt();
  [t, browser] = await Promise.all([createTestKernel({ plugins: [servedCopy(consolePlugin), servedCopy(bioSites)], tenants: ['creator'] }), launchChromium()]);
  owner = t.tenants.creator!;
  // World setup through the API: the creator's zone, the plugin, a published page with two links, a short link.
  const api = async (method: string, route: string, body?: unknown) => {
    const response = await t.request(method, `/api/v1${route}`, { headers: owner.headers, body });
    expect(response.status, `${method} ${route}: ${JSON.stringify(response.body)}`).toBeLessThan(300);
    return response.body.data;
  };
  await api('PATCH', '/tenant', { time_zone: 'America/Los_Angeles' });
  await t.enable(owner, 'bio-sites');
  const site = await api('POST', '/bio-sites/sites', { title: 'Launch links', slug: 'launch', status: 'published' });
  // The links lead to a page of this same server (Chromium cannot reach the outside here, and a route that
  // answers for an outside host is bypassed on a redirect's first attempt).
  await api('POST', `/bio-sites/sites/${site.id}/blocks`, { type: 'link', data: { title: 'Blog', url: `${t.url}/elsewhere?to=blog` } });
  await api('POST', `/bio-sites/sites/${site.id}/blocks`, { type: 'link', data: { title: 'Shop', url: `${t.url}/elsewhere?to=shop` } });
  await api('POST', '/bio-sites/short-links', { code: 'spring', title: 'Spring sale', target_url: `${t.url}/elsewhere?to=spring` });

  visitor = await browser.newContext({ baseURL: t.url, userAgent: personsChrome });
  creator = await openPage(browser, t.url);
  creator.page.setDefaultTimeout(10_000);
  // Still charts (as with the system's "reduce motion"): a photograph never catches a line halfway through its animation.
  await creator.page.emulateMedia({ reducedMotion: 'reduce' });
  await signIn(creator, owner);
});

recordFailures('bio-analytics', () => creator);

afterAll(async () => {
  await visitor?.close();
  await browser?.close();
  await t?.close();
});

/** The figure shown under `label` in the totals. */
const figure = (page: Page, label: string) =>
  page.locator('.analytics-figures > div', { has: page.locator('dt', { hasText: new RegExp(`^${label}$`) }) }).locator('dd');

/** Photographs the screen as `bio-<screen>-<language>-1280.png` and `-390.png` (browser.ts `photograph`). */
const photograph = (screen: string, language: 'en' | 'ar') => photographScreen(creator, `bio-${screen}`, language);

describe.sequential("a creator's analytics after real visits", () => {
  test('a visitor opens the page twice, clicks a link, and opens the short link', async () => {
    const page = await visitor.newPage();
    await page.goto('/b/launch');
    await page.getByRole('link', { name: 'Blog' }).waitFor();
    await page.reload();
    await page.getByRole('link', { name: 'Blog' }).click();
    await page.waitForURL(/\/elsewhere\?to=blog$/);
    await page.goto('/s/spring');
    await page.waitForURL(/\/elsewhere\?to=spring$/);
    await page.close();
    // The kernel writes visits in batches about a second apart; flushing them keeps the test from racing that second.
    await t.flushWrites();
  });

  test("the creator follows Analytics from the site's page and sees the 2 views and the click", async () => {
    const { page } = creator;
    await page.getByRole('link', { name: 'Bio sites', exact: true }).first().click();
    await page.getByRole('link', { name: 'Launch links' }).first().click();
    // A site opens in its editor; its page (Details) lists the site's screens.
    await page.getByRole('link', { name: 'Details', exact: true }).click();
    // The header's button opens the screen; the generated JSON view of the same route, also "Analytics", comes after it.
    await page.getByRole('link', { name: 'Analytics', exact: true }).first().click();
    await page.waitForURL(/\/w\/bio-sites\/bio-site-analytics\?id=/);
    siteAnalyticsUrl = new URL(page.url()).pathname + new URL(page.url()).search;
    await page.getByRole('heading', { name: 'Analytics', level: 1 }).waitFor();

    await expect.poll(() => figure(page, 'Views').textContent()).toBe('2');
    expect(await figure(page, 'Unique visitors').textContent()).toBe('1');
    expect(await figure(page, 'Clicks').textContent()).toBe('1');
    expect(await figure(page, 'Click-through rate').textContent()).toBe('50%');
    // The charts' accessible names carry the totals (the canvas itself is a picture).
    await page.getByRole('img', { name: /: 2 views, 1 unique visitor$/ }).waitFor();
    await page.getByRole('img', { name: /: 1 click in all$/ }).waitFor();
    // The per-link table, most clicked first, and today's row (in Los Angeles) of the daily table.
    const links = page.getByRole('table', { name: 'Clicks per link' });
    expect(await links.getByRole('row').allInnerTexts()).toEqual([
      expect.stringMatching(/^Link\s+Clicks\s+Unique clickers\s+Click-through rate$/),
      expect.stringMatching(/^Blog\s+1\s+1\s+50%$/),
      expect.stringMatching(/^Shop\s+0\s+0\s+0%$/),
    ]);
    // The daily table, newest first: the range ends today in Los Angeles, and today holds the visits.
    const days = page.getByRole('table', { name: 'Per day' });
    expect(await days.getByRole('row').nth(1).innerText()).toMatch(/\s2\s+1$/);
    await photograph('site-analytics', 'en');
  });

  test('she picks the last 7 days, then a custom range the API refuses, then a valid one', async () => {
    const { page } = creator;
    await page.getByLabel('Period').selectOption('7');
    await expect.poll(() => page.getByRole('table', { name: 'Per day' }).getByRole('row').count()).toBe(8);
    expect(await figure(page, 'Views').textContent()).toBe('2');

    await page.getByLabel('Period').selectOption('custom');
    const to = await page.getByLabel('To', { exact: true }).inputValue();
    // From after To: the API says why, in an alert.
    await page.getByLabel('From', { exact: true }).fill(to);
    await page.getByLabel('To', { exact: true }).fill('2020-01-01');
    await page.getByRole('button', { name: 'Show' }).click();
    await page.getByRole('alert').filter({ hasText: 'must not be after to' }).waitFor();
    await page.getByLabel('To', { exact: true }).fill(to);
    await page.getByRole('button', { name: 'Show' }).click();
    await expect.poll(() => page.getByRole('table', { name: 'Per day' }).getByRole('row').count()).toBe(2);
    expect(await page.getByRole('alert').count()).toBe(0);
    expect(await figure(page, 'Views').textContent()).toBe('2');
  });

  test("the short link's analytics show its click", async () => {
    const { page } = creator;
    await page.getByRole('link', { name: 'Short links', exact: true }).first().click();
    await page
      .getByRole('link', { name: /Spring sale|spring/ })
      .first()
      .click();
    await page.getByRole('link', { name: 'Analytics', exact: true }).first().click();
    await page.waitForURL(/\/w\/bio-sites\/bio-short-link-analytics\?id=/);
    shortAnalyticsUrl = new URL(page.url()).pathname + new URL(page.url()).search;
    await expect.poll(() => figure(page, 'Clicks').textContent()).toBe('1');
    expect(await figure(page, 'Unique clickers').textContent()).toBe('1');
    await page.getByRole('img', { name: /: 1 click, 1 unique clicker$/ }).waitFor();
    await photograph('short-link-analytics', 'en');
  });

  test('both screens in Arabic, right to left', async () => {
    const { page } = creator;
    await page.locator('a[href="/account"]').first().click();
    await page.getByLabel(/^Language/).selectOption('ar');
    await page.waitForFunction(() => document.documentElement.dir === 'rtl');
    await page.goto(siteAnalyticsUrl);
    await page.getByRole('heading', { name: 'التحليلات', level: 1 }).waitFor();
    await expect.poll(() => figure(page, 'المشاهدات').textContent()).toMatch(/^(2|٢)$/);
    await page.getByRole('table', { name: 'النقرات لكل رابط' }).waitFor();
    await photograph('site-analytics', 'ar');
    await page.goto(shortAnalyticsUrl);
    await expect.poll(() => figure(page, 'النقرات').textContent()).toMatch(/^(1|١)$/);
    await photograph('short-link-analytics', 'ar');
  });

  test('no page logged an error', () => {
    expect(creator.errors).toEqual([]);
  });
});
