/// <reference lib="dom" /> // page.evaluate callbacks run in the browser
/**
 * The world of the buyer-journey test: a real kernel with shop, payments, LMS, bio sites and CRM; one tenant whose
 * staff set everything up through the API (test gateway, a course sold as a product, a bio page with a product
 * block); helpers to settle asynchronous work, to check and photograph each customer page, and to read the
 * tenant's outbox.
 */
import { createTestKernel, type TestKernel, type TestResponse, type TestUser } from '@plinth/core/testing';
import bioSites from '@plinth/plugin-bio-sites';
import crm from '@plinth/plugin-crm';
import lms from '@plinth/plugin-lms';
import payments from '@plinth/plugin-payments';
import shop from '@plinth/plugin-shop';
import type { Browser } from 'playwright-core';
import { expect } from 'vitest';
import { artifactsDir, launchChromium, openPage, type WatchedPage } from './browser.js';
import { expectAxeClean, expectNamedControls } from './named-controls.js';

/** The payments test gateway's cards (plugins/payments/src/providers/test-provider.ts `testCards`), as a buyer types them. */
export const cards = { succeeds: '4242 4242 4242 4242', requiresAction: '4000 0025 0000 3155' } as const;

export interface Catalogue {
  productId: string;
  productSlug: string;
  productName: string;
  variantId: string;
  courseId: string;
  courseTitle: string;
  lessonIds: string[];
  siteSlug: string;
}

export interface BuyerWorld {
  t: TestKernel;
  browser: Browser;
  owner: TestUser;
  slug: string;
  catalogue: Catalogue;
  /** What the setup could not do (asserted by the first test). */
  problems: string[];
  /** Calls the API as the owner (staff). */
  staff(method: string, path: string, body?: unknown): Promise<TestResponse>;
}

function expectStatus(response: TestResponse, status: number, what: string): TestResponse {
  expect(response.status, `${what}: ${JSON.stringify(response.body)}`).toBe(status);
  return response;
}

/** Boots the kernel and Chromium, and sets up the tenant `atelier` as its owner would, through the API only. */
export async function bootBuyerWorld(): Promise<BuyerWorld> {
  const [t, browser] = await Promise.all([createTestKernel({ plugins: [payments, shop, lms, bioSites, crm], tenants: ['atelier'] }), launchChromium()]);
  const owner = t.tenants.atelier!;
  const slug = owner.tenant!.slug;
  const staff = (method: string, path: string, body?: unknown) => t.request(method, path, { headers: owner.headers, body });
  for (const plugin of ['payments', 'shop', 'lms', 'bio-sites', 'crm']) await t.enable(owner, plugin);
  expectStatus(
    await staff('PUT', '/api/v1/payments/providers/test', { credentials: { webhook_secret: `whsec_${slug}` } }),
    200,
    'configuring the test gateway',
  );
  expectStatus(await staff('PUT', '/api/v1/plugins/payments/settings', { default_provider: 'test' }), 200, 'default provider');

  const productName = 'Watercolour basics';
  const productSlug = 'watercolour-basics';
  const product = expectStatus(
    await staff('POST', '/api/v1/shop/products', {
      name: productName,
      slug: productSlug,
      status: 'active',
      metadata: {},
      variants: [{ sku: 'WATER-1', price: 4900, stock: 100 }],
    }),
    201,
    'creating the product',
  ).body.data;

  const courseTitle = 'Watercolour for beginners';
  const course = expectStatus(
    await staff('POST', '/api/v1/lms/courses', {
      title: courseTitle,
      slug: 'watercolour-for-beginners',
      description: 'Wet on wet, washes and glazes.',
      status: 'published',
      shop_product_id: product.id,
    }),
    201,
    'creating the course',
  ).body.data;
  const module = expectStatus(await staff('POST', `/api/v1/lms/courses/${course.id}/modules`, { title: 'Getting started' }), 201, 'module').body.data;
  const lessonIds: string[] = [];
  for (const [index, title] of ['Your first wash', 'Glazing'].entries()) {
    const lesson = expectStatus(
      await staff('POST', `/api/v1/lms/modules/${module.id}/lessons`, {
        title,
        status: 'published',
        content_html: `<p>Lesson ${index + 1}: ${title}.</p>`,
      }),
      201,
      `lesson ${index + 1}`,
    ).body.data;
    lessonIds.push(lesson.id);
  }

  const siteSlug = 'atelier-links';
  const site = expectStatus(
    await staff('POST', '/api/v1/bio-sites/sites', { slug: siteSlug, title: 'The Atelier', bio: 'Painting classes online.', status: 'published' }),
    201,
    'creating the bio site',
  ).body.data;
  // The product block is checked by the first test (softly: the rest of the journey still runs without it).
  const block = await staff('POST', `/api/v1/bio-sites/sites/${site.id}/blocks`, { type: 'product', data: { product_slug: productSlug } });
  const problems = block.status === 201 ? [] : [`adding the product block: ${block.status} ${JSON.stringify(block.body)}`];

  return {
    t,
    browser,
    owner,
    slug,
    staff,
    problems,
    catalogue: {
      productId: product.id,
      productSlug,
      productName,
      variantId: product.variants[0].id,
      courseId: course.id,
      courseTitle,
      lessonIds,
      siteSlug,
    },
  };
}

/** Sets the tenant's locale (customer pages and mails follow it). */
export async function setLocale(world: BuyerWorld, locale: 'en' | 'ar'): Promise<void> {
  expectStatus(await world.staff('PATCH', '/api/v1/tenant', { locale }), 200, `setting the locale to ${locale}`);
}

/**
 * Runs the kernel's queued jobs and pending events until `check` holds (bounded; no sleeps as synchronisation):
 * the test gateway settles a payment through a signed webhook delivered by a job, then `shop.order.paid` handlers run.
 */
export async function settle<T>(world: BuyerWorld, check: () => Promise<T | undefined | null | false>, what: string, timeoutMs = 15_000): Promise<T> {
  const deadline = Date.now() + timeoutMs;
  for (;;) {
    const value = await check();
    if (value) return value;
    if (Date.now() > deadline) throw new Error(`${what}: not reached within ${timeoutMs} ms`);
    await world.t.drainJobs();
    await world.t.drainEvents();
  }
}

/** A fresh browser context (nobody signed in) at the kernel's URL. */
export async function freshTab(world: BuyerWorld): Promise<WatchedPage> {
  const tab = await openPage(world.browser, world.t.url);
  tab.page.setDefaultTimeout(10_000);
  return tab;
}

/**
 * The checks every customer page on the way gets (soft: recorded, the journey goes on): axe-core clean and every control named (over the whole body),
 * the document's language and direction follow the locale, it fits a 390 px phone without sideways scrolling; then
 * screenshots `buyer-<name>-<locale>-1280.png` and `-390.png` in test-artifacts/.
 */
export async function checkPage(tab: WatchedPage, name: string, locale: 'en' | 'ar'): Promise<void> {
  const { page } = tab;
  const documentLocale = await page.evaluate(() => ({ lang: document.documentElement.lang, dir: document.documentElement.dir || 'ltr' }));
  expect.soft(documentLocale.lang.split('-')[0], `${name}: <html lang>`).toBe(locale);
  expect.soft(documentLocale.dir, `${name}: <html dir>`).toBe(locale === 'ar' ? 'rtl' : 'ltr');
  await softly(`${name}: controls without a name`, () => expectNamedControls(page, 'body'));
  await softly(`${name}: axe-core`, () => expectAxeClean(page, 'body'));
  const viewport = page.viewportSize() ?? { width: 1280, height: 860 };
  await tab.screenshot(`buyer-${name}-${locale}-1280`);
  await page.setViewportSize({ width: 390, height: 844 });
  try {
    const width = await page.evaluate(() => document.documentElement.scrollWidth);
    expect.soft(width, `${name}: wider than a 390 px phone`).toBeLessThanOrEqual(390);
    await tab.screenshot(`buyer-${name}-${locale}-390`);
  } finally {
    await page.setViewportSize(viewport);
  }
}

/** Runs a check; its failure is recorded (the test fails at its end) and the journey goes on. */
async function softly(what: string, check: () => Promise<void>): Promise<void> {
  try {
    await check();
  } catch (error) {
    expect.soft((error as Error).message, what).toBe('');
  }
}

/** The newest mail to `to` whose subject matches, or undefined. */
export async function latestMail(world: BuyerWorld, to: string, subject: RegExp) {
  const mails = await world.t.mailbox(to);
  return mails.filter((mail) => subject.test(mail.subject)).at(-1);
}

/**
 * Shows a mail's HTML part in a page of its own (as a mail client would: no page's Content-Security-Policy applies),
 * photographs it as `buyer-mail-<locale>-<1280|390>.png`, and returns the links in it with their text.
 */
export async function showMail(tab: WatchedPage, htmlPart: string, locale: 'en' | 'ar'): Promise<{ text: string; href: string }[]> {
  const page = await tab.context.newPage();
  try {
    await page.setViewportSize({ width: 1280, height: 860 });
    await page.setContent(htmlPart);
    await page.screenshot({ path: `${artifactsDir}buyer-mail-${locale}-1280.png`, fullPage: true });
    await page.setViewportSize({ width: 390, height: 844 });
    await page.screenshot({ path: `${artifactsDir}buyer-mail-${locale}-390.png`, fullPage: true });
    return await page.evaluate(() => Array.from(document.querySelectorAll('a')).map((link) => ({ text: link.textContent?.trim() ?? '', href: link.href })));
  } finally {
    await page.close();
  }
}

/** The order of `email` in the tenant, as stored (status, public token, its intent). */
export async function ordersOf(world: BuyerWorld, email: string) {
  return world.t.sql<{ id: string; status: string; payment_intent_id: string | null; user_id: string | null }>(
    `select o.id, o.status, o.payment_intent_id, c.user_id from shop_orders o join shop_customers c on c.id = o.customer_id
      where o.tenant_id = $1 and lower(c.email) = lower($2) order by o.placed_at`,
    [world.owner.tenant!.id, email],
  );
}

/** How many captures the order's payments have, over every intent made for it (`metadata.shop_order_id`). */
export async function capturesOf(world: BuyerWorld, orderId: string): Promise<number> {
  const [row] = await world.t.sql<{ count: string }>(
    `select count(*) from payments_transactions x join payments_intents i on i.id = x.intent_id
      where x.type = 'capture' and i.metadata->>'shop_order_id' = $1`,
    [orderId],
  );
  return Number(row!.count);
}

/** The user with this email and their membership kind in the tenant. */
export async function membershipOf(world: BuyerWorld, email: string) {
  const [row] = await world.t.sql<{ user_id: string; kind: string }>(
    'select u.id as user_id, m.kind from users u join memberships m on m.user_id = u.id where lower(u.email) = lower($1) and m.tenant_id = $2',
    [email, world.owner.tenant!.id],
  );
  return row;
}

/** The buyer's enrolment in the course and the lessons they completed in it. */
export async function learningOf(world: BuyerWorld, userId: string, courseId: string) {
  const enrolments = await world.t.sql<{ id: string; source: string; progress_percent: number }>(
    'select id, source, progress_percent from lms_enrollments where user_id = $1 and course_id = $2',
    [userId, courseId],
  );
  const completed = await world.t.sql<{ lesson_id: string }>(
    'select p.lesson_id from lms_lesson_progress p join lms_enrollments e on e.id = p.enrollment_id where e.user_id = $1 and e.course_id = $2 and p.completed_at is not null',
    [userId, courseId],
  );
  return { enrolments, completedLessons: completed.map((row) => row.lesson_id) };
}

/** Closes Chromium and the kernel. */
export async function closeBuyerWorld(world: BuyerWorld | undefined): Promise<void> {
  await world?.browser.close();
  await world?.t.close();
}
