/**
 * The console by keyboard alone and at a phone's width (390×844), in headless Chromium: the skip link,
 * a visible focus ring, dialogs that close with Escape and give focus back, focus on the new page's
 * heading; the folded menu, and the marketplace and its dialog without overflow.
 */
import { addMember, createTestKernel, signUp, type TestKernel, type TestUser } from '@plinth/core/testing';
import crm from '@plinth/plugin-crm';
import payments from '@plinth/plugin-payments';
import shop from '@plinth/plugin-shop';
import type { Browser } from 'playwright-core';
import { afterAll, beforeAll, describe, expect, test } from 'vitest';
import consolePlugin from '../src/index.js';
import { launchChromium, openPage, signIn, type WatchedPage } from './browser.js';
import { ensureWebBuilt } from './web-build.js';

const slug = 'acme-corp';

let t: TestKernel;
let browser: Browser;
let owner: TestUser;
let viewer: TestUser;

/** A link of the main menu. */
const menu = (tab: WatchedPage, name: string) => tab.page.getByRole('navigation', { name: 'Main' }).getByRole('link', { name, exact: true });

beforeAll(async () => {
  await ensureWebBuilt();
  [t, browser] = await Promise.all([createTestKernel({ plugins: [consolePlugin, crm, payments, shop] }), launchChromium()]);
  owner = await signUp(t, { tenant: { name: 'Acme Corp', slug } });
  await t.enable(owner, 'crm');
  const contact = await t.request('POST', '/api/v1/crm/contacts', { headers: owner.headers, body: { name: 'Ada Lovelace', email: 'ada@example.test' } });
  expect(contact.status).toBe(201);
  // Contacts are customer data, not a viewer's by default: the tenant grants them with a role of its own.
  const reader = await t.request('POST', '/api/v1/roles', { headers: owner.headers, body: { name: 'contact-reader', permissions: ['crm.contacts.view'] } });
  expect(reader.status).toBe(201);
  viewer = await addMember(t, owner, ['viewer', 'contact-reader']);
});

afterAll(async () => {
  await browser?.close();
  await t?.close();
});

describe.sequential('keyboard and phone width', () => {
  test('the keyboard alone skips to the content, shows where focus is, and closes a dialog with Escape', async () => {
    const tab = await openPage(browser, t.url);
    const { page } = tab;
    page.setDefaultTimeout(10_000);
    await signIn(tab, owner);
    await page.goto(`/t/${slug}/marketplace`); // a page load: focus starts at the top of the document
    await page.getByRole('heading', { name: 'Marketplace', level: 1 }).waitFor();
    // Strings, evaluated in the page: the tests are compiled without the DOM library.
    const focused = () =>
      page.evaluate('[document.activeElement.textContent.trim(), getComputedStyle(document.activeElement).outlineStyle]') as Promise<[string, string]>;
    await page.keyboard.press('Tab');
    expect(await focused()).toEqual(['Skip to content', 'solid']);
    expect((await page.getByRole('link', { name: 'Skip to content' }).boundingBox())?.x).toBeGreaterThanOrEqual(0);
    await page.keyboard.press('Enter');
    expect(await page.evaluate('document.activeElement.id')).toBe('main');
    await page.keyboard.press('Tab'); // the first control of the page, not the menu
    expect(await page.evaluate('document.activeElement.closest("main") !== null')).toBe(true);

    const enable = page.locator('[data-plugin="shop"]').getByRole('button', { name: /^Enable/ });
    await enable.focus();
    expect((await focused())[1]).toBe('solid');
    await page.keyboard.press('Enter');
    const dialog = page.getByRole('dialog');
    await dialog.getByRole('button', { name: 'Enable', exact: true }).waitFor();
    expect(await page.evaluate('document.activeElement.closest("dialog") !== null')).toBe(true);
    await page.keyboard.press('Escape');
    await dialog.waitFor({ state: 'detached' });
    await expect.poll(() => page.evaluate('document.activeElement.textContent')).toBe('Enable Shop'); // back where it was

    // Following a menu link moves focus to the new page's heading.
    await menu(tab, 'Members').focus();
    await page.keyboard.press('Enter');
    await page.getByRole('heading', { name: 'Members', level: 1 }).waitFor();
    await expect.poll(() => page.evaluate('[document.activeElement.tagName, document.activeElement.textContent]')).toEqual(['H1', 'Members']);
    expect(tab.errors).toEqual([]);
    await tab.context.close();
  });

  test('at phone width the menu folds away and nothing overflows', async () => {
    const phone = await openPage(browser, t.url, { width: 390, height: 844 });
    phone.page.setDefaultTimeout(10_000);
    await phone.page.goto('/login');
    await phone.page.getByLabel('Email').fill(viewer.email);
    await phone.page.getByLabel('Password').fill(viewer.password);
    await phone.page.getByLabel('Password').press('Enter'); // keyboard only
    await phone.page.waitForURL(`**/t/${slug}`);
    await phone.page.goto(`/t/${slug}/p/crm/contacts`);
    await phone.page.getByRole('link', { name: 'Ada Lovelace', exact: true }).waitFor();
    // A string, evaluated in the page: the tests are compiled without the DOM library.
    expect(await phone.page.evaluate('document.documentElement.scrollWidth <= window.innerWidth')).toBe(true);
    expect(await phone.page.getByRole('navigation', { name: 'Main' }).isVisible()).toBe(false);
    await phone.page.getByRole('button', { name: 'Menu' }).click();
    await menu(phone, 'Members').waitFor();
    await phone.screenshot('18-phone-menu');
    expect(phone.errors).toEqual([]);
    await phone.context.close();
  });

  test('at phone width the marketplace cards and the enable dialog fit the screen', async () => {
    const phone = await openPage(browser, t.url, { width: 390, height: 844 });
    phone.page.setDefaultTimeout(10_000);
    await signIn(phone, owner);
    await phone.page.goto(`/t/${slug}/marketplace`);
    await phone.page.locator('[data-plugin="crm"]').getByText('Enabled').waitFor();
    // Before enabling, the card says which built-in roles get each permission: orders are the admins', not members'.
    const shopCard = phone.page.locator('[data-plugin="shop"]');
    await shopCard.getByText(/^Permissions and who gets them/).click();
    const grants = shopCard.getByRole('table', { name: /built-in roles given each one/ });
    await grants
      .getByRole('row', { name: /shop\.orders\.view/ })
      .getByRole('cell', { name: /^(Given to: )?owner, admin$/ })
      .waitFor();
    await grants
      .getByRole('row', { name: /shop\.orders\.own/ })
      .getByRole('cell', { name: /^(Given to: )?owner, admin, member, viewer, customer$/ })
      .waitFor();
    expect(await phone.page.evaluate('document.documentElement.scrollWidth <= window.innerWidth')).toBe(true);
    await phone.screenshot('19-phone-marketplace');
    await phone.page
      .locator('[data-plugin="shop"]')
      .getByRole('button', { name: /^Enable/ })
      .click();
    const dialog = phone.page.getByRole('dialog');
    await dialog.getByRole('button', { name: 'Enable', exact: true }).waitFor();
    const box = await dialog.boundingBox();
    expect(box!.x).toBeGreaterThanOrEqual(0);
    expect(box!.x + box!.width).toBeLessThanOrEqual(390);
    await phone.screenshot('20-phone-enable-dialog');
    await phone.page.keyboard.press('Escape');
    await dialog.waitFor({ state: 'detached' });
    expect(phone.errors).toEqual([]);
    await phone.context.close();
  });
});
