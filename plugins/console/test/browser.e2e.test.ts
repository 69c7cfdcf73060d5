/**
 * The harness itself (browser.ts): a page's serious and critical accessibility violations are found after a page
 * load and after a client-side navigation (history.pushState), without the test asking.
 */
import { createServer, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import type { Browser } from 'playwright-core';
import { afterAll, beforeAll, expect, test } from 'vitest';
import { launchChromium, openPage } from './browser.js';

// An unnamed button (critical) appears with a client-side navigation to /second; /first has none.
const html = `<!doctype html><html lang="en"><head><title>Harness</title></head><body><main><h1>First</h1>
<button id="go" type="button">Go on</button></main>
<script>document.getElementById('go').addEventListener('click', () => {
  history.pushState({}, '', '/second');
  document.querySelector('h1').textContent = 'Second';
  document.querySelector('main').insertAdjacentHTML('beforeend', '<button type="button"></button>');
});</script></body></html>`;

let server: Server;
let browser: Browser;
let baseURL: string;

beforeAll(async () => {
  server = createServer((_request, response) => response.writeHead(200, { 'content-type': 'text/html' }).end(html));
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  baseURL = `http://127.0.0.1:${(server.address() as AddressInfo).port}`;
  browser = await launchChromium();
});

afterAll(async () => {
  await browser?.close();
  await new Promise((resolve) => server?.close(resolve));
});

test('a violation that appears with a client-side navigation is recorded against its path', async () => {
  const tab = await openPage(browser, baseURL);
  await tab.page.goto('/first');
  await tab.page.getByRole('heading', { name: 'First' }).waitFor();
  await tab.settled();
  expect(tab.accessibility).toEqual([]);

  await tab.page.getByRole('button', { name: 'Go on' }).click();
  await tab.page.waitForURL('**/second');
  await tab.settled();
  expect(tab.accessibility).toHaveLength(1);
  expect(tab.accessibility[0]).toMatch(/^\/second: button-name \(critical\): \S/);
  // Found on purpose: emptied so that the check after this test (which would fail it) finds nothing new.
  tab.accessibility.length = 0;
  await tab.context.close();
});
