/**
 * A tenant's single sign-on in headless Chromium, against a real OpenID provider on loopback (`oidc-provider`): the
 * owner configures it on the "Single sign-on" page (issuer, client, a domain as a chip, the default role, passwords
 * off) and verifies the domain by its TXT record; a new person of that domain types their email on the sign-in page,
 * is offered "Continue with … single sign-on" (no password field), signs in at the provider and lands in the tenant as
 * a member with the default role; a member with a password is sent to single sign-on and refused a password. Screens
 * are photographed in English and Arabic at 1280 and 390 px (test-artifacts/sso-<screen>-<en|ar>-<width>.png); axe-core
 * checks every screen.
 */
import { createTestKernel, setTxtLookupForTests, signUp, startOidcPeer, type OidcPeer, type TestKernel, type TestUser } from '@plinth/core/testing';
import type { Browser } from 'playwright-core';
import { afterAll, beforeAll, describe, expect, test } from 'vitest';
import consolePlugin from '../src/index.js';
import { launchChromium, menuLink, openPage, photograph as photographScreen, recordFailures, servedCopy, type WatchedPage } from './browser.js';
import { ensureWebBuilt } from './web-build.js';

let t: TestKernel;
let browser: Browser;
let peer: OidcPeer;
let owner: TestUser;
let ownerTab: WatchedPage;
let visitorTab: WatchedPage | undefined;
/** Errors logged by visitors' pages already closed. */
const visitorErrors: string[] = [];
let restoreDns: () => void;
const tenant = { name: 'Greenfield School', slug: `greenfield-${process.pid}` };
const domain = `greenfield-${process.pid}.example`;
const txt = new Map<string, string>();

const photograph = (tab: WatchedPage, screen: string, language: 'en' | 'ar') => photographScreen(tab, `sso-${screen}`, language);

beforeAll(async () => {
  await ensureWebBuilt();
  [t, browser, peer] = await Promise.all([
    createTestKernel({ plugins: [servedCopy(consolePlugin)], env: { PLINTH_HTTP_ALLOW_LOOPBACK: 'true' } }),
    launchChromium(),
    startOidcPeer(),
  ]);
  restoreDns = setTxtLookupForTests(async (name) => {
    const value = txt.get(name);
    if (!value) throw Object.assign(new Error(`queryTxt ENODATA ${name}`), { code: 'ENODATA' });
    return [[value]];
  });
  owner = await signUp(t, { name: 'Nadia Owner', tenant });
  const role = await t.request('POST', '/api/v1/roles', { headers: owner.headers, body: { name: 'Teacher', permissions: ['core.members.view'] } });
  expect(role.status).toBe(201);
  ownerTab = await openPage(browser, t.url);
  ownerTab.page.setDefaultTimeout(10_000);
  await ownerTab.page.goto('/login');
  await ownerTab.page.getByLabel('Email').fill(owner.email);
  await ownerTab.page.getByLabel('Password').fill(owner.password);
  await ownerTab.page.getByRole('button', { name: 'Sign in', exact: true }).click();
  await ownerTab.page.waitForURL((url) => url.pathname !== '/login');
});

recordFailures('sso', () => visitorTab ?? ownerTab);

afterAll(async () => {
  restoreDns?.();
  await browser?.close();
  await peer?.close();
  await t?.close();
});

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

describe.sequential('single sign-on in the console', () => {
  test('the owner configures the provider, a domain, the default role and passwords off', async () => {
    const { page } = ownerTab;
    await page.goto(`/t/${tenant.slug}`);
    await menuLink(page, 'Single sign-on').click();
    await page.getByRole('heading', { name: 'Single sign-on', level: 1 }).waitFor();
    const redirectUri = await page.getByLabel('Redirect URI').inputValue();
    expect(redirectUri).toBe(`${t.url}/api/v1/auth/oidc/sso-${tenant.slug}/callback`);
    peer.addClient({ client_id: 'greenfield-console', client_secret: 'greenfield-secret', redirect_uris: [redirectUri] });

    // A wrong issuer is refused on save, next to the field.
    await page.getByLabel(/^Issuer URL/).fill(`${peer.issuer}/nowhere`);
    await page.getByLabel(/^Client ID/).fill('greenfield-console');
    await page.getByLabel(/^Client secret/).fill('greenfield-secret');
    await page.getByLabel('Add a domain').fill(domain);
    await page.getByRole('button', { name: 'Add', exact: true }).click();
    await page.getByRole('listitem').filter({ hasText: domain }).waitFor();
    await page.getByLabel(/^Role of new members/).selectOption({ label: 'Teacher' });
    await page.getByLabel('Members of these domains may also sign in with a password').uncheck();
    await page.getByRole('button', { name: 'Save' }).click();
    await page
      .locator('#sso-issuer-error')
      .getByText(/has no OpenID configuration/)
      .waitFor();
    expect(await t.sql('select 1 from tenant_sso where tenant_id = $1', [owner.tenant!.id])).toEqual([]);

    await page.getByLabel(/^Issuer URL/).fill(peer.issuer);
    await page.getByLabel(/^Client secret/).fill('greenfield-secret');
    await page.getByRole('button', { name: 'Save' }).click();
    await page.getByRole('status').getByText('Saved.').waitFor();
    await page.getByRole('heading', { name: 'Domain verification' }).waitFor();
    await photograph(ownerTab, 'settings', 'en');
  });

  test('the owner verifies the domain by its TXT record', async () => {
    const { page } = ownerTab;
    const row = page.getByRole('row').filter({ hasText: domain });
    await row.getByRole('button', { name: `Verify ${domain}` }).click();
    await page
      .getByRole('alert')
      .getByText(/No TXT record/)
      .waitFor();
    txt.set(domain, (await row.locator('code').textContent())!.trim());
    await row.getByRole('button', { name: `Verify ${domain}` }).click();
    await row.getByText('Verified', { exact: true }).waitFor();
    await photograph(ownerTab, 'verified', 'en');
  });

  test('a new person of the domain is sent to the provider and lands in the tenant with the default role', async () => {
    const email = `amal@${domain}`;
    peer.addAccount({ sub: 'amal-1', email, email_verified: true, name: 'Amal Haddad' });
    const { page } = await newVisitor();
    await page.goto('/login');
    await page.getByLabel('Email').fill(email);
    const proceed = page.getByRole('link', { name: 'Continue with Greenfield School single sign-on' });
    await proceed.waitFor();
    expect(await page.getByLabel('Password').count()).toBe(0);
    await photograph(visitorTab!, 'sign-in', 'en');
    await proceed.click();
    // The provider's own sign-in page.
    await page.getByRole('heading', { name: 'Test provider' }).waitFor();
    await page.getByLabel('Account').selectOption('amal-1');
    await page.getByRole('button', { name: 'Sign in' }).click();
    await page.waitForURL((url) => url.origin === t.url && url.pathname === `/t/${tenant.slug}`);
    const [user] = await t.sql<{ id: string }>('select id from users where email = $1', [email]);
    const member = await t.request('GET', `/api/v1/members/${user!.id}`, { headers: owner.headers });
    expect(member.body.data.roles.map((role: { name: string }) => role.name)).toEqual(['Teacher']);
  });

  test('a member with a password is sent to single sign-on, and a password is refused', async () => {
    const member = await signUp(t, { name: 'Sami Teacher', email: `sami@${domain}` });
    await t.sql(
      `with m as (insert into memberships (tenant_id, user_id) values ($1, $2) returning id)
       insert into membership_roles (tenant_id, membership_id, role_id) select $1, m.id, r.id from m, roles r where r.tenant_id = $1 and r.builtin = 'member'`,
      [owner.tenant!.id, member.id],
    );
    const { page } = await newVisitor();
    await page.goto('/login');
    await page.getByLabel('Email').fill(member.email);
    await page.getByRole('link', { name: 'Continue with Greenfield School single sign-on' }).waitFor();
    await page.getByRole('button', { name: 'Sign in with a password instead' }).click();
    await page.getByLabel('Password').fill(member.password);
    await page.getByRole('button', { name: 'Sign in', exact: true }).click();
    await page
      .getByRole('alert')
      .getByText(/Greenfield School signs you in with single sign-on/)
      .waitFor();
    expect(new URL(page.url()).pathname).toBe('/login');
    await page.getByRole('link', { name: 'Continue with Greenfield School single sign-on' }).waitFor();
  });

  test('in Arabic, right to left: the settings page and the sign-in step', async () => {
    const { page } = ownerTab;
    await page.goto('/account');
    await page.getByLabel(/^Language/).selectOption('ar');
    await page.waitForFunction(() => document.documentElement.dir === 'rtl');
    await page.goto(`/t/${tenant.slug}/sso`);
    await page.getByRole('heading', { name: 'الدخول الموحّد', level: 1 }).waitFor();
    await page.getByRole('heading', { name: 'توثيق النطاقات' }).waitFor();
    await photograph(ownerTab, 'settings', 'ar');

    const visitor = await newVisitor();
    await visitor.page.goto('/login');
    await visitor.page.getByLabel(/^Language/).selectOption('ar');
    await visitor.page.waitForFunction(() => document.documentElement.dir === 'rtl');
    await visitor.page.getByLabel('البريد الإلكتروني').fill(`someone@${domain}`);
    await visitor.page.getByRole('link', { name: 'المتابعة بالدخول الموحّد لـ Greenfield School' }).waitFor();
    await photograph(visitor, 'sign-in', 'ar');
  });

  test('no page of the console logged an error', () => {
    // The test provider's own pages (another origin) are not the console's: its missing favicon is not our error.
    const ours = [...ownerTab.errors, ...visitorErrors, ...(visitorTab?.errors ?? [])].filter((error) => !error.includes(peer.issuer));
    expect(ours).toEqual([]);
  });
});
