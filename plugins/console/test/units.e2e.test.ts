/// <reference lib="dom" /> // page.evaluate callbacks run in the browser
/**
 * Issue 22, organisation units in the console, in headless Chromium against a real kernel. The world is built through
 * the API, as the docs' worked example does: a university with two colleges and four departments (kinds "college"
 * and "department"), LMS enabled, a draft course in each department, and a member who is admin of the College of
 * Science only. Then, as people work (click, type, drag, keyboard; no API call among the steps but checks): the owner
 * sees the tree, adds a unit with a kind the tenant already uses, renames it and changes its kind, moves it with
 * "Move to…", is told why a college cannot move under its own department, drags the unit onto another, deletes a
 * unit that still holds a course (which moves first), and gives a member a role in a department and takes it away.
 * The marketplace says LMS uses organisation units, and a course's page names its unit. The college admin signs in:
 * the courses list shows her college's courses only; the course form's unit picker searches units by path, and a
 * course in the other college is refused; giving a role there is refused clearly; on the units page only her
 * college's units can be changed, and a unit she adds goes inside it.
 * Screens are photographed in English and Arabic at 1280 and 390 px (test-artifacts/units-<screen>-<en|ar>-<width>.png)
 * and checked by axe-core.
 */
import { createTestKernel, signUp, type TestKernel, type TestUser } from '@plinth/core/testing';
import lms from '@plinth/plugin-lms';
import type { Browser, Page } from 'playwright-core';
import { afterAll, beforeAll, describe, expect, test } from 'vitest';
import consolePlugin from '../src/index.js';
import { dragTo, launchChromium, menuLink, openPage, photograph as photographScreen, recordFailures, servedCopy, signIn, type WatchedPage } from './browser.js';
import { ensureWebBuilt } from './web-build.js';

let t: TestKernel;
let browser: Browser;
let owner: TestUser;
let collegeAdmin: TestUser;
let ownerTab: WatchedPage;
let adminTab: WatchedPage | undefined;
/** Unit ids by name. */
const units: Record<string, string> = {};
/** Course ids by title. */
const courses: Record<string, string> = {};
const tenant = { name: 'Nile University', slug: 'nile-university' };

/** Calls the API as `user`, expecting `status`; answers the data. */
async function api(user: TestUser, method: string, path: string, body: unknown, status: number) {
  const answer = await t.request(method, `/api/v1${path}`, { headers: user.headers, body });
  expect(answer.status, `${method} ${path}: ${JSON.stringify(answer.body)}`).toBe(status);
  return answer.body?.data;
}

/** World setup, as docs/units.md builds it: two colleges of two departments each, a draft course in each department. */
async function buildUniversity(): Promise<void> {
  const colleges = { 'College of Science': ['Physics', 'Chemistry'], 'College of Arts': ['History', 'Music'] };
  for (const [college, departments] of Object.entries(colleges)) {
    units[college] = (await api(owner, 'POST', '/units', { name: college, kind: 'college' }, 201)).id;
    for (const department of departments)
      units[department] = (await api(owner, 'POST', '/units', { name: department, kind: 'department', parent_id: units[college] }, 201)).id;
  }
  const catalogue = { Physics: 'Quantum basics', Chemistry: 'Organic chemistry', History: 'Medieval history', Music: 'Harmony' };
  for (const [department, title] of Object.entries(catalogue)) {
    const slug = title.toLowerCase().replaceAll(' ', '-');
    courses[title] = (await api(owner, 'POST', '/lms/courses', { title, slug, status: 'draft', unit_id: units[department] }, 201)).id;
  }
}

/** A member of the university (the `member` role for the whole tenant) who is admin of one college. */
async function addCollegeAdmin(): Promise<TestUser> {
  const user = await signUp(t, { name: 'Salma Farouk' });
  const roles = (await api(owner, 'GET', '/roles?per_page=100', undefined, 200)) as { id: string; name: string }[];
  const roleId = (name: string) => roles.find((role) => role.name === name)!.id;
  const invitation = await api(owner, 'POST', '/invitations', { email: user.email, roles: [roleId('member')] }, 201);
  const token = new URL(invitation.accept_url as string).searchParams.get('token');
  await api(user, 'POST', '/invitations/accept', { token }, 201);
  await api(owner, 'POST', `/members/${user.id}/unit-roles`, { role_id: roleId('admin'), unit_id: units['College of Science'] }, 201);
  return { ...user, tenant: owner.tenant!, headers: { ...user.headers, 'x-tenant': tenant.slug } };
}

beforeAll(async () => {
  await ensureWebBuilt();
  [t, browser] = await Promise.all([createTestKernel({ plugins: [servedCopy(consolePlugin), servedCopy(lms)] }), launchChromium()]);
  owner = await signUp(t, { name: 'Amira Haddad', tenant });
  await t.enable(owner, 'lms');
  await buildUniversity();
  collegeAdmin = await addCollegeAdmin();
  ownerTab = await openPage(browser, t.url);
  ownerTab.page.setDefaultTimeout(10_000);
  await signIn(ownerTab, owner);
});

recordFailures('units', () => adminTab ?? ownerTab);

afterAll(async () => {
  await browser?.close();
  await t?.close();
});

const photograph = (tab: WatchedPage, screen: string, language: 'en' | 'ar') => photographScreen(tab, `units-${screen}`, language);

/** The tree as the page shows it: each unit's name with the units below it. */
type Shown = [string, Shown[]];
const shownTree = (page: Page) =>
  page.evaluate(() => {
    const read = (list: Element | null): Shown[] =>
      Array.from(list?.children ?? []).map((item) => [
        item.querySelector(':scope > .unit-row > .unit-name')?.textContent ?? '',
        read(item.querySelector(':scope > .unit-children')),
      ]);
    type Shown = [string, Shown[]];
    return read(document.querySelector('.units-tree'));
  });

/** A unit's row (name, kind, count, actions). */
const rowOf = (page: Page, name: string) => page.locator('.unit-row').filter({ has: page.locator('.unit-name', { hasText: new RegExp(`^${name}$`) }) });

const unitOf = async (id: string) => (await api(owner, 'GET', `/units/${id}`, undefined, 200)) as { parent_id: string | null; name: string; kind: string };

const university: Shown[] = [
  [
    'College of Arts',
    [
      ['History', []],
      ['Music', []],
    ],
  ],
  [
    'College of Science',
    [
      ['Chemistry', []],
      ['Physics', []],
    ],
  ],
];

describe.sequential('organisation units in the console', () => {
  test('the owner opens “Organisation units” and sees the university as a tree, with kinds and counts', async () => {
    const { page } = ownerTab;
    await page.goto(`/t/${tenant.slug}`);
    await menuLink(page, 'Organisation units').click();
    await page.getByRole('heading', { name: 'Organisation units' }).waitFor();
    await page.getByRole('list', { name: `Units of ${tenant.name}` }).waitFor();
    expect(await shownTree(page)).toEqual(university);
    await expect.poll(() => rowOf(page, 'College of Science').textContent()).toContain('college');
    expect(await rowOf(page, 'College of Science').textContent()).toContain('2 units below');
    expect(await rowOf(page, 'Physics').textContent()).toContain('department');
    await photograph(ownerTab, 'tree', 'en');
  });

  test('adds a unit with a kind the tenant already uses, then renames it and changes its kind', async () => {
    const { page } = ownerTab;
    await page.getByRole('button', { name: 'Add unit' }).click();
    const dialog = page.getByRole('dialog', { name: 'Add unit' });
    await dialog.getByRole('textbox', { name: 'Name' }).fill('Biology');
    // The kinds already used are offered as the person types.
    const kind = dialog.getByRole('combobox', { name: 'Kind' });
    expect(await dialog.locator('#unit-kinds option').evaluateAll((options) => options.map((option) => (option as HTMLOptionElement).value))).toEqual([
      'college',
      'department',
    ]);
    await kind.fill('department');
    await dialog.getByRole('combobox', { name: 'Inside' }).selectOption({ label: 'College of Science' });
    await dialog.getByRole('button', { name: 'Add unit' }).click();
    await page.getByRole('status').filter({ hasText: 'Biology added.' }).waitFor();
    await expect
      .poll(() => shownTree(page))
      .toEqual([
        university[0],
        [
          'College of Science',
          [
            ['Biology', []],
            ['Chemistry', []],
            ['Physics', []],
          ],
        ],
      ]);
    units.Biology = (await api(owner, 'GET', '/units?q=Biology', undefined, 200))[0].id;

    await page.getByRole('button', { name: 'Edit Biology' }).click();
    const edit = page.getByRole('dialog', { name: 'Edit Biology' });
    await edit.getByRole('textbox', { name: 'Name' }).fill('Life sciences');
    await edit.getByRole('combobox', { name: 'Kind' }).fill('division');
    await edit.getByRole('button', { name: 'Save unit' }).click();
    await page.getByRole('status').filter({ hasText: 'Life sciences saved.' }).waitFor();
    await expect.poll(() => rowOf(page, 'Life sciences').textContent()).toContain('division');
    expect(await unitOf(units.Biology!)).toMatchObject({ name: 'Life sciences', kind: 'division', parent_id: units['College of Science'] });
  });

  test('moves a unit with “Move to…” from the keyboard; a college cannot move under its own department', async () => {
    const { page } = ownerTab;
    await page.getByRole('button', { name: 'Move to… (Life sciences)' }).focus();
    await page.keyboard.press('Enter');
    const dialog = page.getByRole('dialog', { name: 'Move Life sciences' });
    await dialog.getByRole('combobox', { name: 'Move under' }).selectOption({ label: 'College of Science › Physics' });
    await dialog.getByRole('button', { name: 'Move', exact: true }).click();
    await page.getByRole('status').filter({ hasText: 'Life sciences moved under Physics.' }).waitFor();
    await expect
      .poll(async () => (await shownTree(page))[1])
      .toEqual([
        'College of Science',
        [
          ['Chemistry', []],
          ['Physics', [['Life sciences', []]]],
        ],
      ]);
    expect((await unitOf(units.Biology!)).parent_id).toBe(units.Physics);

    await page.getByRole('button', { name: 'Move to… (College of Science)' }).click();
    const cycle = page.getByRole('dialog', { name: 'Move College of Science' });
    await cycle.getByRole('combobox', { name: 'Move under' }).selectOption({ label: 'College of Science › Physics' });
    await cycle.getByRole('button', { name: 'Move', exact: true }).click();
    await cycle.getByRole('alert').filter({ hasText: 'A unit cannot move under itself or a unit below it' }).waitFor();
    await cycle.getByText('is this unit or one below it').waitFor();
    await cycle.getByRole('button', { name: 'Cancel' }).click();
    expect((await unitOf(units['College of Science']!)).parent_id).toBeNull();
  });

  test('drags a unit by its handle onto another unit', async () => {
    const { page } = ownerTab;
    const handle = page.locator(`li[data-unit="${units.Biology}"] > .unit-row > .unit-drag`);
    const history = page.locator(`li[data-unit="${units.History}"]`);
    const row = (await history.locator('> .unit-row').boundingBox())!;
    // The tree holds still while the unit is dragged; the unit under the pointer is marked as where it would go.
    await dragTo(page, handle, { x: row.x + row.width / 3, y: row.y + row.height / 2 }, () =>
      history.evaluate((element) => element.classList.contains('drop-target')),
    );
    await page.getByRole('status').filter({ hasText: 'Life sciences moved under History.' }).waitFor();
    expect((await unitOf(units.Biology!)).parent_id).toBe(units.History);
    await expect
      .poll(async () => (await shownTree(page))[0])
      .toEqual([
        'College of Arts',
        [
          ['History', [['Life sciences', []]]],
          ['Music', []],
        ],
      ]);
  });

  test('deletes a unit that still holds a course: the course moves to the unit chosen, then the unit goes', async () => {
    const { page } = ownerTab;
    courses['Cell biology'] = (
      await api(owner, 'POST', '/lms/courses', { title: 'Cell biology', slug: 'cell-biology', status: 'draft', unit_id: units.Biology }, 201)
    ).id;
    // A unit with units below it is not deleted: the API's reason is shown.
    await page.getByRole('button', { name: 'Delete College of Arts' }).click();
    const arts = page.getByRole('dialog', { name: 'Delete College of Arts?' });
    await arts.getByRole('button', { name: 'Delete unit' }).click();
    await arts.getByRole('alert').filter({ hasText: 'unit(s) below it' }).waitFor();
    await arts.getByRole('button', { name: 'Keep' }).click();

    await page.getByRole('button', { name: 'Delete Life sciences' }).click();
    const dialog = page.getByRole('dialog', { name: 'Delete Life sciences?' });
    await dialog.getByRole('button', { name: 'Delete unit' }).click();
    await dialog.getByText('Life sciences still holds records or roles given in it.').waitFor();
    await dialog.getByRole('combobox', { name: 'Move its records to' }).selectOption({ label: 'College of Arts › Music' });
    await dialog.getByRole('button', { name: 'Move records and delete' }).click();
    await page.getByRole('status').filter({ hasText: 'Life sciences deleted.' }).waitFor();
    // The status comes first, the reloaded tree right after it.
    await expect.poll(() => shownTree(page)).toEqual(university);
    expect((await api(owner, 'GET', `/lms/courses/${courses['Cell biology']}`, undefined, 200)).unit_id).toBe(units.Music);
    expect((await t.request('GET', `/api/v1/units/${units.Biology}`, { headers: owner.headers })).status).toBe(404);
  });

  test('the owner gives a member a role in a department, sees it listed with the unit’s path, and takes it away', async () => {
    const { page } = ownerTab;
    await menuLink(page, 'Members').click();
    const memberRow = page.getByRole('row').filter({ hasText: 'Salma Farouk' });
    await expect.poll(() => memberRow.textContent()).toContain('admin in College of Science');
    await memberRow.getByRole('button', { name: 'Edit Salma Farouk' }).click();
    const dialog = page.getByRole('dialog', { name: 'Salma Farouk' });
    const roles = dialog.getByRole('region', { name: 'Roles in units' });
    await roles.getByRole('listitem').filter({ hasText: 'admin in College of Science' }).waitFor();

    await roles.getByRole('combobox', { name: 'Role' }).selectOption({ label: 'viewer' });
    await roles.getByRole('combobox', { name: 'Unit' }).fill('History');
    await roles.getByRole('option', { name: 'College of Arts › History' }).click();
    await roles.getByRole('button', { name: 'Add role in unit' }).click();
    await roles.getByRole('listitem').filter({ hasText: 'viewer in College of Arts › History' }).waitFor();
    await photograph(ownerTab, 'member', 'en');

    await roles.getByRole('button', { name: 'Remove viewer in History' }).click();
    await expect.poll(() => roles.getByRole('listitem').allTextContents()).toEqual([expect.stringContaining('admin in College of Science')]);
    const member = await api(owner, 'GET', `/members/${collegeAdmin.id}`, undefined, 200);
    expect(member.unit_roles.map((held: { role: { name: string }; unit: { name: string } }) => `${held.role.name} in ${held.unit.name}`)).toEqual([
      'admin in College of Science',
    ]);
    await dialog.getByRole('button', { name: 'Close' }).click();
  });

  test('the marketplace says LMS uses organisation units, and a course’s page names its unit', async () => {
    const { page } = ownerTab;
    await menuLink(page, 'Marketplace').click();
    const card = page.locator('.plugin-card[data-plugin="lms"]');
    await expect.poll(() => card.textContent()).toContain('Uses organisation units');

    await page.goto(`/t/${tenant.slug}/p/lms/courses/${courses['Quantum basics']}`);
    await page.getByRole('heading', { name: 'Quantum basics' }).waitFor();
    await page.getByText('College of Science › Physics').waitFor();
  });

  test('the college admin signs in: the courses list shows her college’s courses only', async () => {
    adminTab = await openPage(browser, t.url);
    adminTab.page.setDefaultTimeout(10_000);
    await signIn(adminTab, collegeAdmin);
    const { page } = adminTab;
    await page.goto(`/t/${tenant.slug}`);
    await menuLink(page, 'Courses').click();
    await page.getByRole('link', { name: 'Quantum basics' }).first().waitFor();
    await page.getByRole('link', { name: 'Organic chemistry' }).first().waitFor();
    // The Arts' courses (Cell biology moved to Music with its unit's deletion) are not hers to see.
    expect((await page.getByRole('table').textContent()) ?? '').not.toMatch(/Medieval history|Harmony|Cell biology/);
    await photograph(adminTab, 'college-admin-courses', 'en');
  });

  test('she creates a course with the form: the unit picker offers units by path, and one outside her college is refused', async () => {
    const { page } = adminTab!;
    await page.goto(`/t/${tenant.slug}/p/lms/courses/new`);
    await page.getByRole('textbox', { name: 'Title', exact: true }).fill('Spectroscopy');
    await page.getByRole('textbox', { name: 'Slug', exact: true }).fill('spectroscopy');
    const unit = page.getByRole('combobox', { name: 'Unit' });
    await unit.fill('Music');
    await page.getByRole('option', { name: 'College of Arts › Music' }).click();
    await page.getByRole('button', { name: /^Create course/ }).click();
    await page.getByRole('alert').filter({ hasText: 'outside the organisation units' }).waitFor();

    await unit.fill('Chem');
    await page.getByRole('option', { name: 'College of Science › Chemistry' }).click();
    expect(await unit.inputValue()).toBe('College of Science › Chemistry');
    await page.getByRole('button', { name: /^Create course/ }).click();
    await page.waitForURL(/\/w\/lms\/lms-course-builder\?id=/);
    const id = new URL(page.url()).searchParams.get('id')!;
    expect((await api(owner, 'GET', `/lms/courses/${id}`, undefined, 200)).unit_id).toBe(units.Chemistry);
  });

  test('the college admin may not give a role in the other college: the refusal is shown', async () => {
    const { page } = adminTab!;
    await menuLink(page, 'Members').click();
    const ownerRow = page.getByRole('row').filter({ hasText: 'Amira Haddad' });
    await ownerRow.getByRole('button', { name: 'Edit Amira Haddad' }).click();
    const roles = page.getByRole('dialog', { name: 'Amira Haddad' }).getByRole('region', { name: 'Roles in units' });
    await roles.getByRole('combobox', { name: 'Role' }).selectOption({ label: 'viewer' });
    await roles.getByRole('combobox', { name: 'Unit' }).fill('Music');
    await roles.getByRole('option', { name: 'College of Arts › Music' }).click();
    await roles.getByRole('button', { name: 'Add role in unit' }).click();
    await roles.getByRole('alert').filter({ hasText: 'You may only give roles in units you manage' }).waitFor();
    expect((await api(owner, 'GET', `/members/${owner.id}`, undefined, 200)).unit_roles).toEqual([]);
    await page.getByRole('dialog', { name: 'Amira Haddad' }).getByRole('button', { name: 'Close' }).click();
  });

  test('on the units page she changes her college only: its units have actions, others none, new units go inside it', async () => {
    const { page } = adminTab!;
    await menuLink(page, 'Organisation units').click();
    await page.getByRole('list', { name: `Units of ${tenant.name}` }).waitFor();
    expect(await shownTree(page)).toEqual(university);
    await rowOf(page, 'Physics').getByRole('button', { name: 'Edit Physics' }).waitFor();
    expect(await rowOf(page, 'History').getByRole('button').count()).toBe(0);
    expect(await rowOf(page, 'College of Arts').locator('.unit-drag').count()).toBe(0);

    await page.getByRole('button', { name: 'Add unit' }).click();
    const dialog = page.getByRole('dialog', { name: 'Add unit' });
    const inside = dialog.getByRole('combobox', { name: 'Inside' });
    // The dialog renders after the click: wait until its choices are there rather than read them at once.
    await inside.waitFor();
    expect(await inside.locator('option').allTextContents()).toEqual(['College of Science', 'College of Science › Chemistry', 'College of Science › Physics']);
    await dialog.getByRole('textbox', { name: 'Name' }).fill('Astronomy');
    await dialog.getByRole('combobox', { name: 'Kind' }).fill('department');
    await dialog.getByRole('button', { name: 'Add unit' }).click();
    await page.getByRole('status').filter({ hasText: 'Astronomy added.' }).waitFor();
    const [astronomy] = await api(owner, 'GET', '/units?q=Astronomy', undefined, 200);
    expect(astronomy).toMatchObject({ parent_id: units['College of Science'], label: 'College of Science › Astronomy' });
  });

  test('the tree and a member’s roles in Arabic, right to left', async () => {
    const { page } = ownerTab;
    await page.locator('a[href="/account"]').first().click();
    await page.getByLabel(/^Language/).selectOption('ar');
    await page.waitForFunction(() => document.documentElement.dir === 'rtl');
    await page.goto(`/t/${tenant.slug}/units`);
    await page.getByRole('heading', { name: 'الوحدات التنظيمية' }).waitFor();
    await page.getByRole('list', { name: `وحدات ${tenant.name}` }).waitFor();
    await photograph(ownerTab, 'tree', 'ar');
    await page.goto(`/t/${tenant.slug}/members`);
    await page.getByRole('row').filter({ hasText: 'Salma Farouk' }).getByRole('button').click();
    await page.getByRole('region', { name: 'الأدوار في الوحدات' }).getByRole('listitem').first().waitFor();
    await photograph(ownerTab, 'member', 'ar');
  });

  test('no page logged an error', () => {
    expect([...ownerTab.errors, ...(adminTab?.errors ?? [])]).toEqual([]);
  });
});
