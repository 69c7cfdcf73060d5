/// <reference lib="dom" /> // page.evaluate callbacks run in the browser
/**
 * The world of the console-foundations test: a real kernel with payments, shop and LMS for one tenant (`studio`,
 * prices in euros), its owner, a school admin and an instructor invited through the API; helpers to reach a
 * control with the keyboard alone and to photograph a screen in both directions at 1280 and 390 px.
 */
import { cpSync, mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { createTestKernel, signUp, type TestKernel, type TestResponse, type TestUser } from '@plinth/core/testing';
import lms from '@plinth/plugin-lms';
import payments from '@plinth/plugin-payments';
import shop from '@plinth/plugin-shop';
import type { Plugin } from '@plinth/sdk';
import type { Browser, Locator, Page } from 'playwright-core';
import { expect } from 'vitest';
import consolePlugin from '../src/index.js';
import { launchChromium, openPage, photograph as photographScreen, signIn, type WatchedPage } from './browser.js';

export interface FoundationsWorld {
  t: TestKernel;
  browser: Browser;
  slug: string;
  currency: string;
  owner: TestUser;
  /** A member with the `admin` role: runs the school. */
  schoolAdmin: TestUser & { name: string };
  /** A member with the `member` role, to be chosen as a course's instructor. */
  instructor: TestUser & { name: string };
  /** Calls the API as the owner. */
  api(method: string, path: string, body?: unknown): Promise<TestResponse>;
  /** Closes Chromium and the kernel, and removes the console's copy. */
  close(): Promise<void>;
}

export function expectStatus(response: TestResponse, status: number, what: string): TestResponse {
  expect(response.status, `${what}: ${JSON.stringify(response.body)}`).toBe(status);
  return response;
}

/** A named user who joined the owner's tenant through a real invitation, with the given built-in role. */
async function invite(t: TestKernel, owner: TestUser, name: string, role: string): Promise<TestUser & { name: string }> {
  const roles = expectStatus(await t.request('GET', '/api/v1/roles?per_page=100', { headers: owner.headers }), 200, 'roles').body.data as {
    id: string;
    name: string;
  }[];
  const roleId = roles.find((candidate) => candidate.name === role)?.id;
  expect(roleId, `the tenant has a role ${role}`).toBeDefined();
  const user = await signUp(t, { name, email: `${name.toLowerCase().replace(/\W+/g, '.')}@studio.test` });
  const invited = expectStatus(
    await t.request('POST', '/api/v1/invitations', { headers: owner.headers, body: { email: user.email, roles: [roleId] } }),
    201,
    `inviting ${name}`,
  );
  const token = new URL(invited.body.data.accept_url as string).searchParams.get('token');
  expectStatus(await t.request('POST', '/api/v1/invitations/accept', { headers: user.headers, body: { token } }), 201, `${name} accepting`);
  return { ...user, name, tenant: owner.tenant!, headers: { ...user.headers, 'x-tenant': owner.tenant!.slug } };
}

/**
 * The console as built now, served from a private copy of `web-dist`: a rebuild while the test runs (another
 * process's `ensureWebBuilt`) empties `web-dist` and would take away the screens this page has not loaded yet.
 */
function consoleSnapshot(directory: string): Plugin {
  cpSync(consolePlugin.web!.directory, directory, { recursive: true });
  return { ...consolePlugin, web: { ...consolePlugin.web!, directory } };
}

/** Boots the kernel and Chromium; the owner sets the tenant up through the API (currency, plugins, people). */
export async function bootFoundations(): Promise<FoundationsWorld> {
  const snapshot = mkdtempSync(path.join(tmpdir(), 'plinth-console-web-'));
  const [t, browser] = await Promise.all([
    createTestKernel({ plugins: [consoleSnapshot(snapshot), payments, shop, lms], tenants: ['studio'] }),
    launchChromium(),
  ]);
  const owner = t.tenants.studio!;
  const api = (method: string, path: string, body?: unknown) => t.request(method, path, { headers: owner.headers, body });
  const currency = 'EUR';
  expectStatus(await api('PATCH', '/api/v1/tenant', { currency, locale: 'en', time_zone: 'Europe/Paris' }), 200, 'tenant currency and zone');
  for (const plugin of ['payments', 'shop', 'lms']) await t.enable(owner, plugin);
  const schoolAdmin = await invite(t, owner, 'Samira Haddad', 'admin');
  const instructor = await invite(t, owner, 'Ingrid Okafor', 'member');
  async function close(): Promise<void> {
    await browser.close();
    await t.close();
    rmSync(snapshot, { recursive: true, force: true });
  }
  return { t, browser, slug: owner.tenant!.slug, currency, owner, schoolAdmin, instructor, api, close };
}

/** A signed-in console tab of `user`. */
export async function consoleTab(world: FoundationsWorld, user: TestUser): Promise<WatchedPage> {
  const tab = await openPage(world.browser, world.t.url);
  tab.page.setDefaultTimeout(10_000);
  await signIn(tab, user);
  return tab;
}

/** Whether `target` has the keyboard focus. */
export function isFocused(target: Locator): Promise<boolean> {
  return target.evaluate((element) => element === document.activeElement || element.contains(document.activeElement));
}

/**
 * Moves the focus with Tab (or Shift+Tab) until `target` has it, as a keyboard user does; fails when `target` is not
 * reached within `limit` presses (it is not in the tab order).
 */
export async function tabTo(page: Page, target: Locator, options: { backwards?: boolean; limit?: number } = {}): Promise<void> {
  const { backwards = false, limit = 80 } = options;
  await target.waitFor();
  for (let presses = 0; presses <= limit; presses += 1) {
    if (await isFocused(target)) return;
    await page.keyboard.press(backwards ? 'Shift+Tab' : 'Tab');
  }
  throw new Error(`${target.toString()} was not reached with ${limit} presses of ${backwards ? 'Shift+Tab' : 'Tab'}`);
}

/** The language and direction the document declares. */
export function documentLocale(page: Page): Promise<{ lang: string; dir: string }> {
  return page.evaluate(() => ({ lang: document.documentElement.lang, dir: document.documentElement.dir || 'ltr' }));
}

/** Photographs the screen as `foundations-<screen>-<language>-1280.png` and `-390.png` (see browser.ts `photograph`). */
export function photograph(tab: WatchedPage, screen: string, language: 'en' | 'ar'): Promise<void> {
  return photographScreen(tab, `foundations-${screen}`, language);
}
