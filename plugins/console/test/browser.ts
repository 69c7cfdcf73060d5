import { mkdirSync } from 'node:fs';
import { fileURLToPath } from 'node:url';
import { chromium, type Browser, type BrowserContext, type Page } from 'playwright-core';

/** Where the tests save screenshots of the main screens (CI keeps the folder as an artifact). */
export const artifactsDir = fileURLToPath(new URL('../test-artifacts/', import.meta.url));

/** Debian's Chromium unless CHROMIUM_PATH names another build. */
export function launchChromium(): Promise<Browser> {
  return chromium.launch({ executablePath: process.env.CHROMIUM_PATH ?? '/usr/bin/chromium', args: ['--no-sandbox'] });
}

/** A page that records script errors and console errors for the test to assert on. */
export interface WatchedPage {
  context: BrowserContext;
  page: Page;
  /** Uncaught exceptions and `console.error` messages, except the browser's own notes on API answers the test provoked. */
  errors: string[];
  screenshot(name: string): Promise<void>;
}

/**
 * Opens a fresh context (its own sessionStorage: another person) at the kernel's URL.
 * Chromium logs "Failed to load resource: … status of 4xx" for every refused fetch; those are the
 * API's expected answers (a 409 the screen explains), not console errors of the app, so they are left out.
 */
export async function openPage(browser: Browser, baseURL: string, viewport = { width: 1280, height: 860 }): Promise<WatchedPage> {
  const context = await browser.newContext({ baseURL, viewport });
  const page = await context.newPage();
  const errors: string[] = [];
  page.on('pageerror', (error) => errors.push(`page error: ${error.message}`));
  page.on('console', (message) => {
    if (message.type() !== 'error') return;
    if (/Failed to load resource: the server responded with a status of 4\d\d/.test(message.text()) && message.location().url.includes('/api/v1/')) return;
    errors.push(`console: ${message.text()} (${message.location().url})`);
  });
  mkdirSync(artifactsDir, { recursive: true });
  return {
    context,
    page,
    errors,
    async screenshot(name) {
      await page.screenshot({ path: `${artifactsDir}${name}.png`, fullPage: true });
    },
  };
}

/** Signs in on the console's sign-in page, as a person would. */
export async function signIn(tab: WatchedPage, user: { email: string; password: string }): Promise<void> {
  await tab.page.goto('/login');
  await tab.page.getByLabel('Email').fill(user.email);
  await tab.page.getByLabel('Password').fill(user.password);
  await tab.page.getByRole('button', { name: 'Sign in' }).click();
  await tab.page.waitForURL((url) => url.pathname !== '/login');
}
