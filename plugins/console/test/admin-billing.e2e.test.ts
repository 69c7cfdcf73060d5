/**
 * Issue 26, the host's billing screens, in headless Chromium against a real kernel, as a person: a super-admin opens
 * Host → Plans and prices, creates a plan by typing and clicking (two prices, a contacts limit, a trial) and sees it
 * listed; is told beside the field when an amount is not one, and when the API refuses a key; edits a limit; sets a
 * plugin's add-on price and stops selling another; archives a plan after a confirmation and moves the default; opens Subscriptions (tenants seeded in various states) and filters them by status with the
 * keyboard; opens Revenue and reads the MRR figure; then the same screens in Arabic, right to left.
 * Photographed as test-artifacts/admin-billing-<screen>-<en|ar>-<1280|390>.png (axe-core checks each screen).
 */
import { createTestKernel, pricePlugin, savePlan, signUp, type TestKernel, type TestUser } from '@plinth/core/testing';
import crm from '@plinth/plugin-crm';
import lms from '@plinth/plugin-lms';
import type { Browser, Locator, Page } from 'playwright-core';
import { afterAll, beforeAll, describe, expect, test } from 'vitest';
import consolePlugin from '../src/index.js';
import { launchChromium, menuLink, openPage, photograph, recordFailures, servedCopy, signIn, type WatchedPage } from './browser.js';
import { ensureWebBuilt } from './web-build.js';

let t: TestKernel;
let browser: Browser;
let admin: WatchedPage;
/** The super-admin the browser signs in as. */
let host: TestUser;

const tenants = ['harbour', 'meadow', 'quarry', 'orchard', 'summit'] as const;
const tenantId = (slug: (typeof tenants)[number]) => t.tenants[slug]!.tenant!.id;

/** A tenant's subscription as the states the screens show (setup only: the engine's own tests drive real changes). */
async function seedSubscription(slug: (typeof tenants)[number], state: { status: string; currency: string; interval: 'month' | 'year'; access?: string }) {
  const id = tenantId(slug);
  await t.sql("update tenants set plan = 'pro' where id = $1", [id]);
  await t.sql(
    `update tenant_subscriptions set plan_id = (select id from billing_plans where key = 'pro'), version = version + 1, status = $2, currency = $3, interval = $4, provider = 'test',
       current_period_start = now() - interval '3 days', current_period_end = now() + interval '27 days',
       trial_ends_at = case when $2 = 'trialing' then now() + interval '11 days' end,
       past_due_since = case when $2 in ('past_due', 'read_only', 'suspended') then now() - interval '2 days' end
     where tenant_id = $1`,
    [id, state.status, state.currency, state.interval],
  );
  await t.sql('update tenants set billing_status = $2 where id = $1', [id, state.access ?? 'ok']);
  await t.kernel.services.entitlements.invalidate(id);
}

/** A paid invoice of a tenant, `monthsAgo` months back: what Revenue sums per month. */
async function seedPaidInvoice(slug: (typeof tenants)[number], currency: string, total: number, monthsAgo: number) {
  await t.sql(
    `insert into billing_invoices (tenant_id, number, status, currency, subtotal, total, amount_paid, provider, issued_at, paid_at)
     values ($1, 'INV-' || lpad(nextval('billing_invoice_numbers')::text, 6, '0'), 'paid', $2, $3, $3, $3, 'test',
       date_trunc('month', now()) - make_interval(months => $4), date_trunc('month', now()) - make_interval(months => $4))`,
    [tenantId(slug), currency, total, monthsAgo],
  );
}

beforeAll(async () => {
  await ensureWebBuilt();
  [t, browser] = await Promise.all([createTestKernel({ plugins: [servedCopy(consolePlugin), crm, lms], tenants: [...tenants] }), launchChromium()]);
  host = await signUp(t);
  // Setup only: super-admins are made by the host's CLI, not through the API.
  await t.sql('update users set is_super_admin = true where id = $1', [host.id]);
  admin = await openPage(browser, t.url);
  admin.page.setDefaultTimeout(10_000);
  // Charts drawn at once (no animation): photographed as they end up.
  await admin.page.emulateMedia({ reducedMotion: 'reduce' });
  await signIn(admin, host);
});

recordFailures('admin-billing', () => admin);

afterAll(async () => {
  await browser?.close();
  await t?.close();
});

/** Presses Tab until `target` has the focus (it must be reachable from the keyboard), at most 80 times. */
async function tabTo(page: Page, target: Locator): Promise<void> {
  for (let presses = 0; presses < 80; presses++) {
    if (await target.evaluate((element) => element === document.activeElement)) return;
    await page.keyboard.press('Tab');
  }
  throw new Error('not reachable with the Tab key');
}

const stored = async (key: string) =>
  (
    await t.sql<{ name: string; prices: unknown; limits: Record<string, number | null>; trial_days: number; plugins: string[] | null }>(
      'select name, prices, limits, trial_days, plugins from billing_plans where key = $1',
      [key],
    )
  )[0];

/** A link of the main menu in Arabic (the menu's own name is Arabic then). */
const arabicMenuLink = (page: Page, name: string) => page.locator('#sidebar').getByRole('link', { name, exact: true });

/** A price row of the editor, by its position. */
const priceRow = (page: Page, index: number) => page.getByRole('group', { name: `Price ${index}` });

describe.sequential('host billing screens', () => {
  test('a super-admin creates a plan by typing and clicking, and sees it listed', async () => {
    const { page } = admin;
    await menuLink(page, 'Plans and prices').click();
    await page.getByRole('heading', { name: 'Plans', level: 1 }).waitFor();
    await page.locator('tr[data-plan="free"]').getByText('Default').waitFor();

    await page.getByRole('link', { name: 'New plan' }).click();
    await page.getByRole('heading', { name: 'New plan', level: 1 }).waitFor();
    await page.getByLabel('Name').fill('Pro');
    await page.getByLabel('Key').fill('pro');
    await page.getByLabel('Description').fill('For growing teams.');
    await page.getByLabel('Trial (days)').fill('14');

    // Two prices, typed in major units: 19.00 USD a month, 190.00 EUR a year.
    await page.getByRole('button', { name: 'Add a price' }).click();
    await priceRow(page, 1).getByLabel('Currency').selectOption('USD');
    await priceRow(page, 1).getByLabel('Amount').fill('19.999');
    await page.getByRole('button', { name: 'Add a price' }).click();
    await priceRow(page, 2).getByLabel('Currency').selectOption('EUR');
    await priceRow(page, 2).getByLabel('Interval').selectOption('year');
    await priceRow(page, 2).getByLabel('Amount').fill('190');
    await page.getByRole('textbox', { name: 'Contacts: maximum' }).fill('1000');

    // An amount with a third decimal is said beside its field, and nothing is sent.
    await page.getByRole('button', { name: 'Create plan' }).click();
    await priceRow(page, 1).getByText('Enter an amount of 0 or more with at most 2 decimals.').waitFor();
    expect(await stored('pro')).toBeUndefined();
    await priceRow(page, 1).getByLabel('Amount').fill('19.00');

    // A key the API refuses (taken) comes back beside the key.
    await page.getByLabel('Key').fill('free');
    await page.getByRole('button', { name: 'Create plan' }).click();
    await page
      .locator('.field.invalid')
      .filter({ has: page.getByLabel('Key') })
      .locator('.field-error')
      .waitFor();
    await page.getByLabel('Key').fill('pro');

    await page.getByRole('button', { name: 'Create plan' }).click();
    await page.getByRole('status').filter({ hasText: 'Plan “Pro” saved.' }).waitFor();
    const row = page.locator('tr[data-plan="pro"]');
    await row.getByText('$19.00 / month').waitFor();
    await row.getByText('€190.00 / year').waitFor();
    await row.getByText('14 days').waitFor();
    const plan = await stored('pro');
    expect(plan).toMatchObject({
      name: 'Pro',
      trial_days: 14,
      limits: { 'crm.contacts': 1000 },
      plugins: null,
      prices: [
        { currency: 'USD', interval: 'month', amount: 1900 },
        { currency: 'EUR', interval: 'year', amount: 19000 },
      ],
    });
    await photograph(admin, 'admin-billing-plans', 'en');
    expect(admin.errors).toEqual([]);
  });

  test('edits a limit, and makes members unlimited', async () => {
    const { page } = admin;
    await page.getByRole('link', { name: 'Edit plan Pro' }).click();
    await page.getByRole('heading', { name: 'Pro', level: 1 }).waitFor();
    const contacts = page.getByRole('textbox', { name: 'Contacts: maximum' });
    expect(await contacts.inputValue()).toBe('1000');
    await contacts.fill('2000');
    await page.getByRole('checkbox', { name: 'Members: unlimited' }).check();
    await photograph(admin, 'admin-billing-plan-editor', 'en');
    await page.getByRole('button', { name: 'Save plan' }).click();
    await page.getByRole('status').filter({ hasText: 'Plan “Pro” saved.' }).waitFor();
    expect((await stored('pro'))?.limits).toEqual({ 'crm.contacts': 2000, members: null });
    expect(admin.errors).toEqual([]);
  });

  test("sets a plugin's add-on price, and stops selling another", async () => {
    const { page } = admin;
    // CRM sold already (set through the API's table): stopped after a confirmation.
    await pricePlugin(t, 'crm', [{ currency: 'USD', interval: 'month', amount: 500 }]);
    await page.reload();
    const crmRow = page.locator('tr[data-plugin="crm"]');
    await crmRow.getByText('$5.00 / month').waitFor();
    await crmRow.getByRole('button', { name: 'Remove prices of CRM' }).click();
    const stop = page.getByRole('dialog', { name: 'Stop selling CRM?' });
    await stop.getByRole('button', { name: 'Remove prices' }).click();
    await page.getByRole('status').filter({ hasText: 'CRM is no longer sold.' }).waitFor();
    await crmRow.getByText('No price: included in plans').waitFor();
    expect(await t.sql("select 1 from billing_plugin_prices where plugin = 'crm'")).toEqual([]);

    const coursesRow = page.locator('tr[data-plugin="lms"]');
    await coursesRow.getByText('No price: included in plans').waitFor();
    await coursesRow.getByRole('button', { name: /^Set prices of / }).click();
    const dialog = page.getByRole('dialog', { name: /^Prices of / });
    await dialog.getByRole('button', { name: 'Add a price' }).click();
    await dialog.getByLabel('Currency').selectOption('USD');
    await dialog.getByLabel('Amount').fill('9.50');
    await dialog.getByRole('button', { name: 'Save prices' }).click();
    await page
      .getByRole('status')
      .filter({ hasText: /^Prices of .+ saved\.$/ })
      .waitFor();
    await coursesRow.getByText('$9.50 / month').waitFor();
    const [price] = await t.sql<{ prices: unknown }>("select prices from billing_plugin_prices where plugin = 'lms'");
    expect(price?.prices).toEqual([{ currency: 'USD', interval: 'month', amount: 950 }]);
    expect(admin.errors).toEqual([]);
  });

  test('archives a plan after a confirmation, and makes another the default', async () => {
    const { page } = admin;
    await savePlan(t, { key: 'starter', name: 'Starter', prices: [{ currency: 'USD', interval: 'month', amount: 900 }], sort: 1 });
    await page.goto('/admin/billing/plans');
    await page.getByRole('link', { name: 'Edit plan Starter' }).click();
    await page.getByRole('heading', { name: 'Starter', level: 1 }).waitFor();
    await page.getByRole('button', { name: 'Archive' }).click();
    const dialog = page.getByRole('dialog', { name: 'Archive Starter?' });
    await dialog.getByText('No tenant is on it.').waitFor();
    await dialog.getByRole('button', { name: 'Archive plan' }).click();
    await page.locator('tr[data-plan="starter"]').getByText('Archived').waitFor();
    expect((await t.sql<{ archived: boolean }>("select archived_at is not null as archived from billing_plans where key = 'starter'"))[0]?.archived).toBe(true);

    // The default moves to Pro, and back to Free: one default at a time.
    await page.getByRole('link', { name: 'Edit plan Pro' }).click();
    await page.getByRole('button', { name: 'Make default' }).click();
    await page.getByRole('status').filter({ hasText: '“Pro” is now the default plan.' }).waitFor();
    await page.getByRole('button', { name: 'Make default', disabled: true }).waitFor(); // Pro is the default now
    await page.getByRole('link', { name: 'All plans' }).click();
    await page.locator('tr[data-plan="pro"]').getByText('Default').waitFor();
    expect(await page.locator('tr[data-plan="free"]').getByText('Default').count()).toBe(0);
    const [free] = await t.sql<{ id: string }>("select id from billing_plans where key = 'free'");
    expect((await t.request('POST', `/api/v1/admin/billing/plans/${free!.id}/default`, { headers: host.headers })).status).toBe(200);
    expect(admin.errors).toEqual([]);
  });

  test('lists subscriptions and filters them by status with the keyboard', async () => {
    const { page } = admin;
    await seedSubscription('harbour', { status: 'active', currency: 'USD', interval: 'month' });
    await seedSubscription('meadow', { status: 'trialing', currency: 'USD', interval: 'month' });
    await seedSubscription('quarry', { status: 'past_due', currency: 'USD', interval: 'month' });
    await seedSubscription('orchard', { status: 'read_only', currency: 'EUR', interval: 'year', access: 'read_only' });
    await seedSubscription('summit', { status: 'active', currency: 'EUR', interval: 'year' });

    await menuLink(page, 'Subscriptions').click();
    await page.getByRole('heading', { name: 'Subscriptions', level: 1 }).waitFor();
    for (const slug of tenants) await page.locator(`tr[data-tenant="${slug}"]`).waitFor();
    const orchard = page.locator('tr[data-tenant="orchard"]');
    await orchard.getByText('Read-only').first().waitFor();
    expect(await orchard.locator('[data-access]').getAttribute('data-access')).toBe('read_only');
    await page.locator('tr[data-tenant="harbour"]').getByText('$19.00').waitFor();
    await page.locator('tr[data-tenant="orchard"]').getByText('€15.83').waitFor();
    expect(await page.locator('tr[data-tenant="meadow"] td[data-label="MRR"]').innerText()).toBe('—');
    await photograph(admin, 'admin-billing-subscriptions', 'en');

    // The status filter from the keyboard: Tab to it, type the first letters of "Past due".
    const status = page.getByRole('combobox', { name: 'Status' });
    await tabTo(page, status);
    await page.keyboard.type('Past');
    await page.waitForURL((url) => url.searchParams.get('status') === 'past_due');
    await page.locator('tr[data-tenant="harbour"]').waitFor({ state: 'detached' });
    expect(await page.locator('tr[data-tenant]').count()).toBe(1);
    await page.locator('tr[data-tenant="quarry"]').getByText('Past due').waitFor();

    // Each tenant leads to its admin page.
    await page.getByRole('link', { name: 'quarry' }).first().click();
    await page.waitForURL(`**/admin/tenants/${tenantId('quarry')}`);
    expect(admin.errors).toEqual([]);
  });

  test('reads the MRR figure on Revenue', async () => {
    const { page } = admin;
    await seedPaidInvoice('harbour', 'USD', 1900, 1);
    await seedPaidInvoice('harbour', 'USD', 1900, 0);
    await seedPaidInvoice('summit', 'EUR', 19000, 2);
    await menuLink(page, 'Revenue').click();
    await page.getByRole('heading', { name: 'Revenue', level: 1 }).waitFor();
    // Billed subscriptions (dunning included, the trial not): harbour and quarry pay 19.00 USD a month; orchard and
    // summit 190.00 EUR a year, a twelfth of it a month.
    const figure = (currency: string) => page.locator(`.billing-figures [data-currency="${currency}"] .billing-figure`);
    expect(await figure('USD').innerText()).toBe('$38.00');
    expect(await figure('EUR').innerText()).toBe('€31.66');
    expect(await page.locator('tr[data-plan="pro"] td').innerText()).toBe('5');
    expect(await page.locator('tr[data-status="past_due"] td').innerText()).toBe('1');
    // Paid per month: a chart per currency, named, with its figures a click away.
    await page.locator('.billing-paid[data-currency="USD"] canvas[aria-label="Paid per month in USD, last 12 months"]').waitFor();
    await page.getByText('Figures per month (USD)').click();
    const months = page.locator('.billing-paid[data-currency="USD"] tr[data-month] td');
    expect(await months.count()).toBe(12);
    expect(await months.nth(11).innerText()).toBe('$19.00');
    expect(await months.nth(10).innerText()).toBe('$19.00');
    expect(await months.nth(9).innerText()).toBe('$0.00');
    await photograph(admin, 'admin-billing-revenue', 'en');
    expect(admin.errors).toEqual([]);
  });

  test('the same screens in Arabic, right to left', async () => {
    const { page } = admin;
    await page.locator('a[href="/account"]').first().click();
    await page.getByLabel(/^Language/).selectOption('ar');
    await page.waitForFunction(() => document.documentElement.dir === 'rtl');

    await arabicMenuLink(page, 'الخطط والأسعار').click(); // "Plans and prices"
    await page.getByRole('heading', { name: 'الخطط', level: 1 }).waitFor();
    await page.locator('tr[data-plan="pro"]').getByText('14 يومًا').waitFor();
    await photograph(admin, 'admin-billing-plans', 'ar');

    await page.getByRole('link', { name: 'تعديل الخطة Pro' }).click(); // "Edit plan Pro"
    await page.getByRole('heading', { name: 'Pro', level: 1 }).waitFor();
    await photograph(admin, 'admin-billing-plan-editor', 'ar');

    await arabicMenuLink(page, 'الاشتراكات').click(); // "Subscriptions"
    await page.getByRole('heading', { name: 'الاشتراكات', level: 1 }).waitFor();
    await page.locator('tr[data-tenant="quarry"]').getByText('متأخر السداد').waitFor(); // "Past due"
    await photograph(admin, 'admin-billing-subscriptions', 'ar');

    await arabicMenuLink(page, 'الإيرادات').click(); // "Revenue"
    await page.getByRole('heading', { name: 'الإيرادات', level: 1 }).waitFor();
    await page.locator('.billing-paid[data-currency="USD"] canvas').waitFor();
    await photograph(admin, 'admin-billing-revenue', 'ar');
    expect(admin.errors).toEqual([]);
  });
});
