import type { TestKernel, TestUser } from '@plinth/core/testing';
import { expect } from 'vitest';

/** A phone browser's user agent: counted as a human visitor on a mobile device. */
export const phone = 'Mozilla/5.0 (iPhone; CPU iPhone OS 17_4 like Mac OS X) AppleWebKit/605.1.15 (KHTML, like Gecko) Version/17.4 Mobile/15E148 Safari/604.1';
/** A desktop browser's user agent. */
export const desktop = 'Mozilla/5.0 (X11; Linux x86_64) AppleWebKit/537.36 (KHTML, like Gecko) Chrome/126.0.0.0 Safari/537.36';
/** A crawler's user agent: never counted. */
export const crawler = 'Mozilla/5.0 (compatible; Googlebot/2.1; +http://www.google.com/bot.html)';

/** A visitor's request at the site root: no redirect following, the body as text. */
export async function visit(t: TestKernel, path: string, init: { method?: string; headers?: Record<string, string>; body?: string } = {}) {
  const response = await fetch(`${t.url}${path}`, {
    method: init.method ?? 'GET',
    redirect: 'manual',
    headers: { 'user-agent': phone, ...init.headers },
    ...(init.body === undefined ? {} : { body: init.body }),
  });
  return { status: response.status, headers: response.headers, text: await response.text() };
}

/** A visitor's request on another host name (the kit sends the `Host` header and follows no redirect), the body as text. */
export async function visitHost(t: TestKernel, host: string, path: string, init: { method?: string; headers?: Record<string, string> } = {}) {
  const response = await t.request(init.method ?? 'GET', path, { headers: { 'user-agent': phone, ...init.headers, host } });
  return { status: response.status, headers: response.headers, text: typeof response.body === 'string' ? response.body : JSON.stringify(response.body) };
}

/** Creates a site through the API and returns it. */
export async function createSite(t: TestKernel, owner: TestUser, body: Record<string, unknown>) {
  const response = await t.request('POST', '/api/v1/bio-sites/sites', { headers: owner.headers, body: { title: 'My links', ...body } });
  expect(response.status, JSON.stringify(response.body)).toBe(201);
  return response.body.data as { id: string; slug: string; [key: string]: unknown };
}

/** Adds a block to a site through the API and returns it. */
export async function addBlock(t: TestKernel, owner: TestUser, siteId: string, body: Record<string, unknown>) {
  const response = await t.request('POST', `/api/v1/bio-sites/sites/${siteId}/blocks`, { headers: owner.headers, body });
  expect(response.status, JSON.stringify(response.body)).toBe(201);
  return response.body.data as { id: string; [key: string]: unknown };
}

/** Runs the analytics rollup now and waits for it (and the events it emits). */
export async function rollUp(t: TestKernel, owner: TestUser): Promise<void> {
  await t.flushWrites();
  expect((await t.request('POST', '/api/v1/bio-sites/analytics/rollup', { headers: owner.headers })).status).toBe(202);
  await t.drainJobs();
}
