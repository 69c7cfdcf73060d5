/**
 * Signing in with an OpenID provider in headless Chromium, against a real one on loopback (`oidc-provider`): the host
 * administrator adds it on "Sign-in providers" (the redirect URI shown is the one the provider registers), a new person
 * clicks "Continue with …" on the sign-in page, signs in on the provider's page and lands signed in; cancelling there
 * comes back as a clear message; a password user links the provider on the account page and unlinks it, and a user
 * whose only way in is the provider is told why it cannot go. Screens are photographed in English and Arabic at 1280
 * and 390 px (test-artifacts/oidc-<screen>-<en|ar>-<width>.png); axe-core checks every screen.
 */
import { createTestKernel, signUp, startOidcPeer, type OidcPeer, type TestKernel, type TestUser } from '@plinth/core/testing';
import type { Browser } from 'playwright-core';
import { afterAll, beforeAll, describe, expect, test } from 'vitest';
import consolePlugin from '../src/index.js';
import { launchChromium, menuLink, openPage, photograph as photographScreen, recordFailures, servedCopy, type WatchedPage } from './browser.js';
import { ensureWebBuilt } from './web-build.js';

let t: TestKernel;
let browser: Browser;
let peer: OidcPeer;
let admin: TestUser;
let adminTab: WatchedPage;
let visitorTab: WatchedPage | undefined;
const visitorErrors: string[] = [];
const slug = 'acme-id';

const photograph = (tab: WatchedPage, screen: string, language: 'en' | 'ar') => photographScreen(tab, `oidc-${screen}`, language);

beforeAll(async () => {
  await ensureWebBuilt();
  [t, browser, peer] = await Promise.all([
    createTestKernel({ plugins: [servedCopy(consolePlugin)], env: { PLINTH_HTTP_ALLOW_LOOPBACK: 'true' } }),
    launchChromium(),
    startOidcPeer({
      accounts: [
        { sub: 'rana-1', email: `rana-${process.pid}@acme.example`, email_verified: true, name: 'Rana Khoury' },
        { sub: 'omar-1', email: `omar-elsewhere-${process.pid}@acme.example`, email_verified: true, name: 'Omar Said' },
      ],
    }),
  ]);
  admin = await signUp(t, { name: 'Hana Host' });
  await t.sql('update users set is_super_admin = true where id = $1', [admin.id]);
  await t.kernel.services.identity.forget(admin.id);
  adminTab = await openPage(browser, t.url);
  adminTab.page.setDefaultTimeout(10_000);
  await signIn(adminTab, admin);
});

recordFailures('oidc', () => visitorTab ?? adminTab);

afterAll(async () => {
  await browser?.close();
  await peer?.close();
  await t?.close();
});

/** Signs in with email and password on the sign-in page. */
async function signIn(tab: WatchedPage, user: { email: string; password: string }): Promise<void> {
  await tab.page.goto('/login');
  await tab.page.getByLabel('Email').fill(user.email);
  await tab.page.getByLabel('Password').fill(user.password);
  await tab.page.getByRole('button', { name: 'Sign in', exact: true }).click();
  await tab.page.waitForURL((url) => url.pathname !== '/login');
}

/** A fresh, signed-out browser (another person). */
async function newVisitor(): Promise<WatchedPage> {
  if (visitorTab) {
    visitorErrors.push(...visitorTab.errors);
    await visitorTab.context.close();
  }
  visitorTab = await openPage(browser, t.url);
  visitorTab.page.setDefaultTimeout(10_000);
  return visitorTab;
}

describe.sequential('sign-in providers in the console', () => {
  test('the host administrator adds an OpenID provider, shown with its redirect URI', async () => {
    const { page } = adminTab;
    await page.goto('/');
    await menuLink(page, 'Sign-in providers').click();
    await page.getByRole('heading', { name: 'Sign-in providers', level: 1 }).waitFor();
    await page.getByText('No sign-in provider yet.').waitFor();
    await page.getByRole('button', { name: 'Add a provider' }).click();
    const dialog = page.getByRole('dialog');
    await dialog.getByLabel('Kind').selectOption({ label: 'Any OpenID Connect provider' });
    await dialog.getByLabel(/^Name/).fill('Acme ID');
    await dialog.getByLabel(/^Identifier/).fill(slug);
    const redirectUri = await dialog.getByLabel('Redirect URI to register at the provider').inputValue();
    expect(redirectUri).toBe(`${t.url}/api/v1/auth/oidc/${slug}/callback`);
    peer.addClient({ client_id: 'acme-console', client_secret: 'acme-secret', redirect_uris: [redirectUri] });

    // An issuer without an OpenID configuration is refused next to the field.
    await dialog.getByLabel(/^Issuer/).fill(`${peer.issuer}/nowhere`);
    await dialog.getByLabel(/^Client ID/).fill('acme-console');
    await dialog.getByLabel(/^Client secret/).fill('acme-secret');
    await dialog.getByRole('button', { name: 'Add provider' }).click();
    await dialog
      .locator('#provider-issuer-error')
      .getByText(/has no OpenID configuration/)
      .waitFor();
    expect(await t.sql('select 1 from identity_providers')).toEqual([]);

    await dialog.getByLabel(/^Issuer/).fill(peer.issuer);
    await dialog.getByRole('button', { name: 'Add provider' }).click();
    await page.getByRole('status').getByText('Provider added.').waitFor();
    const row = page.getByRole('row').filter({ hasText: 'Acme ID' });
    await row.getByText(redirectUri).waitFor();
    await row.getByText('Enabled', { exact: true }).waitFor();
    const [stored] = await t.sql<{ client_secret_enc: string }>('select client_secret_enc from identity_providers where slug = $1', [slug]);
    expect(stored!.client_secret_enc).not.toContain('acme-secret');
    await photograph(adminTab, 'providers', 'en');
  });

  test('a new person continues with the provider, signs in on its page and lands signed in', async () => {
    const { page } = await newVisitor();
    await page.goto('/login');
    const proceed = page.getByRole('link', { name: 'Continue with Acme ID' });
    await proceed.waitFor();
    await photograph(visitorTab!, 'sign-in', 'en');
    await proceed.click();
    await page.getByRole('heading', { name: 'Test provider' }).waitFor();
    await page.getByLabel('Account').selectOption('rana-1');
    await page.getByRole('button', { name: 'Sign in', exact: true }).click();
    await page.waitForURL((url) => url.origin === t.url && url.pathname !== '/sign-in/complete' && url.pathname !== '/login');
    expect(page.url()).not.toContain('code=');
    await page.goto('/account');
    const identities = page.locator('#identities');
    await identities.getByText('Acme ID', { exact: true }).waitFor();
    await identities.getByText(`rana-${process.pid}@acme.example`).waitFor();
    const [user] = await t.sql<{ password_hash: string | null; email_verified_at: Date | null }>(
      'select password_hash, email_verified_at from users where email = $1',
      [`rana-${process.pid}@acme.example`],
    );
    expect(user).toMatchObject({ password_hash: null });
    expect(user!.email_verified_at).not.toBeNull();

    // The provider is this person's only way in: unlinking it is refused, and the console says what to do.
    await identities.getByRole('button', { name: 'Unlink Acme ID' }).click();
    const dialog = page.getByRole('dialog');
    await dialog.getByRole('button', { name: 'Unlink', exact: true }).click();
    await dialog
      .getByRole('alert')
      .getByText(/This is your only way to sign in/)
      .waitFor();
    await dialog.getByRole('button', { name: 'Cancel' }).click();
  });

  test('cancelling at the provider comes back to the sign-in page with a clear message', async () => {
    const { page } = await newVisitor();
    await page.goto('/login');
    await page.getByRole('link', { name: 'Continue with Acme ID' }).click();
    await page.getByRole('heading', { name: 'Test provider' }).waitFor();
    await page.getByRole('button', { name: 'Cancel' }).click();
    await page.waitForURL((url) => url.origin === t.url && url.pathname === '/login');
    await page.getByRole('alert').getByText('Signing in with the provider did not work: you cancelled at the provider.').waitFor();
    await photograph(visitorTab!, 'refused', 'en');
  });

  test('a password user links the provider on the account page, then unlinks it', async () => {
    const member = await signUp(t, { name: 'Omar Said' });
    const visitor = await newVisitor();
    const { page } = visitor;
    await signIn(visitor, member);
    await page.goto('/account');
    const identities = page.locator('#identities');
    await identities.getByText('No provider is linked yet.').waitFor();
    await identities.getByRole('button', { name: 'Link Acme ID' }).click();
    await page.getByRole('heading', { name: 'Test provider' }).waitFor();
    await page.getByLabel('Account').selectOption('omar-1');
    await page.getByRole('button', { name: 'Sign in', exact: true }).click();
    await page.waitForURL((url) => url.origin === t.url && url.pathname === '/account' && url.searchParams.get('linked') === slug);
    await identities.getByRole('status').getByText('Acme ID is linked: you can now sign in with it.').waitFor();
    await identities.getByText(`omar-elsewhere-${process.pid}@acme.example`).waitFor();
    await identities.scrollIntoViewIfNeeded();
    await photograph(visitor, 'account', 'en');
    expect(await t.sql('select 1 from user_identities where user_id = $1', [member.id])).toHaveLength(1);

    await identities.getByRole('button', { name: 'Unlink Acme ID' }).click();
    await page.getByRole('dialog').getByRole('button', { name: 'Unlink', exact: true }).click();
    await identities.getByRole('status').getByText('Unlinked.').waitFor();
    await identities.getByText('No provider is linked yet.').waitFor();
    expect(await t.sql('select 1 from user_identities where user_id = $1', [member.id])).toEqual([]);
  });

  test('in Arabic, right to left: the providers page, the account section and the sign-in page', async () => {
    const { page } = adminTab;
    await page.goto('/account');
    await page.getByLabel(/^Language/).selectOption('ar');
    await page.waitForFunction(() => document.documentElement.dir === 'rtl');
    await page.goto('/admin/identity-providers');
    await page.getByRole('heading', { name: 'مزوّدو تسجيل الدخول', level: 1 }).waitFor();
    await page.getByRole('row').filter({ hasText: 'Acme ID' }).waitFor();
    await photograph(adminTab, 'providers', 'ar');
    await page.goto('/account');
    await page.locator('#identities').getByRole('button', { name: 'ربط Acme ID' }).waitFor();
    await page.locator('#identities').scrollIntoViewIfNeeded();
    await photograph(adminTab, 'account', 'ar');

    const visitor = await newVisitor();
    await visitor.page.goto('/login?error=oidc_failed&reason=email_unverified');
    await visitor.page.getByLabel(/^Language/).selectOption('ar');
    await visitor.page.waitForFunction(() => document.documentElement.dir === 'rtl');
    await visitor.page.getByRole('link', { name: 'المتابعة باستخدام Acme ID' }).waitFor();
    await visitor.page
      .getByRole('alert')
      .getByText(/لم يؤكّد المزوّد عنوان بريدك الإلكتروني/)
      .waitFor();
    await photograph(visitor, 'sign-in', 'ar');
  });

  test('no page of the console logged an error', () => {
    // The test provider's own pages (another origin) are not the console's.
    const ours = [...adminTab.errors, ...visitorErrors, ...(visitorTab?.errors ?? [])].filter((error) => !error.includes(peer.issuer));
    expect(ours).toEqual([]);
  });
});
