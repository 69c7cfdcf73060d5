/// <reference lib="dom" /> // page.evaluate callbacks run in the browser
/**
 * Issue 21, the school's side, in headless Chromium against a real kernel, as a school admin would work (click,
 * type, drag, keyboard; no API call among the steps): she creates a course with the console's form and lands in its
 * curriculum builder, adds two modules and three lessons inline, drags a lesson into the other module, moves a module
 * up with the keyboard, writes a lesson's text, and gives it a quiz of two questions with a pass mark (after the
 * builder refused an empty question beside the field). Reloading shows the same tree and quiz. She publishes the
 * course, enrols a learner by email from its Learners screen, and once the learner (a second browser, following the
 * mailed link) has completed a lesson, sees her progress. Both builders are
 * photographed in English and Arabic at 1280 and 390 px (test-artifacts/lms-<screen>-<en|ar>-<1280|390>.png) and
 * checked by axe-core.
 */
import { addMember, createTestKernel, type TestKernel, type TestUser } from '@plinth/core/testing';
import lms from '@plinth/plugin-lms';
import type { Browser, Locator, Page } from 'playwright-core';
import { afterAll, beforeAll, describe, expect, test } from 'vitest';
import consolePlugin from '../src/index.js';
import { dragTo, launchChromium, openPage, photograph as photographScreen, recordFailures, servedCopy, signIn, type WatchedPage } from './browser.js';
import { ensureWebBuilt } from './web-build.js';

let t: TestKernel;
let browser: Browser;
let owner: TestUser;
let admin: WatchedPage;
let builderUrl = '';
let quizUrl = '';
const learnerEmail = 'lena.learner@school.test';

beforeAll(async () => {
  await ensureWebBuilt();
  [t, browser] = await Promise.all([createTestKernel({ plugins: [servedCopy(consolePlugin), servedCopy(lms)], tenants: ['school'] }), launchChromium()]);
  owner = t.tenants.school!;
  await t.enable(owner, 'lms');
  const schoolAdmin = await addMember(t, owner, ['admin']);
  admin = await openPage(browser, t.url);
  admin.page.setDefaultTimeout(10_000);
  await signIn(admin, schoolAdmin);
});

recordFailures('course-builder', () => admin);

afterAll(async () => {
  await browser?.close();
  await t?.close();
});

/** A labelled text or number input by its accessible name. */
const input = (scope: Page | Locator, name: string | RegExp) =>
  scope.getByRole('textbox', { name, exact: true }).or(scope.getByRole('spinbutton', { name, exact: true }));

/** The builder's tree as the screen shows it: each module's title with its lessons' titles, in order. */
function tree(page: Page): Promise<[string, string[]][]> {
  return page.evaluate(() =>
    Array.from(document.querySelectorAll('.builder-module')).map((module) => [
      module.querySelector('h3')?.textContent ?? '',
      Array.from(module.querySelectorAll('.builder-lesson .builder-title')).map((title) => title.textContent ?? ''),
    ]),
  );
}

/** Waits until every change of the builder has been saved (the builder says so once its queue is empty). */
async function allSaved(page: Page): Promise<void> {
  await page.locator('.builder-status', { hasText: /^All changes saved$|^حُفظت كل التغييرات$/ }).waitFor();
}

/** Photographs the screen as `lms-<screen>-<language>-1280.png` and `-390.png` (browser.ts `photograph`). */
const photograph = (screen: string, language: 'en' | 'ar') => photographScreen(admin, `lms-${screen}`, language);

describe.sequential('the curriculum and quiz builders', () => {
  test('a school admin creates a course and lands in its curriculum builder', async () => {
    const { page } = admin;
    await page.goto(`/t/school/p/lms/courses/new`);
    await input(page, 'Title').fill('Watercolour basics');
    await input(page, 'Slug').fill('watercolour-basics');
    await page.getByRole('button', { name: /^Create course/ }).click();
    await page.waitForURL(/\/w\/lms\/lms-course-builder\?id=/);
    builderUrl = new URL(page.url()).pathname + new URL(page.url()).search;
    await page.getByRole('heading', { name: 'Curriculum', level: 1 }).waitFor();
    expect(await page.getByLabel('Course title').inputValue()).toBe('Watercolour basics');
    await page.getByText('No modules yet: add the first one below.').waitFor();
  });

  test('she adds two modules and three lessons inline: type a title, press Enter', async () => {
    const { page } = admin;
    const newModule = page.getByRole('textbox', { name: 'New module title' });
    await newModule.fill('Materials');
    await newModule.press('Enter');
    await page.getByRole('heading', { name: 'Materials', level: 3 }).waitFor();
    expect(await newModule.inputValue(), 'the field empties for the next module').toBe('');
    await newModule.fill('Techniques');
    await newModule.press('Enter');
    await page.getByRole('heading', { name: 'Techniques', level: 3 }).waitFor();

    const inMaterials = page.getByRole('textbox', { name: 'New lesson title in Materials' });
    await inMaterials.fill('Paper and brushes');
    await inMaterials.press('Enter');
    await page.getByRole('button', { name: /^Paper and brushes/ }).waitFor();
    await inMaterials.fill('Mixing colours');
    await inMaterials.press('Enter');
    await page.getByRole('button', { name: /^Mixing colours/ }).waitFor();
    const inTechniques = page.getByRole('textbox', { name: 'New lesson title in Techniques' });
    await inTechniques.fill('Wet on wet');
    await inTechniques.press('Enter');
    await page.getByRole('button', { name: /^Wet on wet/ }).waitFor();
    await allSaved(page);
    expect(await tree(page)).toEqual([
      ['Materials', ['Paper and brushes', 'Mixing colours']],
      ['Techniques', ['Wet on wet']],
    ]);

    // A lesson renamed in place (Enter saves), then deleted after a confirmation.
    await inTechniques.fill('Scratch');
    await inTechniques.press('Enter');
    await page.getByRole('button', { name: 'Rename Scratch' }).click();
    const rename = page.getByRole('textbox', { name: 'Lesson title', exact: true });
    await rename.fill('Scratch lesson');
    await rename.press('Enter');
    await page.getByRole('button', { name: /^Scratch lesson/ }).waitFor();
    await expect
      .poll(() => page.evaluate(() => document.activeElement?.getAttribute('aria-label')), { message: 'the focus is back on Rename' })
      .toBe('Rename Scratch lesson');
    await allSaved(page);
    await page.getByRole('button', { name: 'Delete Scratch lesson' }).click();
    const dialog = page.getByRole('dialog', { name: 'Delete lesson' });
    await dialog.getByText('Delete Scratch lesson? Its quiz, the learners’ progress and its files go too.').waitFor();
    await admin.checkAccessibility();
    await dialog.getByRole('button', { name: 'Delete lesson' }).click();
    await page.getByRole('status').filter({ hasText: 'Scratch lesson deleted' }).waitFor();
    expect(await tree(page)).toEqual([
      ['Materials', ['Paper and brushes', 'Mixing colours']],
      ['Techniques', ['Wet on wet']],
    ]);
  });

  test('she drags a lesson into the other module and moves a module up with the keyboard', async () => {
    const { page } = admin;
    const target = page.locator('.builder-lesson', { hasText: 'Wet on wet' });
    const box = (await target.boundingBox())!;
    // Dropped just after "Wet on wet", in the other module.
    await dragTo(page, page.getByRole('button', { name: 'Move Mixing colours' }), { x: box.x + box.width / 2, y: box.y + box.height * 0.75 }, () =>
      target.evaluate((element) => element.nextElementSibling?.classList.contains('sortable-ghost') === true),
    );
    await expect
      .poll(() => tree(page))
      .toEqual([
        ['Materials', ['Paper and brushes']],
        ['Techniques', ['Wet on wet', 'Mixing colours']],
      ]);
    await allSaved(page);

    const handle = page.getByRole('button', { name: 'Move Techniques' });
    await handle.focus();
    await page.keyboard.press('ArrowUp');
    await expect
      .poll(() => tree(page))
      .toEqual([
        ['Techniques', ['Wet on wet', 'Mixing colours']],
        ['Materials', ['Paper and brushes']],
      ]);
    expect(await handle.evaluate((element) => element === document.activeElement), 'the focus stays on the moved handle').toBe(true);
    await page.getByRole('status').filter({ hasText: 'Moved to position 1 of 2' }).waitFor();
    await allSaved(page);

    // Past the top of its module a lesson goes on into the module above, and back down again.
    const paper = page.getByRole('button', { name: 'Move Paper and brushes' });
    await paper.focus();
    await page.keyboard.press('ArrowUp');
    await expect
      .poll(() => tree(page))
      .toEqual([
        ['Techniques', ['Wet on wet', 'Mixing colours', 'Paper and brushes']],
        ['Materials', []],
      ]);
    await page.getByRole('status').filter({ hasText: 'Moved to Techniques, position 3 of 3' }).waitFor();
    expect(await paper.evaluate((element) => element === document.activeElement)).toBe(true);
    await page.keyboard.press('ArrowDown');
    await expect
      .poll(() => tree(page))
      .toEqual([
        ['Techniques', ['Wet on wet', 'Mixing colours']],
        ['Materials', ['Paper and brushes']],
      ]);
    await allSaved(page);
  });

  test('she writes a lesson’s text in the lesson editor', async () => {
    const { page } = admin;
    await page.getByRole('button', { name: /^Wet on wet/ }).click();
    await page.getByRole('heading', { name: 'Lesson: Wet on wet', level: 2 }).waitFor();
    const content = page.getByRole('textbox', { name: 'Content' });
    await content.click();
    await page.keyboard.type('Wet the paper first, then drop the colour in.');
    // An uploaded handout and a link, as attachments.
    await page
      .getByLabel('Upload files')
      .setInputFiles({ name: 'palette.txt', mimeType: 'text/plain', buffer: Buffer.from('Ultramarine, burnt sienna, lemon yellow.\n') });
    await page.getByText('palette.txt', { exact: true }).waitFor();
    await page.getByRole('button', { name: 'Add link' }).click();
    await page.getByRole('textbox', { name: 'Title of attachment 2' }).fill('Colour wheel');
    // A link that is not one is refused beside the field before anything is sent.
    await page.getByRole('textbox', { name: 'Link of attachment 2' }).fill('colour wheel');
    await page.getByRole('button', { name: 'Save lesson' }).click();
    await page.getByText('Enter a link starting with https://').waitFor();
    await page.getByRole('textbox', { name: 'Link of attachment 2' }).fill('https://example.com/colour-wheel');
    await page.getByRole('button', { name: 'Save lesson' }).click();
    await page.getByRole('status').filter({ hasText: 'Lesson saved' }).waitFor();
    await photograph('course-builder', 'en');

    // Unsaved text is not dropped silently: opening another lesson asks first.
    await page.getByRole('textbox', { name: 'Content' }).click();
    await page.keyboard.press('End');
    await page.keyboard.type(' Not kept.');
    await page.getByRole('button', { name: /^Mixing colours/ }).click();
    const dialog = page.getByRole('dialog', { name: 'Unsaved changes' });
    await dialog.getByRole('button', { name: 'Discard changes' }).click();
    await page.getByRole('heading', { name: 'Lesson: Mixing colours', level: 2 }).waitFor();
    // Nothing typed in this one: it closes without a question.
    await page.getByRole('button', { name: 'Close editor' }).click();
    await page.getByRole('heading', { name: 'Lesson: Mixing colours' }).waitFor({ state: 'detached' });
    expect(await page.getByRole('dialog').count()).toBe(0);
    await page.getByRole('button', { name: /^Wet on wet/ }).click();
    await page.getByRole('textbox', { name: 'Content' }).getByText('Wet the paper first, then drop the colour in.', { exact: true }).waitFor();
  });

  test('she gives the lesson a quiz: an empty question is refused beside it, then two questions and a pass mark', async () => {
    const { page } = admin;
    await page.getByRole('link', { name: 'Add a quiz' }).click();
    await page.waitForURL(/\/w\/lms\/lms-quiz-builder\?lesson=/);
    quizUrl = new URL(page.url()).pathname + new URL(page.url()).search;
    await page.getByRole('heading', { name: 'Quiz of Wet on wet', level: 2 }).waitFor();

    await page.getByRole('button', { name: 'Save quiz' }).click();
    const prompt = page.getByRole('textbox', { name: 'Question', exact: true });
    await expect.poll(() => prompt.getAttribute('aria-invalid')).toBe('true');
    await page.getByText('Write the question.').waitFor();
    expect(await prompt.evaluate((element) => element === document.activeElement), 'the first field with a problem has the focus').toBe(true);

    await input(page, 'Pass mark (%)').fill('60');
    await input(page, 'Attempts allowed').fill('3');
    const first = page.getByRole('group', { name: /^Question 1/ });
    await first.getByRole('textbox', { name: 'Question', exact: true }).fill('What goes on the paper first?');
    await first.getByRole('textbox', { name: 'Choice 1' }).fill('Colour');
    await first.getByRole('textbox', { name: 'Choice 2' }).fill('Water');
    await first.getByRole('radio', { name: 'Choice 2 is correct' }).check();

    await page.getByRole('button', { name: 'Add question' }).click();
    const second = page.getByRole('group', { name: /^Question 2/ });
    await second.getByRole('combobox', { name: 'Type' }).selectOption('short');
    await second.getByRole('textbox', { name: 'Question', exact: true }).fill('Name the technique of this lesson');
    await second.getByRole('textbox', { name: 'Accepted answer 1' }).fill('Wet on wet');
    await page.getByRole('button', { name: 'Save quiz' }).click();
    await page.getByRole('status').filter({ hasText: 'Quiz saved' }).waitFor();
    await page.getByRole('button', { name: 'Delete quiz' }).waitFor();
    await photograph('quiz-builder', 'en');
  });

  test('reloading shows the same quiz and the same tree', async () => {
    const { page } = admin;
    await page.reload();
    const first = page.getByRole('group', { name: /^Question 1/ });
    await first.getByRole('textbox', { name: 'Question', exact: true }).waitFor();
    expect(await first.getByRole('textbox', { name: 'Question', exact: true }).inputValue()).toBe('What goes on the paper first?');
    expect(await first.getByRole('radio', { name: 'Choice 2 is correct' }).isChecked()).toBe(true);
    const second = page.getByRole('group', { name: /^Question 2/ });
    expect(await second.getByRole('combobox', { name: 'Type' }).inputValue()).toBe('short');
    expect(await second.getByRole('textbox', { name: 'Accepted answer 1' }).inputValue()).toBe('wet on wet'); // compared ignoring case
    expect(await input(page, 'Pass mark (%)').inputValue()).toBe('60');
    expect(await input(page, 'Attempts allowed').inputValue()).toBe('3');

    // Leaving with an unsaved change asks first; undone by hand, it leaves without a question.
    await input(page, 'Pass mark (%)').fill('61');
    await page.getByRole('link', { name: 'Back to the curriculum' }).click();
    await page.getByRole('dialog', { name: 'Unsaved changes' }).getByRole('button', { name: 'Cancel' }).click();
    await page.getByRole('dialog').waitFor({ state: 'detached' });
    await input(page, 'Pass mark (%)').fill('60');
    await page.getByRole('link', { name: 'Back to the curriculum' }).click();
    await page.waitForURL(/lms-course-builder/);
    await page.getByRole('heading', { name: 'Modules and lessons' }).waitFor();
    await page.reload();
    await page.getByRole('heading', { name: 'Modules and lessons' }).waitFor();
    expect(await tree(page)).toEqual([
      ['Techniques', ['Wet on wet', 'Mixing colours']],
      ['Materials', ['Paper and brushes']],
    ]);
    const lesson = page.locator('.builder-lesson', { hasText: 'Wet on wet' });
    expect(await lesson.locator('.badge').allTextContents()).toContain('Quiz');
    await lesson.getByRole('button', { name: /^Wet on wet/ }).click();
    await page.getByRole('textbox', { name: 'Content' }).getByText('Wet the paper first, then drop the colour in.').waitFor();
    expect(await page.getByRole('textbox', { name: 'Title of attachment 1' }).inputValue()).toBe('palette');
    expect(await page.getByRole('textbox', { name: 'Link of attachment 2' }).inputValue()).toBe('https://example.com/colour-wheel');
  });

  test('she publishes the course, enrols a learner by email, and sees the progress once the learner completed a lesson', async () => {
    const { page } = admin;
    // Two lessons without a quiz published, then the course.
    for (const title of ['Mixing colours', 'Paper and brushes']) {
      await page.getByRole('button', { name: new RegExp(`^${title}`) }).click();
      await page.getByRole('heading', { name: `Lesson: ${title}`, level: 2 }).waitFor();
      await page.getByRole('radio', { name: 'Published' }).check();
      await page.getByRole('button', { name: 'Save lesson' }).click();
      await page.getByRole('status').filter({ hasText: 'Lesson saved' }).waitFor();
    }
    await page.getByRole('combobox', { name: 'Status' }).selectOption('published');
    await page.getByRole('button', { name: 'Save course' }).click();
    await page.getByRole('status').filter({ hasText: 'Course saved' }).waitFor();

    // The course's other screen, one click away.
    await page.getByRole('link', { name: 'Learners' }).click();
    await page.getByRole('textbox', { name: 'Email addresses' }).fill(learnerEmail);
    await page.getByRole('button', { name: 'Enrol', exact: true }).click();
    await page.getByRole('status').filter({ hasText: '1 learner enrolled.' }).waitFor();
    const row = page.getByRole('row').filter({ hasText: learnerEmail });
    await expect.poll(() => row.getByRole('cell').nth(3).textContent()).toBe('0 of 2');

    // The learner, in a browser of her own, follows the mailed link and completes the first lesson.
    // The enrolment's notification is mailed by a job once the enrolment's event is handled: wait for it.
    await expect.poll(async () => (await t.mailbox(learnerEmail)).length, { timeout: 20_000 }).toBeGreaterThan(0);
    const [mail] = await t.mailbox(learnerEmail);
    const link = /https?:\/\/\S+/.exec(mail?.text ?? '')?.[0];
    expect(link, mail?.text).toBeDefined();
    const learner = await openPage(browser, t.url);
    learner.page.setDefaultTimeout(10_000);
    await learner.page.goto(link!);
    await learner.page.getByRole('button', { name: 'Continue' }).click();
    await learner.page.getByRole('heading', { name: 'Watercolour basics' }).waitFor();
    await learner.page.getByRole('link', { name: 'Mixing colours' }).first().click();
    await learner.page.getByRole('button', { name: 'Mark as complete' }).click();
    await learner.page.getByRole('heading', { name: 'Paper and brushes' }).first().waitFor();
    expect(learner.errors).toEqual([]);
    await learner.context.close();

    await page.reload();
    await expect.poll(() => row.getByRole('cell').nth(3).textContent()).toBe('1 of 2');
    expect(await row.getByRole('progressbar').getAttribute('value')).toBe('50');
  });

  test('the builders in Arabic, right to left', async () => {
    const { page } = admin;
    await page.locator('a[href="/account"]').first().click();
    await page.getByLabel(/^Language/).selectOption('ar');
    await page.waitForFunction(() => document.documentElement.dir === 'rtl');
    await page.goto(builderUrl);
    await page.getByRole('heading', { name: 'الوحدات والدروس' }).waitFor();
    await page.getByRole('button', { name: /^Wet on wet/ }).click();
    await page.getByRole('heading', { name: 'الدرس: Wet on wet' }).waitFor();
    await page.getByRole('textbox', { name: 'المحتوى' }).waitFor();
    await photograph('course-builder', 'ar');
    await page.goto(quizUrl);
    await page.getByRole('heading', { name: 'اختبار Wet on wet' }).waitFor();
    await photograph('quiz-builder', 'ar');
  });

  test('no page logged an error', () => {
    expect(admin.errors).toEqual([]);
  });
});
