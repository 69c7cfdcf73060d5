/**
 * The console in headless Chromium against a real kernel: an owner signs up, creates a tenant,
 * enables the CRM with settings, manages contacts, invites a viewer who cannot create them; the
 * marketplace explains dependencies. Screenshots of the main screens land in `test-artifacts/`.
 */
import { readFileSync } from 'node:fs';
import { createTestKernel, type TestKernel } from '@plinth/core/testing';
import crm from '@plinth/plugin-crm';
import payments from '@plinth/plugin-payments';
import shop from '@plinth/plugin-shop';
import type { Browser } from 'playwright-core';
import { afterAll, afterEach, beforeAll, describe, expect, test } from 'vitest';
import consolePlugin from '../src/index.js';
import { launchChromium, openPage, type WatchedPage } from './browser.js';
import { ensureWebBuilt } from './web-build.js';

const password = 'Correct-Horse-Battery-9';
const owner = { name: 'Olivia Owner', email: 'olivia@acme.test' };
const viewer = { name: 'Victor Viewer', email: 'victor@acme.test' };
const slug = 'acme-corp';

let t: TestKernel;
let browser: Browser;
let ownerTab: WatchedPage;
let viewerTab: WatchedPage | undefined;

beforeAll(async () => {
  await ensureWebBuilt();
  [t, browser] = await Promise.all([createTestKernel({ plugins: [consolePlugin, crm, payments, shop] }), launchChromium()]);
  ownerTab = await openPage(browser, t.url);
  ownerTab.page.setDefaultTimeout(10_000);
});

// A failing step leaves a picture of each open page behind, next to the screenshots.
afterEach(async (context) => {
  if (context.task.result?.state !== 'fail') return;
  const name = context.task.name.replace(/\W+/g, '-').slice(0, 60);
  await ownerTab?.screenshot(`failed-${name}-owner`).catch(() => undefined);
  await viewerTab?.screenshot(`failed-${name}-viewer`).catch(() => undefined);
});

afterAll(async () => {
  await browser?.close();
  await t?.close();
});

/** A link of the main menu. */
const menu = (tab: WatchedPage, name: string) => tab.page.getByRole('navigation', { name: 'Main' }).getByRole('link', { name, exact: true });

/** Signs in through the API (for checking what the API itself allows). */
async function apiSession(email: string): Promise<Record<string, string>> {
  const signIn = await t.request('POST', '/api/v1/auth/login', { body: { email, password } });
  expect(signIn.status).toBe(200);
  return { authorization: `Bearer ${signIn.body.data.tokens.access_token}`, 'x-tenant': slug };
}

describe.sequential('the console', () => {
  test('the kernel serves the built console at the root, its hashed assets cached for a year', async () => {
    const page = await t.request('GET', '/t/acme-corp/members', { headers: { accept: 'text/html' } });
    expect(page.status).toBe(200);
    expect(page.headers.get('cache-control')).toBe('no-cache');
    expect(page.headers.get('content-security-policy')).toContain("default-src 'self'");
    const assets = [...String(page.body).matchAll(/(?:src|href)="(\/assets\/[^"]+)"/g)].map((found) => found[1]!);
    expect(assets.some((asset) => /\/assets\/index-[\w-]+\.js$/.test(asset))).toBe(true);
    for (const asset of assets) {
      const answer = await t.request('GET', asset);
      expect(answer.status).toBe(200);
      expect(answer.headers.get('cache-control')).toBe('public, max-age=31536000, immutable');
    }
  });

  test('an owner signs up, creates a tenant and enables the CRM with settings from the marketplace', async () => {
    const { page, screenshot } = ownerTab;
    await page.goto('/');
    await page.waitForURL('**/login?next=%2F');
    await screenshot('01-sign-in');
    await page.getByRole('link', { name: 'Create an account' }).click();
    await page.getByLabel('Your name').fill(owner.name);
    await page.getByLabel('Email').fill(owner.email);
    await page.getByLabel('Password').fill(password);
    await screenshot('02-sign-up');
    await page.getByRole('button', { name: 'Create account' }).click();

    await page.waitForURL('**/tenants/new');
    await page.getByLabel('Name').fill('Acme Corp');
    expect(await page.getByLabel('Slug').inputValue()).toBe(slug);
    await page.getByRole('button', { name: 'Create tenant' }).click();
    await page.waitForURL(`**/t/${slug}`);
    await page.getByRole('heading', { name: 'Acme Corp', level: 1 }).waitFor();
    await page.getByText('No plugin is enabled yet.').waitFor();
    await screenshot('03-dashboard-empty');

    await menu(ownerTab, 'Marketplace').click();
    const crmCard = page.locator('[data-plugin="crm"]');
    await crmCard.getByRole('button', { name: /^Enable/ }).click();
    const dialog = page.getByRole('dialog');
    // The settings schema's limits come back from the API beside the field.
    await dialog.getByLabel('Campaign batch size').fill('0');
    await dialog.getByRole('button', { name: 'Enable' }).click();
    await dialog.locator('.field.invalid').filter({ hasText: 'Campaign batch size' }).locator('.field-error').waitFor();
    await dialog.getByLabel('Default source').fill('console');
    await dialog.getByLabel('Campaign batch size').fill('50');
    await screenshot('04-marketplace-enable-crm');
    await dialog.getByRole('button', { name: 'Enable' }).click();
    await dialog.waitFor({ state: 'detached' });
    await crmCard.getByText('Enabled').waitFor();
    await screenshot('05-marketplace');

    const settings = await t.request('GET', '/api/v1/plugins/crm/settings', { headers: await apiSession(owner.email) });
    expect(settings.body.data).toMatchObject({ defaultSource: 'console', campaignBatchSize: 50 });
  });

  test('the owner creates, searches and edits contacts on the generated screens', async () => {
    const { page, screenshot } = ownerTab;
    await page.locator(`nav a[href="/t/${slug}/p/crm/contacts"]`).click();
    await page.getByText('No contacts yet.').waitFor();
    await page.getByRole('link', { name: 'New contact' }).click();

    // The API's validation messages appear beside the field.
    await page.getByLabel('Email').fill('not-an-email');
    await page.getByRole('button', { name: 'Create contact' }).click();
    await page.locator('.field.invalid').filter({ hasText: 'Email' }).locator('.field-error').waitFor();
    await screenshot('06-contact-form-errors');
    await page.getByLabel('Name').fill('Ada Lovelace');
    await page.getByLabel('Email').fill('ada@example.test');
    await page.getByLabel('Company').fill('Analytical Engines');
    // Tags are chips: one typed and added with Enter, the next with the add button.
    const tags = page.getByRole('textbox', { name: 'Tags' });
    await tags.fill('vip');
    await tags.press('Enter');
    await tags.fill('math');
    await page.getByRole('button', { name: 'Add tags' }).click();
    const chosenTags = page.getByRole('list', { name: 'Tags: chosen' }).getByRole('listitem');
    expect(await chosenTags.allTextContents()).toEqual(['vip×', 'math×']);
    expect(await tags.inputValue()).toBe('');
    await page.getByRole('button', { name: 'Create contact' }).click();
    await page.getByRole('heading', { name: 'Ada Lovelace' }).waitFor();
    await page.getByText('console', { exact: true }).waitFor(); // the default source from the settings
    await screenshot('07-contact-detail');

    await page.getByRole('navigation', { name: 'Breadcrumbs' }).getByRole('link', { name: 'Contacts' }).click();
    await page.getByRole('link', { name: 'New contact' }).click();
    await page.getByLabel('Name').fill('Charles Babbage');
    await page.getByLabel('Email').fill('charles@example.test');
    await page.getByRole('button', { name: 'Create contact' }).click();
    await page.getByRole('heading', { name: 'Charles Babbage' }).waitFor();
    await page.getByRole('navigation', { name: 'Breadcrumbs' }).getByRole('link', { name: 'Contacts' }).click();
    await page.getByRole('link', { name: 'Charles Babbage', exact: true }).waitFor();

    // Sortable columns are the ones the route's `sort` enum names; a second click reverses.
    const firstRow = (name: string) => page.locator('tbody tr').first().getByRole('link', { name, exact: true }).waitFor();
    await firstRow('Charles Babbage'); // the route's default: newest first
    await page.getByRole('button', { name: /^Name/ }).click();
    await page.waitForURL('**/p/crm/contacts?sort=name');
    await page.locator('th[aria-sort="ascending"]').waitFor();
    await firstRow('Ada Lovelace');
    await page.getByRole('button', { name: /^Name/ }).click();
    await page.waitForURL('**/p/crm/contacts?sort=-name');
    await page.locator('th[aria-sort="descending"]').waitFor();
    await firstRow('Charles Babbage');
    expect(await page.getByRole('button', { name: /^Phone/ }).count()).toBe(0);

    await page.getByLabel('Search').fill('ada');
    await page.getByRole('button', { name: 'Search' }).click();
    await page.waitForURL('**/p/crm/contacts?sort=-name&q=ada');
    await page.getByRole('link', { name: 'Charles Babbage', exact: true }).waitFor({ state: 'detached' });
    expect(await page.locator('tbody tr').count()).toBe(1);
    await screenshot('08-contacts-search');
    // Other query parameters of the route (here `tag`) become filters.
    await page.getByLabel('Search').fill('');
    await page.getByText('Filters').click();
    await page.getByLabel('Tag').fill('vip');
    await page.getByRole('button', { name: 'Search' }).click();
    await page.waitForURL('**/p/crm/contacts?sort=-name&tag=vip');
    await page.getByText('Filters (1 on)').waitFor();
    expect(await page.locator('tbody tr').count()).toBe(1);
    await page.getByRole('link', { name: 'Ada Lovelace', exact: true }).waitFor();
    // The route's CSV export sits beside the list and takes the same filters.
    const [csv] = await Promise.all([page.waitForEvent('download'), page.getByRole('button', { name: 'Export' }).click()]);
    expect(csv.suggestedFilename()).toBe('contacts.csv');
    const exported = readFileSync(await csv.path(), 'utf8');
    expect(exported).toContain('ada@example.test');
    expect(exported).not.toContain('charles@example.test');

    await page.getByRole('link', { name: 'Edit Ada Lovelace' }).click();
    expect(await page.getByLabel('Company').inputValue()).toBe('Analytical Engines');
    await page.getByLabel('Company').fill('Difference Engines Ltd');
    await screenshot('09-contact-edit');
    await page.getByRole('button', { name: 'Save changes' }).click();
    await page.getByRole('heading', { name: 'Ada Lovelace' }).waitFor();
    await page.getByText('Difference Engines Ltd').waitFor();
  });

  test('every CRM menu entry opens a generated list and a create form without errors', async () => {
    const { page } = ownerTab;
    for (const label of ['Segments', 'Campaigns']) {
      await menu(ownerTab, label).click();
      await page.getByRole('heading', { name: label, level: 1 }).waitFor();
      await page.locator('table, .empty').first().waitFor();
      expect(await page.locator('.banner.error').count()).toBe(0);
      const create = page.getByRole('link', { name: /^New / });
      if ((await create.count()) === 0) continue;
      await create.click();
      await page.getByRole('button', { name: /^Create / }).waitFor();
      expect(await page.locator('.banner.error').count()).toBe(0);
    }
  });

  test('the owner invites a viewer, who sees contacts without a create button; the API refuses them too', async () => {
    const { page, screenshot } = ownerTab;
    // Contacts are customer data, not a viewer's by default: the owner adds a role that reads them.
    const reader = await t.request('POST', '/api/v1/roles', {
      headers: await apiSession(owner.email),
      body: { name: 'contact-reader', permissions: ['crm.contacts.view'] },
    });
    expect(reader.status).toBe(201);
    // Inviting mails on the tenant's behalf: the owner first opens the link their sign-up mailed them (issue 23).
    const verifyLink = new URL(/https?:\/\/\S+\/verify-email\?token=[\w%-]+/.exec((await t.mailbox(owner.email))[0]!.text)![0]);
    await page.goto(verifyLink.pathname + verifyLink.search);
    await page.getByRole('button', { name: 'Continue' }).click();
    await page.goto(`/t/${slug}`);
    await page.getByRole('heading', { name: 'Acme Corp', level: 1 }).waitFor();
    await menu(ownerTab, 'Invitations').click();
    await page.getByLabel('Email').fill(viewer.email);
    await page.getByRole('checkbox', { name: 'viewer' }).check();
    await page.getByRole('checkbox', { name: 'contact-reader' }).check();
    await page.getByRole('button', { name: 'Send invitation' }).click();
    const link = page.getByRole('textbox', { name: 'Accept link' });
    await link.waitFor();
    await page.getByRole('cell', { name: viewer.email }).waitFor();
    await screenshot('10-invitation-link');
    const acceptUrl = new URL(await link.inputValue());
    expect(acceptUrl.pathname).toBe('/accept-invitation');

    viewerTab = await openPage(browser, t.url);
    const viewerPage = viewerTab.page;
    viewerPage.setDefaultTimeout(10_000);
    await viewerPage.goto(acceptUrl.pathname + acceptUrl.search);
    await viewerPage.getByLabel('Your name').fill(viewer.name);
    await viewerPage.getByLabel('Choose a password').fill(password);
    await viewerTab.screenshot('11-accept-invitation');
    await viewerPage.getByRole('button', { name: 'Accept invitation' }).click();
    await viewerPage.waitForURL(`**/t/${slug}`);
    await viewerPage.getByText(/Your roles here: (viewer, contact-reader|contact-reader, viewer)/).waitFor();
    expect(await menu(viewerTab, 'Audit log').count()).toBe(0);

    await viewerPage.locator(`nav a[href="/t/${slug}/p/crm/contacts"]`).click();
    await viewerPage.getByRole('link', { name: 'Ada Lovelace', exact: true }).waitFor();
    expect(await viewerPage.getByRole('link', { name: 'New contact' }).count()).toBe(0);
    expect(await viewerPage.getByRole('link', { name: /^Edit/ }).count()).toBe(0);
    expect(await viewerPage.getByRole('button', { name: /^Delete/ }).count()).toBe(0);
    expect(await viewerPage.getByRole('button', { name: 'Export' }).count()).toBe(0); // crm.contacts.export is the admins'
    await viewerTab.screenshot('12-viewer-contacts');

    const refused = await t.request('POST', '/api/v1/crm/contacts', { headers: await apiSession(viewer.email), body: { email: 'sneaky@example.test' } });
    expect(refused.status).toBe(403);
    expect(refused.body.code).toBe('forbidden');
  });

  test('the marketplace says that the shop needs payments enabled first', async () => {
    const { page, screenshot } = ownerTab;
    await menu(ownerTab, 'Marketplace').click();
    const shopCard = page.locator('[data-plugin="shop"]');
    await shopCard.getByText('Payments', { exact: true }).waitFor(); // its card names the dependency
    await shopCard.getByRole('button', { name: /^Enable/ }).click();
    const dialog = page.getByRole('dialog');
    await dialog.getByRole('button', { name: 'Enable', exact: true }).click();
    const warning = dialog.getByRole('alert');
    await warning.getByText(/^Shop needs Payments enabled first\.$/i).waitFor();
    await screenshot('13-marketplace-dependency');
    expect(await shopCard.getByText('Enabled').count()).toBe(0);
    const market = await t.request('GET', '/api/v1/marketplace', { headers: await apiSession(owner.email) });
    expect(market.body.data.find((plugin: { name: string }) => plugin.name === 'shop').enabled).toBe(false);
    await dialog.getByRole('button', { name: 'Cancel' }).click();
  });

  test('members, roles, API tokens (shown once) and the audit log', async () => {
    const { page, screenshot } = ownerTab;
    await menu(ownerTab, 'Members').click();
    await page.getByRole('cell', { name: viewer.email }).waitFor();
    await screenshot('14-members');

    await menu(ownerTab, 'Roles').click();
    await page.getByRole('button', { name: 'New role' }).click();
    const dialog = page.getByRole('dialog');
    await dialog.getByRole('textbox', { name: 'Name', exact: true }).fill('sales');
    await dialog.getByRole('checkbox', { name: 'crm.contacts.view' }).check();
    await dialog.getByRole('checkbox', { name: 'crm.contacts.manage' }).check();
    await screenshot('15-role-permissions');
    await dialog.getByRole('button', { name: 'Save role' }).click();
    await page.getByRole('heading', { name: 'sales' }).waitFor();

    await menu(ownerTab, 'API tokens').click();
    await page.getByText('No API token yet.').waitFor();
    await page.getByRole('button', { name: 'New token' }).click();
    await page.getByRole('dialog').getByRole('textbox', { name: 'Name', exact: true }).fill('nightly export');
    await page.getByRole('dialog').getByRole('checkbox', { name: 'crm.contacts.view' }).check();
    await page.getByRole('dialog').getByRole('button', { name: 'Create token' }).click();
    const secret = await page.getByRole('textbox', { name: 'New API token' }).inputValue();
    expect(secret).toMatch(/^plt_/);
    await screenshot('16-api-token-once');
    const listed = await t.request('GET', '/api/v1/crm/contacts', { headers: { authorization: `Bearer ${secret}`, 'x-tenant': slug } });
    expect(listed.status).toBe(200);
    await page.getByRole('button', { name: 'I have copied it' }).click();
    expect(await page.getByRole('textbox', { name: 'New API token' }).count()).toBe(0);

    await menu(ownerTab, 'Audit log').click();
    await page.getByText('plugin.enabled').first().waitFor();
    // A filter (an action prefix here) narrows the log, and the CSV export takes the same filters.
    await page.getByLabel('Action', { exact: true }).fill('plugin.');
    await page.getByRole('button', { name: 'Filter', exact: true }).click();
    await page.waitForURL('**/audit-log?action=plugin.');
    const [csv] = await Promise.all([page.waitForEvent('download'), page.getByRole('button', { name: 'Export CSV' }).click()]);
    expect(csv.suggestedFilename()).toBe('audit-log.csv');
    const lines = readFileSync(await csv.path(), 'utf8')
      .trim()
      .split('\r\n');
    expect(lines[0]).toMatch(/^time,actor_email,/);
    expect(lines.length).toBeGreaterThan(1);
    for (const line of lines.slice(1)) expect(line).toContain(',plugin.');
    await page.getByRole('button', { name: 'Clear filters' }).click();
    await page.waitForURL('**/audit-log');
    await page.getByText('Filters', { exact: true }).click();
    // "Who" lists the tenant's members.
    await page.locator('select[name="actor_user_id"] option', { hasText: owner.email }).waitFor({ state: 'attached' });
    await screenshot('17-audit-log');
  });

  test('a reload keeps the session from the refresh token; no token is in localStorage; signing out ends it', async () => {
    const { page } = ownerTab;
    await page.reload();
    await page.getByRole('heading', { name: 'Audit log', level: 1 }).waitFor();
    const stored = (await page.evaluate('[JSON.stringify(localStorage), Object.keys(sessionStorage)]')) as [string, string[]];
    expect(stored).toEqual(['{}', ['plinth.refresh_token']]);
    const other = await openPage(browser, t.url);
    await other.page.goto(`/t/${slug}`);
    await other.page.waitForURL('**/login?next=*');
    await other.context.close();
    await page.getByRole('button', { name: 'Sign out' }).click();
    await page.waitForURL('**/login');
    expect(await page.evaluate('sessionStorage.length')).toBe(0);
    await page.goto(`/t/${slug}`);
    await page.waitForURL('**/login?next=*');
  });

  test('no page logged an error', () => {
    expect(ownerTab.errors).toEqual([]);
    expect(viewerTab?.errors ?? []).toEqual([]);
  });
});
