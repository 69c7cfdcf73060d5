/// <reference lib="dom" /> // page.evaluate callbacks run in the browser
/**
 * A plugin's own console screens (`web.screens`), in headless Chromium against a real kernel. A test plugin ships
 * two hand-written custom elements: a primary screen on its item route (an editor) and one on its list route (an
 * overview). A member opens the list, the row opens the editor with the record's id, the console's shared elements
 * do their part (`<plinth-fields>` typed inputs saved through `plinth.call`, with a 422 beside its field;
 * `<plinth-chart>`; `<plinth-share>`), the plugin's words turn Arabic with the console, and the list's button opens
 * the other screen.
 */
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { addMember, createTestKernel, type TestKernel, type TestUser } from '@plinth/core/testing';
import { definePermissions, definePlugin, Money, NotFoundError, PageQuery, paginate, Ref, Reply, RichText, Type, ValidationError } from '@plinth/sdk';
import type { Browser } from 'playwright-core';
import { afterAll, beforeAll, describe, expect, test } from 'vitest';
import consolePlugin from '../src/index.js';
import { launchChromium, openPage, photograph as photographScreen, recordFailures, signIn, type WatchedPage } from './browser.js';
import { ensureWebBuilt } from './web-build.js';

const permissions = definePermissions('notebook', {
  'notes.manage': { description: 'Keep notes', grantTo: ['admin', 'member'] },
});

const people = [
  { id: '00000000-0000-4000-8000-000000000001', name: 'Ali Hassan' },
  { id: '00000000-0000-4000-8000-000000000002', name: 'Bea Brown' },
];

const NoteFields = {
  title: Type.String({ minLength: 1, title: 'Title' }),
  price: Money({ title: 'Price' }),
  body: Type.Optional(RichText({ title: 'Body' })),
  owner_id: Type.Optional(Ref('/notebook/people', { label: 'name', title: 'Owner' })),
};
const NewNote = Type.Object(NoteFields, { additionalProperties: false });
const NotePatch = Type.Partial(NewNote, { additionalProperties: false });
const NoteParams = Type.Object({ id: Type.String({ format: 'uuid' }) });

const notes = new Map<string, Record<string, unknown>>();

/**
 * The editor, as a third party might write it without a build step: reads the note, shows `<plinth-fields>` for
 * the PATCH schema and saves what changed; a chart of views with the same numbers in a table; a share box.
 */
const editorElement = `
const el = (tag, text, attributes = {}) => Object.assign(document.createElement(tag), text === undefined ? {} : { textContent: text }, attributes);
customElements.define('notebook-editor', class extends HTMLElement {
  async connectedCallback() {
    const p = this.plinth;
    const path = '/notebook/notes/' + p.params.id;
    const [{ data: note }, schema] = await Promise.all([p.call('GET', path), p.bodySchema('PATCH', path)]);
    const banner = el('div', '', { className: 'banner error', hidden: true });
    banner.setAttribute('role', 'alert');
    const fields = el('plinth-fields');
    Object.assign(fields, { schema, value: note, mode: 'edit', plugin: 'notebook' });
    const changed = el('p', p.t('No changes yet'), { className: 'muted' });
    fields.addEventListener('plinth-change', () => (changed.textContent = p.t('Unsaved changes')));
    const save = el('button', p.t('Save note'), { type: 'button' });
    save.addEventListener('click', async () => {
      const { body, problems } = fields.body();
      if (Object.keys(problems).length > 0) return;
      try {
        const { data } = await p.call('PATCH', path, { body });
        Object.assign(fields, { error: undefined, value: data });
        banner.hidden = true;
        changed.textContent = p.t('No changes yet');
        p.announce(p.t('Saved {title}', { title: data.title }));
      } catch (error) {
        fields.error = error;
        banner.textContent = error.message;
        banner.hidden = false;
      }
    });
    const views = { kind: 'line', labels: ['Mon', 'Tue', 'Wed'], series: [{ label: p.t('Views'), values: [3, 5, 2] }] };
    const chart = el('plinth-chart');
    chart.setAttribute('label', p.t('Views per day'));
    chart.chart = views;
    const table = el('table');
    table.append(el('caption', p.t('Views per day')));
    for (const [index, day] of views.labels.entries()) {
      const row = el('tr');
      row.append(el('th', day, { scope: 'row' }), el('td', p.format.number(views.series[0].values[index])));
      table.append(row);
    }
    const share = el('plinth-share');
    share.setAttribute('url', p.publicUrl('/n/' + p.params.id));
    const count = p.t('{count, plural, one {# view} other {# views}}', { count: 10 });
    this.replaceChildren(
      el('h2', p.t('Note for {title}', { title: note.title })),
      el('p', count),
      banner, fields, changed, save,
      el('h3', p.t('Views per day')), chart, table,
      el('h3', p.t('Share')), share,
    );
  }
});
`;

const overviewElement = `
customElements.define('notebook-overview', class extends HTMLElement {
  async connectedCallback() {
    const { pagination } = await this.plinth.call('GET', '/notebook/notes');
    const heading = Object.assign(document.createElement('h2'), { textContent: this.plinth.t('All notes') });
    const total = Object.assign(document.createElement('p'), { textContent: this.plinth.t('{count, plural, one {# note} other {# notes}} in all', { count: pagination.total }) });
    this.replaceChildren(heading, total);
  }
});
`;

let webDir: string;
let t: TestKernel;
let browser: Browser;
let member: TestUser;
let tab: WatchedPage;
let noteId: string;

beforeAll(async () => {
  webDir = mkdtempSync(path.join(tmpdir(), 'plinth-notebook-'));
  writeFileSync(path.join(webDir, 'notebook-editor.js'), editorElement);
  writeFileSync(path.join(webDir, 'notebook-overview.js'), overviewElement);
  const notebook = definePlugin({
    name: 'notebook',
    version: '0.1.0',
    title: 'Notebook',
    description: 'Notes with their own screens, for the console tests.',
    category: 'examples',
    requires: { core: '>=0.1.0' },
    permissions,
    navigation: [{ label: 'Notes', path: '/notes' }],
    web: {
      directory: webDir,
      screens: [
        { element: 'notebook-editor', label: 'Note editor', on: '/notes/:id', primary: true, icon: 'edit' },
        { element: 'notebook-overview', label: 'Overview', on: '/notes', icon: 'chart', permission: permissions['notes.manage'] },
      ],
    },
    translations: {
      ar: {
        Notes: 'الملاحظات',
        Note: 'ملاحظة',
        Title: 'العنوان',
        Price: 'السعر',
        Body: 'المحتوى',
        Owner: 'المالك',
        'Note editor': 'محرر الملاحظة',
        Overview: 'نظرة عامة',
        'Note for {title}': 'ملاحظة {title}',
        '{count, plural, one {# view} other {# views}}': '{count, plural, one {مشاهدة واحدة} other {# مشاهدات}}',
        'Views per day': 'المشاهدات يوميًا',
        Views: 'المشاهدات',
        'Save note': 'حفظ الملاحظة',
        'No changes yet': 'لا تغييرات بعد',
        'Unsaved changes': 'تغييرات غير محفوظة',
        'Saved {title}': 'تم حفظ {title}',
        Share: 'مشاركة',
        'All notes': 'كل الملاحظات',
        '{count, plural, one {# note} other {# notes}} in all': '{count, plural, one {ملاحظة واحدة} other {# ملاحظات}} في المجموع',
      },
    },
    routes: ({ route }) => [
      route({
        method: 'GET',
        path: '/people',
        summary: 'People to pick',
        permission: permissions['notes.manage'],
        schema: { query: Type.Composite([PageQuery, Type.Object({ q: Type.Optional(Type.String()), ids: Type.Optional(Type.String()) })]) },
        errors: [],
        async handler({ query }) {
          const ids = query.ids?.split(',');
          const found = people.filter((person) => (ids ? ids.includes(person.id) : !query.q || person.name.toLowerCase().includes(query.q.toLowerCase())));
          return Reply.list(found, paginate(query, found.length));
        },
      }),
      route({
        method: 'GET',
        path: '/notes',
        summary: 'Notes',
        permission: permissions['notes.manage'],
        schema: { query: PageQuery },
        errors: [],
        async handler({ query }) {
          return Reply.list([...notes.values()], paginate(query, notes.size));
        },
      }),
      route({
        method: 'POST',
        path: '/notes',
        summary: 'Write a note',
        permission: permissions['notes.manage'],
        schema: { body: NewNote },
        errors: [],
        async handler({ body }) {
          const note = { id: crypto.randomUUID(), ...body };
          notes.set(note.id, note);
          return Reply.created(note);
        },
      }),
      route({
        method: 'GET',
        path: '/notes/:id',
        summary: 'A note',
        permission: permissions['notes.manage'],
        schema: { params: NoteParams },
        errors: [],
        async handler({ params }) {
          const note = notes.get(params.id);
          if (!note) throw new NotFoundError('No such note');
          return note;
        },
      }),
      route({
        method: 'PATCH',
        path: '/notes/:id',
        summary: 'Change a note',
        permission: permissions['notes.manage'],
        schema: { params: NoteParams, body: NotePatch },
        errors: [],
        async handler({ params, body }) {
          const note = notes.get(params.id);
          if (!note) throw new NotFoundError('No such note');
          // A rule only the server knows: its message lands beside the price.
          if (body.price !== undefined && body.price > 100_000) throw new ValidationError({ price: ['must be at most 1,000.00'] }, 'The note was not saved');
          Object.assign(note, body);
          return note;
        },
      }),
    ],
  });
  await ensureWebBuilt();
  [t, browser] = await Promise.all([createTestKernel({ plugins: [consolePlugin, notebook], tenants: ['desk'] }), launchChromium()]);
  const owner = t.tenants.desk!;
  const tenant = await t.request('PATCH', '/api/v1/tenant', { headers: owner.headers, body: { currency: 'EUR', time_zone: 'Europe/Paris', locale: 'en' } });
  expect(tenant.status, JSON.stringify(tenant.body)).toBe(200);
  await t.enable(owner, 'notebook');
  member = await addMember(t, owner, ['member']);
  const created = await t.request('POST', '/api/v1/notebook/notes', { headers: owner.headers, body: { title: 'Groceries', price: 1250, body: '<p>Milk</p>' } });
  expect(created.status, JSON.stringify(created.body)).toBe(201);
  noteId = created.body.data.id;
  tab = await openPage(browser, t.url);
  tab.page.setDefaultTimeout(15_000);
  await tab.context.grantPermissions(['clipboard-read', 'clipboard-write'], { origin: t.url });
  // A person who asked for less motion: charts draw at once (and the screenshots show them drawn).
  await tab.page.emulateMedia({ reducedMotion: 'reduce' });
  await signIn(tab, member);
});

recordFailures('extensions', () => tab);

afterAll(async () => {
  await browser?.close();
  await t?.close();
  rmSync(webDir, { recursive: true, force: true });
});

/** Photographs the screen as `extensions-editor-<language>-1280.png` and `-390.png` (browser.ts `photograph`). */
const photograph = (language: 'en' | 'ar') => photographScreen(tab, 'extensions-editor', language);

describe.sequential("a plugin's own screens", () => {
  test("the list's row opens the primary screen with the record's id", async () => {
    const { page } = tab;
    await page.getByRole('navigation', { name: 'Main' }).getByRole('link', { name: 'Notes', exact: true }).click();
    await page.getByRole('link', { name: 'Groceries', exact: true }).click();
    await page.waitForURL(`**/t/desk/w/notebook/notebook-editor?id=${noteId}`);
    await page.getByRole('heading', { name: 'Note editor', level: 1 }).waitFor();
    await page.getByRole('heading', { name: 'Note for Groceries', level: 2 }).waitFor();
    await page.getByText('10 views').waitFor();
    // The way back: the list and the record in the trail, and the generic page of the record.
    const trail = page.getByRole('navigation', { name: 'Breadcrumbs' });
    await trail.getByRole('link', { name: 'Notes' }).waitFor();
    await trail.getByRole('link', { name: 'Groceries' }).waitFor();
    expect(await page.getByRole('link', { name: 'Details' }).getAttribute('href')).toBe(`/t/desk/p/notebook/notes/${noteId}`);
  });

  test('<plinth-fields> shows typed inputs for the PATCH schema and the screen saves what changed', async () => {
    const { page } = tab;
    const price = page.getByLabel('Price', { exact: true });
    expect(await price.inputValue()).toBe('12.50');
    await page.getByText('Amount in EUR').waitFor();
    await page.getByRole('textbox', { name: 'Body' }).waitFor();
    await page.getByText('Milk').waitFor();
    await page.getByLabel('Title', { exact: true }).fill('Groceries for Friday');
    await page.getByText('Unsaved changes').waitFor();
    await price.fill('14.75');
    const owner = page.getByRole('combobox', { name: 'Owner', exact: true });
    await owner.click();
    await owner.pressSequentially('bea');
    await page.getByRole('listbox', { name: 'Owner', exact: true }).getByRole('option', { name: 'Bea Brown' }).waitFor();
    await owner.press('ArrowDown');
    await owner.press('Enter');
    const body = page.getByRole('textbox', { name: 'Body' });
    await body.click();
    await page.keyboard.press('End');
    await page.keyboard.type(' and eggs');
    await page.getByRole('button', { name: 'Save note' }).click();
    await page.getByRole('status').getByText('Saved Groceries for Friday').waitFor();
    await page.getByText('No changes yet').waitFor();
    expect(notes.get(noteId)).toEqual({
      id: noteId,
      title: 'Groceries for Friday',
      price: 1475,
      body: '<p>Milk and eggs</p>',
      owner_id: people[1]!.id,
    });
  });

  test("the API's 422 shows beside its field, and the form keeps what was typed", async () => {
    const { page } = tab;
    const price = page.getByLabel('Price', { exact: true });
    await price.fill('2000');
    await page.getByRole('button', { name: 'Save note' }).click();
    await page.getByRole('alert').getByText('The note was not saved').waitFor();
    await page.getByText('must be at most 1,000.00').waitFor();
    expect(await price.getAttribute('aria-invalid')).toBe('true');
    expect(await price.inputValue()).toBe('2000');
    expect(notes.get(noteId)?.price).toBe(1475);
  });

  test('<plinth-chart> draws a named canvas and <plinth-share> copies the public address', async () => {
    const { page } = tab;
    const canvas = page.locator('plinth-chart canvas');
    await canvas.waitFor();
    expect(await canvas.getAttribute('role')).toBe('img');
    expect(await canvas.getAttribute('aria-label')).toBe('Views per day');
    await expect.poll(() => canvas.evaluate((element: HTMLCanvasElement) => element.width)).toBeGreaterThan(0);
    const address = `${t.url}/n/${noteId}`;
    const share = page.locator('plinth-share');
    await share.getByRole('link', { name: address, exact: true }).waitFor();
    expect(await share.getByRole('link', { name: `Open ${address} in a new tab` }).getAttribute('target')).toBe('_blank');
    await share.getByRole('button', { name: `Copy ${address}` }).click();
    await share.getByText('Copied').waitFor();
    expect(await page.evaluate(() => navigator.clipboard.readText())).toBe(address);
    await share.getByRole('img', { name: `QR code of ${address}` }).waitFor();
    expect(await share.getByRole('link', { name: 'Download QR code (PNG)' }).getAttribute('download')).toBe('qr-code.png');
    await photograph('en');
  });

  test("the plugin's words turn Arabic with the console, right to left", async () => {
    const { page } = tab;
    await page.locator('a[href="/account"]').first().click();
    await page.getByLabel(/^Language/).selectOption('ar');
    await page.waitForFunction(() => document.documentElement.dir === 'rtl');
    await page.goBack();
    await page.getByRole('heading', { name: 'محرر الملاحظة', level: 1 }).waitFor();
    await page.getByRole('heading', { name: 'ملاحظة Groceries for Friday', level: 2 }).waitFor();
    await page.getByText('10 مشاهدات').waitFor();
    await page.getByLabel('السعر', { exact: true }).waitFor();
    await page.getByRole('button', { name: 'حفظ الملاحظة' }).waitFor();
    expect(await page.locator('plinth-chart canvas').getAttribute('aria-label')).toBe('المشاهدات يوميًا');
    expect(await page.locator('notebook-editor').getAttribute('dir')).toBe('rtl');
    await photograph('ar');
    await page.locator('a[href="/account"]').first().click();
    await page.getByLabel(/^اللغة/).selectOption('en');
    await page.waitForFunction(() => document.documentElement.dir === 'ltr');
    await page.goBack();
    await page.getByRole('heading', { name: 'Note editor', level: 1 }).waitFor();
  });

  test("the list's header button opens the other screen", async () => {
    const { page } = tab;
    await page.getByRole('navigation', { name: 'Main' }).getByRole('link', { name: 'Notes', exact: true }).click();
    await page.getByRole('link', { name: 'Overview' }).click();
    await page.waitForURL('**/t/desk/w/notebook/notebook-overview');
    await page.getByRole('heading', { name: 'All notes', level: 2 }).waitFor();
    await page.getByText('1 note in all').waitFor();
  });

  test('the generic detail page links to the screen, and no page logged an error', async () => {
    const { page } = tab;
    await page.goto(`/t/desk/p/notebook/notes/${noteId}`);
    await page.getByRole('link', { name: 'Note editor' }).click();
    await page.waitForURL(`**/t/desk/w/notebook/notebook-editor?id=${noteId}`);
    await page.getByRole('heading', { name: 'Note for Groceries for Friday', level: 2 }).waitFor();
    expect(tab.errors).toEqual([]);
  });
});
