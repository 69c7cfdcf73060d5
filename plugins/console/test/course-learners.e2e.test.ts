/// <reference lib="dom" /> // page.evaluate callbacks run in the browser
/**
 * Issue 21, a school's learners, in headless Chromium against a real kernel, as people work (click, type; no API
 * call among the steps): a school admin opens a published course, follows "Learners" and enrols a new learner by
 * email. The learner, in a browser of her own, opens the sign-in link the enrolment mailed her, presses Continue,
 * lands on the course and completes its first lesson. The admin's learners table then shows her progress (1 of 2
 * lessons, 50 %); her row opens her lesson-by-lesson progress, and the report's CSV downloads. Once she finishes, the
 * table says so and the certificate preview shows her certificate with its public link. The screens are
 * photographed in English and Arabic at 1280 and 390 px (test-artifacts/lms-<screen>-<en|ar>-<1280|390>.png) and
 * checked by axe-core. World setup (kernel, tenant, the course and its lessons) goes through the API.
 */
import { readFileSync } from 'node:fs';
import { addMember, createTestKernel, type TestKernel, type TestUser } from '@plinth/core/testing';
import lms from '@plinth/plugin-lms';
import type { Browser, Page } from 'playwright-core';
import { afterAll, afterEach, beforeAll, describe, expect, test } from 'vitest';
import consolePlugin from '../src/index.js';
import { launchChromium, openPage, photograph as photographScreen, servedCopy, signIn, type WatchedPage } from './browser.js';
import { ensureWebBuilt } from './web-build.js';

let t: TestKernel;
let browser: Browser;
let admin: WatchedPage;
let learner: WatchedPage | undefined;
const course = { id: '', title: 'Watercolour basics', lessons: ['Your first wash', 'Wet on wet'], lessonIds: [] as string[] };
const learnerEmail = 'lena.learner@school.test';
let learnersUrl = '';
let progressUrl = '';

/** World setup: a published course with one module and two published lessons, made by the owner through the API. */
async function publishedCourse(owner: TestUser): Promise<void> {
  const api = async (method: string, url: string, body: unknown) => {
    const answer = await t.request(method, `/api/v1/lms${url}`, { headers: owner.headers, body });
    expect(answer.status, `${method} ${url}: ${JSON.stringify(answer.body)}`).toBe(201);
    return answer.body.data as { id: string };
  };
  course.id = (await api('POST', '/courses', { title: course.title, slug: 'watercolour-basics', status: 'published' })).id;
  const module = await api('POST', `/courses/${course.id}/modules`, { title: 'Washes' });
  for (const title of course.lessons) {
    const lesson = await api('POST', `/modules/${module.id}/lessons`, { title, status: 'published', content_html: `<p>${title}: the lesson.</p>` });
    course.lessonIds.push(lesson.id);
  }
}

beforeAll(async () => {
  await ensureWebBuilt();
  [t, browser] = await Promise.all([createTestKernel({ plugins: [servedCopy(consolePlugin), servedCopy(lms)], tenants: ['school'] }), launchChromium()]);
  const owner = t.tenants.school!;
  await t.enable(owner, 'lms');
  await publishedCourse(owner);
  const schoolAdmin = await addMember(t, owner, ['admin']);
  admin = await openPage(browser, t.url);
  admin.page.setDefaultTimeout(10_000);
  await signIn(admin, schoolAdmin);
});

afterEach(async (context) => {
  if (context.task.result?.state !== 'fail') return;
  console.log(`errors logged by the pages so far: ${JSON.stringify([...(admin?.errors ?? []), ...(learner?.errors ?? [])])}`);
  await admin?.screenshot(`failed-course-learners-${context.task.name.replace(/\W+/g, '-').slice(0, 50)}`).catch(() => undefined);
});

afterAll(async () => {
  await browser?.close();
  await t?.close();
});

/** Photographs the screen as `lms-<screen>-<language>-1280.png` and `-390.png` (browser.ts `photograph`). */
const photograph = (screen: string, language: 'en' | 'ar') => photographScreen(admin, `lms-${screen}`, language);

/** The learners table's row of the learner with this email. */
const rowOf = (page: Page, email: string) => page.getByRole('row').filter({ hasText: email });

describe.sequential('a course’s learners', () => {
  test('the school admin opens the course, follows “Learners” and enrols a learner by email', async () => {
    const { page } = admin;
    await page.goto('/t/school');
    await page.getByRole('link', { name: 'Courses', exact: true }).first().click();
    // A course opens in its curriculum builder (the primary screen); its details page lists its other screens.
    await page.getByRole('link', { name: course.title }).first().click();
    await page.getByRole('heading', { name: 'Curriculum' }).waitFor();
    await page.getByRole('link', { name: 'Details', exact: true }).click();
    await page.getByRole('heading', { name: course.title }).waitFor();
    await page.getByRole('link', { name: 'Learners' }).click();
    await page.getByRole('heading', { name: 'Enrol learners' }).waitFor();
    learnersUrl = new URL(page.url()).pathname + new URL(page.url()).search;
    expect(learnersUrl).toBe(`/t/school/w/lms/lms-course-learners?id=${course.id}`);
    await page.getByText('No learners yet: enrol some above.').waitFor();

    // An address that is not one is refused beside the field, and nothing is enrolled.
    await page.getByRole('textbox', { name: 'Email addresses' }).fill('lena.learner@');
    await page.getByRole('button', { name: 'Enrol', exact: true }).click();
    await page.getByRole('alert').filter({ hasText: 'lena.learner@' }).waitFor();

    await page.getByRole('textbox', { name: 'Email addresses' }).fill(learnerEmail);
    await page.getByRole('button', { name: 'Enrol', exact: true }).click();
    await page.getByRole('status').filter({ hasText: '1 learner enrolled.' }).waitFor();
    await rowOf(page, learnerEmail).waitFor();
    await expect.poll(() => rowOf(page, learnerEmail).getByRole('cell').nth(3).textContent()).toBe('0 of 2');
    await expect.poll(() => page.getByRole('textbox', { name: 'Email addresses' }).inputValue()).toBe('');
    await photograph('learners', 'en');
  });

  test('the learner signs in with the mailed link and completes the first lesson', async () => {
    // The enrolment's notification is mailed by a job once the enrolment's event is handled: wait for it.
    await expect.poll(async () => (await t.mailbox(learnerEmail)).length, { timeout: 20_000 }).toBeGreaterThan(0);
    const [mail] = await t.mailbox(learnerEmail);
    expect(mail?.subject).toBe(`You are enrolled in ${course.title}`);
    const link = /https?:\/\/\S+/.exec(mail!.text)?.[0];
    expect(link, mail!.text).toBeDefined();

    learner = await openPage(browser, t.url);
    learner.page.setDefaultTimeout(10_000);
    const { page } = learner;
    await page.goto(link!);
    await page.getByRole('button', { name: 'Continue' }).click();
    await page.waitForURL((url) => url.pathname === `/c/school/learn/${course.id}`);
    await page.getByRole('heading', { name: course.title }).waitFor();
    await page.getByRole('link', { name: course.lessons[0] }).first().click();
    await page.waitForURL((url) => url.pathname.endsWith(`/lessons/${course.lessonIds[0]}`));
    await page.getByRole('button', { name: 'Mark as complete' }).click();
    // The form posts and lands on the next lesson.
    await page.waitForURL((url) => url.pathname.endsWith(`/lessons/${course.lessonIds[1]}`));
  });

  test('the admin sees the progress, opens the learner’s lessons and downloads the report', async () => {
    const { page } = admin;
    await page.reload();
    const row = rowOf(page, learnerEmail);
    await expect.poll(() => row.getByRole('cell').nth(3).textContent()).toBe('1 of 2');
    expect(await row.getByRole('progressbar').getAttribute('value')).toBe('50');
    await expect.poll(() => row.getByRole('cell').nth(2).textContent()).toContain('50');
    await page.getByRole('heading', { name: 'Course report' }).waitFor();

    const [download] = await Promise.all([page.waitForEvent('download'), page.getByRole('button', { name: 'Download CSV' }).click()]);
    const csv = readFileSync(await download.path(), 'utf8');
    expect(csv.split('\r\n')[0]).toContain('progress_percent');
    expect(csv).toContain(learnerEmail);

    await page.getByRole('searchbox', { name: 'Search by name or email' }).fill('nobody-here');
    await page.getByRole('button', { name: 'Search', exact: true }).click();
    await page.getByText('No learner matches.').waitFor();
    await page.getByRole('searchbox', { name: 'Search by name or email' }).fill('lena');
    await page.getByRole('button', { name: 'Search', exact: true }).click();
    await row.waitFor();

    await row.getByRole('link').click();
    await page.getByRole('heading', { name: 'Lessons' }).waitFor();
    progressUrl = new URL(page.url()).pathname + new URL(page.url()).search;
    const lessons = page.getByRole('region', { name: 'Lessons' });
    await expect.poll(() => lessons.getByRole('row').filter({ hasText: course.lessons[1]! }).textContent()).toContain('Not yet');
    expect(await lessons.getByRole('row').filter({ hasText: course.lessons[0]! }).textContent()).not.toContain('Not yet');
    await page.getByText('No quiz attempts yet.').waitFor();
    await photograph('learner-progress', 'en');
    await page.getByRole('link', { name: 'All learners' }).click();
    await rowOf(page, learnerEmail).waitFor();
  });

  test('when the learner finishes the course, the admin sees it completed and its certificate', async () => {
    const { page } = learner!;
    await page.getByRole('button', { name: 'Mark as complete' }).click();
    await page.waitForURL((url) => url.pathname === `/c/school/learn/${course.id}`);
    await page.getByText('You completed this course.').waitFor();

    const tab = admin.page;
    await tab.reload();
    const row = rowOf(tab, learnerEmail);
    await expect.poll(() => row.getByRole('cell').nth(5).textContent()).toBe('Completed');
    await tab.getByText('The latest certificate issued for this course.').waitFor();
    const sheet = tab.getByRole('figure', { name: 'Certificate preview' });
    await expect.poll(() => sheet.textContent()).toContain(`completed “${course.title}”`);
    // The console's share element offers the certificate's public page.
    await tab
      .getByRole('link', { name: /\/c\/school\/certificates\/[A-Z0-9]{16}$/ })
      .first()
      .waitFor();
  });

  test('the learners screens in Arabic, right to left', async () => {
    const { page } = admin;
    await page.locator('a[href="/account"]').first().click();
    await page.getByLabel(/^Language/).selectOption('ar');
    await page.waitForFunction(() => document.documentElement.dir === 'rtl');
    await page.goto(learnersUrl);
    await page.getByRole('heading', { name: 'تسجيل متعلّمين' }).waitFor();
    await rowOf(page, learnerEmail).waitFor();
    await photograph('learners', 'ar');
    await page.goto(progressUrl);
    await page.getByRole('heading', { name: 'الدروس' }).waitFor();
    await photograph('learner-progress', 'ar');
  });

  test('no page logged an error', () => {
    expect([...admin.errors, ...(learner?.errors ?? [])]).toEqual([]);
  });
});
