/**
 * Issue 21's proof for creators, in headless Chromium against a real kernel, as a person uses the console (click,
 * type, drag, keyboard; no API call by the steps): the owner of a tenant with the shop and bio sites creates a
 * product in the shop's own form, creates a bio site, adds five kinds of block in the page editor (a link whose
 * title fills itself in from the linked page, a heading, text, social profiles and the product), reorders them by
 * dragging with the mouse and with the arrow keys, watches the live preview follow, publishes the page and opens it
 * from the share box's Open link: the public page shows the blocks in the new order. The editor is photographed in
 * English and Arabic at 1280 and 390 px (test-artifacts/bio-editor-<en|ar>-<1280|390>.png), the public page too.
 */
import { createServer, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { createTestKernel, solidPng, type TestKernel, type TestUser } from '@plinth/core/testing';
import bioSites from '@plinth/plugin-bio-sites';
import payments from '@plinth/plugin-payments';
import shop from '@plinth/plugin-shop';
import type { Browser, Locator, Page } from 'playwright-core';
import { afterAll, beforeAll, describe, expect, test } from 'vitest';
import consolePlugin from '../src/index.js';
import { artifactsDir, dragTo, launchChromium, menuLink, openPage, recordFailures, servedCopy, signIn, type WatchedPage } from './browser.js';
import { axeViolations } from './named-controls.js';
import { ensureWebBuilt } from './web-build.js';

let t: TestKernel;
let browser: Browser;
let owner: TestUser;
let tab: WatchedPage;
let pages: Server;
let blogUrl: string;
const slug = 'maker-links';

/** A page on loopback whose title the editor reads when its address is pasted into a link block. */
function serveBlog(): Promise<Server> {
  const server = createServer((_request, response) => {
    response.writeHead(200, { 'content-type': 'text/html; charset=utf-8' });
    response.end('<!doctype html><html><head><title>Studio journal &amp; notes</title></head><body>Journal</body></html>');
  });
  return new Promise((resolve) => server.listen(0, '127.0.0.1', () => resolve(server)));
}

beforeAll(async () => {
  await ensureWebBuilt();
  [t, browser, pages] = await Promise.all([
    createTestKernel({ plugins: [servedCopy(consolePlugin), payments, shop, bioSites], tenants: ['maker'], env: { PLINTH_HTTP_ALLOW_LOOPBACK: 'true' } }),
    launchChromium(),
    serveBlog(),
  ]);
  blogUrl = `http://127.0.0.1:${(pages.address() as AddressInfo).port}/journal`;
  owner = t.tenants.maker!;
  const patched = await t.request('PATCH', '/api/v1/tenant', { headers: owner.headers, body: { currency: 'EUR', locale: 'en', time_zone: 'Europe/Paris' } });
  expect(patched.status, JSON.stringify(patched.body)).toBe(200);
  for (const plugin of ['payments', 'shop', 'bio-sites']) await t.enable(owner, plugin);
  tab = await openPage(browser, t.url);
  tab.page.setDefaultTimeout(10_000);
  await signIn(tab, owner);
});

recordFailures('bio-editor', () => tab);

afterAll(async () => {
  await browser?.close();
  await t?.close();
  pages?.close();
});

const input = (scope: Page | Locator, name: string | RegExp) =>
  scope.getByRole('textbox', { name, exact: true }).or(scope.getByRole('spinbutton', { name, exact: true }));
/** The editor's list of blocks. */
const blockList = (page: Page) => page.locator('ol.bio-block-list > li');
/** The kinds of the blocks, top to bottom, as the editor lists them. */
const listedTypes = (page: Page) => page.locator('ol.bio-block-list .bio-block-type').allInnerTexts();

/** The blocks of the site as stored, in page order (the test's check, not a step). */
async function storedOrder(): Promise<string[]> {
  const sites = await t.request('GET', `/api/v1/bio-sites/sites?q=${slug}`, { headers: owner.headers });
  const site = (sites.body.data as { id: string; slug: string }[]).find((candidate) => candidate.slug === slug)!;
  const blocks = await t.request('GET', `/api/v1/bio-sites/sites/${site.id}/blocks`, { headers: owner.headers });
  return (blocks.body.data as { type: string }[]).map((block) => block.type);
}

/** Opens "Add block", picks a kind, fills its form with `fill`, adds it, and waits for it at the end of the list. */
async function addBlock(page: Page, kind: string, fill: (form: Locator) => Promise<void>): Promise<void> {
  const count = await blockList(page).count();
  await page.getByRole('button', { name: 'Add block', exact: true }).click();
  await page.getByRole('list', { name: 'Kinds of block' }).getByRole('button', { name: kind, exact: true }).click();
  const form = page.getByRole('form', { name: `New ${kind}` });
  await fill(form);
  await form.getByRole('button', { name: 'Add to page' }).click();
  await expect.poll(() => blockList(page).count()).toBe(count + 1);
}

/** Photographs the editor as `bio-editor-<language>-1280` and `-390`; at 390 px nothing may stick out sideways. */
async function photograph(name: string, language: 'en' | 'ar'): Promise<void> {
  const { page } = tab;
  await page.setViewportSize({ width: 1280, height: 860 });
  await tab.screenshot(`${name}-${language}-1280`);
  await page.setViewportSize({ width: 390, height: 844 });
  const width = await page.evaluate(() => document.documentElement.scrollWidth);
  expect.soft(width, `${name} (${language}) is wider than a 390 px phone`).toBeLessThanOrEqual(390);
  // On a phone the preview comes below the editor: scrolled to, it shows the page too.
  await page.locator('.bio-phone').scrollIntoViewIfNeeded();
  await page.frameLocator('.bio-phone iframe').getByRole('heading', { name: 'Maker Mia', level: 1 }).waitFor();
  await tab.screenshot(`${name}-${language}-390`);
  await page.screenshot({ path: `${artifactsDir}${name}-preview-${language}-390.png` });
  await page.setViewportSize({ width: 1280, height: 860 });
}

/** Waits until the preview frame shows `texts` in this order (it is fetched again after each saved change). */
async function previewShows(page: Page, texts: string[]): Promise<void> {
  await expect
    .poll(async () => {
      const html = (await page.locator('.bio-phone iframe').getAttribute('srcdoc')) ?? '';
      const at = texts.map((text) => html.indexOf(text));
      return at.every((index) => index >= 0) && at.every((index, i) => i === 0 || index > at[i - 1]!);
    })
    .toBe(true);
}

describe.sequential('the bio page editor', () => {
  test('the owner creates a product in the shop’s form', async () => {
    const { page } = tab;
    await menuLink(page, 'Products').click();
    await page.getByRole('link', { name: /^New product/ }).click();
    await input(page, 'Name').fill('Linen tote bag');
    await page
      .getByRole('radiogroup', { name: /^Status/ })
      .getByRole('radio', { name: 'Active' })
      .check();
    await page.getByRole('button', { name: /^Add variant/i }).click();
    const variant = page.getByRole('group', { name: 'Variant 1', exact: true });
    await input(variant, /^SKU$/i).fill('TOTE-1');
    await input(variant, 'Price').fill('24.90');
    await input(variant, 'Stock').fill('12');
    await page.getByRole('button', { name: /^Create product/ }).click();
    await page.waitForURL((url) => !url.pathname.endsWith('/new')); // the new product's page
    const listed = await t.request('GET', '/api/v1/shop/products?q=Linen', { headers: owner.headers });
    expect((listed.body.data as { name: string; status: string }[]).map((product) => [product.name, product.status])).toEqual([['Linen tote bag', 'active']]);
  });

  test('creates a site, lands in its editor and adds five kinds of block, the link titled from its page', async () => {
    const { page } = tab;
    await menuLink(page, 'Bio sites').click();
    await page.getByRole('link', { name: /^New bio site/ }).click();
    await input(page, /^Address/).fill(slug);
    await input(page, 'Title').first().fill('Maker Mia'); // the site's title (the search listing's comes later)
    await page.getByRole('button', { name: /^Create/ }).click();
    await page.getByRole('heading', { name: 'Editor', level: 1 }).waitFor(); // the site's primary screen
    await page.getByRole('heading', { name: 'Blocks', level: 2 }).waitFor();

    await addBlock(page, 'Link', async (form) => {
      await input(form, 'Address (URL)').fill(blogUrl);
      await page.keyboard.press('Tab'); // leaving the address looks the title up
      await expect.poll(() => input(form, 'Title').inputValue()).toBe('Studio journal & notes');
      await photograph('bio-editor-link-form', 'en');
    });
    await addBlock(page, 'Heading', (form) => input(form, 'Heading text').fill('Hello from the studio'));
    await addBlock(page, 'Text', (form) => input(form, 'Text').fill('Prints, bags and workshops.'));
    await addBlock(page, 'Social profiles', async (form) => {
      await form.getByLabel('Network 1').selectOption('instagram');
      await input(form, 'Profile address 1').fill('https://instagram.com/maker.mia');
    });
    await addBlock(page, 'Product', async (form) => {
      await form.getByRole('combobox', { name: 'Product' }).selectOption({ label: 'Linen tote bag' });
      await input(form, 'Button label (optional)').fill('Get the tote');
    });
    expect(await listedTypes(page)).toEqual(['Link', 'Heading', 'Text', 'Social profiles', 'Product']);
    expect(await storedOrder()).toEqual(['link', 'heading', 'text', 'social', 'product']);
    // The preview is the server's rendering of the page (unpublished yet): the blocks, and the product's card.
    await previewShows(page, ['Studio journal &amp; notes', 'Hello from the studio', 'Prints, bags and workshops.', 'Instagram', 'Linen tote bag']);
    expect(tab.errors).toEqual([]);
  });

  test('reorders the blocks by dragging a handle with the mouse, then with the arrow keys', async () => {
    const { page } = tab;
    // Drag the product (last) above the link (first): down on its handle, move up in steps, up.
    const handle = blockList(page).nth(4).locator('.drag-handle');
    // The list in the middle of the window, as a person scrolls it: near an edge, SortableJS scrolls the page.
    await page.mouse.wheel(0, (await page.getByRole('heading', { name: 'Blocks', level: 2 }).boundingBox())!.y - 120);
    await expect.poll(async () => Math.round((await page.getByRole('heading', { name: 'Blocks', level: 2 }).boundingBox())!.y)).toBeLessThan(200);
    const top = (await blockList(page).nth(0).boundingBox())!;
    await dragTo(
      page,
      handle,
      { x: top.x + top.width / 2, y: top.y + 6 },
      async () => (await page.locator('ol.bio-block-list > li:first-child.sortable-ghost').count()) === 1,
    );
    await expect.poll(() => listedTypes(page)).toEqual(['Product', 'Link', 'Heading', 'Text', 'Social profiles']);
    await expect.poll(storedOrder).toEqual(['product', 'link', 'heading', 'text', 'social']);

    // The heading (third) goes up one with the keyboard: focus stays on its handle, and the move is announced.
    const headingHandle = page.getByRole('button', { name: 'Move Heading: Hello from the studio' });
    await headingHandle.focus();
    await page.keyboard.press('ArrowUp');
    await expect.poll(() => listedTypes(page)).toEqual(['Product', 'Heading', 'Link', 'Text', 'Social profiles']);
    await page.getByText('Moved to position 2 of 5').waitFor();
    expect(await headingHandle.evaluate((element) => element === document.activeElement)).toBe(true);
    await page.keyboard.press('Home');
    await expect.poll(() => listedTypes(page)).toEqual(['Heading', 'Product', 'Link', 'Text', 'Social profiles']);
    await expect.poll(storedOrder).toEqual(['heading', 'product', 'link', 'text', 'social']);
    await previewShows(page, ['Hello from the studio', 'Linen tote bag', 'Studio journal &amp; notes', 'Prints, bags and workshops.', 'Instagram']);
  });

  test('hides a block with its switch, and shows it again', async () => {
    const { page } = tab;
    const toggle = page.getByRole('switch', { name: 'Show Text: Prints, bags and workshops.' });
    await toggle.click();
    await expect.poll(() => toggle.getAttribute('aria-checked')).toBe('false');
    await expect.poll(async () => ((await page.locator('.bio-phone iframe').getAttribute('srcdoc')) ?? '').includes('Prints, bags')).toBe(false);
    await toggle.click();
    await expect.poll(() => toggle.getAttribute('aria-checked')).toBe('true');
    await previewShows(page, ['Prints, bags and workshops.']);
  });

  test('publishes the page and opens it from the share box: the blocks in the new order', async () => {
    const { page } = tab;
    await page.getByRole('button', { name: 'Publish', exact: true }).click();
    const share = page.locator('plinth-share');
    const open = share.getByRole('link', { name: /^Open/ });
    await open.waitFor();
    await photograph('bio-editor', 'en');
    const [visitor] = await Promise.all([page.context().waitForEvent('page'), open.click()]);
    await visitor.waitForLoadState();
    expect(new URL(visitor.url()).pathname).toBe(`/b/${slug}`);
    await visitor.getByRole('heading', { name: 'Maker Mia', level: 1 }).waitFor();
    const items = await visitor.locator('ul.blocks > li').allInnerTexts();
    const order = ['Hello from the studio', 'Linen tote bag', 'Studio journal & notes', 'Prints, bags and workshops.', 'Instagram'];
    expect(order.map((text) => items.findIndex((item) => item.includes(text)))).toEqual([0, 1, 2, 3, 4]);
    expect(await visitor.getByRole('link', { name: /Get the tote/ }).getAttribute('href')).toBe(`/c/${owner.tenant!.slug}/buy/linen-tote-bag`);
    for (const width of [1280, 390]) {
      await visitor.setViewportSize({ width, height: 844 });
      await visitor.screenshot({ path: `${artifactsDir}bio-public-page-${width}.png`, fullPage: true });
      const serious = (await axeViolations(visitor, 'body')).filter((violation) => violation.impact === 'serious' || violation.impact === 'critical');
      expect(serious).toEqual([]);
    }
    await visitor.close();
  });

  test('more kinds of block, editing in place, a schedule, deleting with a confirmation, a theme and an avatar', async () => {
    const { page } = tab;
    const preview = async () => (await page.locator('.bio-phone iframe').getAttribute('srcdoc')) ?? '';
    // An email form with the server's defaults, and a video (a placeholder in the preview: no third-party frames there).
    await addBlock(page, 'Email sign-up', async () => undefined);
    await addBlock(page, 'Video or music', (form) => input(form, 'YouTube or Spotify address').fill('https://www.youtube.com/watch?v=dQw4w9WgXcQ'));
    await addBlock(page, 'Image', async (form) => {
      await form.getByLabel('Image file').setInputFiles({ name: 'workbench.png', mimeType: 'image/png', buffer: solidPng(200, 120, [40, 90, 160]) });
      await form.getByRole('img', { name: 'The image' }).waitFor(); // uploaded
      await input(form, 'Description for people who cannot see it').fill('My workbench');
    });
    await previewShows(page, ['Join my newsletter', '▶ YouTube video', 'alt="My workbench"']);

    // The link's title changed in place.
    await page.getByRole('button', { name: 'Edit Link: Studio journal & notes' }).click();
    const editLink = page.getByRole('form', { name: 'Edit Link' });
    await input(editLink, 'Title').fill('My studio journal');
    await editLink.getByRole('button', { name: 'Save block' }).click();
    await page.getByRole('button', { name: 'Edit Link: My studio journal' }).waitFor();
    await previewShows(page, ['My studio journal']);

    // The text shown only from a date to come (typed in the tenant's zone): scheduled, off the page for now.
    await page.getByRole('button', { name: 'Edit Text: Prints, bags and workshops.' }).click();
    const editText = page.getByRole('form', { name: 'Edit Text' });
    await editText.getByLabel('Show from').fill(`${new Date().getFullYear() + 1}-01-15T09:30`);
    await editText.getByRole('button', { name: 'Save block' }).click();
    const textBlock = blockList(page).filter({ hasText: 'Prints, bags and workshops.' });
    await textBlock.getByText('Scheduled').waitFor();
    await expect.poll(async () => (await preview()).includes('Prints, bags')).toBe(false);
    const stored = await t.sql<{ starts_at: Date }>("select starts_at from bio_sites_blocks where type = 'text'");
    expect(stored[0]!.starts_at.toISOString()).toBe(`${new Date().getFullYear() + 1}-01-15T08:30:00.000Z`); // 09:30 in Paris, in winter

    // Deleting asks first.
    await page.getByRole('button', { name: /^Delete Video or music/ }).click();
    const confirm = page.getByRole('group', { name: /^Delete Video or music/ });
    await expect.poll(() => confirm.getByRole('button', { name: 'Keep it' }).evaluate((element) => element === document.activeElement)).toBe(true);
    await page.keyboard.press('Enter'); // keeps it: the focus goes back to the Delete button
    await confirm.waitFor({ state: 'detached' });
    await expect.poll(() => page.getByRole('button', { name: /^Delete Video or music/ }).evaluate((element) => element === document.activeElement)).toBe(true);
    await page.getByRole('button', { name: /^Delete Video or music/ }).click();
    await confirm.getByRole('button', { name: 'Delete block' }).click();
    await expect.poll(() => listedTypes(page)).not.toContain('Video or music');
    await expect.poll(async () => (await preview()).includes('YouTube video')).toBe(false);

    // The dark preset from the gallery, then an avatar: both reach the preview.
    await page.getByRole('radio', { name: 'Dark' }).check();
    await expect.poll(async () => (await preview()).includes('--bg:#111827')).toBe(true);
    await page.getByLabel('Avatar image').setInputFiles({ name: 'mia.png', mimeType: 'image/png', buffer: solidPng(120, 120, [200, 80, 40]) });
    await page.getByRole('img', { name: 'Your avatar' }).waitFor();
    await expect.poll(async () => (await preview()).includes('class="avatar"')).toBe(true);
    expect(tab.errors).toEqual([]);
  });

  test('in Arabic the editor reads right to left', async () => {
    const { page } = tab;
    const editor = page.url();
    await page.locator('a[href="/account"]').first().click();
    await page.getByLabel(/^Language/).selectOption('ar');
    await page.waitForFunction(() => document.documentElement.dir === 'rtl');
    await page.goto(editor);
    await page.getByRole('heading', { name: 'العناصر', level: 2 }).waitFor(); // "Blocks"
    await page.locator('plinth-share').getByRole('link').first().waitFor();
    expect(await page.locator('bio-site-editor').getAttribute('dir')).toBe('rtl');
    await previewShows(page, ['Hello from the studio']);
    await photograph('bio-editor', 'ar');
    expect(tab.errors).toEqual([]);
  });
});
