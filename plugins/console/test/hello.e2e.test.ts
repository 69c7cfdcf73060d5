/**
 * The console with plugins that ship no screens of their own: Hello's menu comes from its list
 * routes in the OpenAPI document; a plugin's custom element (`web:<element>`) is mounted with the
 * tenant; a plugin requiring another gets the marketplace's dependency message.
 */
import { createHmac } from 'node:crypto';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { addMember, createTestKernel, signUp, type TestKernel } from '@plinth/core/testing';
import hello from '@plinth-examples/hello-plugin';
import { definePlugin } from '@plinth/sdk';
import type { Browser, Page } from 'playwright-core';
import { afterAll, beforeAll, describe, expect, test } from 'vitest';
import consolePlugin from '../src/index.js';
import { launchChromium, openPage, signIn, type WatchedPage } from './browser.js';
import { ensureWebBuilt } from './web-build.js';

let t: TestKernel;
let browser: Browser;
let tab: WatchedPage;
let webDir: string;

/** Renders the tenant it is given, a greeting count it fetches through the console's `call` (in that tenant), and what the user may do. */
const cardElement = `
customElements.define('hello-card', class extends HTMLElement {
  async connectedCallback() {
    const { data, pagination } = await this.plinth.call('GET', '/hello/greetings');
    const posting = this.plinth.can('hello.greetings.manage') ? 'may post' : 'may not post';
    this.textContent = 'Card for ' + this.plinth.tenant.slug + ': ' + pagination.total + ' greetings, first ' + (data[0]?.message ?? 'none') + '; ' + posting;
  }
});
`;

/** Hello's menu entry: "Greetings" under the "Hello" heading of the menu. */
const greetingsLink = (page: Page) =>
  page.getByRole('navigation', { name: 'Main' }).getByRole('group', { name: 'Hello' }).getByRole('link', { name: 'Greetings', exact: true });

/** The current RFC 6238 code of a base32 secret (SHA-1, 6 digits, 30 s), as an authenticator app shows it. */
function totp(secretBase32: string): string {
  const alphabet = 'ABCDEFGHIJKLMNOPQRSTUVWXYZ234567';
  const bits = [...secretBase32.replace(/=+$/, '').toUpperCase()].map((character) => alphabet.indexOf(character).toString(2).padStart(5, '0')).join('');
  const key = Buffer.from(bits.match(/.{8}/g)!.map((byte) => parseInt(byte, 2)));
  const counter = Buffer.alloc(8);
  counter.writeBigUInt64BE(BigInt(Math.floor(Date.now() / 30_000)));
  const digest = createHmac('sha1', key).update(counter).digest();
  const offset = digest[digest.length - 1]! & 0xf;
  return String((digest.readUInt32BE(offset) & 0x7fffffff) % 1_000_000).padStart(6, '0');
}

beforeAll(async () => {
  webDir = mkdtempSync(path.join(tmpdir(), 'plinth-card-'));
  writeFileSync(path.join(webDir, 'hello-card.js'), cardElement);
  const helloCard = definePlugin({
    name: 'hello-card',
    version: '0.1.0',
    title: 'Hello card',
    description: 'A custom element showing the wall.',
    category: 'examples',
    requires: { core: '^0.1.0', plugins: { hello: '^0.1.0' } },
    navigation: [{ label: 'Greeting card', path: 'web:hello-card' }],
    web: { directory: webDir },
  });
  await ensureWebBuilt();
  [t, browser] = await Promise.all([createTestKernel({ plugins: [consolePlugin, hello, helloCard], tenants: ['wall'] }), launchChromium()]);
  tab = await openPage(browser, t.url);
  tab.page.setDefaultTimeout(10_000);
});

afterAll(async () => {
  await browser?.close();
  await t?.close();
  rmSync(webDir, { recursive: true, force: true });
});

describe.sequential('plugins without console code', () => {
  test('signing in by keyboard lands on the tenant dashboard', async () => {
    const { page } = tab;
    const user = t.tenants.wall!;
    await page.goto('/t/wall');
    await page.waitForURL('**/login?next=%2Ft%2Fwall');
    await page.keyboard.press('Tab'); // skip nothing: the first field is the email
    await page.getByLabel('Email').focus();
    await page.keyboard.type(user.email);
    await page.keyboard.press('Tab');
    await page.keyboard.type(user.password);
    await page.keyboard.press('Enter');
    await page.waitForURL('**/t/wall');
    await page.getByText('No plugin is enabled yet.').waitFor();
  });

  test('a plugin requiring another one gets a dependency message, then enables both', async () => {
    const { page, screenshot } = tab;
    await page.getByRole('navigation', { name: 'Main' }).getByRole('link', { name: 'Marketplace' }).click();
    await page.locator('[data-plugin="hello-card"]').getByRole('button', { name: 'Enable Hello card' }).click();
    const dialog = page.getByRole('dialog');
    await dialog.getByText('This plugin has no settings.').waitFor();
    await dialog.getByRole('button', { name: 'Enable', exact: true }).click();
    await dialog.getByText('Hello card needs Hello enabled first.').waitFor();
    await screenshot('hello-dependency');
    await dialog.getByRole('button', { name: 'Enable Hello too' }).click();
    await dialog.waitFor({ state: 'detached' });
    await page.locator('[data-plugin="hello"]').getByText('Enabled').waitFor();
    await page.locator('[data-plugin="hello-card"]').getByText('Enabled').waitFor();
  });

  test('list routes become menu entries with generated list and create screens', async () => {
    const { page } = tab;
    await greetingsLink(page).click();
    await page.getByText('No greetings yet.').waitFor();
    await page.getByRole('link', { name: 'Create the first one' }).click();
    await page.getByRole('button', { name: 'Create greeting' }).click();
    await page.getByText('must NOT have fewer than 1 characters').waitFor();
    expect(await page.getByLabel('Message').getAttribute('aria-invalid')).toBe('true');
    await page.getByLabel('Message').fill('Hi from the browser');
    await page.getByRole('button', { name: 'Create greeting' }).click();
    await page.getByRole('cell', { name: 'Hi from the browser' }).waitFor();
    const stored = await t.request('GET', '/api/v1/hello/greetings', { headers: t.tenants.wall!.headers });
    expect(stored.body.data.map((greeting: { message: string }) => greeting.message)).toEqual(['Hi from the browser']);
  });

  test("a plugin's custom element is mounted with the tenant and can call the API", async () => {
    const { page } = tab;
    await page.getByRole('navigation', { name: 'Main' }).getByRole('link', { name: 'Greeting card' }).click();
    await page.getByText('Card for wall: 1 greetings, first Hi from the browser; may post').waitFor();
    const viewer = await openPage(browser, t.url);
    viewer.page.setDefaultTimeout(10_000);
    await signIn(viewer, await addMember(t, t.tenants.wall!, ['viewer']));
    await viewer.page.getByRole('navigation', { name: 'Main' }).getByRole('link', { name: 'Greeting card' }).click();
    await viewer.page.getByText('Card for wall: 1 greetings, first Hi from the browser; may not post').waitFor();
    expect(viewer.errors).toEqual([]);
    await viewer.context.close();
  });

  test('deleting a record asks first and removes it', async () => {
    const { page } = tab;
    await greetingsLink(page).click();
    page.once('dialog', (dialog) => void dialog.accept());
    await page.getByRole('button', { name: 'Delete' }).click();
    await page.getByText('No greetings yet.').waitFor();
  });

  test('another tenant sees none of it, and a page of a tenant one is not in shows the API refusal', async () => {
    const other = await signUp(t, { tenant: { name: 'Other', slug: 'other' } });
    const otherTab = await openPage(browser, t.url);
    otherTab.page.setDefaultTimeout(10_000);
    await otherTab.page.goto('/login');
    await otherTab.page.getByLabel('Email').fill(other.email);
    await otherTab.page.getByLabel('Password').fill(other.password);
    await otherTab.page.getByRole('button', { name: 'Sign in', exact: true }).click();
    await otherTab.page.waitForURL('**/t/other');
    expect(await greetingsLink(otherTab.page).count()).toBe(0);
    await otherTab.page.goto('/t/wall/p/hello/greetings');
    await otherTab.page.getByRole('alert').waitFor();
    expect(await otherTab.page.getByRole('table').count()).toBe(0);
    expect(otherTab.errors).toEqual([]);
    await otherTab.context.close();
  });

  test('a forgotten password is reset through the emailed link', async () => {
    const user = await signUp(t);
    const resetTab = await openPage(browser, t.url);
    const { page } = resetTab;
    page.setDefaultTimeout(10_000);
    await page.goto('/login');
    await page.getByRole('link', { name: 'Forgot your password?' }).click();
    await page.getByLabel('Email').fill(user.email);
    await page.getByRole('button', { name: 'Email me a link' }).click();
    await page.getByText('a link to set a new password is on its way').waitFor();
    // The mail may leave a moment after the page says so: wait for it.
    await expect.poll(async () => (await t.mailbox(user.email)).length, { timeout: 20_000 }).toBeGreaterThan(0);
    const [mail] = await t.mailbox(user.email);
    const link = new URL(/https?:\/\/\S+reset-password\?token=\S+/.exec(mail!.text)![0]);
    await page.goto(link.pathname + link.search);
    await page.getByLabel('New password').fill('short');
    await page.getByRole('button', { name: 'Set password' }).click();
    await page.locator('.field-error').waitFor(); // the API's password rules, beside the field
    await page.getByLabel('New password').fill('A-Much-Better-Passphrase-42');
    await page.getByRole('button', { name: 'Set password' }).click();
    await page.getByText('Your password is changed').waitFor();
    const signIn = await t.request('POST', '/api/v1/auth/login', { body: { email: user.email, password: 'A-Much-Better-Passphrase-42' } });
    expect(signIn.status).toBe(200);
    expect(resetTab.errors).toEqual([]);
    await resetTab.context.close();
  });

  test('long lists are paged with the API pagination', async () => {
    const { page } = tab;
    for (let index = 1; index <= 23; index++) {
      const posted = await t.request('POST', '/api/v1/hello/greetings', { headers: t.tenants.wall!.headers, body: { message: `Greeting ${index}` } });
      expect(posted.status).toBe(201);
    }
    await greetingsLink(page).click();
    await page.getByText('Page 1 of 2 (23 in all)').waitFor();
    expect(await page.locator('tbody tr').count()).toBe(20);
    await page.getByRole('button', { name: 'Next', exact: true }).click();
    await page.waitForURL('**/p/hello/greetings?page=2');
    await page.getByText('Page 2 of 2 (23 in all)').waitFor();
    await page.getByRole('cell', { name: 'Greeting 1', exact: true }).waitFor();
    expect(await page.locator('tbody tr').count()).toBe(3);
    expect(await page.getByRole('button', { name: 'Next', exact: true }).isDisabled()).toBe(true);
    await page.getByRole('button', { name: 'Previous', exact: true }).click();
    await page.getByText('Page 1 of 2 (23 in all)').waitFor();
  });

  test('two-factor sign-in is set up from the account page and then asked for at sign-in', async () => {
    const user = await signUp(t);
    const twoFactorTab = await openPage(browser, t.url);
    const { page } = twoFactorTab;
    page.setDefaultTimeout(10_000);
    await page.goto('/login?next=%2Faccount');
    await page.getByLabel('Email').fill(user.email);
    await page.getByLabel('Password').fill(user.password);
    await page.getByRole('button', { name: 'Sign in', exact: true }).click();
    await page.getByRole('heading', { name: 'Your account', level: 1 }).waitFor();
    await page.getByRole('button', { name: 'Set up two-factor sign-in' }).click();
    const secret = await page.locator('#totp-secret').innerText();
    await page.getByLabel('Code').fill(totp(secret));
    await page.getByRole('button', { name: 'Turn on' }).click();
    const codes = (await page.locator('#recovery-codes').innerText()).split('\n');
    expect(codes).toHaveLength(10);
    await twoFactorTab.screenshot('hello-two-factor');

    await page.getByRole('button', { name: 'Sign out' }).click();
    await page.waitForURL('**/login');
    await page.getByLabel('Email').fill(user.email);
    await page.getByLabel('Password').fill(user.password);
    await page.getByRole('button', { name: 'Sign in', exact: true }).click();
    await page.getByRole('heading', { name: 'Two-factor code' }).waitFor();
    await page.getByLabel(/Code from your authenticator app/).fill(codes[0]!);
    await page.getByRole('button', { name: 'Verify' }).click();
    await page.waitForURL('**/tenants/new'); // signed in; no tenant yet
    expect(twoFactorTab.errors).toEqual([]);
    await twoFactorTab.context.close();
  });

  test('no page logged an error', () => {
    expect(tab.errors).toEqual([]);
  });
});
