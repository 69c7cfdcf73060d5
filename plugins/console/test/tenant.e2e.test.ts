/**
 * A tenant's owner in headless Chromium: changes a member's roles and removes them (the API follows),
 * switches between tenants, disables a plugin (refused while another one needs it; the data stays)
 * and purges its data behind a typed confirmation.
 */
import { addMember, createTestKernel, signUp, type TestKernel, type TestUser } from '@plinth/core/testing';
import hello from '@plinth-examples/hello-plugin';
import { definePlugin } from '@plinth/sdk';
import type { Browser } from 'playwright-core';
import { afterAll, beforeAll, describe, expect, test } from 'vitest';
import consolePlugin from '../src/index.js';
import { launchChromium, openPage, signIn, type WatchedPage } from './browser.js';
import { ensureWebBuilt } from './web-build.js';

/** A plugin that needs Hello, so Hello cannot be disabled while it is on. */
const helloFan = definePlugin({
  name: 'hello-fan',
  version: '0.1.0',
  title: 'Hello fan',
  description: 'Needs Hello.',
  category: 'examples',
  requires: { core: '^0.1.0', plugins: { hello: '^0.1.0' } },
});

let t: TestKernel;
let browser: Browser;
let owner: TestUser;
let tab: WatchedPage;

const menu = (name: string) => tab.page.getByRole('navigation', { name: 'Main' }).getByRole('link', { name, exact: true });
/** Hello's menu entry: "Greetings" under the "Hello" heading. */
const helloGreetings = () =>
  tab.page.getByRole('navigation', { name: 'Main' }).getByRole('group', { name: 'Hello' }).getByRole('link', { name: 'Greetings', exact: true });
const greetings = (user: TestUser) => t.request('GET', '/api/v1/hello/greetings', { headers: user.headers });

beforeAll(async () => {
  await ensureWebBuilt();
  [t, browser] = await Promise.all([createTestKernel({ plugins: [consolePlugin, hello, helloFan], tenants: ['wall'] }), launchChromium()]);
  owner = t.tenants.wall!;
  await t.enable(owner, 'hello-fan'); // and Hello with it
  expect((await t.request('POST', '/api/v1/hello/greetings', { headers: owner.headers, body: { message: 'Kept' } })).status).toBe(201);
  tab = await openPage(browser, t.url);
  tab.page.setDefaultTimeout(10_000);
  await signIn(tab, owner);
});

afterAll(async () => {
  await browser?.close();
  await t?.close();
});

describe.sequential("a tenant owner's console", () => {
  test("the owner changes a member's roles, then removes them after a confirmation", async () => {
    const { page } = tab;
    const member = await addMember(t, owner, ['viewer']);
    const post = () => t.request('POST', '/api/v1/hello/greetings', { headers: member.headers, body: { message: 'From the member' } });
    expect((await post()).status).toBe(403);

    await menu('Members').click();
    const row = page.getByRole('row').filter({ hasText: member.email });
    await row.getByRole('button', { name: 'Edit' }).click();
    const dialog = page.getByRole('dialog');
    await dialog.getByRole('checkbox', { name: 'viewer' }).uncheck();
    await dialog.getByRole('checkbox', { name: 'member', exact: true }).check();
    await dialog.getByRole('button', { name: 'Save roles' }).click();
    await dialog.waitFor({ state: 'detached' });
    await row.getByRole('cell', { name: 'member', exact: true }).waitFor();
    expect((await post()).status).toBe(201);

    await row.getByRole('button', { name: 'Edit' }).click();
    await dialog.getByRole('button', { name: 'Remove from tenant…' }).click();
    await dialog.getByRole('button', { name: 'Keep' }).click(); // changing one's mind removes nobody
    await dialog.getByRole('button', { name: 'Remove from tenant…' }).click();
    await tab.screenshot('tenant-remove-member');
    await dialog.getByRole('button', { name: /^Remove User / }).click();
    await dialog.waitFor({ state: 'detached' });
    await row.waitFor({ state: 'detached' });
    expect((await post()).status).toBe(403);
  });

  test('someone with an account signs in from the invitation link and joins; the spent link is refused', async () => {
    const invitee = await signUp(t);
    const roles = await t.request('GET', '/api/v1/roles', { headers: owner.headers });
    const member = roles.body.data.find((role: { name: string }) => role.name === 'member');
    const invited = await t.request('POST', '/api/v1/invitations', { headers: owner.headers, body: { email: invitee.email, roles: [member.id] } });
    expect(invited.status).toBe(201);
    const link = new URL(invited.body.data.accept_url);

    const guest = await openPage(browser, t.url);
    guest.page.setDefaultTimeout(10_000);
    await guest.page.goto(link.pathname + link.search);
    await guest.page.getByRole('link', { name: 'sign in' }).click();
    await guest.page.getByLabel('Email').fill(invitee.email);
    await guest.page.getByLabel('Password').fill(invitee.password);
    await guest.page.getByRole('button', { name: 'Sign in', exact: true }).click();
    await guest.page.getByText('You are signed in; accepting adds this organisation to your account.').waitFor();
    await guest.page.getByRole('button', { name: 'Accept invitation' }).click();
    await guest.page.waitForURL('**/t/wall');
    await guest.page.getByText('Your roles here: member').waitFor();

    await guest.page.goto(link.pathname + link.search);
    await guest.page.getByRole('button', { name: 'Accept invitation' }).click();
    await guest.page.getByRole('alert').getByText('This invitation has already been used').waitFor();
    expect(guest.page.url()).toContain('/accept-invitation');
    expect(guest.errors).toEqual([]);
    await guest.context.close();
  });

  test('the tenant switcher creates a tenant and switches between them', async () => {
    const { page } = tab;
    const switcher = page.getByRole('combobox', { name: 'Tenant' });
    await switcher.selectOption({ label: 'New tenant…' });
    await page.waitForURL('**/tenants/new');
    await page.getByLabel('Name').fill('Second Wall');
    await page.getByRole('button', { name: 'Create tenant' }).click();
    await page.waitForURL('**/t/second-wall');
    await page.getByText('No plugin is enabled yet.').waitFor();
    expect(await switcher.inputValue()).toBe('second-wall');
    await switcher.selectOption('wall');
    await page.waitForURL('**/t/wall');
    await page.getByRole('heading', { name: 'Enabled plugins' }).waitFor();
    await helloGreetings().waitFor();
  });

  test('disabling is refused while another plugin needs it, then keeps the data; purging needs the typed name', async () => {
    const { page } = tab;
    await menu('Marketplace').click();
    const helloCard = page.locator('[data-plugin="hello"]');
    const dialog = page.getByRole('dialog');
    await helloCard.getByRole('button', { name: 'Disable' }).click();
    await dialog.getByText('Its data stays').waitFor();
    await dialog.getByRole('button', { name: 'Disable', exact: true }).click();
    await dialog.getByRole('alert').getByText('hello-fan depends on hello; disable them first').waitFor();
    expect((await greetings(owner)).status).toBe(200);
    await dialog.getByRole('button', { name: 'Cancel' }).click();

    for (const card of [page.locator('[data-plugin="hello-fan"]'), helloCard]) {
      await card.getByRole('button', { name: 'Disable' }).click();
      await dialog.getByRole('button', { name: 'Disable', exact: true }).click();
      await dialog.waitFor({ state: 'detached' });
      await card.getByRole('button', { name: /^Enable/ }).waitFor();
    }
    expect((await greetings(owner)).status).not.toBe(200);
    await helloGreetings().waitFor({ state: 'detached' });

    await helloCard.getByRole('button', { name: 'Purge data…' }).click();
    const purge = dialog.getByRole('button', { name: 'Purge data' });
    await dialog.getByLabel('Type hello to confirm').fill('hell');
    expect(await purge.isDisabled()).toBe(true);
    await dialog.getByLabel('Type hello to confirm').fill('hello');
    await tab.screenshot('tenant-purge');
    await purge.click();
    await dialog.getByText("Hello's data of this tenant is deleted.").waitFor();
    await page.keyboard.press('Escape');
    await dialog.waitFor({ state: 'detached' });

    await t.enable(owner, 'hello');
    const after = await greetings(owner);
    expect(after.status).toBe(200);
    expect(after.body.data).toEqual([]);
  });

  test('no page logged an error', () => {
    expect(tab.errors).toEqual([]);
  });
});
