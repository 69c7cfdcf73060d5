/// <reference lib="dom" /> // page.evaluate callbacks run in the browser
/**
 * The buyer's journey of issue 19 in headless Chromium against a real kernel, no staff action anywhere: an anonymous
 * visitor opens a bio page, follows its product's Buy link, gives an email and a name, pays on the hosted checkout
 * with the test gateway's card (and with the card that needs a challenge: approved, then denied and paid again), sees
 * the receipt, follows the receipt mail's "Start <course>" link, signs in with "Continue", and completes a lesson.
 * The customer it became cannot reach staff data; the mail's link works once; signing out ends the page session.
 * Every page on the way is checked (axe-core, named controls, the locale's language and direction, a 390 px phone)
 * and photographed in English and Arabic (`test-artifacts/buyer-<page>-<en|ar>-<1280|390>.png`, the receipt mail as
 * `buyer-mail-…`). Page checks are soft: a failing one is reported at the test's end and the journey goes on.
 */
import type { Page } from 'playwright-core';
import { afterAll, afterEach, beforeAll, describe, expect, test } from 'vitest';
import type { WatchedPage } from './browser.js';
import {
  bootBuyerWorld,
  capturesOf,
  cards,
  checkPage,
  closeBuyerWorld,
  freshTab,
  learningOf,
  latestMail,
  membershipOf,
  ordersOf,
  setLocale,
  settle,
  showMail,
  type BuyerWorld,
} from './buyer-journey-setup.js';

type Locale = 'en' | 'ar';

let world: BuyerWorld;
/** Tabs opened by the running test: closed after it (and photographed when it failed). */
const open: WatchedPage[] = [];
/** The first buyer's context, signed in by the receipt mail's link (used again by the staff-data test). */
let firstBuyer: { tab: WatchedPage; email: string; link: string } | undefined;

beforeAll(async () => {
  world = await bootBuyerWorld();
}, 90_000);

afterEach(async (context) => {
  const failed = context.task.result?.state === 'fail';
  for (const tab of open.splice(0)) {
    if (failed) await tab.screenshot(`failed-buyer-${context.task.name.replace(/\W+/g, '-').slice(0, 50)}`).catch(() => undefined);
    if (tab !== firstBuyer?.tab) await tab.context.close();
  }
});

afterAll(async () => {
  await firstBuyer?.tab.context.close();
  await closeBuyerWorld(world);
});

async function tabFor(): Promise<WatchedPage> {
  const tab = await freshTab(world);
  open.push(tab);
  return tab;
}

/** Page paths of the tenant (`/c/atelier/…`). */
const pages = (path: string) => `/c/${world.slug}${path}`;
const pathIs = (expected: RegExp) => (url: URL) => expected.test(url.pathname);
const escape = (text: string) => text.replace(/[.*+?^${}()|[\]\\]/g, '\\$&');

/** The words the journey reads and clicks, from the plugins' message catalogues (shop, LMS, core's account pages). */
const words = {
  en: {
    email: /^Email/,
    name: 'Name (optional)',
    toPayment: 'Continue to payment',
    card: 'Card number',
    pay: /^Pay /,
    approve: 'Approve',
    deny: 'Deny',
    paid: 'Paid. Thank you for your order!',
    declined: /^The payment did not go through: .*declined/,
    start: (title: string) => `Start ${title}`,
    continue: 'Continue',
    signOut: 'Sign out',
    markComplete: 'Mark as complete',
    progress: '50% complete',
  },
  ar: {
    email: /^البريد الإلكتروني/,
    name: 'الاسم (اختياري)',
    toPayment: 'المتابعة إلى الدفع',
    card: 'رقم البطاقة',
    pay: /^ادفع /,
    approve: 'موافقة',
    deny: 'رفض',
    paid: 'تم الدفع. شكرًا لطلبك!',
    declined: /لم يتم الدفع/,
    start: (title: string) => `ابدأ ${title}`,
    continue: 'متابعة',
    signOut: 'تسجيل الخروج',
    markComplete: 'وضع علامة مكتمل',
    progress: undefined,
  },
} as const;

/**
 * Bio page → Buy link → buy page (email, name) → checkout page; returns the checkout page's path. Without `shots`
 * (journeys after the first) it starts at the buy page, the payment link a bio page or the catalogue links to.
 */
async function startCheckout(tab: WatchedPage, locale: Locale, buyer: { email: string; name: string }, shots: boolean): Promise<string> {
  const { page } = tab;
  const { catalogue } = world;
  if (!shots) {
    await page.goto(pages(`/buy/${catalogue.productSlug}`));
    return buyerDetails(page, locale, buyer);
  }
  const bio = await page.goto(`/b/${catalogue.siteSlug}`);
  expect(bio?.status(), 'bio page').toBe(200);
  const buyLink = page.locator(`a[href*="/buy/${catalogue.productSlug}"]`);
  const linked = (await buyLink.count()) === 1;
  // Soft: without the product block the journey goes on from the buy page, and the test still fails at its end.
  expect.soft(linked, 'the bio page links to the product’s buy page').toBe(true);
  if (linked) await page.getByText(catalogue.productName).first().waitFor();
  await checkPage(tab, 'bio', locale);

  if (linked) await buyLink.click();
  else await page.goto(pages(`/buy/${catalogue.productSlug}`));
  await page.waitForURL(pathIs(new RegExp(`^${escape(pages(`/buy/${catalogue.productSlug}`))}$`)));
  await page.getByRole('heading', { name: catalogue.productName }).waitFor();
  await checkPage(tab, 'buy', locale);

  return buyerDetails(page, locale, buyer);
}

/** Fills the buy page's form and continues to the checkout page; returns its path. */
async function buyerDetails(page: Page, locale: Locale, buyer: { email: string; name: string }): Promise<string> {
  await page.getByLabel(words[locale].email).fill(buyer.email);
  await page.getByLabel(words[locale].name, { exact: true }).fill(buyer.name);
  await page.getByRole('button', { name: words[locale].toPayment }).click();
  await page.waitForURL(pathIs(new RegExp(`^${escape(pages('/checkout/'))}[^/]+$`)));
  return new URL(page.url()).pathname;
}

/** Types a card on the checkout page and submits it. */
async function payWith(page: Page, locale: Locale, card: string): Promise<void> {
  await page.getByLabel(words[locale].card, { exact: true }).fill(card);
  await page.getByRole('button', { name: words[locale].pay }).click();
}

/** Waits until the buyer's order is paid in the database (settling jobs and events), then for the receipt page to say so. */
async function expectPaidReceipt(tab: WatchedPage, locale: Locale, email: string): Promise<void> {
  const { page } = tab;
  await page.waitForURL(pathIs(new RegExp(`^${escape(pages('/orders/'))}[^/]+$`)));
  await settle(world, async () => (await ordersOf(world, email)).at(-1)?.status === 'paid', `the order of ${email} is paid`);
  await page.reload();
  await page.getByText(words[locale].paid).waitFor();
}

/** Finds the receipt mail of `email`, shows it in `tab`, photographs it, and returns the "Start <course>" link. */
async function courseLinkFromReceipt(tab: WatchedPage, locale: Locale, email: string): Promise<string> {
  const { courseTitle } = world.catalogue;
  const mail = await settle(
    world,
    async () => (await world.t.mailbox(email)).find((candidate) => candidate.html?.includes(courseTitle)),
    `a mail to ${email} with a link into “${courseTitle}”`,
  );
  const links = await showMail(tab, mail.html!, locale);
  const start = links.find((link) => link.text.includes(courseTitle));
  expect(start, `links in the receipt mail: ${JSON.stringify(links)}`).toBeDefined();
  expect(start!.text).toBe(words[locale].start(courseTitle));
  expect(new URL(start!.href).pathname).toBe(pages('/account/link'));
  return start!.href;
}

/** Sign-in link → "Continue" → the course's learner page → lesson 1 → "Mark as complete". */
async function learnFirstLesson(tab: WatchedPage, locale: Locale, link: string, shots: boolean): Promise<void> {
  const { page } = tab;
  const { courseId, lessonIds } = world.catalogue;
  await page.goto(link);
  if (shots) await checkPage(tab, 'sign-in-link', locale);
  await page.getByRole('button', { name: words[locale].continue }).click();
  await page.waitForURL(pathIs(new RegExp(`^${escape(pages(`/learn/${courseId}`))}$`)));
  if (shots) await checkPage(tab, 'course', locale);

  await page.locator(`a[href$="/learn/${courseId}/lessons/${lessonIds[0]}"]`).first().click();
  await page.waitForURL(pathIs(new RegExp(`/learn/${courseId}/lessons/${lessonIds[0]}$`)));
  if (locale === 'en') await page.getByText('Lesson 1: Your first wash.').waitFor();
  if (shots) await checkPage(tab, 'lesson', locale);
  await page.getByRole('button', { name: words[locale].markComplete }).click();
  // The form posts and lands on the next lesson.
  await page.waitForURL(pathIs(new RegExp(`/learn/${courseId}/lessons/${lessonIds[1]}$`)));
  await page.goto(pages(`/learn/${courseId}`));
  expect(await page.getByRole('progressbar').getAttribute('value')).toBe('50');
  if (words[locale].progress) await page.getByText(words[locale].progress!).first().waitFor();
}

describe.sequential('the buyer’s journey in Chromium', () => {
  test('an anonymous buyer pays with the test card, gets the receipt mail, and completes a lesson', async () => {
    expect.soft(world.problems).toEqual([]);
    const tab = await tabFor();
    const email = 'ada.buyer@example.test';
    await startCheckout(tab, 'en', { email, name: 'Ada Buyer' }, true);
    await tab.page.getByText(world.catalogue.productName).first().waitFor();
    await checkPage(tab, 'checkout', 'en');
    await payWith(tab.page, 'en', cards.succeeds);
    await expectPaidReceipt(tab, 'en', email);
    await checkPage(tab, 'receipt', 'en');

    const link = await courseLinkFromReceipt(tab, 'en', email);
    firstBuyer = { tab, email, link };
    await learnFirstLesson(tab, 'en', link, true);

    const orders = await ordersOf(world, email);
    expect(orders.map((order) => order.status)).toEqual(['paid']);
    expect(await capturesOf(world, orders[0]!.id)).toBe(1);
    const member = await membershipOf(world, email);
    expect(member?.kind).toBe('customer');
    expect(orders[0]!.user_id, 'the order’s customer is linked to the account').toBe(member!.user_id);
    const learning = await learningOf(world, member!.user_id, world.catalogue.courseId);
    expect(learning.enrolments).toEqual([expect.objectContaining({ source: 'purchase' })]);
    expect(learning.completedLessons).toEqual([world.catalogue.lessonIds[0]]);
    // The receipt mail carries the invoice as a PDF.
    const attached = await world.t.sql<{ filename: string; content_type: string; content: string }>(
      "select a->>'filename' as filename, a->>'content_type' as content_type, a->>'content' as content from mail_outbox, jsonb_array_elements(attachments) a where \"to\" = $1",
      [email],
    );
    expect(attached).toEqual([expect.objectContaining({ content_type: 'application/pdf', filename: expect.stringMatching(/\.pdf$/) })]);
    expect(Buffer.from(attached[0]!.content, 'base64').subarray(0, 5).toString()).toBe('%PDF-');
    expect(tab.errors).toEqual([]);
  }, 60_000);

  test('the card that needs a challenge: approved → receipt; denied → back to checkout with the reason, then paid', async () => {
    // Approved.
    const approving = await tabFor();
    const approver = 'grace.approve@example.test';
    await startCheckout(approving, 'en', { email: approver, name: 'Grace Approve' }, false);
    await payWith(approving.page, 'en', cards.requiresAction);
    await approving.page.waitForURL(pathIs(new RegExp(`^${escape(pages('/checkout/'))}[^/]+/challenge$`)));
    await checkPage(approving, 'challenge', 'en');
    await approving.page.getByRole('button', { name: words.en.approve }).click();
    await expectPaidReceipt(approving, 'en', approver);
    const [approved] = await ordersOf(world, approver);
    expect(await capturesOf(world, approved!.id)).toBe(1);
    expect(approving.errors).toEqual([]);

    // Denied, then a good card.
    const denying = await tabFor();
    const denier = 'linus.deny@example.test';
    const checkoutPath = await startCheckout(denying, 'en', { email: denier, name: 'Linus Deny' }, false);
    await payWith(denying.page, 'en', cards.requiresAction);
    await denying.page.waitForURL(pathIs(new RegExp(`^${escape(checkoutPath)}/challenge$`)));
    await denying.page.getByRole('button', { name: words.en.deny }).click();
    await denying.page.waitForURL(pathIs(new RegExp(`^${escape(checkoutPath)}$`)));
    await denying.page.getByText(words.en.declined).first().waitFor();
    expect((await ordersOf(world, denier)).map((order) => order.status)).toEqual(['pending']);
    await checkPage(denying, 'checkout-declined', 'en');
    await payWith(denying.page, 'en', cards.succeeds);
    await expectPaidReceipt(denying, 'en', denier);
    const orders = await ordersOf(world, denier);
    expect(orders.map((order) => order.status)).toEqual(['paid']);
    expect(await capturesOf(world, orders[0]!.id)).toBe(1);
    expect(denying.errors).toEqual([]);
  }, 60_000);

  test('the customer’s session reaches no staff data: CRM contacts, shop orders, payment intents', async () => {
    expect(firstBuyer, 'the first test signed the buyer in').toBeDefined();
    const { page } = firstBuyer!.tab;
    // Still signed in: the learner page answers, not the sign-in page.
    await page.goto(pages(`/learn/${world.catalogue.courseId}`));
    expect(new URL(page.url()).pathname).toBe(pages(`/learn/${world.catalogue.courseId}`));

    const statuses = await page.evaluate(
      async ({ tenant }) => {
        const answers: Record<string, number> = {};
        for (const path of ['/api/v1/crm/contacts', '/api/v1/shop/orders', '/api/v1/payments/intents']) {
          answers[path] = (await fetch(path, { headers: { 'x-tenant': tenant }, credentials: 'include' })).status;
        }
        return answers;
      },
      { tenant: world.slug },
    );
    // The page session is an HttpOnly, SameSite=Lax cookie scoped to the tenant's pages: the API sees an anonymous
    // caller (401), never the customer's data.
    const cookies = await firstBuyer!.tab.context.cookies();
    expect(cookies.map(({ path, httpOnly, sameSite }) => ({ path, httpOnly, sameSite }))).toEqual([{ path: pages(''), httpOnly: true, sameSite: 'Lax' }]);
    expect(statuses).toEqual({ '/api/v1/crm/contacts': 401, '/api/v1/shop/orders': 401, '/api/v1/payments/intents': 401 });
    // The same cookie sent to the API on purpose (the kernel accepts a page session on any route of its tenant): the
    // customer is known, and refused.
    const cookie = `${cookies[0]!.name}=${cookies[0]!.value}`;
    for (const path of ['/api/v1/crm/contacts', '/api/v1/shop/orders', '/api/v1/payments/intents']) {
      const answer = await world.t.request('GET', path, { headers: { cookie, 'x-tenant': world.slug } });
      expect(answer.status, `${path} with the page cookie: ${JSON.stringify(answer.body)}`).toBe(403);
    }

    // With the customer's own bearer token (the JSON sign-in link, redeemed): authenticated, and still refused.
    const asked = await world.t.request('POST', '/api/v1/customers/auth/magic-link', {
      headers: { 'x-tenant': world.slug },
      body: { email: firstBuyer!.email, next: pages('/learn') },
    });
    expect(asked.status).toBe(202);
    const mail = await settle(world, () => latestMail(world, firstBuyer!.email, /sign.?in/i), 'the sign-in mail');
    const token = /[?&]token=([^"&\s]+)/.exec(mail.text)?.[1];
    expect(token, mail.text).toBeDefined();
    const redeemed = await world.t.request('POST', '/api/v1/customers/auth/verify', {
      headers: { 'x-tenant': world.slug },
      body: { token: decodeURIComponent(token!) },
    });
    expect(redeemed.status, JSON.stringify(redeemed.body)).toBe(200);
    const headers = { authorization: `Bearer ${redeemed.body.data.tokens.access_token}`, 'x-tenant': world.slug };
    for (const path of ['/api/v1/crm/contacts', '/api/v1/shop/orders', '/api/v1/payments/intents', '/api/v1/members']) {
      const answer = await world.t.request('GET', path, { headers });
      expect(answer.status, `${path} as the customer: ${JSON.stringify(answer.body)}`).toBe(403);
    }
    const mine = await world.t.request('GET', '/api/v1/shop/my/orders', { headers });
    expect(mine.status).toBe(200);
    expect(mine.body.data).toHaveLength(1);
  });

  test('the sign-in link works once; learner pages need a session; signing out ends it at once', async () => {
    expect(firstBuyer, 'the first test signed the buyer in').toBeDefined();
    const coursePage = pages(`/learn/${world.catalogue.courseId}`);
    const stranger = await tabFor();
    // Someone else with the (used) link from the mail: the page says so, and pressing nothing signs them in.
    const used = await stranger.page.goto(firstBuyer!.link);
    expect(used?.status()).toBe(410);
    expect(await stranger.page.getByRole('button', { name: words.en.continue }).count()).toBe(0);
    // Not signed in: the learner page sends to the sign-in page, which will come back to it.
    await stranger.page.goto(coursePage);
    await stranger.page.waitForURL(pathIs(new RegExp(`^${escape(pages('/account/sign-in'))}$`)));
    expect(new URL(stranger.page.url()).searchParams.get('next')).toBe(coursePage);

    const { page } = firstBuyer!.tab;
    await page.goto(pages('/account'));
    await page.getByText(firstBuyer!.email).first().waitFor();
    await page.getByRole('button', { name: words.en.signOut }).click();
    await page.waitForURL(pathIs(new RegExp(`^${escape(pages('/account/sign-in'))}$`)));
    await page.goto(coursePage);
    await page.waitForURL(pathIs(new RegExp(`^${escape(pages('/account/sign-in'))}$`)));
    expect(firstBuyer!.tab.errors).toEqual([]);
  });

  test('in Arabic: the same journey, right to left, with the challenge card approved', async () => {
    await setLocale(world, 'ar');
    try {
      const tab = await tabFor();
      const email = 'noor.buyer@example.test';
      await startCheckout(tab, 'ar', { email, name: 'نور' }, true);
      await checkPage(tab, 'checkout', 'ar');
      await payWith(tab.page, 'ar', cards.requiresAction);
      await tab.page.waitForURL(pathIs(/\/challenge$/));
      await checkPage(tab, 'challenge', 'ar');
      await tab.page.getByRole('button', { name: words.ar.approve }).click();
      await expectPaidReceipt(tab, 'ar', email);
      await checkPage(tab, 'receipt', 'ar');
      const link = await courseLinkFromReceipt(tab, 'ar', email);
      await learnFirstLesson(tab, 'ar', link, true);
      const orders = await ordersOf(world, email);
      expect(orders.map((order) => order.status)).toEqual(['paid']);
      expect(await capturesOf(world, orders[0]!.id)).toBe(1);
      const member = await membershipOf(world, email);
      expect(member?.kind).toBe('customer');
      expect((await learningOf(world, member!.user_id, world.catalogue.courseId)).completedLessons).toEqual([world.catalogue.lessonIds[0]]);
      expect(tab.errors).toEqual([]);
    } finally {
      await setLocale(world, 'en');
    }
  }, 60_000);
});
