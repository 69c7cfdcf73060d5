import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { notificationMessages } from '../../src/notifications/notification-messages.js';
import { createTestKernel, leftoverEnglish, signUp, type TestKernel, type TestUser } from '../../src/testing/index.js';
import { bellPlugin } from './fixtures/bell-plugin.js';

let t: TestKernel;
let owner: TestUser;
let customer: TestUser;
let page: { cookie: string; headers: Record<string, string> };
beforeAll(async () => {
  t = await createTestKernel({ plugins: [bellPlugin] });
  owner = await signUp(t, { tenant: true });
  await t.enable(owner, 'bell');
  customer = await t.customer(owner);
  page = await t.pageSession(customer, owner);
}, 60_000);
afterAll(() => t.close());

const ring = (name: string) =>
  t.request('POST', '/api/v1/bell/ring', {
    headers: owner.headers,
    body: { to: { userId: customer.id }, template: 'bell.rang', data: { name, count: 1, place: 'the shop' } },
  });
const account = (rest: string, init: RequestInit = {}) =>
  fetch(`${t.url}/c/${owner.tenant!.slug}/account${rest}`, {
    redirect: 'manual',
    ...init,
    headers: { ...page.headers, ...(init.headers as Record<string, string>) },
  });
const postForm = (rest: string, form: Record<string, string>) =>
  account(rest, { method: 'POST', headers: { 'content-type': 'application/x-www-form-urlencoded' }, body: new URLSearchParams(form).toString() });

describe("a customer's notification pages", () => {
  it('list their notifications and mark them all read', async () => {
    expect((await ring('page-1')).body.data.recipients).toBe(1);
    const listed = await account('/notifications');
    expect(listed.status).toBe(200);
    const markup = await listed.text();
    expect(markup).toContain('The bell rang for page-1');
    expect(markup).toContain('Mark all as read');
    const marked = await postForm('/notifications/read-all', {});
    expect(marked.status).toBe(303);
    const unread = await t.request('GET', '/api/v1/notifications/unread-count', { headers: customer.headers });
    expect(unread.body.data).toEqual({ unread: 0 });
    expect(await (await account('/notifications')).text()).not.toContain('Mark all as read');
  });

  it('send someone signed out to sign in', async () => {
    const anonymous = await fetch(`${t.url}/c/${owner.tenant!.slug}/account/notifications`, { redirect: 'manual' });
    expect(anonymous.status).toBe(303);
    expect(anonymous.headers.get('location')).toContain('/account/sign-in?next=');
  });

  it("show the customer's categories only, and save their channels", async () => {
    const form = await (await account('/notification-preferences')).text();
    expect(form).toContain('News');
    expect(form).toContain('Texts');
    expect(form).not.toContain('Summaries'); // staff only
    expect(form).not.toContain('Support access');
    const saved = await postForm('/notification-preferences', { 'bell.news:inapp': 'on', 'bell.texts:inapp': 'on' });
    expect(saved.status).toBe(303);
    const mine = await t.request('GET', '/api/v1/me/notification-preferences', { headers: customer.headers });
    const news = mine.body.data.categories.find((category: { category: string }) => category.category === 'bell.news');
    expect(news.channels).toMatchObject({ inapp: { enabled: true }, email: { enabled: false }, sms: { enabled: false } });
    const security = mine.body.data.categories.find((category: { category: string }) => category.category === 'core.security');
    expect(security.channels.email).toEqual({ enabled: true, locked: true });
    await ring('after-opt-out');
    await t.drainJobs();
    expect((await t.mailbox(customer.email)).filter((mail) => mail.subject.includes('after-opt-out'))).toEqual([]);
  });

  it('refuse a post from another site', async () => {
    const forged = await account('/notifications/read-all', {
      method: 'POST',
      headers: { 'content-type': 'application/x-www-form-urlencoded', origin: 'https://evil.example' },
      body: '',
    });
    expect(forged.status).toBe(403);
  });

  it('speak Arabic to a customer who chose it', async () => {
    expect((await t.request('PATCH', '/api/v1/me', { headers: customer.headers, body: { locale: 'ar' } })).status).toBe(200);
    await ring('arabic');
    const inbox = await (await account('/notifications')).text();
    expect(inbox).toContain('رنّ الجرس من أجل arabic');
    expect(leftoverEnglish(inbox, notificationMessages.catalogues, 'ar')).toEqual([]);
    const form = await (await account('/notification-preferences')).text();
    expect(form).toContain('الأخبار');
    expect(leftoverEnglish(form, notificationMessages.catalogues, 'ar')).toEqual([]);
  });
});
