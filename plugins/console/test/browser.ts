/// <reference lib="dom" /> // page.evaluate callbacks run in the browser
import { mkdirSync } from 'node:fs';
import { fileURLToPath } from 'node:url';
import { chromium, type Browser, type BrowserContext, type Page } from 'playwright-core';
import { afterEach } from 'vitest';
import { axeViolations } from './named-controls.js';

/** Where the tests save screenshots of the main screens (CI keeps the folder as an artifact). */
export const artifactsDir = fileURLToPath(new URL('../test-artifacts/', import.meta.url));

/** Debian's Chromium unless CHROMIUM_PATH names another build. */
export function launchChromium(): Promise<Browser> {
  return chromium.launch({ executablePath: process.env.CHROMIUM_PATH ?? '/usr/bin/chromium', args: ['--no-sandbox'] });
}

/** A page that records script errors, console errors and accessibility violations for the test to assert on. */
export interface WatchedPage {
  context: BrowserContext;
  page: Page;
  /** Uncaught exceptions and `console.error` messages, except the browser's own notes on API answers the test provoked. */
  errors: string[];
  /**
   * Serious and critical axe-core violations (WCAG 2.x A and AA) of the screens visited, one line each:
   * `<path>: <rule> (<impact>): <elements>`. Every test of a file that imports this module fails when its
   * pages added any (see the `afterEach` below), so no test has to remember to look.
   */
  accessibility: string[];
  /** Saves a full-page screenshot `<name>.png` under {@link artifactsDir}, then checks the screen with axe-core. */
  screenshot(name: string): Promise<void>;
  /** Checks the screen as it is now with axe-core (recorded in {@link accessibility}). */
  checkAccessibility(): Promise<void>;
  /** Resolves when the checks started so far (after each navigation) have run. */
  settled(): Promise<void>;
}

/** Pages opened by the current test file, checked after each of its tests. */
const watched = new Set<WatchedPage>();
/** How many lines of each page's `accessibility` the previous tests already reported. */
const reported = new WeakMap<WatchedPage, number>();

/** The screen is settled: no request of the page in flight and no DOM change for `quietMs` (bounded by `limitMs`). */
async function settle(page: Page, inFlight: () => number, quietMs = 150, limitMs = 5_000): Promise<void> {
  const deadline = Date.now() + limitMs;
  await page.waitForLoadState('load', { timeout: limitMs }).catch(() => undefined); // a slow load: checked as it is
  while (Date.now() < deadline) {
    const before = inFlight();
    await page.evaluate(
      ({ quietMs, limitMs }) =>
        new Promise<void>((resolve) => {
          let timer = setTimeout(done, quietMs);
          const limit = setTimeout(done, limitMs);
          const observer = new MutationObserver(() => {
            clearTimeout(timer);
            timer = setTimeout(done, quietMs);
          });
          observer.observe(document, { subtree: true, childList: true, attributes: true, characterData: true });
          function done(): void {
            observer.disconnect();
            clearTimeout(timer);
            clearTimeout(limit);
            resolve();
          }
        }),
      { quietMs, limitMs: Math.max(deadline - Date.now(), quietMs) },
    );
    if (before === 0 && inFlight() === 0) return;
  }
}

/** The page moved on or closed while it was being checked: the next navigation's check covers the new screen. */
function isGone(error: unknown): boolean {
  return /Execution context was destroyed|Target page, context or browser has been closed|Target closed|Frame was detached|navigat/i.test(
    (error as Error).message ?? '',
  );
}

/**
 * Opens a fresh context (its own sessionStorage: another person) at the kernel's URL.
 * Chromium logs "Failed to load resource: … status of 4xx" for every refused fetch; those are the
 * API's expected answers (a 409 the screen explains), not console errors of the app, so they are left out.
 * After each navigation (a page load or the console's client-side routing) and each screenshot, once the
 * screen has settled, axe-core checks it; serious and critical violations land in `accessibility`.
 */
export async function openPage(browser: Browser, baseURL: string, viewport = { width: 1280, height: 860 }): Promise<WatchedPage> {
  const context = await browser.newContext({ baseURL, viewport });
  const page = await context.newPage();
  const errors: string[] = [];
  const accessibility: string[] = [];
  const seen = new Set<string>();
  page.on('pageerror', (error) => errors.push(`page error: ${error.message}`));
  page.on('console', (message) => {
    if (message.type() !== 'error') return;
    if (/Failed to load resource: the server responded with a status of 4\d\d/.test(message.text()) && message.location().url.includes('/api/v1/')) return;
    errors.push(`console: ${message.text()} (${message.location().url})`);
  });

  let inFlight = 0;
  page.on('request', () => (inFlight += 1));
  const ended = () => (inFlight = Math.max(0, inFlight - 1));
  page.on('requestfinished', ended);
  page.on('requestfailed', ended);

  async function check(): Promise<void> {
    if (page.isClosed()) return;
    const url = new URL(page.url());
    if (url.protocol !== 'http:' && url.protocol !== 'https:') return; // about:blank before the first visit
    const where = url.pathname + url.search;
    for (const violation of await axeViolations(page, 'body')) {
      if (violation.impact !== 'serious' && violation.impact !== 'critical') continue;
      const line = `${where}: ${violation.id} (${violation.impact}): ${violation.targets.join(', ')}`;
      if (seen.has(line)) continue;
      seen.add(line);
      accessibility.push(line);
    }
  }

  let queue: Promise<void> = Promise.resolve();
  let navigations = 0;
  const enqueue = (step: () => Promise<void>): Promise<void> => {
    queue = queue.then(step).catch((error: unknown) => {
      if (!isGone(error) && !page.isClosed()) accessibility.push(`${page.url()}: axe-core could not check the screen: ${(error as Error).message}`);
    });
    return queue;
  };
  page.on('framenavigated', (frame) => {
    if (frame !== page.mainFrame()) return;
    const navigation = ++navigations;
    void enqueue(async () => {
      await settle(page, () => inFlight);
      if (navigation === navigations) await check(); // else a newer navigation's check follows
    });
  });

  mkdirSync(artifactsDir, { recursive: true });
  const tab: WatchedPage = {
    context,
    page,
    errors,
    accessibility,
    async screenshot(name) {
      await page.screenshot({ path: `${artifactsDir}${name}.png`, fullPage: true });
      await tab.checkAccessibility();
    },
    checkAccessibility: () => enqueue(check),
    settled: () => queue,
  };
  watched.add(tab);
  return tab;
}

// Every test fails when a page it drove showed a serious or critical accessibility violation.
afterEach(async () => {
  const found: string[] = [];
  for (const tab of watched) {
    await tab.settled();
    found.push(...tab.accessibility.slice(reported.get(tab) ?? 0));
    reported.set(tab, tab.accessibility.length);
    if (tab.page.isClosed()) watched.delete(tab);
  }
  if (found.length > 0) throw new Error(`axe-core: serious or critical WCAG 2.x A/AA violations:\n  ${found.join('\n  ')}`);
});

/** Signs in on the console's sign-in page, as a person would. */
export async function signIn(tab: WatchedPage, user: { email: string; password: string }): Promise<void> {
  await tab.page.goto('/login');
  await tab.page.getByLabel('Email').fill(user.email);
  await tab.page.getByLabel('Password').fill(user.password);
  await tab.page.getByRole('button', { name: 'Sign in' }).click();
  await tab.page.waitForURL((url) => url.pathname !== '/login');
}
