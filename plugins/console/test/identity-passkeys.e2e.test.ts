/// <reference lib="dom" /> // page.evaluate callbacks run in the browser
/**
 * Issue 23, passkeys in the console, in headless Chromium with a CDP virtual authenticator (CTAP2, internal,
 * resident keys, user verification) against a real kernel. A person adds a passkey on the account page and names
 * it, signs out, signs in with "Continue with a passkey" and no password, renames it, is told why the only way to
 * sign in cannot be removed, and removes it. A person with two-factor sign-in uses a passkey in place of the
 * one-time code. WebAuthn needs a domain for its RP ID, so the kernel's public URL (and the browser) use
 * `localhost`, not 127.0.0.1. Screens are photographed in English and Arabic at 1280 and 390 px
 * (test-artifacts/passkeys-<screen>-<en|ar>-<width>.png) and checked by axe-core.
 */
import { createServer } from 'node:net';
import { createTestKernel, signUp, type TestKernel, type TestUser } from '@plinth/core/testing';
import { Secret, TOTP } from 'otpauth';
import type { Browser, Page } from 'playwright-core';
import { afterAll, beforeAll, describe, expect, test } from 'vitest';
import consolePlugin from '../src/index.js';
import { launchChromium, openPage, photograph as photographScreen, recordFailures, servedCopy, signIn, type WatchedPage } from './browser.js';
import { ensureWebBuilt } from './web-build.js';

let t: TestKernel;
let browser: Browser;
let origin: string;
let tab: WatchedPage;
let secondTab: WatchedPage | undefined;

/** A loopback port nobody listens on now, for a kernel whose public URL must name it before it starts. */
function freePort(): Promise<number> {
  return new Promise((resolve, reject) => {
    const server = createServer();
    server.once('error', reject);
    server.listen(0, '127.0.0.1', () => {
      const { port } = server.address() as { port: number };
      server.close(() => resolve(port));
    });
  });
}

/** A virtual platform authenticator for the page, as a laptop's fingerprint reader would be: it verifies the user. */
async function addAuthenticator(page: Page): Promise<{ credentials(): Promise<{ signCount: number }[]> }> {
  const cdp = await page.context().newCDPSession(page);
  await cdp.send('WebAuthn.enable');
  const { authenticatorId } = await cdp.send('WebAuthn.addVirtualAuthenticator', {
    options: {
      protocol: 'ctap2',
      transport: 'internal',
      hasResidentKey: true,
      hasUserVerification: true,
      isUserVerified: true,
      automaticPresenceSimulation: true,
    },
  });
  return { credentials: async () => (await cdp.send('WebAuthn.getCredentials', { authenticatorId })).credentials };
}

const passkeyPanel = (page: Page) => page.locator('#passkeys');

async function signOut(page: Page): Promise<void> {
  await page.getByRole('button', { name: 'Sign out' }).click();
  await page.waitForURL((url) => url.pathname === '/login');
}

/** Adds a passkey named `name` on the account page, as a person would. */
async function addPasskey(page: Page, name: string): Promise<void> {
  await page.goto('/account');
  const panel = passkeyPanel(page);
  await panel.getByLabel('Passkey name').fill(name);
  await panel.getByRole('button', { name: 'Add a passkey' }).click();
  await panel
    .getByRole('status')
    .filter({ hasText: `Passkey “${name}” added.` })
    .waitFor();
  await panel.getByRole('list', { name: 'Passkeys' }).getByText(name, { exact: true }).waitFor();
}

const photograph = (watched: WatchedPage, screen: string, language: 'en' | 'ar') => photographScreen(watched, `passkeys-${screen}`, language);

beforeAll(async () => {
  await ensureWebBuilt();
  const port = await freePort();
  origin = `http://localhost:${port}`;
  [t, browser] = await Promise.all([
    createTestKernel({ plugins: [servedCopy(consolePlugin)], env: { PORT: String(port), PLINTH_PUBLIC_URL: origin } }),
    launchChromium(),
  ]);
  tab = await openPage(browser, origin);
  tab.page.setDefaultTimeout(10_000);
});
afterAll(async () => {
  await browser?.close();
  await t?.close();
});
recordFailures('passkeys', () => secondTab ?? tab);

describe('passkeys in the console', () => {
  let user: TestUser;

  test('adds a passkey on the account page, named', async () => {
    const { page } = tab;
    user = await signUp(t, { name: 'Layla Nasser' });
    const authenticator = await addAuthenticator(page);
    await signIn(tab, user);
    await page.goto('/account');
    await passkeyPanel(page).getByText('You have no passkeys yet.').waitFor();
    await addPasskey(page, 'Work laptop');
    expect(await authenticator.credentials()).toHaveLength(1);
    await photograph(tab, 'account', 'en');
  });

  test('signs out, and signs in with the passkey and no password', async () => {
    const { page } = tab;
    await signOut(page);
    await page.getByRole('button', { name: 'Continue with a passkey' }).waitFor();
    await photograph(tab, 'sign-in', 'en');
    await page.getByRole('button', { name: 'Continue with a passkey' }).click();
    await page.waitForURL((url) => url.pathname !== '/login');
    const [session] = await t.sql<{ method: string }>('select method from refresh_tokens where user_id = $1 order by created_at desc limit 1', [user.id]);
    expect(session!.method).toBe('passkey');
    await page.goto('/account');
    const item = passkeyPanel(page).getByRole('listitem').filter({ hasText: 'Work laptop' });
    await expect.poll(() => item.textContent()).not.toContain('Last used: —');
  });

  test('renames the passkey, is told why the only way in cannot be removed, then removes it', async () => {
    const { page } = tab;
    const panel = passkeyPanel(page);
    await panel.getByRole('button', { name: 'Rename Work laptop' }).click();
    const rename = page.getByRole('dialog', { name: 'Rename passkey' });
    await rename.getByLabel('Passkey name').fill('Phone');
    await rename.getByRole('button', { name: 'Save' }).click();
    await panel.getByRole('list', { name: 'Passkeys' }).getByText('Phone', { exact: true }).waitFor();

    // Without a password the passkey is the only way in: the API answers 409 and the screen says what to do.
    const [{ password_hash: passwordHash }] = (await t.sql<{ password_hash: string }>('select password_hash from users where id = $1', [user.id])) as [
      { password_hash: string },
    ];
    await t.sql('update users set password_hash = null where id = $1', [user.id]);
    await panel.getByRole('button', { name: 'Remove Phone' }).click();
    const remove = page.getByRole('dialog', { name: 'Remove Phone?' });
    await remove.getByRole('button', { name: 'Remove passkey' }).click();
    await remove.getByRole('alert').filter({ hasText: 'This passkey is your only way to sign in.' }).waitFor();
    await photograph(tab, 'last-way', 'en');
    await remove.getByRole('button', { name: 'Cancel' }).click();
    await t.sql('update users set password_hash = $2 where id = $1', [user.id, passwordHash]);

    await panel.getByRole('button', { name: 'Remove Phone' }).click();
    await page.getByRole('dialog', { name: 'Remove Phone?' }).getByRole('button', { name: 'Remove passkey' }).click();
    await panel.getByRole('status').filter({ hasText: 'Passkey removed.' }).waitFor();
    await panel.getByText('You have no passkeys yet.').waitFor();
    expect(await t.sql('select 1 from passkeys where user_id = $1', [user.id])).toEqual([]);
  });

  test('the account’s passkeys and the sign-in page in Arabic, right to left', async () => {
    const { page } = tab;
    await addPasskey(page, 'Work laptop');
    await page.getByLabel(/^Language/).selectOption('ar');
    await page.waitForFunction(() => document.documentElement.dir === 'rtl');
    await passkeyPanel(page).getByRole('heading', { name: 'مفاتيح المرور' }).waitFor();
    await photograph(tab, 'account', 'ar');
    await page.getByRole('button', { name: 'تسجيل الخروج' }).click();
    await page.waitForURL((url) => url.pathname === '/login');
    await page.getByRole('button', { name: 'المتابعة بمفتاح مرور' }).waitFor();
    await photograph(tab, 'sign-in', 'ar');
  });

  test('a person with two-factor sign-in uses a passkey instead of the one-time code', async () => {
    const person = await signUp(t, { name: 'Omar Haddad' });
    secondTab = await openPage(browser, origin);
    const { page } = secondTab;
    page.setDefaultTimeout(10_000);
    await addAuthenticator(page);
    await signIn(secondTab, person);
    await addPasskey(page, 'Laptop');
    // Two-factor sign-in on, through the API (the account page's own flow has its tests).
    const headers = { authorization: `Bearer ${person.accessToken}` };
    const setup = await t.request('POST', '/api/v1/auth/2fa/setup', { headers, body: {} });
    const totp = new TOTP({ secret: Secret.fromBase32(setup.body.data.secret as string), algorithm: 'SHA1', digits: 6, period: 30 });
    expect((await t.request('POST', '/api/v1/auth/2fa/enable', { headers, body: { otp: totp.generate() } })).status).toBe(200);

    // Turning two-factor sign-in on ended the person's other sessions, the browser's among them: back to sign-in.
    await page.goto('/account');
    await page.waitForURL((url) => url.pathname === '/login');
    await page.getByLabel('Email').fill(person.email);
    await page.getByLabel('Password').fill(person.password);
    await page.getByRole('button', { name: 'Sign in' }).click();
    await page.getByRole('heading', { name: 'Two-factor code' }).waitFor();
    await photograph(secondTab, 'second-factor', 'en');
    const sessions = async () =>
      (await t.sql<{ n: number }>('select count(distinct family_id)::int as n from refresh_tokens where user_id = $1', [person.id]))[0]!.n;
    const before = await sessions();
    await page.getByRole('button', { name: 'Use a passkey instead' }).click();
    await page.waitForURL((url) => url.pathname === '/account');
    expect(await sessions()).toBe(before + 1);
  });

  test('no page logged an error', () => {
    expect([...tab.errors, ...(secondTab?.errors ?? [])]).toEqual([]);
  });
});
