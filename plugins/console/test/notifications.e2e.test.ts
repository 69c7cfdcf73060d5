/// <reference lib="dom" /> // page.evaluate callbacks run in the browser
/**
 * Issue 24, notifications in the console, in headless Chromium against a real kernel. A test plugin ("bulletin")
 * notifies a member through `coreServices.notify` and taps `core.notification.send` (so its SMS are captured here).
 * The member's bell goes from 0 to 1 while the page stays as it is (the stream, no reload, no polling), the bell's
 * panel opens the item and marks it read; the inbox page filters unread items, pages, takes a live arrival and marks
 * all read; the account page keeps the member's preferences and verifies their phone with the texted code; the owner
 * sets the workspace's defaults and reads the log with a recorded failure. Then the same screens in Arabic. Screens
 * are photographed (test-artifacts/notifications-<screen>-<en|ar>-<width>.png) and checked by axe-core.
 */
import { addMember, createTestKernel, signUp, type TestKernel, type TestUser } from '@plinth/core/testing';
import { coreServices, definePermissions, definePlugin, PageQuery, paginate, Reply, Type, type ChannelMessage } from '@plinth/sdk';
import type { Browser, Page } from 'playwright-core';
import { afterAll, beforeAll, describe, expect, test } from 'vitest';
import consolePlugin from '../src/index.js';
import { launchChromium, menuLink, openPage, photograph as photographScreen, recordFailures, servedCopy, signIn, type WatchedPage } from './browser.js';
import { ensureWebBuilt } from './web-build.js';

const permissions = definePermissions('bulletin', {
  'notices.view': { description: 'Read the notice board', grantTo: ['admin', 'member'] },
  'notices.post': { description: 'Post notices', grantTo: ['admin'] },
});

const notices: { id: string; subject: string }[] = [];
/** The SMS and WhatsApp messages the kernel asked the bulletin plugin to send, oldest first. */
const texted: ChannelMessage[] = [];

/** A plugin that notifies people of its notices, and "sends" the kernel's SMS by keeping them. */
const bulletin = definePlugin({
  name: 'bulletin',
  version: '0.1.0',
  title: 'Bulletin',
  description: 'A notice board that notifies people, for the console tests.',
  category: 'examples',
  requires: { core: '>=0.1.0' },
  deps: { notify: coreServices.notify },
  permissions,
  navigation: [{ label: 'Notices', path: '/notices' }],
  notifications: {
    categories: { 'bulletin.notices': { label: 'Notices', description: 'News from the notice board', audience: 'staff' } },
    templates: { 'bulletin.posted': { category: 'bulletin.notices', title: 'New notice: {subject}', body: '{author} posted on the notice board.' } },
  },
  translations: {
    ar: {
      Bulletin: 'لوحة الإعلانات',
      'A notice board that notifies people, for the console tests.': 'لوحة إعلانات تُشعر الناس، لاختبارات وحدة التحكم.',
      'Read the notice board': 'قراءة لوحة الإعلانات',
      'Post notices': 'نشر الإعلانات',
      Notices: 'الإعلانات',
      Notice: 'إعلان',
      Subject: 'الموضوع',
      'News from the notice board': 'أخبار لوحة الإعلانات',
      'New notice: {subject}': 'إعلان جديد: {subject}',
      '{author} posted on the notice board.': 'نشر {author} على لوحة الإعلانات.',
    },
  },
  routes: ({ route }) => [
    route({
      method: 'GET',
      path: '/notices',
      summary: 'Notices',
      permission: permissions['notices.view'],
      schema: { query: PageQuery },
      errors: [],
      async handler({ query }) {
        return Reply.list(notices, paginate(query, notices.length));
      },
    }),
    route({
      method: 'POST',
      path: '/notices',
      summary: 'Post notices, notifying someone of each',
      permission: permissions['notices.post'],
      schema: {
        body: Type.Object(
          {
            subject: Type.String({ minLength: 1, title: 'Subject' }),
            to: Type.String({ format: 'uuid' }),
            count: Type.Optional(Type.Integer({ minimum: 1, maximum: 30 })),
          },
          { additionalProperties: false },
        ),
      },
      errors: [],
      async handler({ body, deps }) {
        const results = [];
        for (let index = 0; index < (body.count ?? 1); index += 1) {
          const subject = body.count ? `${body.subject} ${index + 1}` : body.subject;
          notices.push({ id: crypto.randomUUID(), subject });
          results.push(
            await deps.notify.send({ to: { userId: body.to }, template: 'bulletin.posted', data: { subject, author: 'Olga Owner' }, link: '/notices' }),
          );
        }
        return Reply.created(results);
      },
    }),
  ],
  taps: ({ tap }) => [
    tap('core.notification.send', (message) => {
      texted.push(message);
      return { providerMessageId: `test-${texted.length}` };
    }),
  ],
});

let t: TestKernel;
let browser: Browser;
let owner: TestUser;
let member: TestUser;
let memberTab: WatchedPage;
let ownerTab: WatchedPage;
const slug = 'harbour';

const photograph = (tab: WatchedPage, screen: string, language: 'en' | 'ar') => photographScreen(tab, `notifications-${screen}`, language);
const bell = (page: Page) => page.getByRole('banner').getByRole('button', { name: /^(Notifications|الإشعارات)/ });
const panel = (page: Page) => page.locator('#notification-panel');

/** Posts notices as the owner, each notifying `to`; answers the notify results. */
async function post(subject: string, to: TestUser | { id: string }, count?: number) {
  const response = await t.request('POST', '/api/v1/bulletin/notices', { headers: owner.headers, body: { subject, to: to.id, ...(count ? { count } : {}) } });
  expect(response.status, JSON.stringify(response.body)).toBe(201);
  return response.body.data as { notificationId: string | null; recipients: number; failure?: string }[];
}

const unreadOf = async (user: TestUser) =>
  (await t.sql<{ unread: number }>('select count(*)::int as unread from notification_items where user_id = $1 and read_at is null', [user.id]))[0]!.unread;

/** Waits until the page's notification stream is open (the answer's headers arrived). */
async function streamOpen(page: Page, navigate: () => Promise<unknown>): Promise<void> {
  const opened = page.waitForResponse((response) => response.url().endsWith('/api/v1/notifications/stream') && response.ok());
  await navigate();
  await opened;
}

beforeAll(async () => {
  await ensureWebBuilt();
  [t, browser] = await Promise.all([createTestKernel({ plugins: [servedCopy(consolePlugin), bulletin] }), launchChromium()]);
  owner = await signUp(t, { name: 'Olga Owner', tenant: { name: 'Harbour School', slug } });
  await t.enable(owner, 'bulletin');
  member = await addMember(t, owner, ['member']);
  [memberTab, ownerTab] = await Promise.all([openPage(browser, t.url), openPage(browser, t.url)]);
  memberTab.page.setDefaultTimeout(10_000);
  ownerTab.page.setDefaultTimeout(10_000);
  await signIn(memberTab, member);
  await signIn(ownerTab, owner);
});

recordFailures('notifications', () => memberTab);

afterAll(async () => {
  await browser?.close();
  await t?.close();
});

describe.sequential('notifications in the console', () => {
  test('a notification reaches the bell live: 0 → 1 without a reload, and without asking the API again', async () => {
    const { page } = memberTab;
    await streamOpen(page, () => page.goto(`/t/${slug}`));
    await expect.poll(() => bell(page).getAttribute('aria-label')).toBe('Notifications');
    await page.evaluate(() => ((window as unknown as { stayed: boolean }).stayed = true));
    const asked: string[] = [];
    page.on('request', (request) => {
      if (request.url().includes('/api/v1/notifications')) asked.push(request.url());
    });
    const started = Date.now();
    await post('Fire drill at noon', member);
    await page.getByRole('button', { name: 'Notifications, 1 unread' }).waitFor({ timeout: 5_000 });
    expect(Date.now() - started).toBeLessThan(5_000);
    expect(await page.evaluate(() => (window as unknown as { stayed?: boolean }).stayed)).toBe(true);
    expect(asked, 'the badge came from the open stream').toEqual([]);
    await expect.poll(() => page.getByRole('status').filter({ hasText: 'New notification: New notice: Fire drill at noon' }).count()).toBe(1);
  });

  test('the bell opens the latest items; following one marks it read and the badge goes to 0', async () => {
    const { page } = memberTab;
    await bell(page).click();
    expect(await bell(page).getAttribute('aria-expanded')).toBe('true');
    const region = page.getByRole('region', { name: 'Latest notifications' });
    const item = region.getByRole('link', { name: 'New notice: Fire drill at noon' });
    await item.waitFor();
    await region.getByText('Olga Owner posted on the notice board.').waitFor();
    await photograph(memberTab, 'bell', 'en');
    await item.click();
    await page.waitForURL(`**/t/${slug}/p/bulletin/notices`);
    await page.getByRole('button', { name: 'Notifications', exact: true }).waitFor();
    await expect.poll(() => panel(page).count()).toBe(0);
    expect(await unreadOf(member)).toBe(0);
    // Escape closes the panel and gives the bell its focus back.
    await bell(page).click();
    await region.waitFor();
    await page.keyboard.press('Escape');
    await expect.poll(() => panel(page).count()).toBe(0);
    expect(await page.evaluate(() => document.activeElement?.getAttribute('aria-controls'))).toBe('notification-panel');
  });

  test('the inbox page: unread filter, pages, a live arrival, mark one and mark all as read', async () => {
    const { page } = memberTab;
    await post('Timetable', member, 22);
    await page.getByRole('button', { name: 'Notifications, 22 unread' }).waitFor();
    await bell(page).click();
    await panel(page).getByRole('link', { name: 'See all notifications' }).click();
    await page.waitForURL(`**/t/${slug}/notifications`);
    await page.getByRole('heading', { name: 'Notifications', level: 1 }).waitFor();
    const entries = page.locator('.notification-inbox li.notification');
    await expect.poll(() => entries.count()).toBe(20);
    await page.getByText('Page 1 of 2 (23 in all)').waitFor();
    await page.getByRole('button', { name: /^Next/ }).click();
    await page.waitForURL((url) => url.searchParams.get('page') === '2');
    await expect.poll(() => entries.count()).toBe(3);
    await page.getByRole('link', { name: 'New notice: Fire drill at noon' }).waitFor();

    await page.getByRole('navigation', { name: 'Show' }).getByRole('link', { name: 'Unread' }).click();
    await page.waitForURL((url) => url.searchParams.get('unread') === 'true' && !url.searchParams.has('page'));
    await page.getByText('Page 1 of 2 (22 in all)').waitFor();
    expect(await page.getByRole('link', { name: 'New notice: Fire drill at noon' }).count()).toBe(0);

    // Arrives while the page is open: on top, without a reload.
    await post('Lost and found', member);
    await entries.first().getByRole('link', { name: 'New notice: Lost and found' }).waitFor();
    await page.getByRole('button', { name: 'Notifications, 23 unread' }).waitFor();
    await page.getByText('Page 1 of 2 (23 in all)').waitFor();

    await page.getByRole('button', { name: 'Mark as read (New notice: Lost and found)' }).click();
    await page.getByRole('button', { name: 'Notifications, 22 unread' }).waitFor();
    await expect.poll(() => entries.first().getAttribute('class')).toBe('notification');
    await photograph(memberTab, 'inbox', 'en');

    await page.getByRole('button', { name: 'Mark all as read' }).click();
    await page.getByText('22 notifications marked as read.').waitFor();
    await page.getByRole('button', { name: 'Notifications', exact: true }).waitFor();
    expect(await unreadOf(member)).toBe(0);
    await page.reload();
    await page.getByText('Nothing unread.').waitFor();
  });

  test('a refused stream is tried again after growing waits; once back, it brings what was missed, and reads made elsewhere', async () => {
    const { page } = memberTab;
    const tries: number[] = [];
    await page.route('**/api/v1/notifications/stream', (route) => {
      tries.push(Date.now());
      return route.fulfill({
        status: 429,
        contentType: 'application/json',
        body: JSON.stringify({ success: false, code: 'rate_limited', message: 'Slow down' }),
      });
    });
    await page.reload();
    await page.getByRole('heading', { name: 'Notifications', level: 1 }).waitFor();
    await post('Missed while away', member);
    await expect.poll(() => tries.length, { timeout: 15_000 }).toBe(3);
    await page.unroute('**/api/v1/notifications/stream');
    await page.getByRole('button', { name: 'Notifications, 1 unread' }).waitFor({ timeout: 15_000 });
    const [first, second] = [tries[1]! - tries[0]!, tries[2]! - tries[1]!];
    expect(first).toBeGreaterThanOrEqual(1_000);
    expect(second).toBeGreaterThanOrEqual(2_000);
    // Read in another session: this page hears of it.
    expect((await t.request('POST', '/api/v1/notifications/read-all', { headers: member.headers })).status).toBe(200);
    await page.getByRole('button', { name: 'Notifications', exact: true }).waitFor();
  });

  test('preferences per category and channel: locked ones explained, saved with one button, kept after a reload', async () => {
    const { page } = memberTab;
    await page.goto('/account');
    const preferences = page.locator('#notification-preferences');
    const email = preferences.getByRole('checkbox', { name: 'Email: Notices' });
    await email.waitFor();
    expect(await email.isChecked()).toBe(true);
    const securityEmail = preferences.getByRole('checkbox', { name: 'Email: Security' });
    expect(await securityEmail.isDisabled()).toBe(true);
    expect(await securityEmail.isChecked()).toBe(true);
    const why = await securityEmail.getAttribute('aria-describedby');
    expect(await page.locator(`[id="${why}"]`).textContent()).toBe('In app and Email cannot be turned off: this notification is required.');

    await email.uncheck();
    await preferences.getByRole('checkbox', { name: 'SMS: Notices' }).check();
    await preferences.getByRole('combobox', { name: 'Delivery: Notices' }).selectOption('daily');
    await preferences.getByRole('button', { name: 'Save preferences' }).click();
    await preferences.getByText('Your notification preferences are saved.').waitFor();
    await photograph(memberTab, 'preferences', 'en');

    await page.reload();
    await preferences.getByRole('checkbox', { name: 'Email: Notices' }).waitFor();
    expect(await preferences.getByRole('checkbox', { name: 'Email: Notices' }).isChecked()).toBe(false);
    expect(await preferences.getByRole('checkbox', { name: 'SMS: Notices' }).isChecked()).toBe(true);
    expect(await preferences.getByRole('combobox', { name: 'Delivery: Notices' }).inputValue()).toBe('daily');
    const stored = await t.request('GET', '/api/v1/me/notification-preferences', { headers: member.headers });
    const notices = (stored.body.data.categories as { category: string; digest: string; channels: Record<string, { enabled: boolean }> }[]).find(
      (category) => category.category === 'bulletin.notices',
    );
    expect(notices).toMatchObject({ digest: 'daily', channels: { email: { enabled: false }, sms: { enabled: true }, inapp: { enabled: true } } });
  });

  test('phone: a number outside E.164 is refused beside its field; the texted code verifies it; it can be removed', async () => {
    const { page } = memberTab;
    const phone = page.locator('#phone');
    await phone.getByLabel(/^Mobile number/).fill('0100 123 4567');
    await phone.getByRole('button', { name: 'Send code' }).click();
    await phone.locator('.field-error').waitFor();
    expect(texted).toEqual([]);

    await phone.getByLabel(/^Mobile number/).fill('+201001234567');
    await phone.getByRole('button', { name: 'Send code' }).click();
    await phone.getByText(/We sent a 6-digit code to .*\+201001234567/).waitFor();
    await expect.poll(() => texted.length).toBe(1);
    expect(texted[0]).toMatchObject({ channel: 'sms', to: '+201001234567' });
    const code = /\b(\d{6})\b/.exec(texted[0]!.text)?.[1];
    expect(code, texted[0]!.text).toBeDefined();

    await phone.getByLabel(/^Code/).fill(code === '000000' ? '111111' : '000000');
    await phone.getByRole('button', { name: 'Verify' }).click();
    await phone.getByRole('alert').waitFor();
    await phone.getByLabel(/^Code/).fill(code!);
    await phone.getByRole('button', { name: 'Verify' }).click();
    await phone.getByText(/\+201001234567.* is verified\./).waitFor();
    await phone.getByText('Verified', { exact: true }).waitFor();
    await page.reload();
    await phone.getByText('Verified', { exact: true }).waitFor();
    expect((await t.sql<{ phone: string }>('select phone from users where id = $1 and phone_verified_at is not null', [member.id]))[0]?.phone).toBe(
      '+201001234567',
    );
    await photograph(memberTab, 'phone', 'en');

    page.once('dialog', (confirm) => void confirm.accept());
    await phone.getByRole('button', { name: 'Remove number' }).click();
    await phone.getByText('The phone number is removed.').waitFor();
    await phone.getByLabel(/^Mobile number/).waitFor();
    expect((await t.sql<{ phone: string | null }>('select phone from users where id = $1', [member.id]))[0]?.phone).toBeNull();
  });

  test('the owner sets the workspace defaults and reads the log, failures with their reason; a member has no such page', async () => {
    const outsider = await signUp(t, { tenant: true });
    const [refused] = await post('Not for you', outsider);
    expect(refused?.failure).toBeTruthy();
    expect(await unreadOf(outsider)).toBe(0);

    const { page } = ownerTab;
    await page.goto(`/t/${slug}`);
    await menuLink(page, 'Notification settings').click();
    await page.getByRole('heading', { name: 'Notification settings', level: 1 }).waitFor();
    const defaults = page.locator('#notification-defaults');
    await defaults.getByRole('checkbox', { name: 'WhatsApp: Notices' }).check();
    await defaults.getByRole('combobox', { name: 'Delivery: Reports' }).selectOption('hourly');
    await defaults.getByRole('button', { name: 'Save defaults' }).click();
    await defaults.getByText('The workspace’s defaults are saved.').waitFor();

    const log = page.locator('#notification-log');
    await log.getByRole('row').filter({ hasText: 'bulletin.posted' }).first().waitFor();
    const failed = log.getByRole('row').filter({ has: page.locator('.badge', { hasText: /^Failed$/ }) });
    await failed.first().waitFor();
    expect(await failed.first().locator('td[data-label="Status"] .log-failure').textContent()).toContain(refused!.failure);
    await photograph(ownerTab, 'settings', 'en');

    await page.reload();
    await defaults.getByRole('checkbox', { name: 'WhatsApp: Notices' }).waitFor();
    expect(await defaults.getByRole('checkbox', { name: 'WhatsApp: Notices' }).isChecked()).toBe(true);
    expect(await defaults.getByRole('combobox', { name: 'Delivery: Reports' }).inputValue()).toBe('hourly');

    await memberTab.page.goto(`/t/${slug}`);
    await menuLink(memberTab.page, 'Dashboard').waitFor();
    expect(await menuLink(memberTab.page, 'Notification settings').count()).toBe(0);
  });

  test('in Arabic, right to left: a notification in Arabic, the bell, the inbox, preferences and the settings', async () => {
    for (const tab of [memberTab, ownerTab]) {
      await tab.page.goto('/account');
      // The console turns Arabic at once and saves the choice after: notifications are rendered in the saved language.
      const saved = tab.page.waitForResponse((response) => response.request().method() === 'PATCH' && new URL(response.url()).pathname === '/api/v1/me');
      await tab.page.getByLabel(/^Language/).selectOption('ar');
      await saved;
      await tab.page.waitForFunction(() => document.documentElement.dir === 'rtl');
    }
    const { page } = memberTab;
    await page.locator('#notification-preferences').getByRole('checkbox', { name: 'البريد الإلكتروني: الإعلانات' }).waitFor();
    await photograph(memberTab, 'preferences', 'ar');

    await streamOpen(page, () => page.goto(`/t/${slug}/notifications`));
    await page.getByRole('heading', { name: 'الإشعارات', level: 1 }).waitFor();
    await post('Sports day', member);
    await page.getByRole('button', { name: /^الإشعارات، [1١] غير مقروء$/ }).waitFor();
    await page.locator('.notification-inbox').getByRole('link', { name: 'إعلان جديد: Sports day' }).waitFor();
    await photograph(memberTab, 'inbox', 'ar');
    await bell(page).click();
    await page.getByRole('region', { name: 'أحدث الإشعارات' }).getByText('نشر Olga Owner على لوحة الإعلانات.').waitFor();
    await photograph(memberTab, 'bell', 'ar');
    await page.keyboard.press('Escape');

    await ownerTab.page.goto(`/t/${slug}/notification-settings`);
    await ownerTab.page.getByRole('heading', { name: 'إعدادات الإشعارات', level: 1 }).waitFor();
    await ownerTab.page.locator('#notification-log').getByRole('row').filter({ hasText: 'bulletin.posted' }).first().waitFor();
    await photograph(ownerTab, 'settings', 'ar');
  });

  test('no page logged an error', () => {
    expect([...memberTab.errors, ...ownerTab.errors]).toEqual([]);
  });
});
