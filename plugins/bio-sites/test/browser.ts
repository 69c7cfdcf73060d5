/// <reference lib="dom" /> // page.evaluate callbacks run in the browser
import { mkdirSync } from 'node:fs';
import { fileURLToPath } from 'node:url';
import { chromium, type Browser, type BrowserContext, type Page } from 'playwright-core';

/** Where the browser test saves its screenshots (git-ignored; CI may keep the folder as an artifact). */
export const artifactsDir = fileURLToPath(new URL('../test-artifacts/', import.meta.url));

/** Debian's Chromium unless CHROMIUM_PATH names another build. */
export function launchChromium(): Promise<Browser> {
  return chromium.launch({ executablePath: process.env.CHROMIUM_PATH ?? '/usr/bin/chromium', args: ['--no-sandbox'] });
}

/** A page that records script errors, console errors and Content-Security-Policy violations. */
export interface WatchedPage {
  context: BrowserContext;
  page: Page;
  /** Uncaught exceptions and `console.error` messages (Chromium reports CSP violations there too). */
  errors: string[];
  /** `securitypolicyviolation` events the documents fired: `<directive> <blocked URI>`. */
  cspViolations(): Promise<string[]>;
}

declare global {
  interface Window {
    __cspViolations?: string[];
  }
}

/** Opens a fresh phone-sized context at `baseURL`, as a browser that is not flagged as a bot (so visits count). */
export async function openPage(browser: Browser, baseURL: string, userAgent: string): Promise<WatchedPage> {
  const context = await browser.newContext({ baseURL, userAgent, viewport: { width: 390, height: 844 }, deviceScaleFactor: 2 });
  // Init scripts run outside the page's CSP, so the listener is there even though the page allows no script.
  await context.addInitScript(() => {
    window.__cspViolations = [];
    document.addEventListener('securitypolicyviolation', (event) => window.__cspViolations!.push(`${event.violatedDirective} ${event.blockedURI}`));
  });
  const page = await context.newPage();
  const errors: string[] = [];
  page.on('pageerror', (error) => errors.push(`page error: ${error.message}`));
  page.on('console', (message) => {
    if (message.type() === 'error' || /content security policy/i.test(message.text())) errors.push(`console: ${message.text()} (${message.location().url})`);
  });
  mkdirSync(artifactsDir, { recursive: true });
  return { context, page, errors, cspViolations: () => page.evaluate(() => window.__cspViolations ?? []) };
}
