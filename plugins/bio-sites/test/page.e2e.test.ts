/// <reference lib="dom" /> // page.evaluate callbacks run in the browser
/**
 * A published page in headless Chromium (Debian's `chromium`): it renders, logs no error and breaks no CSP rule,
 * its links go through the tracked redirect to their target, its form subscribes; a screenshot is saved.
 */
import { createTestKernel, signUp, type TestKernel, type TestUser } from '@plinth/core/testing';
import type { Browser } from 'playwright-core';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import plugin from '../src/plugin.js';
import { artifactsDir, launchChromium, openPage, type WatchedPage } from './browser.js';
import { addBlock, createSite, desktop } from './helpers.js';

let t: TestKernel;
let browser: Browser;
let owner: TestUser;
let tab: WatchedPage;
let blogId = '';
const pixel = Buffer.from('iVBORw0KGgoAAAANSUhEUgAAAAEAAAABCAYAAAAfFcSJAAAADUlEQVR42mNk+M9QDwADhgGAWjR9awAAAABJRU5ErkJggg==', 'base64');

beforeAll(async () => {
  [t, browser] = await Promise.all([createTestKernel({ plugins: [plugin] }), launchChromium()]);
  owner = await signUp(t, { tenant: true });
  await t.enable(owner, 'bio-sites');
  const site = await createSite(t, owner, {
    slug: 'e2e-site',
    title: 'Ada Lovelace',
    bio: 'Mathematician & writer <of notes>',
    avatar_url: 'https://img.example/ada.png',
    theme: { preset: 'forest', font: 'serif' },
    status: 'published',
  });
  await addBlock(t, owner, site.id, { type: 'heading', data: { text: 'Read and listen' } });
  blogId = (await addBlock(t, owner, site.id, { type: 'link', data: { title: 'My blog', url: 'https://ada.example/blog', icon: '✍️' } })).id;
  await addBlock(t, owner, site.id, { type: 'link', data: { title: 'The notes', url: 'https://ada.example/notes' } });
  await addBlock(t, owner, site.id, { type: 'text', data: { text: 'Notes on the Analytical Engine.' } });
  await addBlock(t, owner, site.id, { type: 'image', data: { url: 'https://img.example/engine.png', alt: 'The Analytical Engine' } });
  await addBlock(t, owner, site.id, {
    type: 'social',
    data: {
      links: [
        { network: 'github', url: 'https://github.com/ada' },
        { network: 'mastodon', url: 'https://mastodon.example/@ada' },
      ],
    },
  });
  await addBlock(t, owner, site.id, { type: 'email_capture', data: { title: 'Letters from Ada', button_label: 'Subscribe' } });
  tab = await openPage(browser, t.url, desktop);
  // No network: images and link targets are answered here.
  await tab.context.route('https://img.example/**', (route) => route.fulfill({ status: 200, contentType: 'image/png', body: pixel }));
  await tab.context.route('https://ada.example/**', (route) => route.fulfill({ status: 200, contentType: 'text/html', body: '<title>Arrived</title>Arrived' }));
});
afterAll(async () => {
  await tab?.context.close();
  await browser?.close();
  await t?.close();
});

describe('a public page in Chromium', () => {
  it('renders with no console errors and no CSP violations, and saves a screenshot', async () => {
    const response = await tab.page.goto('/b/e2e-site');
    expect(response?.status()).toBe(200);
    await expect.poll(() => tab.page.getByRole('heading', { level: 1, name: 'Ada Lovelace' }).isVisible()).toBe(true);
    expect(await tab.page.title()).toBe('Ada Lovelace');
    expect(await tab.page.getByText('Mathematician & writer <of notes>').isVisible()).toBe(true);
    expect(await tab.page.getByRole('img', { name: 'The Analytical Engine' }).evaluate((image: HTMLImageElement) => image.complete)).toBe(true);
    expect(await tab.page.locator('main').evaluate((main) => getComputedStyle(main.ownerDocument.body).fontFamily)).toMatch(/serif/i);
    await tab.page.screenshot({ path: `${artifactsDir}bio-page.png`, fullPage: true });
    expect(await tab.cspViolations()).toEqual([]);
    expect(tab.errors).toEqual([]);
  });

  it('has its links, and following one goes through the tracked redirect to the target', async () => {
    const links = tab.page.locator('a.link');
    expect(await links.allTextContents()).toEqual(['✍️My blog', 'The notes']);
    const blog = tab.page.getByRole('link', { name: 'My blog' });
    expect(await blog.getAttribute('href')).toBe(`/b/e2e-site/l/${blogId}`);
    expect(await tab.page.getByRole('link', { name: 'GitHub' }).getAttribute('href')).toBe('https://github.com/ada');
    const redirect = tab.page.waitForResponse((response) => response.url().endsWith(`/b/e2e-site/l/${blogId}`));
    await blog.click();
    expect((await redirect).status()).toBe(302);
    await tab.page.waitForURL('https://ada.example/blog');
    expect(await tab.page.title()).toBe('Arrived');
    await t.flushWrites();
    const clicks = await t.sql<{ n: number }>("select count(*)::int as n from bio_sites_hits where kind = 'click' and subject_id = $1", [blogId]);
    expect(clicks[0]!.n).toBe(1);
    expect(tab.errors).toEqual([]);
  });

  it('subscribes through the email form and shows the thanks', async () => {
    await tab.page.goto('/b/e2e-site');
    await tab.page.getByLabel('Email address').fill('reader@example.com');
    await tab.page.getByRole('button', { name: 'Subscribe' }).click();
    await tab.page.waitForURL(/\/b\/e2e-site\?subscribed=1#subscribed$/);
    expect(await tab.page.getByRole('status').innerText()).toBe('Thanks, you are subscribed.');
    expect(await t.sql("select 1 from bio_sites_subscribers where email = 'reader@example.com'")).toHaveLength(1);
    expect(await tab.cspViolations()).toEqual([]);
    expect(tab.errors).toEqual([]);
  });
});
