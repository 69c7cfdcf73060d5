/// <reference lib="dom" /> // page.evaluate callbacks run in the browser
/**
 * Host billing as a tenant sees it (issue 26), in headless Chromium against a real kernel with the `test` provider:
 * an owner signs up choosing the Starter plan (a trial), opens Billing, enters the billing details, creates contacts
 * up to the plan's limit and sees the limit explained with "Upgrade to Pro"; the marketplace shows the shop included in
 * Pro with Upgrade instead of Enable; the owner upgrades (a confirmation stating the proration), pays on the test
 * checkout page with the 4242 card and comes back active; downloads an invoice's PDF; a workspace made read-only by
 * dunning shows the banner across the console and is paid back to full use. The same screens in Arabic, right to left.
 * Every screen is checked by axe-core and photographed as test-artifacts/billing-<screen>-<en|ar>-<1280|390>.png.
 */
import { readFile } from 'node:fs/promises';
import { createTestKernel, pricePlugin, savePlan, type TestKernel } from '@plinth/core/testing';
import crm from '@plinth/plugin-crm';
import payments from '@plinth/plugin-payments';
import shop from '@plinth/plugin-shop';
import type { Browser } from 'playwright-core';
import { afterAll, beforeAll, describe, expect, test } from 'vitest';
import consolePlugin from '../src/index.js';
import { launchChromium, menuLink, openPage, photograph as photographScreen, recordFailures, servedCopy, type WatchedPage } from './browser.js';
import { ensureWebBuilt } from './web-build.js';

const password = 'Correct-Horse-Battery-9';
const owner = { name: 'Bianca Billing', email: 'bianca@billing.test' };
const slug = 'bianca-studio';
const contactLimit = 3;

let t: TestKernel;
let browser: Browser;
let tab: WatchedPage;

beforeAll(async () => {
  await ensureWebBuilt();
  [t, browser] = await Promise.all([createTestKernel({ plugins: [servedCopy(consolePlugin), crm, payments, shop] }), launchChromium()]);
  // Free: the CRM with one contact. Starter: a 14-day trial, the CRM, three contacts. Pro: every app, contacts without limit.
  await savePlan(t, { key: 'free', name: 'Free', sort: 0, limits: { 'crm.contacts': 1, members: 1 }, plugins: ['crm', 'payments'] });
  await savePlan(t, {
    key: 'starter',
    name: 'Starter',
    sort: 1,
    trial_days: 14,
    prices: [
      { currency: 'USD', interval: 'month', amount: 900 },
      { currency: 'USD', interval: 'year', amount: 9000 },
    ],
    limits: { 'crm.contacts': contactLimit, members: 3 },
    plugins: ['crm', 'payments'],
  });
  await savePlan(t, {
    key: 'pro',
    name: 'Pro',
    sort: 2,
    prices: [
      { currency: 'USD', interval: 'month', amount: 2900 },
      { currency: 'USD', interval: 'year', amount: 29000 },
    ],
    limits: { 'crm.contacts': null, members: 25 },
    plugins: null,
  });
  tab = await openPage(browser, t.url);
  tab.page.setDefaultTimeout(15_000);
}, 120_000);

recordFailures('billing', () => tab);

afterAll(async () => {
  await browser?.close();
  await t?.close();
});

const photograph = (screen: string, language: 'en' | 'ar') => photographScreen(tab, `billing-${screen}`, language);
const billingPath = `/t/${slug}/settings/billing`;

/** The owner's API session, for what the test sets up around the screens. */
async function ownerHeaders(): Promise<Record<string, string>> {
  const signIn = await t.request('POST', '/api/v1/auth/login', { body: { email: owner.email, password } });
  expect(signIn.status, JSON.stringify(signIn.body)).toBe(200);
  return { authorization: `Bearer ${signIn.body.data.tokens.access_token}`, 'x-tenant': slug };
}

/** Runs `screens` with the owner's console in Arabic (the user's language), then back to following the browser. */
async function inArabic(screens: () => Promise<void>): Promise<void> {
  const headers = await ownerHeaders();
  expect((await t.request('PATCH', '/api/v1/me', { headers, body: { locale: 'ar' } })).status).toBe(200);
  try {
    await screens();
  } finally {
    expect((await t.request('PATCH', '/api/v1/me', { headers, body: { locale: null } })).status).toBe(200);
  }
}

const subscription = async () =>
  (
    await t.sql<{ status: string; plan: string; billing_status: string }>(
      `select s.status, p.key as plan, tn.billing_status from tenant_subscriptions s join billing_plans p on p.id = s.plan_id
       join tenants tn on tn.id = s.tenant_id where tn.slug = $1`,
      [slug],
    )
  )[0]!;

describe.sequential('billing in the console', () => {
  test('the owner signs up choosing Starter: the plans are offered, Free preselected, and the trial starts', async () => {
    const { page } = tab;
    await page.goto('/signup');
    const plans = page.getByRole('group', { name: 'Plan' });
    await plans.getByRole('radio', { name: /Starter/ }).waitFor();
    expect(await plans.getByRole('radio', { name: /^Free/ }).isChecked()).toBe(true);
    await plans.getByText('$9.00 / month').waitFor();
    await plans.getByText('14 days free trial').waitFor();
    await page.getByLabel('Your name').fill(owner.name);
    await page.getByLabel('Email').fill(owner.email);
    await page.getByLabel('Password').fill(password);
    await page.getByLabel('Organisation name').fill('Bianca Studio');
    await plans.getByRole('radio', { name: /Starter/ }).check();
    await photograph('signup', 'en');
    await page.getByRole('button', { name: 'Create account' }).click();
    await page.waitForURL(`**/t/${slug}`);
    expect(await subscription()).toMatchObject({ status: 'trialing', plan: 'starter', billing_status: 'ok' });
  });

  test('Billing shows the trial in words and usage as meters; the billing details are saved', async () => {
    const { page } = tab;
    await menuLink(page, 'Billing').click();
    await page.getByRole('heading', { name: 'Billing', level: 1 }).waitFor();
    const plan = page.locator('#billing-plan');
    await plan.getByRole('heading', { name: 'Your plan: Starter' }).waitFor();
    await plan.getByText(/^Free trial until .+\. Add a card before then to keep the plan\.$/).waitFor();
    const members = page.locator('#billing-usage li[data-limit="members"]');
    await members.getByText('1 of 3').waitFor();
    expect(await members.getByRole('meter', { name: 'Members' }).getAttribute('value')).toBe('1');

    const details = page.locator('form.billing-details');
    await details.getByLabel('Name on invoices').fill('Bianca Studio GmbH');
    await details.getByLabel('Email for invoices').fill('not-an-email');
    await details.getByLabel('Country').selectOption('DE');
    await details.getByLabel('Tax ID (VAT number)').fill('DE123456789');
    await details.getByLabel('Address', { exact: true }).fill('Torstraße 1');
    await details.getByLabel('City').fill('Berlin');
    await details.getByLabel('Postal code').fill('10119');
    await details.getByRole('button', { name: 'Save details' }).click();
    // The API refuses the address beside its field; nothing is saved.
    await details.locator('.field.invalid').filter({ hasText: 'Email for invoices' }).locator('.field-error').waitFor();
    await details.getByLabel('Email for invoices').fill('accounts@bianca.test');
    await details.getByRole('button', { name: 'Save details' }).click();
    await details.getByText('Billing details saved.').waitFor();
    const saved = await t.sql<{ billing_name: string; country: string; tax_id: string; address: Record<string, string> }>(
      'select billing_name, country, tax_id, address from tenant_subscriptions s join tenants tn on tn.id = s.tenant_id where tn.slug = $1',
      [slug],
    );
    expect(saved[0]).toMatchObject({
      billing_name: 'Bianca Studio GmbH',
      country: 'DE',
      tax_id: 'DE123456789',
      address: { line1: 'Torstraße 1', city: 'Berlin' },
    });
    await photograph('overview', 'en');
  });

  test('a contact past the plan’s limit is refused with the limit named and “Upgrade to Pro”', async () => {
    const { page } = tab;
    const headers = await ownerHeaders();
    expect((await t.request('POST', '/api/v1/marketplace/crm/enable', { headers, body: { settings: {} } })).status).toBe(200);
    for (let index = 1; index <= contactLimit; index += 1) {
      const created = await t.request('POST', '/api/v1/crm/contacts', { headers, body: { name: `Contact ${index}`, email: `c${index}@example.test` } });
      expect(created.status, JSON.stringify(created.body)).toBe(201);
    }
    await page.goto(`/t/${slug}/p/crm/contacts/new`);
    await page.getByLabel('Name').fill('One too many');
    await page.getByLabel('Email').fill('extra@example.test');
    await page.getByRole('button', { name: 'Create contact' }).click();
    const alert = page.getByRole('alert').filter({ hasText: 'Your plan allows 3 of “Contacts”, and 3 are in use.' });
    await alert.waitFor();
    await photograph('limit', 'en');
    await inArabic(async () => {
      await page.reload();
      await page.getByLabel('الاسم').fill('One too many');
      await page.getByLabel('البريد الإلكتروني').fill('extra@example.test');
      await page.locator('form button[type="submit"]').click();
      await page.getByRole('alert').getByRole('link', { name: 'الترقية إلى Pro' }).waitFor();
      await photograph('limit', 'ar');
    });
    await page.reload();
    await page.getByLabel('Name').fill('One too many');
    await page.getByLabel('Email').fill('extra@example.test');
    await page.getByRole('button', { name: 'Create contact' }).click();
    await alert.waitFor();
    await alert.getByRole('link', { name: 'Upgrade to Pro' }).click();
    await page.waitForURL(`**${billingPath}?plan=pro`);
    await page.locator('.billing-plan-card.suggested[data-plan="pro"]').waitFor();
    await page.locator('#billing-usage li[data-limit="crm.contacts"]').getByText('3 of 3').waitFor();
  });

  test('the marketplace shows the shop included in Pro, with Upgrade instead of Enable', async () => {
    const { page } = tab;
    await menuLink(page, 'Marketplace').click();
    const shopCard = page.locator('[data-plugin="shop"]');
    await shopCard.getByText('Included in Pro').waitFor();
    expect(await shopCard.getByRole('button', { name: /^Enable/ }).count()).toBe(0);
    await shopCard.getByRole('link', { name: 'Upgrade to Pro to use Shop' }).waitFor();
    await photograph('marketplace', 'en');
    await inArabic(async () => {
      await page.reload();
      await shopCard.getByText('مشمولة في Pro').waitFor();
      await photograph('marketplace', 'ar');
    });
  });

  test('the owner upgrades to Pro in the trial, adds the 4242 card on the test checkout page, and is active when the trial ends', async () => {
    const { page } = tab;
    await page.goto(billingPath);
    const pro = page.locator('.billing-plan-card[data-plan="pro"]');
    await pro.getByText('$29.00 per month').waitFor();
    await page.getByRole('radio', { name: 'Yearly' }).check();
    await pro.getByText('$290.00 per year').waitFor();
    await page.getByRole('radio', { name: 'Monthly' }).check();
    await pro.getByRole('button', { name: 'Upgrade — Pro' }).click();
    const dialog = page.getByRole('dialog', { name: 'Upgrade to Pro?' });
    await dialog.getByText(/^Your free trial continues until .+; then \$29\.00 per month\.$/).waitFor();
    await photograph('upgrade', 'en');
    await dialog.getByRole('button', { name: 'Upgrade', exact: true }).click();
    await page.getByText('You are now on Pro.').waitFor();
    const plan = page.locator('#billing-plan');
    await plan.getByRole('heading', { name: 'Your plan: Pro' }).waitFor();
    expect(await subscription()).toMatchObject({ status: 'trialing', plan: 'pro' });

    // The card: the provider's page (the test checkout), then back to Billing.
    await page.locator('#billing-card').getByRole('button', { name: 'Add a card' }).click();
    await page.waitForURL('**/billing/test-checkout/**');
    await page.getByLabel('Card number').fill('4242 4242 4242 4242');
    await page.getByRole('button', { name: 'Save card' }).click();
    await page.waitForURL(`**${billingPath}`);
    await page
      .locator('#billing-card')
      .getByText(/^Visa ending in 4242, expires 12\/\d{4}$/)
      .waitFor();
    await plan.getByText(/^Free trial until .+; then \$29\.00 per month is charged to your card\.$/).waitFor();

    // The trial ends: the renewal charges the card (the job, run now rather than in ten minutes).
    await t.sql(
      "update tenant_subscriptions set trial_ends_at = now() - interval '1 minute', current_period_end = now() - interval '1 minute' where tenant_id = (select id from tenants where slug = $1)",
      [slug],
    );
    await t.kernel.services.jobs.enqueue('core.billing.renew', {});
    await t.drainJobs();
    expect(await subscription()).toMatchObject({ status: 'active', plan: 'pro', billing_status: 'ok' });
    await page.reload();
    await plan.locator('.badge').filter({ hasText: 'Active' }).waitFor();
    await plan.getByText(/^Renews on .+: \$29\.00 per month\.$/).waitFor();
  });

  test('on Pro, a plugin sold on its own shows its price, and enabling it states the charge first', async () => {
    const { page } = tab;
    await pricePlugin(t, 'shop', [{ currency: 'USD', interval: 'month', amount: 500 }]);
    await page.goto(`/t/${slug}/marketplace`);
    const shopCard = page.locator('[data-plugin="shop"]');
    await shopCard.getByText('+ $5.00 / month').waitFor();
    await shopCard.getByRole('button', { name: 'Enable Shop' }).click();
    const dialog = page.getByRole('dialog', { name: 'Enable Shop' });
    await dialog
      .getByText('Enabling Shop adds $5.00 per month to your subscription, prorated for the rest of this period. Disabling it ends the charge.')
      .waitFor();
    await photograph('addon', 'en');
    await inArabic(async () => {
      await page.reload();
      await shopCard.locator('.plugin-plan.addon').getByText('/ شهر', { exact: false }).waitFor();
      await shopCard.getByRole('button').filter({ hasText: 'تفعيل' }).first().click();
      await page.getByRole('dialog').locator('.addon-charge').waitFor();
      await photograph('addon', 'ar');
    });
    await page.reload();
    await shopCard.getByRole('button', { name: 'Enable Shop' }).click();
    await dialog.getByRole('checkbox', { name: /Also enable Payments/ }).check();
    await dialog.getByRole('button', { name: 'Enable', exact: true }).click();
    await dialog.waitFor({ state: 'detached' });
    await shopCard.getByText('Enabled').waitFor();
    await page.goto(billingPath);
    await page.locator('#billing-addons li[data-plugin="shop"]').getByText('$5.00 per month', { exact: false }).waitFor();
  });

  test('a downgrade the workspace has outgrown lists what must go first; cancelling at the period end can be undone', async () => {
    const { page } = tab;
    await page.goto(billingPath);
    await page.locator('.billing-plan-card[data-plan="free"]').getByRole('button', { name: 'Downgrade — Free' }).click();
    const dialog = page.getByRole('dialog', { name: 'Downgrade to Free?' });
    await dialog.getByText(/^Your current plan stays until .+; then the workspace moves to Free, with no charge\.$/).waitFor();
    await dialog.getByRole('button', { name: 'Downgrade', exact: true }).click();
    const refusal = dialog.getByRole('alert');
    await refusal.getByText('Free allows less than the workspace uses now. Before moving to it:').waitFor();
    await refusal.getByText('Contacts: 3 used, the plan allows 1').waitFor();
    expect(await dialog.getByRole('button', { name: 'Downgrade', exact: true }).isDisabled()).toBe(true);
    await photograph('downgrade-refused', 'en');
    await dialog.getByRole('button', { name: 'Keep my plan' }).click();
    expect(await subscription()).toMatchObject({ status: 'active', plan: 'pro' });

    const plan = page.locator('#billing-plan');
    await plan.getByRole('button', { name: 'Cancel subscription' }).click();
    const cancel = page.getByRole('dialog', { name: 'Cancel Pro?' });
    await cancel.getByRole('button', { name: 'Cancel at period end' }).click();
    await page.getByText(/^Your subscription ends on .+\.$/).waitFor();
    await plan.getByText(/^Cancelled: it stays active until .+, then the workspace moves to the free plan\.$/).waitFor();
    await plan.getByRole('button', { name: 'Resume subscription' }).click();
    await page.getByText('Your subscription continues.').waitFor();
    await plan.getByText(/^Renews on .+: \$29\.00 per month\.$/).waitFor();
  });

  test('the invoices list the charge; one invoice shows its lines and downloads as a PDF', async () => {
    const { page } = tab;
    await page.getByRole('link', { name: 'Invoices' }).click();
    await page.getByRole('heading', { name: 'Invoices', level: 1 }).waitFor();
    const row = page.locator('tr[data-invoice]').first();
    await row.getByText('Paid').waitFor();
    const number = (await row.getAttribute('data-invoice'))!;
    expect(number).toMatch(/^INV-\d{6}$/);
    await photograph('invoices', 'en');
    const [download] = await Promise.all([page.waitForEvent('download'), row.getByRole('button', { name: `Download PDF of invoice ${number}` }).click()]);
    const bytes = await readFile((await download.path())!);
    expect(bytes.subarray(0, 5).toString('latin1')).toBe('%PDF-');

    await row.getByRole('link', { name: number }).click();
    await page.getByRole('heading', { name: `Invoice ${number}`, level: 1 }).waitFor();
    await page.getByText('Bianca Studio GmbH').waitFor();
    await page.locator('.billing-totals').getByText('Total', { exact: true }).waitFor();
    await photograph('invoice', 'en');
  });

  test('a workspace read-only by dunning shows the banner across the console, and paying restores it', async () => {
    const { page } = tab;
    // A renewal that failed eight days ago: an open invoice, the subscription read-only (what the dunning job does).
    const [tenant] = await t.sql<{ id: string }>('select id from tenants where slug = $1', [slug]);
    await t.sql(
      `insert into billing_invoices (tenant_id, number, status, currency, subtotal, total, lines, period_start, period_end, provider, attempt_count)
       values ($1, 'INV-' || lpad(nextval('billing_invoice_numbers')::text, 6, '0'), 'open', 'USD', 2900, 2900,
               '[{"kind":"plan","description":"Pro","amount":2900,"period_start":null,"period_end":null}]', now(), now() + interval '1 month', 'test', 1)`,
      [tenant!.id],
    );
    await t.sql("update tenant_subscriptions set status = 'read_only', past_due_since = now() - interval '8 days' where tenant_id = $1", [tenant!.id]);
    await t.sql("update tenants set billing_status = 'read_only' where id = $1", [tenant!.id]);
    await t.kernel.services.tenants.forget({ id: tenant!.id, slug });

    await page.goto(`/t/${slug}`);
    const banner = page.locator('.billing-banner');
    await banner.getByText(/read-only because a payment failed/).waitFor();
    await photograph('read-only', 'en');
    await inArabic(async () => {
      await page.reload();
      await banner.getByRole('link', { name: 'ادفع الآن' }).waitFor();
      await photograph('read-only', 'ar');
    });
    await page.reload();
    await banner.getByRole('link', { name: 'Pay now' }).click();
    await page.waitForURL(`**${billingPath}`);
    const plan = page.locator('#billing-plan');
    await plan.getByText(/^The payment of .+ failed: the workspace is read-only until the invoice is paid\./).waitFor();
    await plan.getByRole('button', { name: 'Pay now' }).click();
    await page.getByText('Paid: the workspace is fully available again.').waitFor();
    await plan.locator('.badge').filter({ hasText: 'Active' }).waitFor();
    expect(await subscription()).toMatchObject({ status: 'active', billing_status: 'ok' });
    await page.goto(`/t/${slug}`);
    await page.getByRole('heading', { level: 1 }).waitFor();
    expect(await page.locator('.billing-banner').count()).toBe(0);
  });

  test('a suspended workspace keeps its billing page: the banner leads there, and paying restores it', async () => {
    const { page } = tab;
    const [tenant] = await t.sql<{ id: string }>('select id from tenants where slug = $1', [slug]);
    await t.sql(
      `insert into billing_invoices (tenant_id, number, status, currency, subtotal, total, lines, period_start, period_end, provider, attempt_count)
       values ($1, 'INV-' || lpad(nextval('billing_invoice_numbers')::text, 6, '0'), 'open', 'USD', 2900, 2900,
               '[{"kind":"plan","description":"Pro","amount":2900,"period_start":null,"period_end":null}]', now(), now() + interval '1 month', 'test', 3)`,
      [tenant!.id],
    );
    await t.sql("update tenant_subscriptions set status = 'suspended', past_due_since = now() - interval '22 days' where tenant_id = $1", [tenant!.id]);
    await t.sql("update tenants set billing_status = 'suspended' where id = $1", [tenant!.id]);
    await t.kernel.services.tenants.forget({ id: tenant!.id, slug });

    await page.goto(`/t/${slug}`);
    const banner = page.locator('.billing-banner');
    await banner.getByText(/suspended because its invoice is unpaid/).waitFor();
    await photograph('suspended', 'en');
    await banner.getByRole('link', { name: 'Pay now' }).click();
    await page.waitForURL(`**${billingPath}`);
    const plan = page.locator('#billing-plan');
    await plan.getByText(/the workspace is suspended\. Pay to restore it; nothing has been deleted\.$/).waitFor();
    await plan.getByRole('button', { name: 'Pay now' }).click();
    await page.getByText('Paid: the workspace is fully available again.').waitFor();
    expect(await subscription()).toMatchObject({ status: 'active', billing_status: 'ok' });
    await page.goto(`/t/${slug}/p/crm/contacts`);
    await page.getByRole('heading', { level: 1 }).waitFor();
    expect(await page.locator('.billing-banner').count()).toBe(0);
  });

  test('the same screens in Arabic, right to left', async () => {
    const { page } = tab;
    await inArabic(async () => {
      await page.goto(billingPath);
      await page.getByRole('heading', { name: 'الفوترة', level: 1 }).waitFor();
      await page.locator('#billing-plan').getByText('فعّالة').waitFor();
      await photograph('overview', 'ar');
      await page.locator('.billing-plan-card[data-plan="starter"]').getByRole('button').click();
      await page.getByRole('dialog').waitFor();
      await photograph('upgrade', 'ar');
      await page.getByRole('dialog').getByRole('button', { name: 'الإبقاء على خطتي' }).click();
      await page.goto(`${billingPath}/invoices`);
      await page.getByRole('heading', { name: 'الفواتير', level: 1 }).waitFor();
      await photograph('invoices', 'ar');
      await page.locator('tr[data-invoice] a').first().click();
      await page.locator('.billing-totals').waitFor();
      await photograph('invoice', 'ar');
    });

    // Signed out, in Arabic: the plan choice of the sign-up form.
    const signedOut = await openPage(browser, t.url);
    await signedOut.page.addInitScript(() => localStorage.setItem('plinth.language', 'ar'));
    await signedOut.page.goto('/signup');
    await signedOut.page.getByRole('group', { name: 'الخطة' }).getByRole('radio').first().waitFor();
    await photographScreen(signedOut, 'billing-signup', 'ar');
    await signedOut.context.close();
  });
});
