/// <reference lib="dom" /> // page.evaluate callbacks run in the browser
/**
 * The shop's order view and sales overview (issue 21), in headless Chromium against a real kernel, as a shop owner
 * uses them: from Orders, the row opens the order; she fulfils it with a tracking note, refunds one of its two mugs
 * (confirming the amount), adds a note, and sees each in the timeline; then "Sales overview" from the orders list
 * shows the order's revenue in its totals and its table. The same screens in Arabic, right to left. The world (a
 * tenant with payments' test gateway and the shop, a product, an order paid through the test gateway) is set up
 * through the API; the test's own steps only click, type and choose. Every screen is checked by axe-core and
 * photographed as test-artifacts/shop-<screen>-<en|ar>-<1280|390>.png.
 */
import { createTestKernel, type TestKernel, type TestResponse, type TestUser } from '@plinth/core/testing';
import payments from '@plinth/plugin-payments';
import shop from '@plinth/plugin-shop';
import type { Browser, Page } from 'playwright-core';
import { afterAll, beforeAll, describe, expect, test } from 'vitest';
import consolePlugin from '../src/index.js';
import { launchChromium, menuLink, openPage, photograph as photographScreen, recordFailures, servedCopy, signIn, type WatchedPage } from './browser.js';
import { ensureWebBuilt } from './web-build.js';

const GOOD_CARD = '4242424242424242';

let t: TestKernel;
let browser: Browser;
let owner: TestUser;
let tab: WatchedPage;
let order: { id: string; number: string; total: number; lines: { id: string; unit_price: number }[] };

function expectStatus(response: TestResponse, status: number, what: string): TestResponse {
  expect(response.status, `${what}: ${JSON.stringify(response.body)}`).toBe(status);
  return response;
}

beforeAll(async () => {
  await ensureWebBuilt();
  [t, browser] = await Promise.all([createTestKernel({ plugins: [servedCopy(consolePlugin), payments, shop], tenants: ['emporium'] }), launchChromium()]);
  owner = t.tenants.emporium!;
  const api = (method: string, url: string, body?: unknown) => t.request(method, url, { headers: owner.headers, body });
  expectStatus(await api('PATCH', '/api/v1/tenant', { currency: 'EUR', locale: 'en', time_zone: 'Europe/Paris' }), 200, 'tenant currency and zone');
  for (const plugin of ['payments', 'shop']) await t.enable(owner, plugin);
  expectStatus(
    await api('PUT', '/api/v1/payments/providers/test', { credentials: { webhook_secret: `whsec_${owner.tenant!.slug}` } }),
    200,
    'configuring the test gateway',
  );
  const product = expectStatus(
    await api('POST', '/api/v1/shop/products', {
      name: 'Ceramic mug',
      slug: 'ceramic-mug',
      status: 'active',
      variants: [{ sku: 'MUG-BLUE', price: 1800, stock: 10 }],
    }),
    201,
    'creating a product',
  ).body.data;
  const placed = expectStatus(
    await api('POST', '/api/v1/shop/orders', {
      customer: { email: 'nadia@example.test', name: 'Nadia Karim' },
      items: [{ variant_id: product.variants[0].id, quantity: 2 }],
    }),
    201,
    'placing an order',
  ).body.data;
  const intent = expectStatus(await api('POST', `/api/v1/shop/orders/${placed.id}/checkout`), 200, 'checkout').body.data.payment_intent;
  expectStatus(await api('POST', `/api/v1/payments/intents/${intent.id}/confirm`, { payment_method: GOOD_CARD }), 200, 'paying');
  // The payment's event marks the order paid: run the outbox and the jobs until it is.
  for (let round = 0; round < 50; round++) {
    await t.drainEvents();
    await t.drainJobs();
    const current = (await api('GET', `/api/v1/shop/orders/${placed.id}`)).body.data;
    if (current.status === 'paid') {
      order = current;
      break;
    }
  }
  expect(order, 'the order was paid').toBeDefined();
  tab = await openPage(browser, t.url);
  tab.page.setDefaultTimeout(10_000);
  await signIn(tab, owner);
});

recordFailures('shop-orders', () => tab);

afterAll(async () => {
  await browser?.close();
  await t?.close();
});

/** An amount as the console shows it in English: `€36.00`. */
const euros = (minor: number) => new Intl.NumberFormat('en', { style: 'currency', currency: 'EUR' }).format(minor / 100);

/** The timeline's entries, as text. */
const timeline = (page: Page) => page.locator('.shop-timeline > li');

/** Photographs the screen as `shop-<screen>-<language>-1280.png` and `-390.png` (browser.ts `photograph`). */
const photograph = (screen: string, language: 'en' | 'ar') => photographScreen(tab, `shop-${screen}`, language);

describe.sequential('shop: order view and sales overview', () => {
  test('the owner opens a paid order from Orders, fulfils it, refunds one item, adds a note, and sees each in the timeline', async () => {
    const { page } = tab;
    await menuLink(page, 'Orders').click();
    await page.getByRole('heading', { name: 'Orders', level: 1 }).waitFor();
    await page.getByRole('row').filter({ hasText: order.number }).getByRole('link').first().click();
    await page.getByRole('heading', { name: `Order ${order.number}`, level: 2 }).waitFor();
    expect(new URL(page.url()).pathname).toBe(`/t/${owner.tenant!.slug}/w/shop/shop-order-view`);
    const items = page.getByRole('region', { name: 'Items' });
    await items.getByRole('row').filter({ hasText: 'Ceramic mug' }).getByText(euros(order.total)).first().waitFor();
    await page.getByRole('region', { name: 'Customer' }).getByRole('link', { name: 'Nadia Karim' }).waitFor();
    await page.getByRole('region', { name: 'Payment' }).getByText('Paid', { exact: true }).waitFor();
    await timeline(page).filter({ hasText: 'Order placed' }).waitFor();
    await timeline(page).filter({ hasText: 'Checkout started' }).waitFor();
    await timeline(page).filter({ hasText: 'Paid' }).waitFor();
    await photograph('order', 'en');

    // Fulfil, with the tracking number as its note.
    await page.getByRole('button', { name: 'Fulfil', exact: true }).click();
    const fulfil = page.getByRole('dialog', { name: `Fulfil order ${order.number}` });
    await fulfil.getByLabel('Note (optional)').fill('DHL 00340434161094042557');
    await fulfil.getByRole('button', { name: 'Mark fulfilled' }).click();
    await timeline(page).filter({ hasText: 'Fulfilled' }).filter({ hasText: 'DHL 00340434161094042557' }).waitFor();
    await expect.poll(() => page.getByRole('button', { name: 'Fulfil', exact: true }).count()).toBe(0);
    // The Fulfil button went with the dialog: the focus lands on the timeline, which shows what happened.
    await expect.poll(() => page.getByRole('heading', { name: 'Timeline' }).evaluate((heading) => heading === document.activeElement)).toBe(true);
    await page
      .getByRole('status')
      .filter({ hasText: `Order ${order.number} fulfilled` })
      .waitFor();

    // Refund one of the two mugs: the dialog states the amount and asks before money moves.
    await page.getByRole('button', { name: 'Refund', exact: true }).click();
    const refund = page.getByRole('dialog', { name: `Refund order ${order.number}` });
    await refund.getByRole('spinbutton', { name: /^Quantity of Ceramic mug to refund/ }).fill('1');
    await refund.getByLabel('Reason (optional)').fill('Arrived chipped');
    await photograph('order-refund', 'en');
    await refund.getByRole('button', { name: 'Review refund' }).click();
    await refund.getByText(`Refund ${euros(1800)} to nadia@example.test?`, { exact: false }).waitFor();
    await refund.getByRole('button', { name: `Refund ${euros(1800)}` }).click();
    const refunded = timeline(page).filter({ hasText: 'Partially refunded' });
    await refunded
      .filter({ hasText: `${euros(1800)} refunded` })
      .filter({ hasText: 'Arrived chipped' })
      .waitFor();
    await items.getByText('1 refunded').waitFor();
    await page.getByRole('region', { name: 'Payment' }).getByText('Partially refunded').waitFor();

    // A note, typed under the timeline.
    await page.getByLabel('Add a note').fill('Customer asked for a gift receipt');
    await page.getByRole('button', { name: 'Add note' }).click();
    await timeline(page).filter({ hasText: 'Note' }).filter({ hasText: 'Customer asked for a gift receipt' }).waitFor();
    await expect.poll(() => timeline(page).count()).toBeGreaterThanOrEqual(6);
    await photograph('order-timeline', 'en');
  });

  test('"Sales overview" from the orders list shows the order’s revenue in the totals and the table', async () => {
    const { page } = tab;
    await menuLink(page, 'Orders').click();
    await page.getByRole('heading', { name: 'Orders', level: 1 }).waitFor();
    await page.getByRole('link', { name: 'Sales overview' }).click();
    await page.getByRole('heading', { name: 'Sales overview', level: 1 }).waitFor();
    const totals = page.locator('.shop-sales-totals');
    await totals.locator('div').filter({ hasText: 'Revenue' }).first().getByText(euros(order.total)).waitFor();
    await totals.locator('div').filter({ hasText: 'Orders' }).getByText('1', { exact: true }).waitFor();
    await totals.locator('div').filter({ hasText: 'Refunds' }).getByText(euros(1800)).waitFor();
    const days = page.getByRole('table', { name: 'Per day' });
    await days
      .getByRole('row')
      .filter({ hasText: euros(order.total) })
      .waitFor();
    await page.getByRole('table', { name: 'Top products' }).getByRole('row').filter({ hasText: 'Ceramic mug' }).waitFor();
    await photograph('sales', 'en');

    // A week back works the same: the period is a choice, not a typed date.
    await page.getByLabel('Period').selectOption('7');
    await expect.poll(() => days.getByRole('row').count()).toBe(8); // a header and seven days
    await days
      .getByRole('row')
      .filter({ hasText: euros(order.total) })
      .waitFor();
  });

  test('in Arabic, the order and the sales overview read right to left', async () => {
    const { page } = tab;
    await page.locator('a[href="/account"]').first().click();
    await page.getByLabel(/^Language/).selectOption('ar');
    await page.waitForFunction(() => document.documentElement.dir === 'rtl');
    await page.goto(`/t/${owner.tenant!.slug}/w/shop/shop-order-view?id=${order.id}`);
    await page.getByRole('heading', { name: `الطلب ${order.number}`, level: 2 }).waitFor();
    await page.getByRole('heading', { name: 'المخطط الزمني' }).waitFor();
    await timeline(page).filter({ hasText: 'مسترد جزئيًا' }).waitFor();
    await photograph('order', 'ar');
    await page.getByRole('button', { name: 'استرداد', exact: true }).click();
    await page.getByRole('dialog', { name: `استرداد الطلب ${order.number}` }).waitFor();
    await photograph('order-refund', 'ar');
    // Escape closes the dialog and gives the focus back to the button that opened it.
    await page.keyboard.press('Escape');
    await expect.poll(() => page.getByRole('dialog').count()).toBe(0);
    await expect.poll(() => page.getByRole('button', { name: 'استرداد', exact: true }).evaluate((button) => button === document.activeElement)).toBe(true);
    await page.goto(`/t/${owner.tenant!.slug}/w/shop/shop-sales`);
    await page.getByRole('heading', { name: 'نظرة على المبيعات', level: 1 }).waitFor(); // the screen's label, in the shop's Arabic
    await page.getByRole('heading', { name: 'الإجماليات' }).waitFor();
    await photograph('sales', 'ar');
  });
});
