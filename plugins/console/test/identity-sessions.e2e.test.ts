/// <reference lib="dom" /> // page.evaluate callbacks run in the browser
/**
 * Issue 23, sessions and email verification in the console, in headless Chromium against a real kernel. A person
 * signed in in two browsers sees both sessions (and the one sign-up started) on the account page, ends the other
 * browser's, which is signed out on its next action, then ends all the others. A person who creates an account sees
 * the shell's banner asking to verify the address, asks for a new link, opens the mailed one and is verified; a
 * spent link says so. Screens are photographed in English and Arabic at 1280 and 390 px
 * (test-artifacts/sessions-<screen>-<en|ar>-<width>.png) and checked by axe-core.
 */
import { createServer } from 'node:net';
import { createTestKernel, signUp, testPassword, type TestKernel, type TestUser } from '@plinth/core/testing';
import type { Browser, Page } from 'playwright-core';
import { afterAll, beforeAll, describe, expect, test } from 'vitest';
import consolePlugin from '../src/index.js';
import { launchChromium, openPage, photograph as photographScreen, recordFailures, servedCopy, type WatchedPage } from './browser.js';
import { ensureWebBuilt } from './web-build.js';

let t: TestKernel;
let browser: Browser;
let origin: string;
let tab: WatchedPage;
let otherTab: WatchedPage | undefined;
let newcomerTab: WatchedPage | undefined;
let arabicTab: WatchedPage | undefined;

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

/** Signs in on the sign-in page with email and password (its other ways to sign in are other buttons). */
async function signIn(watched: WatchedPage, user: { email: string; password: string }): Promise<void> {
  const { page } = watched;
  await page.goto('/login');
  await page.getByLabel('Email').fill(user.email);
  await page.getByLabel(/^Password/).fill(user.password);
  await page.getByRole('button', { name: 'Sign in', exact: true }).click();
  await page.waitForURL((url) => url.pathname !== '/login');
}

const sessionsPanel = (page: Page) => page.locator('#sessions');
const sessionRows = (page: Page) => sessionsPanel(page).locator('tbody tr');
const photograph = (watched: WatchedPage, screen: string, language: 'en' | 'ar') => photographScreen(watched, `sessions-${screen}`, language);

/** The id of the session a browser uses, as its own account page marks it ("This device"). */
async function currentSessionId(page: Page): Promise<string> {
  await page.goto('/account');
  const row = sessionsPanel(page).locator('tbody tr[aria-current="true"]');
  await row.waitFor();
  return (await row.getAttribute('data-session'))!;
}

/** The links of verification mails sent to `email`, oldest first (pointing at the console's page). */
async function verificationLinks(email: string): Promise<string[]> {
  return (await t.mailbox(email)).flatMap((mail) => /https?:\/\/\S+\/verify-email\?token=[\w%-]+/.exec(mail.text) ?? []);
}

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
recordFailures('sessions', () => tab);

describe('sessions on the account page', () => {
  let user: TestUser;

  test('lists the sessions of two browsers and the sign-up, this device marked; ending the other signs it out on its next action', async () => {
    const { page } = tab;
    user = await signUp(t, { name: 'Mariam Saleh' });
    await signIn(tab, user);
    otherTab = await openPage(browser, origin);
    otherTab.page.setDefaultTimeout(10_000);
    await signIn(otherTab, user);
    const otherId = await currentSessionId(otherTab.page);

    await page.goto('/account');
    await expect.poll(() => sessionRows(page).count()).toBe(3);
    const mine = sessionRows(page).filter({ hasText: 'This device' });
    await expect.poll(() => mine.count()).toBe(1);
    expect(await mine.getAttribute('data-session')).not.toBe(otherId);
    expect(await mine.textContent()).toContain('Chrome on Linux');
    expect(await sessionsPanel(page).getByRole('cell', { name: 'Account created' }).count()).toBe(1);
    await photograph(tab, 'account', 'en');

    const other = sessionsPanel(page).locator(`tbody tr[data-session="${otherId}"]`);
    await other.getByRole('button', { name: 'End session on Chrome on Linux' }).click();
    const confirm = page.getByRole('dialog', { name: 'End this session?' });
    await photograph(tab, 'confirm', 'en');
    await confirm.getByRole('button', { name: 'End session' }).click();
    await sessionsPanel(page).getByRole('status').filter({ hasText: 'The session has ended.' }).waitFor();
    await expect.poll(() => sessionRows(page).count()).toBe(2);

    // The other browser's next action: saving its profile. Its token is refused, its refresh too: back to sign-in.
    const otherPage = otherTab.page;
    await otherPage.getByLabel(/^Name/).fill('Mariam S.');
    await otherPage.getByRole('button', { name: 'Save' }).click();
    await otherPage.waitForURL((url) => url.pathname === '/login');
    const [row] = await t.sql<{ name: string }>('select name from users where id = $1', [user.id]);
    expect(row!.name).toBe('Mariam Saleh');
  });

  test('ends all other sessions at once, after confirming', async () => {
    const { page } = tab;
    await signIn(otherTab!, user);
    await page.goto('/account');
    await expect.poll(() => sessionRows(page).count()).toBe(3);
    await sessionsPanel(page).getByRole('button', { name: 'End all other sessions' }).click();
    const confirm = page.getByRole('dialog', { name: 'End all other sessions?' });
    await confirm.getByText('Every session but this one will be signed out (2 sessions).').waitFor();
    await confirm.getByRole('button', { name: 'End all other sessions' }).click();
    await sessionsPanel(page).getByRole('status').filter({ hasText: 'Every other session has ended.' }).waitFor();
    await expect.poll(() => sessionRows(page).count()).toBe(1);
    await expect(sessionsPanel(page).getByRole('button', { name: 'End all other sessions' }).count()).resolves.toBe(0);

    await otherTab!.page.goto('/account');
    await otherTab!.page.waitForURL((url) => url.pathname === '/login');
  });

  test('the sessions in Arabic, right to left', async () => {
    const { page } = tab;
    await page.goto('/account');
    await page.getByLabel(/^Language/).selectOption('ar');
    await page.waitForFunction(() => document.documentElement.dir === 'rtl');
    await sessionsPanel(page).getByRole('heading', { name: 'الأماكن التي سجّلت الدخول منها' }).waitFor();
    await photograph(tab, 'account', 'ar');
    await page.getByLabel(/^اللغة/).selectOption('en');
    await page.waitForFunction(() => document.documentElement.dir === 'ltr');
  });
});

describe('email verification', () => {
  test('a new account sees the banner, asks for a new link, opens it and is verified; a spent link says so', async () => {
    newcomerTab = await openPage(browser, origin);
    const { page } = newcomerTab;
    page.setDefaultTimeout(10_000);
    const email = `newcomer-${Date.now()}@example.test`;
    const slug = `newcomer-${Date.now().toString(36)}`;
    await page.goto('/signup');
    await page.getByLabel('Your name').fill('Yusuf Karim');
    await page.getByLabel('Email').fill(email);
    await page.getByLabel('Password').fill(testPassword());
    await page.getByLabel('Organisation name').fill('Karim Tutoring');
    await page.getByLabel('Address (slug)').fill(slug);
    await page.getByRole('button', { name: 'Create account' }).click();
    await page.waitForURL((url) => url.pathname.startsWith(`/t/${slug}`));
    const banner = page.locator('.unverified-banner');
    await banner.getByText('Your email address is not verified yet').waitFor();
    await photograph(newcomerTab, 'banner', 'en');

    await banner.getByRole('link', { name: 'Verify now' }).click();
    await page.waitForURL((url) => url.pathname === '/account');
    const notice = page.locator('#verify-email');
    await notice.getByText(`We sent a link to ${email}.`, { exact: false }).waitFor();
    await photograph(newcomerTab, 'notice', 'en');
    await notice.getByRole('button', { name: 'Send a new link' }).click();
    await notice
      .getByRole('status')
      .filter({ hasText: `A new link is on its way to ${email}.` })
      .waitFor();
    const links = await verificationLinks(email);
    expect(links).toHaveLength(2);
    expect(new URL(links[1]!).origin).toBe(origin);

    await page.goto(links[1]!);
    await page
      .getByRole('status')
      .filter({ hasText: `${email} is verified. Thank you!` })
      .waitFor();
    await photograph(newcomerTab, 'verified', 'en');
    await page.getByRole('button', { name: 'Continue' }).click();
    await page.waitForURL((url) => url.pathname !== '/verify-email');
    await page.goto('/account');
    await page.getByRole('heading', { name: 'Your account' }).waitFor();
    expect(await page.locator('#verify-email').count()).toBe(0);
    await page.goto(`/t/${slug}`);
    await page.getByRole('navigation', { name: 'Main' }).waitFor();
    expect(await page.locator('.unverified-banner').count()).toBe(0);
    const [row] = await t.sql<{ verified: boolean }>('select email_verified_at is not null as verified from users where lower(email) = lower($1)', [email]);
    expect(row!.verified).toBe(true);

    // The first link was spent with the second: opening it says so, and offers nothing that would fail.
    await page.goto(links[0]!);
    await page.getByRole('alert').filter({ hasText: 'This verification link has already been used' }).waitFor();
    await photograph(newcomerTab, 'spent', 'en');
  });

  test('changes the address: the new one gets a link, and replaces the old one when it is opened', async () => {
    const { page } = newcomerTab!;
    const person = await signUp(t, { name: 'Nadia Farouk' });
    await signIn(newcomerTab!, person);
    await page.goto('/account');
    const panel = page.locator('#email-change');
    await panel.getByRole('button', { name: 'Change email address' }).click();
    const next = `nadia-${Date.now()}@example.test`;
    await panel.getByLabel(/^New email address/).fill(next);
    await panel.getByLabel(/^Your current password/).fill(person.password);
    await photograph(newcomerTab!, 'email-change', 'en');
    await panel.getByRole('button', { name: 'Send a confirmation link' }).click();
    await panel
      .getByRole('status')
      .filter({ hasText: `A link is on its way to ${next}.` })
      .waitFor();
    const [link] = await verificationLinks(next);
    await page.goto(link!);
    await page
      .getByRole('status')
      .filter({ hasText: `${next} is verified. Thank you!` })
      .waitFor();
    await page.getByRole('button', { name: 'Continue' }).click();
    await page.waitForURL((url) => url.pathname !== '/verify-email');
    await page.goto('/account');
    await page.getByText(next, { exact: true }).waitFor();
    expect((await t.mailbox(person.email)).map((mail) => mail.subject)).toEqual(['Your email address was changed']);
  });

  test('the verification page in Arabic, right to left, opened signed out', async () => {
    arabicTab = await openPage(browser, origin);
    const { page } = arabicTab;
    page.setDefaultTimeout(10_000);
    const person = await signUp(t, { verified: false });
    const [link] = await verificationLinks(person.email);
    await page.goto('/login');
    await page.evaluate(() => localStorage.setItem('plinth.language', 'ar'));
    await page.goto(link!);
    await page.waitForFunction(() => document.documentElement.dir === 'rtl');
    await page.getByRole('status').filter({ hasText: 'شكرًا لك' }).waitFor();
    await page.getByRole('button', { name: 'تسجيل الدخول' }).waitFor();
    await photograph(arabicTab, 'verified', 'ar');
  });

  test('no page logged an error', () => {
    expect([...tab.errors, ...(otherTab?.errors ?? []), ...(newcomerTab?.errors ?? []), ...(arabicTab?.errors ?? [])]).toEqual([]);
  });
});
