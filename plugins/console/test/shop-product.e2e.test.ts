/**
 * Issue 21's proof for shops, in headless Chromium against a real kernel, as a shop owner uses the console (click,
 * type, drag, keyboard; no API call by the steps): she creates a product with the console's form and lands in the
 * product editor, writes a description with bold text, prices it at €19.90 (was €24.90), uploads two images and
 * swaps them by dragging, generates four variants from Size and Colour, restocks one and reads the movement in its
 * history; after a reload everything is still there. The editor is photographed in English and Arabic at 1280 and
 * 390 px (test-artifacts/shop-product-editor-<en|ar>-<1280|390>.png).
 */
import { createTestKernel, solidPng, type TestKernel, type TestUser } from '@plinth/core/testing';
import payments from '@plinth/plugin-payments';
import shop from '@plinth/plugin-shop';
import type { Browser, Locator, Page } from 'playwright-core';
import { afterAll, beforeAll, describe, expect, test } from 'vitest';
import consolePlugin from '../src/index.js';
import { dragTo, launchChromium, menuLink, openPage, photograph as photographScreen, recordFailures, servedCopy, signIn, type WatchedPage } from './browser.js';
import { ensureWebBuilt } from './web-build.js';

let t: TestKernel;
let browser: Browser;
let owner: TestUser;
let tab: WatchedPage;
let editorPath = '';

beforeAll(async () => {
  await ensureWebBuilt();
  [t, browser] = await Promise.all([
    createTestKernel({ plugins: [servedCopy(consolePlugin), payments, servedCopy(shop)], tenants: ['atelier'] }),
    launchChromium(),
  ]);
  owner = t.tenants.atelier!;
  const patched = await t.request('PATCH', '/api/v1/tenant', { headers: owner.headers, body: { currency: 'EUR', locale: 'en', time_zone: 'Europe/Paris' } });
  expect(patched.status, JSON.stringify(patched.body)).toBe(200);
  for (const plugin of ['payments', 'shop']) await t.enable(owner, plugin);
  tab = await openPage(browser, t.url);
  tab.page.setDefaultTimeout(10_000);
  await signIn(tab, owner);
});

recordFailures('shop-product', () => tab);

afterAll(async () => {
  await browser?.close();
  await t?.close();
});

const input = (scope: Page | Locator, name: string | RegExp) =>
  scope.getByRole('textbox', { name, exact: true }).or(scope.getByRole('spinbutton', { name, exact: true }));
const saved = (page: Page) => page.getByRole('status').filter({ hasText: 'Product saved' });
/** The file ids of the images in the editor's list, top to bottom (from their thumbnails' addresses). */
const listedImages = (page: Page) =>
  page.locator('ol.image-list img').evaluateAll((images) => images.map((image) => /\/([0-9a-f-]{36})(?:\?|$)/.exec((image as HTMLImageElement).src)?.[1]));
const variantTitles = (page: Page) => page.locator('.variant-title bdi').allInnerTexts();
const variantRow = (page: Page, title: string) => page.locator('li.variant-row').filter({ has: page.getByRole('heading', { name: title }) });

interface StoredProduct {
  id: string;
  description: string;
  image_file_ids: string[];
  image_alt: Record<string, string>;
  variants: { sku: string; price: number; compare_at_price: number | null; attributes: Record<string, string>; stock: number }[];
}

/** The product as the API stores it (the test's check, not a step). */
async function stored(): Promise<StoredProduct> {
  const id = new URL(editorPath, t.url).searchParams.get('id');
  const answer = await t.request('GET', `/api/v1/shop/products/${id}`, { headers: owner.headers });
  expect(answer.status).toBe(200);
  return answer.body.data as StoredProduct;
}

/** Photographs the editor as `shop-product-editor-<language>-1280.png` and `-390.png` (browser.ts `photograph`). */
const photograph = (language: 'en' | 'ar') => photographScreen(tab, 'shop-product-editor', language);

describe.sequential('the shop’s product editor', () => {
  test('a product created with the console’s form opens in the product editor', async () => {
    const { page } = tab;
    await menuLink(page, 'Products').click();
    await page.getByRole('link', { name: /^New product/ }).click();
    await input(page, 'Name').fill('Enamel mug');
    await page.getByRole('button', { name: /^Create product/ }).click();
    await page.waitForURL(/\/w\/shop\/shop-product-editor\?id=[0-9a-f-]{36}$/);
    editorPath = new URL(page.url()).pathname + new URL(page.url()).search;
    await page.getByRole('heading', { name: 'Details', level: 2 }).waitFor();
    expect(await input(page, 'Name').inputValue()).toBe('Enamel mug');
  });

  test('description with bold text, price and compare-at price in euros, SKU: saved', async () => {
    const { page } = tab;
    const description = page.getByRole('textbox', { name: 'Description', exact: true });
    await description.click();
    await page.keyboard.type('A sturdy ');
    await page.getByRole('button', { name: 'Bold' }).click();
    await page.keyboard.type('enamel');
    await page.getByRole('button', { name: 'Bold' }).click();
    await page.keyboard.type(' mug for camping.');

    const pricing = page.getByRole('region', { name: 'Pricing and stock' });
    await input(pricing, 'Price').fill('19.90');
    await input(pricing, 'Compare-at price').fill('24.90');
    await input(pricing, 'SKU').fill('MUG');
    await page.getByRole('button', { name: 'Save', exact: true }).click();
    await saved(page).waitFor();

    const product = await stored();
    expect(product.description).toBe('<p>A sturdy <strong>enamel</strong> mug for camping.</p>');
    expect(product.variants.map((variant) => [variant.sku, variant.price, variant.compare_at_price])).toEqual([['MUG', 1990, 2490]]);
  });

  test('a compare-at price below the price is refused beside the field', async () => {
    const { page } = tab;
    const pricing = page.getByRole('region', { name: 'Pricing and stock' });
    await input(pricing, 'Compare-at price').fill('9.90');
    await page.getByRole('button', { name: 'Save', exact: true }).click();
    await pricing.getByText('must be more than the price (or empty)').waitFor();
    await page.getByRole('alert').filter({ hasText: 'was not saved' }).waitFor();
    await input(pricing, 'Compare-at price').fill('24.90');
    await page.getByRole('button', { name: 'Save', exact: true }).click();
    await expect.poll(async () => (await stored()).variants[0]!.compare_at_price, { timeout: 10_000 }).toBe(2490);
    await expect.poll(() => pricing.getByText('must be more than the price (or empty)').count(), { timeout: 10_000 }).toBe(0);
  });

  test('two images uploaded, swapped by dragging, described, saved in that order', async () => {
    const { page } = tab;
    await page.getByLabel('Add images').setInputFiles([
      { name: 'front.png', mimeType: 'image/png', buffer: solidPng(320, 240, [20, 110, 190]) },
      { name: 'side.png', mimeType: 'image/png', buffer: solidPng(320, 240, [190, 60, 40]) },
    ]);
    await expect.poll(async () => (await listedImages(page)).length, { timeout: 10_000 }).toBe(2);
    const [front, side] = (await listedImages(page)) as [string, string];

    // Drag the second image's handle above the first: down, move in steps, up.
    const handle = page.getByRole('button', { name: 'Move image 2', exact: true });
    const target = (await page.locator('ol.image-list > li').first().boundingBox())!;
    await dragTo(
      page,
      handle,
      { x: target.x + target.width / 2, y: target.y + 4 },
      async () => (await page.locator('ol.image-list > li:first-child.sortable-ghost').count()) === 1,
    );
    await expect.poll(() => listedImages(page), { timeout: 10_000 }).toEqual([side, front]);

    // With the keyboard: the first image goes down one; focus stays on its handle and the move is announced.
    await page.getByRole('button', { name: 'Move image 1', exact: true }).focus();
    await page.keyboard.press('ArrowDown');
    await expect.poll(() => listedImages(page), { timeout: 10_000 }).toEqual([front, side]);
    await page.getByRole('status').filter({ hasText: 'Moved to position 2 of 2' }).waitFor();
    expect(await page.evaluate(() => document.activeElement?.getAttribute('aria-label'))).toBe('Move image 2');
    await page.keyboard.press('ArrowUp');
    await expect.poll(() => listedImages(page), { timeout: 10_000 }).toEqual([side, front]);

    await input(page, 'Alternative text for image 1').fill('The mug from the side');
    await input(page, 'Alternative text for image 2').fill('The mug from the front');
    await page.getByRole('button', { name: 'Save', exact: true }).click();
    await saved(page).waitFor();
    const product = await stored();
    expect(product.image_file_ids).toEqual([side, front]);
    expect(product.image_alt).toEqual({ [side]: 'The mug from the side', [front]: 'The mug from the front' });
  });

  test('options Size and Colour generate four variants; the first keeps the saved one', async () => {
    const { page } = tab;
    await page.getByRole('button', { name: 'Add options like size or colour' }).click();
    const size = page.getByRole('group', { name: 'Option 1' });
    await input(size, 'Option name').fill('Size');
    const sizes = input(size, 'Values');
    await sizes.fill('S');
    await sizes.press('Enter');
    await sizes.fill('M');
    await sizes.press('Enter');
    await size.getByRole('list', { name: 'Values of Size' }).getByText('M', { exact: true }).waitFor();

    await page.getByRole('button', { name: 'Add another option' }).click();
    const colour = page.getByRole('group', { name: 'Option 2' });
    await input(colour, 'Option name').fill('Colour');
    await input(colour, 'Values').pressSequentially('red, blue,');
    await colour.getByRole('button', { name: 'Remove blue' }).waitFor();

    await expect.poll(() => variantTitles(page), { timeout: 10_000 }).toEqual(['S / red', 'S / blue', 'M / red', 'M / blue']);
    // New combinations start from the saved variant's prices, with SKUs made from its SKU.
    const mBlue = variantRow(page, 'M / blue');
    expect(await input(mBlue, 'SKU').inputValue()).toBe('MUG-M-BLUE');
    expect(await input(mBlue, 'Price').inputValue()).toBe('19.90');
    await page.getByRole('button', { name: 'Save', exact: true }).click();
    await saved(page).waitFor();

    const product = await stored();
    expect(product.variants.map((variant) => [variant.sku, variant.attributes, variant.price, variant.compare_at_price])).toEqual([
      ['MUG', { Size: 'S', Colour: 'red' }, 1990, 2490],
      ['MUG-S-BLUE', { Size: 'S', Colour: 'blue' }, 1990, 2490],
      ['MUG-M-RED', { Size: 'M', Colour: 'red' }, 1990, 2490],
      ['MUG-M-BLUE', { Size: 'M', Colour: 'blue' }, 1990, 2490],
    ]);
  });

  test('restocking a variant shows the new count and the movement in its history', async () => {
    const { page } = tab;
    const row = variantRow(page, 'M / blue');
    await row.getByRole('button', { name: 'Adjust stock of M / blue' }).click();
    await input(row, 'Change').fill('12');
    await row.getByLabel('Reason').selectOption('restocked');
    await input(row, 'Note').fill('First delivery');
    await row.getByRole('button', { name: 'Apply' }).click();
    await row.getByText('In stock: 12').waitFor();
    await page.getByRole('status').filter({ hasText: 'Stock of M / blue is now 12' }).waitFor();

    await row.getByRole('button', { name: 'Stock history of M / blue' }).click();
    const movement = row.getByRole('row').filter({ hasText: 'First delivery' });
    await movement.waitFor();
    expect(await movement.getByRole('cell').allInnerTexts()).toEqual([expect.any(String), '+12', 'Restocked · First delivery', expect.any(String)]);
    expect((await stored()).variants[3]!.stock).toBe(12);
    await photograph('en');
  });

  test('after a reload the editor shows it all', async () => {
    const { page } = tab;
    await page.reload();
    await page.getByRole('heading', { name: 'Details', level: 2 }).waitFor();
    await page.getByRole('textbox', { name: 'Description', exact: true }).locator('strong', { hasText: 'enamel' }).waitFor();
    const stock = await stored();
    await expect.poll(() => listedImages(page), { timeout: 10_000 }).toEqual(stock.image_file_ids);
    expect(await input(page, 'Alternative text for image 1').inputValue()).toBe('The mug from the side');
    await expect.poll(() => variantTitles(page), { timeout: 10_000 }).toEqual(['S / red', 'S / blue', 'M / red', 'M / blue']);
    const sRed = variantRow(page, 'S / red');
    expect(await input(sRed, 'Price').inputValue()).toBe('19.90');
    expect(await input(sRed, 'Compare-at price').inputValue()).toBe('24.90');
    const mBlue = variantRow(page, 'M / blue');
    await mBlue.getByText('In stock: 12').waitFor();
    await mBlue.getByRole('button', { name: 'Stock history of M / blue' }).click();
    await mBlue.getByRole('row').filter({ hasText: 'First delivery' }).waitFor();
  });

  test('a colour taken away deletes its variants once confirmed', async () => {
    const { page } = tab;
    await page.getByRole('group', { name: 'Option 2' }).getByRole('button', { name: 'Remove red' }).click();
    await expect.poll(() => variantTitles(page), { timeout: 10_000 }).toEqual(['S / blue', 'M / blue']);
    await page.getByText('Deleted on save: S / red, M / red').waitFor();
    await page.getByRole('button', { name: 'Save', exact: true }).click();
    const dialog = page.getByRole('dialog', { name: 'Delete 2 variants?' });
    await dialog.waitFor();
    // Cancelling changes nothing; confirming deletes them and saves.
    await dialog.getByRole('button', { name: 'Cancel' }).click();
    await dialog.waitFor({ state: 'hidden' });
    expect((await stored()).variants).toHaveLength(4);
    await page.getByRole('button', { name: 'Save', exact: true }).click();
    await dialog.getByRole('button', { name: 'Delete and save' }).click();
    await expect.poll(async () => (await stored()).variants.map((variant) => variant.sku), { timeout: 10_000 }).toEqual(['MUG-S-BLUE', 'MUG-M-BLUE']);
    await variantRow(page, 'M / blue').getByText('In stock: 12').waitFor();
  });

  test('in Arabic the editor reads right to left, in the shop’s words', async () => {
    const { page } = tab;
    await page.locator('a[href="/account"]').first().click();
    await page.getByLabel(/^Language/).selectOption('ar');
    await page.waitForFunction(() => document.documentElement.dir === 'rtl');
    await page.goto(editorPath);
    await page.getByRole('heading', { name: 'التفاصيل', level: 2 }).waitFor(); // "Details"
    await page.getByRole('button', { name: 'حفظ', exact: true }).waitFor(); // "Save"
    await variantRow(page, 'M / blue').getByText('في المخزون').waitFor(); // "In stock"
    expect(await page.locator('shop-product-editor').getAttribute('dir')).toBe('rtl');
    await photograph('ar');
  });
});
