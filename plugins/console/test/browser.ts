/// <reference lib="dom" /> // page.evaluate callbacks run in the browser
import { cpSync, mkdirSync, mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import type { Plugin } from '@plinth/sdk';
import { chromium, type Browser, type BrowserContext, type Locator, type Page, type Request } from 'playwright-core';
import { afterAll, afterEach, expect } from 'vitest';
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

  // The notification stream (the shell's bell) stays open as long as the page: it is no request to wait for.
  const counted = (request: Request) => !request.url().endsWith('/api/v1/notifications/stream');
  let inFlight = 0;
  page.on('request', (request) => {
    if (counted(request)) inFlight += 1;
  });
  const ended = (request: Request) => {
    if (counted(request)) inFlight = Math.max(0, inFlight - 1);
  };
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
  await tab.page.getByRole('button', { name: 'Sign in', exact: true }).click();
  await tab.page.waitForURL((url) => url.pathname !== '/login');
}

/** Private copies of web directories made by {@link servedCopy}, removed after the test file. */
const copies: string[] = [];
afterAll(() => {
  for (const directory of copies.splice(0)) rmSync(directory, { recursive: true, force: true });
});

/**
 * The plugin served from a private copy of its built web code: another test process's rebuild empties
 * `web-dist` and would take away screens (and hashed chunks) a page has not loaded yet.
 */
export function servedCopy(plugin: Plugin): Plugin {
  const directory = mkdtempSync(path.join(tmpdir(), `plinth-${plugin.name}-web-`));
  copies.push(directory);
  cpSync(plugin.web!.directory, directory, { recursive: true });
  return { ...plugin, web: { ...plugin.web!, directory } };
}

/** A link of the console's main menu. */
export const menuLink = (page: Page, name: string | RegExp) => page.getByRole('navigation', { name: 'Main' }).getByRole('link', { name, exact: true });

/**
 * Photographs the screen as `<name>-<language>-1280.png` and `-390.png` (axe-core checks it each time, see
 * `WatchedPage.screenshot`): the document speaks the language in its direction, and nothing makes a 390 px phone
 * scroll sideways (recorded softly: the photographs are still taken).
 */
export async function photograph(tab: WatchedPage, name: string, language: 'en' | 'ar'): Promise<void> {
  const { page } = tab;
  const declared = await page.evaluate(() => ({ lang: document.documentElement.lang, dir: document.documentElement.dir || 'ltr' }));
  expect(declared.lang.split('-')[0], `${name}: <html lang>`).toBe(language);
  expect(declared.dir, `${name}: <html dir>`).toBe(language === 'ar' ? 'rtl' : 'ltr');
  const viewport = page.viewportSize() ?? { width: 1280, height: 860 };
  // Charts (canvases) redraw for a new width a frame or two after the resize: photographed once they fill their box.
  const chartsFit = () =>
    page.waitForFunction(
      () =>
        Array.from(document.querySelectorAll('canvas')).every(
          (canvas) => !canvas.parentElement || Math.abs(canvas.getBoundingClientRect().width - canvas.parentElement.getBoundingClientRect().width) <= 1,
        ),
      undefined,
      // A loaded machine (the whole suite on two cores) delays the redraw: seen past 10 s once in a full run.
      { timeout: 30_000 },
    );
  await page.setViewportSize({ width: 1280, height: 860 });
  await chartsFit();
  await tab.screenshot(`${name}-${language}-1280`);
  await page.setViewportSize({ width: 390, height: 844 });
  try {
    await chartsFit();
    const { width, outside } = await page.evaluate(() => {
      // The outermost elements reaching past either edge of the viewport: what makes the page scroll sideways.
      const overflowing = Array.from(document.body.querySelectorAll('*')).filter((element) => {
        const box = element.getBoundingClientRect();
        return box.width > 0 && (box.right > innerWidth + 1 || box.left < -1);
      });
      const outermost = overflowing.filter((element) => !overflowing.some((other) => other !== element && other.contains(element)));
      const describe = (element: Element) =>
        `${element.tagName.toLowerCase()}${element.className && typeof element.className === 'string' ? `.${element.className.trim().split(/\s+/).join('.')}` : ''}`;
      return { width: document.documentElement.scrollWidth, outside: outermost.slice(0, 5).map(describe) };
    });
    expect.soft(width, `${name} (${language}): wider than a 390 px phone (past the edge: ${outside.join(', ')})`).toBeLessThanOrEqual(390);
    await tab.screenshot(`${name}-${language}-390`);
  } finally {
    await page.setViewportSize(viewport);
  }
}

/**
 * After each failed test of the file: the errors `tab()`'s page logged, and a screenshot `failed-<prefix>-<test>.png`
 * of how it looked when the test gave up.
 */
export function recordFailures(prefix: string, tab: () => WatchedPage | undefined): void {
  afterEach(async (context) => {
    if (context.task.result?.state !== 'fail') return;
    const page = tab();
    console.log(`errors logged by the page so far: ${JSON.stringify(page?.errors ?? [])}`);
    await page?.screenshot(`failed-${prefix}-${context.task.name.replace(/\W+/g, '-').slice(0, 50)}`).catch(() => undefined);
  });
}

/**
 * Drags an item of a SortableJS list with the mouse, as a person does: down on `handle`, over to `to` in steps,
 * then — SortableJS moves its drop placeholder (`.sortable-ghost`) animated as the pointer passes items — nudging
 * the pointer there until `placed()` says the placeholder is where the item should land, and up.
 */
export async function dragTo(page: Page, handle: Locator, to: { x: number; y: number }, placed: () => Promise<boolean>): Promise<void> {
  const from = (await handle.boundingBox())!;
  const x = from.x + from.width / 2;
  const y = from.y + from.height / 2;
  await page.mouse.move(x, y);
  await page.mouse.down();
  for (let step = 1; step <= 20; step += 1) await page.mouse.move(x + ((to.x - x) * step) / 20, y + ((to.y - y) * step) / 20);
  // Its animation runs on the clock, so a loaded machine needs the nudges spread over time, not a fixed count of them.
  let nudge = 0;
  await expect
    .poll(
      async () => {
        if (await placed()) return true;
        await page.mouse.move(to.x, to.y + (nudge++ % 2));
        return placed();
      },
      { message: 'the drop placeholder reached its place', timeout: 10_000, interval: 50 },
    )
    .toBe(true);
  await page.mouse.up();
}
