/// <reference lib="dom" /> // page.evaluate callbacks run in the browser
/**
 * Reports in headless Chromium against a real kernel (issue 24), with the shop's first-party report "Sales by day":
 * a shop owner with two paid orders opens Reports from the menu, picks the report in the catalogue, types a currency
 * the report's schema refuses and a range that ends before it starts, and sees each 422 beside its field (no run
 * queued); fixes it, runs it as CSV by keyboard, watches the run page reach "Ready" with its rows counted, downloads
 * the file (checked line by line), and opens "Run again" with the same parameters; schedules the report (a custom
 * cron the API refuses, then every Monday, reporting on last week rather than fixed dates) for a member found by
 * name, sees it listed with its period, and deletes it after confirming; sees an expired and a failed run explained;
 * a member without the report's permission sees neither it nor the owner's runs. The same screens in Arabic, right to left. Every screen is checked by axe-core and
 * photographed as test-artifacts/reports-<screen>-<en|ar>-<1280|390>.png.
 */
import { readFile } from 'node:fs/promises';
import { addMember, createTestKernel, type TestKernel, type TestResponse, type TestUser } from '@plinth/core/testing';
import payments from '@plinth/plugin-payments';
import shop from '@plinth/plugin-shop';
import type { Browser, Page } from 'playwright-core';
import { afterAll, beforeAll, describe, expect, test } from 'vitest';
import consolePlugin from '../src/index.js';
import { launchChromium, menuLink, openPage, photograph as photographScreen, recordFailures, servedCopy, signIn, type WatchedPage } from './browser.js';
import { ensureWebBuilt } from './web-build.js';

const GOOD_CARD = '4242424242424242';
const zone = 'Europe/Paris';

let t: TestKernel;
let browser: Browser;
let owner: TestUser;
let recipient: TestUser;
let tab: WatchedPage;
/** The day (in the tenant's zone) the seeded orders were paid, and what they add up to. */
let paidDay: string;
let paidTotal: number;

function expectStatus(response: TestResponse, status: number, what: string): TestResponse {
  expect(response.status, `${what}: ${JSON.stringify(response.body)}`).toBe(status);
  return response;
}

/** `YYYY-MM-DD` of an instant in the tenant's zone. */
const dayIn = (instant: string | Date) =>
  new Intl.DateTimeFormat('en-CA', { timeZone: zone, year: 'numeric', month: '2-digit', day: '2-digit' }).format(new Date(instant));
/** The day before a `YYYY-MM-DD` day. */
const dayBefore = (day: string) => new Date(Date.parse(`${day}T12:00:00Z`) - 86_400_000).toISOString().slice(0, 10);

beforeAll(async () => {
  await ensureWebBuilt();
  [t, browser] = await Promise.all([createTestKernel({ plugins: [servedCopy(consolePlugin), payments, shop], tenants: ['ledger'] }), launchChromium()]);
  owner = t.tenants.ledger!;
  const api = (method: string, url: string, body?: unknown) => t.request(method, url, { headers: owner.headers, body });
  expectStatus(await api('PATCH', '/api/v1/tenant', { currency: 'EUR', locale: 'en', time_zone: zone }), 200, 'tenant currency and zone');
  for (const plugin of ['payments', 'shop']) await t.enable(owner, plugin);
  expectStatus(await api('PUT', '/api/v1/payments/providers/test', { credentials: { webhook_secret: `whsec_${owner.tenant!.slug}` } }), 200, 'test gateway');
  const product = expectStatus(
    await api('POST', '/api/v1/shop/products', {
      name: 'Ceramic mug',
      slug: 'ceramic-mug',
      status: 'active',
      variants: [{ sku: 'MUG-BLUE', price: 1800, stock: 20 }],
    }),
    201,
    'creating a product',
  ).body.data;
  // Two orders paid through the test gateway: the report's rows come from what the shop recorded.
  const paid: { paid_at: string; total: number }[] = [];
  for (const quantity of [1, 2]) {
    const placed = expectStatus(
      await api('POST', '/api/v1/shop/orders', {
        customer: { email: `buyer${quantity}@example.test`, name: `Buyer ${quantity}` },
        items: [{ variant_id: product.variants[0].id, quantity }],
      }),
      201,
      'placing an order',
    ).body.data;
    const intent = expectStatus(await api('POST', `/api/v1/shop/orders/${placed.id}/checkout`), 200, 'checkout').body.data.payment_intent;
    expectStatus(await api('POST', `/api/v1/payments/intents/${intent.id}/confirm`, { payment_method: GOOD_CARD }), 200, 'paying');
    // The payment's event marks the order paid: run the outbox and the jobs until it is.
    let order: { status: string; paid_at: string; total: number } | undefined;
    for (let round = 0; round < 50 && order?.status !== 'paid'; round++) {
      await t.drainEvents();
      await t.drainJobs();
      order = (await api('GET', `/api/v1/shop/orders/${placed.id}`)).body.data;
    }
    expect(order?.status, 'the order was paid').toBe('paid');
    paid.push(order!);
  }
  paidDay = dayIn(paid[0]!.paid_at);
  expect(paid.map((order) => dayIn(order.paid_at))).toEqual([paidDay, paidDay]);
  paidTotal = paid.reduce((sum, order) => sum + order.total, 0);
  recipient = await addMember(t, owner);
  await t.sql("update users set name = 'Bea Brown' where id = $1", [recipient.id]);
  tab = await openPage(browser, t.url);
  tab.page.setDefaultTimeout(15_000);
  await signIn(tab, owner);
}, 120_000);

recordFailures('reports', () => tab);

afterAll(async () => {
  await browser?.close();
  await t?.close();
});

const photograph = (screen: string, language: 'en' | 'ar') => photographScreen(tab, `reports-${screen}`, language);
const runCount = async () => Number((await t.sql<{ count: string }>('select count(*) from report_runs'))[0]!.count);

/** Waits for the run page to show the run done, and returns the run's id (from the address). */
async function waitForDone(page: Page, ready: string): Promise<string> {
  await page.waitForURL(/\/reports\/[0-9a-f-]{36}$/);
  await page.locator('.report-status .badge').filter({ hasText: ready }).waitFor({ timeout: 30_000 });
  return page.url().split('/').pop()!;
}

describe.sequential('reports in the console', () => {
  test('the owner opens the catalogue, picks Sales by day; a bad currency and a range ending before it starts are refused beside their fields', async () => {
    const { page } = tab;
    await page.goto(`/t/${owner.tenant!.slug}`);
    await menuLink(page, 'Reports').click();
    await page.getByRole('heading', { name: 'Reports', level: 1 }).waitFor();
    const shopGroup = page.getByRole('region', { name: 'Shop' });
    await shopGroup.getByRole('link', { name: 'Sales by day' }).waitFor();
    await shopGroup.getByText('Orders paid per day and currency').waitFor();
    await page.getByText('No report has been run yet.').waitFor();
    await photograph('catalog', 'en');

    await shopGroup.getByRole('link', { name: 'Sales by day' }).click();
    await page.getByRole('heading', { name: 'Sales by day', level: 1 }).waitFor();
    const formats = page.getByRole('group', { name: 'Format' });
    expect(await formats.getByRole('radio').evaluateAll((radios) => radios.map((radio) => (radio as HTMLInputElement).labels?.[0]?.textContent))).toEqual([
      'CSV',
      'Excel',
      'PDF',
    ]);
    // A currency that is not an ISO 4217 code: the report's schema refuses it (422), shown beside its field.
    await page.getByLabel('From', { exact: true }).fill(paidDay);
    await page.getByLabel('To', { exact: true }).fill(paidDay);
    await page.getByLabel('Currency', { exact: true }).fill('euro');
    await page.getByRole('button', { name: 'Run report' }).click();
    const currency = page.locator('.field').filter({ has: page.getByLabel('Currency', { exact: true }) });
    await currency.locator('.field-error').waitFor();
    expect(await page.getByLabel('Currency', { exact: true }).getAttribute('aria-invalid')).toBe('true');
    await page.getByLabel('Currency', { exact: true }).fill('');
    // A range that ends before it starts: the report's own check refuses it (422), shown beside "To".
    await page.getByLabel('To', { exact: true }).fill(dayBefore(paidDay));
    await page.getByRole('button', { name: 'Run report' }).click();
    const to = page.locator('.field').filter({ has: page.getByLabel('To', { exact: true }) });
    await to.locator('.field-error').filter({ hasText: 'must not be before from' }).waitFor();
    expect(await page.getByLabel('To', { exact: true }).getAttribute('aria-invalid')).toBe('true');
    expect(await runCount()).toBe(0);
    await photograph('form', 'en');
  });

  test('fixed and run as CSV by keyboard: the run page reaches Ready with its rows, and the download is the report', async () => {
    const { page } = tab;
    await page.getByLabel('To', { exact: true }).fill(paidDay);
    // By keyboard from the last parameter: Tab to the formats (one stop), arrows between them, Tab to the button.
    await page.getByLabel('Currency', { exact: true }).focus();
    const focused = () =>
      page.evaluate(() => (document.activeElement as HTMLInputElement | null)?.labels?.[0]?.textContent ?? document.activeElement?.textContent);
    await page.keyboard.press('Tab');
    expect(await focused()).toBe('CSV');
    await page.keyboard.press('ArrowRight');
    expect(await page.getByRole('radio', { name: 'Excel' }).isChecked()).toBe(true);
    await page.keyboard.press('ArrowLeft');
    expect(await page.getByRole('radio', { name: 'CSV' }).isChecked()).toBe(true);
    await page.keyboard.press('Tab');
    await page.keyboard.press('Tab');
    expect(await focused()).toBe('Run report');
    await page.keyboard.press('Enter');
    const id = await waitForDone(page, 'Ready');
    await page.getByRole('heading', { name: 'Sales by day', level: 1 }).waitFor();
    // One row: both orders were paid the same day, in one currency.
    await page
      .getByRole('status')
      .filter({ hasText: /^1 row$/ })
      .waitFor();
    expect(await page.getByRole('progressbar', { name: 'Progress' }).evaluate((bar) => (bar as HTMLProgressElement).value)).toBe(1);
    await page.getByText('Available until').waitFor();
    const [run] = await t.sql<{ status: string; format: string; params: unknown; requested_by: string }>(
      'select status, format, params, requested_by from report_runs where id = $1',
      [id],
    );
    expect(run).toMatchObject({ status: 'done', format: 'csv', params: { from: paidDay, to: paidDay }, requested_by: owner.id });
    await photograph('run', 'en');

    const [download] = await Promise.all([page.waitForEvent('download'), page.getByRole('button', { name: 'Download' }).click()]);
    const lines = (await readFile((await download.path())!, 'utf8'))
      .replace(/^\uFEFF/, '')
      .trim()
      .split(/\r?\n/);
    expect(lines[0]).toBe('Day,Currency,Orders,Items,Gross,Discounts,Refunds,Net');
    expect(lines).toHaveLength(2);
    const [day, currency, orders, items, gross] = lines[1]!.split(',');
    expect({ day, currency, orders, items }).toEqual({ day: paidDay, currency: 'EUR', orders: '2', items: '3' });
    expect(Number(gross)).toBe(paidTotal / 100);

    // The reports page lists the run; it opens the run page again.
    await menuLink(page, 'Reports').click();
    const row = page.getByRole('row').filter({ hasText: 'Sales by day' });
    await row.getByText('Ready', { exact: true }).waitFor();
    await row.getByText('CSV', { exact: true }).waitFor();
    await row.getByRole('link', { name: 'Sales by day' }).click();
    await page.waitForURL(`**/reports/${id}`);
    // "Run again" starts from this run's parameters and format.
    await page.getByRole('link', { name: 'Run again' }).click();
    await page.getByRole('button', { name: 'Run report' }).waitFor();
    await page.reload(); // the form's address serves the console again (a shared link, a reload)
    expect(await page.getByLabel('From', { exact: true }).inputValue()).toBe(paidDay);
    expect(await page.getByLabel('To', { exact: true }).inputValue()).toBe(paidDay);
    expect(await page.getByRole('group', { name: 'Format' }).getByRole('radio', { name: 'CSV' }).isChecked()).toBe(true);
  });

  test('a schedule every Monday for a member found by name (a custom cron refused first): listed, then deleted after confirming', async () => {
    const { page } = tab;
    await menuLink(page, 'Reports').click();
    await page.getByRole('link', { name: 'Scheduled reports' }).click();
    await page.getByRole('heading', { name: 'Scheduled reports', level: 1 }).waitFor();
    await page.getByText('No scheduled report yet.').waitFor();
    await page.getByRole('button', { name: 'New schedule' }).click();
    const dialog = page.getByRole('dialog', { name: 'Schedule a report' });
    await dialog.getByLabel('Report', { exact: true }).selectOption({ label: 'Sales by day' });
    // A report with from and to dates takes a period, following the repeat until one is chosen; with one, no dates.
    const period = dialog.getByLabel('Period', { exact: true });
    const selected = () => period.evaluate((select) => (select as HTMLSelectElement).selectedOptions[0]?.textContent);
    expect(await selected()).toBe('Yesterday');
    expect(await dialog.getByLabel('From', { exact: true }).count()).toBe(0);
    await dialog.getByLabel('Repeats').selectOption({ label: 'On the 1st of every month at 08:00' });
    expect(await selected()).toBe('Last month');
    await dialog.getByLabel('Repeats').selectOption({ label: 'Every Monday at 08:00' });
    expect(await selected()).toBe('Last week');
    await period.selectOption({ label: 'Fixed dates' });
    await dialog.getByLabel('From', { exact: true }).fill(dayBefore(paidDay));
    await dialog.getByLabel('To', { exact: true }).fill(paidDay);
    await period.selectOption({ label: 'Last week' });
    await dialog.getByLabel('To', { exact: true }).waitFor({ state: 'detached' });
    await dialog.getByRole('group', { name: 'Format' }).getByRole('radio', { name: 'Excel' }).check();
    expect(await dialog.getByLabel('Time zone').inputValue()).toBe(zone);
    const recipients = dialog.getByRole('combobox', { name: 'Recipients' });
    await recipients.fill('Bea');
    await dialog.getByRole('option', { name: /Bea Brown/ }).click();
    await dialog
      .getByRole('list', { name: /Recipients/ })
      .getByText('Bea Brown')
      .waitFor();
    await dialog.getByRole('group', { name: 'Delivery' }).getByRole('radio', { name: 'Link to download' }).check();
    // A custom expression starts from the preset; one the API cannot read is refused beside its field.
    await dialog.getByLabel('Repeats').selectOption({ label: 'Custom (cron expression)' });
    const cron = dialog.getByLabel('Cron expression');
    expect(await cron.inputValue()).toBe('0 8 * * 1');
    await cron.fill('every monday');
    await dialog.getByRole('button', { name: 'Save schedule' }).click();
    await dialog
      .locator('.field')
      .filter({ has: page.getByLabel('Cron expression') })
      .locator('.field-error')
      .waitFor();
    expect(await cron.getAttribute('aria-invalid')).toBe('true');
    expect(await t.sql('select id from report_schedules')).toEqual([]);
    await dialog.getByLabel('Repeats').selectOption({ label: 'Every Monday at 08:00' });
    await photograph('schedule-form', 'en');
    await dialog.getByRole('button', { name: 'Save schedule' }).click();
    await dialog.waitFor({ state: 'detached' });
    await page.getByRole('status').filter({ hasText: 'Schedule saved.' }).waitFor();
    const row = page.getByRole('row').filter({ hasText: 'Sales by day' });
    await row.getByText('Every Monday at 08:00').waitFor();
    await row.getByText('Last week', { exact: true }).waitFor();
    await row.getByText('1 recipient').waitFor();
    await row.getByText('Link to download').waitFor();
    const saved = await t.sql<{ cron: string; time_zone: string; recipients: string[]; delivery: string; format: string; enabled: boolean }>(
      'select cron, time_zone, recipients, delivery, format, enabled from report_schedules',
    );
    expect(saved).toEqual([{ cron: '0 8 * * 1', time_zone: zone, recipients: [recipient.id], delivery: 'link', format: 'xlsx', enabled: true }]);
    // The API has the period and no dates: each Monday's run sets its own.
    const [listed] = expectStatus(await t.request('GET', '/api/v1/report-schedules', { headers: owner.headers }), 200, 'the schedules').body.data;
    expect(listed.period).toBe('last_week');
    expect(listed.params).not.toHaveProperty('from');
    expect(listed.params).not.toHaveProperty('to');
    await photograph('schedules', 'en');

    await row.getByRole('button', { name: 'Delete schedule of Sales by day' }).click();
    const confirm = page.getByRole('dialog', { name: 'Delete the schedule of Sales by day?' });
    await confirm.getByRole('button', { name: 'Delete schedule' }).click();
    await page.getByText('No scheduled report yet.').waitFor();
    expect(await t.sql('select id from report_schedules')).toEqual([]);
  });

  test('Download on a run whose file expired meanwhile says so; a failed run shows its error', async () => {
    const { page } = tab;
    const slug = owner.tenant!.slug;
    const queue = async () =>
      expectStatus(
        await t.request('POST', '/api/v1/reports', {
          headers: owner.headers,
          body: { report: 'shop.sales-by-day', params: { from: paidDay, to: paidDay }, format: 'csv' },
        }),
        202,
        'queueing a run',
      ).body.data.id as string;
    const [expiring, failing] = [await queue(), await queue()];
    for (const id of [expiring, failing])
      await expect
        .poll(async () => (await t.request('GET', `/api/v1/reports/${id}`, { headers: owner.headers })).body.data.status, { timeout: 30_000 })
        .toBe('done');

    await page.goto(`/t/${slug}/reports/${expiring}`);
    await page.getByRole('button', { name: 'Download' }).waitFor();
    // Setup: the run's expiry passes while its page is open (the API then answers 410 report_expired).
    await t.sql("update report_runs set expires_at = now() - interval '1 minute' where id = $1", [expiring]);
    await page.getByRole('button', { name: 'Download' }).click();
    await page.getByText('This file has expired and was deleted. Run the report again for a fresh one.').waitFor();
    expect(await page.getByRole('button', { name: 'Download' }).count()).toBe(0);
    await page.getByText('Expired', { exact: true }).waitFor();

    // Setup: a run that failed (the kernel records the error it met).
    await t.sql("update report_runs set status = 'failed', error = $2 where id = $1", [failing, 'The shop database timed out']);
    await page.goto(`/t/${slug}/reports/${failing}`);
    await page.getByRole('alert').filter({ hasText: 'The report could not be written.' }).filter({ hasText: 'The shop database timed out' }).waitFor();
    expect(await page.getByRole('button', { name: 'Download' }).count()).toBe(0);
    expect(await page.getByRole('progressbar').count()).toBe(0);

    await menuLink(page, 'Reports').click();
    const runs = page.getByRole('table').filter({ hasText: 'Requested' });
    await runs.getByRole('row').filter({ hasText: 'Failed' }).waitFor();
    await runs.getByRole('row').filter({ hasText: 'Expired' }).waitFor();
  });

  test("a member without the shop's orders permission: no Sales by day, none of the owner's runs, not even by address", async () => {
    const other = await openPage(browser, t.url);
    other.page.setDefaultTimeout(15_000);
    try {
      const { page } = other;
      await signIn(other, recipient);
      await page.goto(`/t/${owner.tenant!.slug}`);
      await menuLink(page, 'Reports').click();
      await page.getByRole('heading', { name: 'Available reports' }).waitFor();
      await page.getByText('No report has been run yet.').waitFor();
      expect(await page.getByRole('link', { name: 'Sales by day' }).count()).toBe(0);
      const [ownersRun] = await t.sql<{ id: string }>("select id from report_runs where status = 'done' limit 1");
      await page.goto(`/t/${owner.tenant!.slug}/reports/${ownersRun!.id}`);
      await page.getByText('No such run, or it is not yours to see.').waitFor();
      expect(await page.getByRole('button', { name: 'Download' }).count()).toBe(0);
      // The form's own address (a reload, a shared link): refused in words, not with a broken page.
      await page.goto(`/t/${owner.tenant!.slug}/reports/run/shop/sales-by-day`);
      await page.getByText('This report is not offered to you').waitFor();
    } finally {
      await other.context.close();
    }
  });

  test('in Arabic, right to left: the catalogue, the form, a run and the schedules', async () => {
    const { page } = tab;
    await page.goto('/account');
    await page.getByLabel(/^Language/).selectOption('ar');
    await page.waitForFunction(() => document.documentElement.dir === 'rtl');
    await page.goto(`/t/${owner.tenant!.slug}`);
    await page.locator('#sidebar').getByRole('link', { name: 'التقارير', exact: true }).click();
    await page.getByRole('heading', { name: 'التقارير', level: 1 }).waitFor();
    await page.getByRole('heading', { name: 'التقارير المتاحة' }).waitFor();
    await page.getByText('جاهز', { exact: true }).first().waitFor();
    await photograph('catalog', 'ar');

    // The shop's own words are its translations' business: the report is found by its place in the shop's group.
    await page.locator('[data-plugin="shop"] .card a').first().click();
    await page.getByRole('button', { name: 'تشغيل التقرير' }).waitFor();
    await page.locator('#param-from').fill(paidDay);
    await page.locator('#param-to').fill(dayBefore(paidDay));
    await page.getByRole('button', { name: 'تشغيل التقرير' }).click();
    await page.locator('.field.invalid #param-to').waitFor();
    await photograph('form', 'ar');
    await page.locator('#param-to').fill(paidDay);
    await page.getByRole('group', { name: 'الصيغة' }).getByRole('radio', { name: 'PDF' }).check();
    await page.getByRole('button', { name: 'تشغيل التقرير' }).click();
    await waitForDone(page, 'جاهز');
    await page.getByRole('button', { name: 'تنزيل' }).waitFor();
    await photograph('run', 'ar');

    expectStatus(
      await t.request('POST', '/api/v1/report-schedules', {
        headers: owner.headers,
        body: {
          report: 'shop.sales-by-day',
          params: { from: paidDay, to: paidDay },
          format: 'pdf',
          cron: '0 8 1 * *',
          time_zone: zone,
          recipients: [owner.id, recipient.id],
          delivery: 'attachment',
          enabled: true,
        },
      }),
      201,
      'a schedule to show',
    );
    await page.goto(`/t/${owner.tenant!.slug}/reports/schedules`);
    const row = page.getByRole('row').filter({ hasText: 'في اليوم الأول من كل شهر الساعة 08:00' });
    await row.getByText('مستلمان').waitFor();
    await row.getByText('تواريخ ثابتة').waitFor();
    await photograph('schedules', 'ar');
    await row.getByRole('button', { name: /^تعديل/ }).click();
    const dialog = page.getByRole('dialog');
    expect(await dialog.getByLabel('التكرار').inputValue()).toBe('0 8 1 * *');
    expect(await dialog.getByLabel('الفترة').inputValue()).toBe('fixed');
    await dialog
      .getByRole('list', { name: /المستلمون/ })
      .getByText('Bea Brown')
      .waitFor();
    await photograph('schedule-form', 'ar');
    await dialog.getByRole('button', { name: 'إلغاء' }).click();
  });
});
