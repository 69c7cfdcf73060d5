/// <reference lib="dom" /> // page.evaluate callbacks run in the browser
/**
 * Every typed field of the generated forms, in headless Chromium against a real kernel: a test plugin whose body
 * schema uses each widget (money in the tenant's Kuwaiti dinars and in a sibling currency, percent, a date-time in
 * Berlin across the change to summer time, switch, colour, segmented and select choices, rich text, relation
 * pickers, chips, a nested group, repeatable rows, key/value entries, JSON). A member fills it in, the API gets
 * the right JSON; editing shows the values back (names, not ids) and sends only what changed; a 422 on a nested
 * path lands beside its input.
 */
import { addMember, createTestKernel, type TestKernel, type TestUser } from '@plinth/core/testing';
import { BasisPoints, definePermissions, definePlugin, Money, NotFoundError, PageQuery, paginate, Ref, Reply, RichText, Type, Widget } from '@plinth/sdk';
import type { Browser, Page } from 'playwright-core';
import { afterAll, afterEach, beforeAll, describe, expect, test } from 'vitest';
import consolePlugin from '../src/index.js';
import { launchChromium, openPage, signIn, type WatchedPage } from './browser.js';
import { expectAxeClean, expectNamedControls } from './named-controls.js';
import { ensureWebBuilt } from './web-build.js';

const permissions = definePermissions('widgets', {
  'things.manage': { description: 'Keep things', grantTo: ['admin', 'member'] },
  'secrets.view': { description: 'See secret people', grantTo: ['admin'] },
});

const people = [
  { id: '00000000-0000-4000-8000-000000000001', name: 'Ali Hassan', email: 'ali@example.test' },
  { id: '00000000-0000-4000-8000-000000000002', name: 'Bea Brown', email: 'bea@example.test' },
  { id: '00000000-0000-4000-8000-000000000003', name: 'Bob Stone', email: 'bob@example.test' },
];
const [ali, bea, bob] = people as [(typeof people)[number], (typeof people)[number], (typeof people)[number]];

const Variant = Type.Object(
  { sku: Type.String({ minLength: 1, title: 'SKU' }), price: Money({ title: 'Price', maximum: 1_000_000 }) },
  { additionalProperties: false },
);
const ThingFields = {
  title: Type.String({ minLength: 1, title: 'Title' }),
  price: Money({ title: 'Price' }),
  fee: Type.Optional(Money({ title: 'Fee', currencyField: 'fee_currency' })),
  fee_currency: Type.Optional(Type.Union([Type.Literal('JPY'), Type.Literal('USD')], { title: 'Fee currency' })),
  discount: BasisPoints({ title: 'Discount' }),
  starts_at: Type.String({ format: 'date-time', title: 'Starts at' }),
  visible: Type.Boolean({ default: true, title: 'Visible' }),
  featured: Type.Boolean({ default: false, title: 'Featured' }),
  colour: Type.Optional(Widget(Type.String({ pattern: '^#[0-9a-fA-F]{6}$', title: 'Colour' }), 'color')),
  site: Type.Optional(Widget(Type.String({ title: 'Website' }), 'url')),
  size: Type.Optional(Type.Union([Type.Literal('s'), Type.Literal('m'), Type.Literal('l')], { title: 'Size' })),
  country: Type.Optional(
    Type.Union(
      ['EG', 'SA', 'AE', 'KW', 'QA', 'JO'].map((code) => Type.Literal(code)),
      { title: 'Country' },
    ),
  ),
  body: Type.Optional(RichText({ title: 'Body' })),
  owner_id: Ref('/widgets/people', { label: 'name', detail: 'email', title: 'Owner' }),
  reviewer_ids: Type.Optional(Type.Array(Ref('/widgets/people', { label: 'name', detail: 'email' }), { title: 'Reviewers' })),
  secret_id: Type.Optional(Ref('/widgets/secret-people', { title: 'Secret person' })),
  tags: Type.Optional(Type.Array(Type.String(), { title: 'Tags' })),
  address: Type.Optional(Type.Object({ street: Type.Optional(Type.String({ title: 'Street' })), city: Type.String({ title: 'City' }) }, { title: 'Address' })),
  variants: Type.Optional(Type.Array(Variant, { title: 'Variants' })),
  labels: Type.Optional(Type.Record(Type.String(), Type.String(), { title: 'Labels' })),
  extra: Type.Optional(Type.Unknown({ title: 'Extra' })),
};
const NewThing = Type.Object(ThingFields, { additionalProperties: false });
const ThingPatch = Type.Partial(NewThing);

/** What the routes stored and received, for the test to look at. */
const things = new Map<string, Record<string, unknown>>();

const widgets = definePlugin({
  name: 'widgets',
  version: '0.1.0',
  title: 'Widgets',
  description: 'Every typed field of the console, for its tests.',
  category: 'examples',
  requires: { core: '>=0.1.0' },
  permissions,
  // Some of its words in Arabic (the rest shows in English): what the Arabic case checks.
  translations: { ar: { Title: 'العنوان', Price: 'السعر', Variants: 'المتغيرات', Variant: 'متغير', Things: 'الأشياء', Widgets: 'الأدوات' } },
  routes: ({ route }) => [
    route({
      method: 'GET',
      path: '/people',
      summary: 'People to pick',
      permission: permissions['things.manage'],
      schema: { query: Type.Composite([PageQuery, Type.Object({ q: Type.Optional(Type.String()), ids: Type.Optional(Type.String()) })]) },
      errors: [],
      async handler({ query }) {
        const ids = query.ids?.split(',');
        const found = people.filter((person) => (ids ? ids.includes(person.id) : !query.q || person.name.toLowerCase().includes(query.q.toLowerCase())));
        return Reply.list(found.slice(0, query.per_page), paginate(query, found.length));
      },
    }),
    route({
      method: 'GET',
      path: '/secret-people',
      summary: 'People the member may not list',
      permission: permissions['secrets.view'],
      schema: { query: PageQuery },
      errors: [],
      async handler({ query }) {
        return Reply.list(people, paginate(query, people.length));
      },
    }),
    route({
      method: 'GET',
      path: '/things',
      summary: 'Things',
      permission: permissions['things.manage'],
      schema: { query: PageQuery },
      errors: [],
      async handler({ query }) {
        return Reply.list([...things.values()], paginate(query, things.size));
      },
    }),
    route({
      method: 'POST',
      path: '/things',
      summary: 'Make a thing',
      permission: permissions['things.manage'],
      schema: { body: NewThing },
      errors: [],
      async handler({ body }) {
        const thing = { id: crypto.randomUUID(), ...body };
        things.set(thing.id, thing);
        return Reply.created(thing);
      },
    }),
    route({
      method: 'GET',
      path: '/things/:id',
      summary: 'A thing',
      permission: permissions['things.manage'],
      schema: { params: Type.Object({ id: Type.String({ format: 'uuid' }) }) },
      errors: [],
      async handler({ params }) {
        const thing = things.get(params.id);
        if (!thing) throw new NotFoundError('No such thing');
        return thing;
      },
    }),
    route({
      method: 'PATCH',
      path: '/things/:id',
      summary: 'Change a thing',
      permission: permissions['things.manage'],
      schema: { params: Type.Object({ id: Type.String({ format: 'uuid' }) }), body: ThingPatch },
      errors: [],
      async handler({ params, body }) {
        const thing = things.get(params.id);
        if (!thing) throw new NotFoundError('No such thing');
        Object.assign(thing, body);
        return thing;
      },
    }),
  ],
});

let t: TestKernel;
let browser: Browser;
let member: TestUser;
let tab: WatchedPage;
let thingId: string;

const thingsPath = () => `/t/${member.tenant!.slug}/p/widgets/things`;
const combobox = (page: Page, name: string) => page.getByRole('combobox', { name, exact: true });
/** The options a picker offers (the page's selects have options too). */
const options = (page: Page, name: string) => page.getByRole('listbox', { name, exact: true }).getByRole('option');

beforeAll(async () => {
  await ensureWebBuilt();
  [t, browser] = await Promise.all([createTestKernel({ plugins: [consolePlugin, widgets], tenants: ['souk'] }), launchChromium()]);
  const owner = t.tenants.souk!;
  const tenant = await t.request('PATCH', '/api/v1/tenant', { headers: owner.headers, body: { currency: 'KWD', time_zone: 'Europe/Berlin', locale: 'en' } });
  expect(tenant.status, JSON.stringify(tenant.body)).toBe(200);
  await t.enable(owner, 'widgets');
  member = await addMember(t, owner, ['member']);
  tab = await openPage(browser, t.url);
  tab.page.setDefaultTimeout(15_000);
  await signIn(tab, member);
});

afterEach(async (context) => {
  if (context.task.result?.state !== 'fail') return;
  await tab?.screenshot(`failed-fields-${context.task.name.replace(/\W+/g, '-').slice(0, 60)}`).catch(() => undefined);
});

afterAll(async () => {
  await browser?.close();
  await t?.close();
});

describe.sequential('typed fields of generated forms', () => {
  test('a member fills in every widget; the API gets minor units, basis points, UTC and ids', async () => {
    const { page } = tab;
    await page.goto(`${thingsPath()}/new`);
    await page.getByLabel('Title', { exact: true }).fill('Lantern');

    // Money in the tenant's currency (three decimals), and in the currency a sibling field names.
    const price = page.getByLabel('Price', { exact: true });
    expect(await price.getAttribute('inputmode')).toBe('decimal');
    await page.getByText('Amount in KWD').first().waitFor();
    await price.fill('12.345');
    await page.getByRole('radio', { name: 'JPY' }).check();
    await page.getByText('Amount in JPY').waitFor();
    await page.getByLabel('Fee', { exact: true }).fill('1500');
    await page.getByLabel('Discount', { exact: true }).fill('12.5');

    // 03:30 in Berlin on the night clocks go forward is 01:30 UTC; the zone is named under the input.
    const startsAt = page.getByLabel('Starts at', { exact: true });
    expect(await startsAt.getAttribute('type')).toBe('datetime-local');
    await page.getByText(/Time zone: Berlin/).waitFor();
    await startsAt.fill('2026-03-29T03:30');

    // Switches start at the schema's default.
    const visible = page.getByRole('switch', { name: 'Visible' });
    const featured = page.getByRole('switch', { name: 'Featured' });
    expect([await visible.isChecked(), await featured.isChecked()]).toEqual([true, false]);
    await featured.check();

    await page.getByLabel('Colour (hex code)').fill('#336699');
    expect(await page.getByLabel('Colour', { exact: true }).inputValue()).toBe('#336699');
    const site = page.getByLabel('Website', { exact: true });
    expect([await site.getAttribute('type'), await site.getAttribute('dir')]).toEqual(['url', 'ltr']);
    await site.fill('https://lantern.example');
    await page.getByRole('radio', { name: 'M', exact: true }).check();
    await page.getByLabel('Country', { exact: true }).selectOption('KW');

    // Rich text, loaded on demand: bold from the toolbar.
    const body = page.getByRole('textbox', { name: 'Body' });
    await body.click();
    await page.keyboard.type('Hello ');
    await page.getByRole('button', { name: 'Bold' }).click();
    await page.keyboard.type('world');
    expect(await page.getByRole('button', { name: 'Bold' }).getAttribute('aria-pressed')).toBe('true');

    // A single picker, with the keyboard: the search goes to the list route.
    const owner = combobox(page, 'Owner');
    await owner.click();
    await owner.pressSequentially('ali');
    await expect.poll(() => options(page, 'Owner').allTextContents()).toEqual([`${ali.name}${ali.email}`]);
    await owner.press('ArrowDown');
    expect(await owner.getAttribute('aria-activedescendant')).toBe(await options(page, 'Owner').first().getAttribute('id'));
    await owner.press('Enter');
    expect(await owner.inputValue()).toBe(ali.name);
    expect(await owner.getAttribute('aria-expanded')).toBe('false');

    // A multi picker: chips with remove buttons.
    const reviewers = combobox(page, 'Reviewers');
    await reviewers.click();
    await reviewers.pressSequentially('b');
    await expect.poll(() => options(page, 'Reviewers').count()).toBe(2);
    await reviewers.press('ArrowDown');
    await reviewers.press('Enter');
    await reviewers.pressSequentially('b');
    await expect.poll(() => options(page, 'Reviewers').allTextContents()).toEqual([`${bob.name}${bob.email}`]);
    await reviewers.press('ArrowDown');
    await reviewers.press('Enter');
    await page.getByRole('button', { name: `Remove ${bea.name}` }).waitFor();
    await page.getByRole('button', { name: `Remove ${bob.name}` }).waitFor();

    // A resource the member may not list: a text input with a note.
    await combobox(page, 'Secret person').click();
    await page.getByText('You may not list these records here: enter the id.').waitFor();
    await page.getByLabel('Secret person', { exact: true }).fill(bob.id);

    // Chips for a list of strings.
    const tags = page.getByLabel('Tags', { exact: true });
    await tags.fill('red');
    await tags.press('Enter');
    await tags.fill('blue');
    await tags.press('Enter');
    await page.getByRole('button', { name: 'Remove red' }).waitFor();

    // A nested object as a group; rows of a sub-form, moved; key/value entries.
    await page.getByRole('group', { name: 'Address' }).getByLabel('City').fill('Kuwait City');
    await page.getByRole('button', { name: 'Add variant' }).click();
    await page.getByRole('button', { name: 'Add variant' }).click();
    const first = page.getByRole('group', { name: 'Variant 1', exact: true });
    const second = page.getByRole('group', { name: 'Variant 2', exact: true });
    await first.getByLabel('SKU').fill('LAN-S');
    await first.getByLabel('Price').fill('1.5');
    await second.getByLabel('SKU').fill('LAN-L');
    await second.getByLabel('Price').fill('2');
    await page.getByRole('button', { name: 'Move up: Variant 2' }).click();
    expect(await first.getByLabel('SKU').inputValue()).toBe('LAN-L');
    await page.getByRole('button', { name: 'Add entry' }).click();
    await page.getByRole('group', { name: 'Entry 1' }).getByLabel('Key').fill('material');
    await page.getByRole('group', { name: 'Entry 1' }).getByLabel('Value').fill('brass');

    // JSON only where the schema says nothing, with the place of a mistake.
    const extra = page.getByLabel('Extra', { exact: true });
    await extra.fill('{\n  "a": 1,\n}');
    await page.getByText(/^Invalid JSON at line 3, column \d+$/).waitFor();
    await extra.fill('{"a": 1}');

    await expectNamedControls(page, 'form');
    await expectAxeClean(page, 'form');
    await tab.screenshot('fields-form-en');

    await page.getByRole('button', { name: /^Create thing/ }).click();
    await page.waitForURL(new RegExp(`${thingsPath()}/[0-9a-f-]{36}$`));
    thingId = page.url().split('/').pop()!;
    expect(things.get(thingId)).toEqual({
      id: thingId,
      title: 'Lantern',
      price: 12345,
      fee: 1500,
      fee_currency: 'JPY',
      discount: 1250,
      starts_at: '2026-03-29T01:30:00.000Z',
      visible: true,
      featured: true,
      colour: '#336699',
      site: 'https://lantern.example',
      size: 'm',
      country: 'KW',
      body: '<p>Hello <strong>world</strong></p>',
      owner_id: ali.id,
      reviewer_ids: [bea.id, bob.id],
      secret_id: bob.id,
      tags: ['red', 'blue'],
      address: { city: 'Kuwait City' },
      variants: [
        { sku: 'LAN-L', price: 2000 },
        { sku: 'LAN-S', price: 1500 },
      ],
      labels: { material: 'brass' },
      extra: { a: 1 },
    });
    expect(tab.errors).toEqual([]);
  });

  test('editing shows the values back, names not ids, and sends only what changed', async () => {
    const { page } = tab;
    await page.goto(`${thingsPath()}/${thingId}/edit`);
    expect(await page.getByLabel('Price', { exact: true }).first().inputValue()).toBe('12.345');
    expect(await page.getByLabel('Fee', { exact: true }).inputValue()).toBe('1500');
    expect(await page.getByLabel('Discount', { exact: true }).inputValue()).toBe('12.5');
    expect(await page.getByLabel('Starts at', { exact: true }).inputValue()).toBe('2026-03-29T03:30');
    await expect.poll(() => combobox(page, 'Owner').inputValue()).toBe(ali.name);
    await page.getByRole('button', { name: `Remove ${bea.name}` }).waitFor();
    expect(await page.getByText(ali.id).count()).toBe(0);
    await page.getByRole('textbox', { name: 'Body' }).getByText('world').waitFor();

    await page.getByRole('group', { name: 'Variant 2', exact: true }).getByLabel('Price').fill('1.75');
    // What the console sends (the kernel then fills in the schema's defaults of absent properties).
    const [patch] = await Promise.all([
      page.waitForRequest((request) => request.method() === 'PATCH'),
      page.getByRole('button', { name: 'Save changes' }).click(),
    ]);
    await page.waitForURL(new RegExp(`${thingsPath()}/${thingId}$`));
    expect(patch.postDataJSON()).toEqual({
      variants: [
        { sku: 'LAN-L', price: 2000 },
        { sku: 'LAN-S', price: 1750 },
      ],
    });
  });

  test("the API's error on a nested path is shown beside that input", async () => {
    const { page } = tab;
    await page.goto(`${thingsPath()}/${thingId}/edit`);
    const second = page.getByRole('group', { name: 'Variant 2', exact: true });
    const price = second.getByLabel('Price');
    await price.fill('5000'); // 5,000,000 fils: above the schema's maximum
    await page.getByRole('button', { name: 'Save changes' }).click();
    await expect.poll(() => price.getAttribute('aria-invalid')).toBe('true');
    const described = (await price.getAttribute('aria-describedby'))!.split(' ');
    const message = await page.evaluate((ids) => ids.map((id) => document.getElementById(id)?.textContent ?? '').join(' '), described);
    expect(message).toMatch(/must be <= 1000000/);
    expect(await page.getByRole('group', { name: 'Variant 1', exact: true }).getByLabel('Price').getAttribute('aria-invalid')).toBeNull();
    // A problem found before sending, at its place too.
    await price.fill('1.2345');
    await page.getByRole('button', { name: 'Save changes' }).click();
    await second.getByText('Enter an amount with at most 3 decimals').waitFor();
    expect(tab.errors).toEqual([]);
  });

  test('in Arabic the form reads right to left, with its words translated', async () => {
    const { page } = tab;
    await page.goto('/account');
    await page.getByLabel(/^Language/).selectOption('ar');
    await page.waitForFunction(() => document.documentElement.dir === 'rtl');
    await page.goto(`${thingsPath()}/${thingId}/edit`);
    // The plugin's words come from its catalogue: menu, breadcrumbs, labels, the rows' names, the add button.
    await page.getByRole('group', { name: 'الأدوات' }).getByRole('link', { name: 'الأشياء' }).waitFor();
    await page.getByRole('navigation', { name: 'مسار التنقل' }).getByRole('link', { name: 'الأشياء' }).waitFor();
    await page.getByLabel('العنوان', { exact: true }).waitFor();
    await page.getByLabel('السعر', { exact: true }).first().waitFor();
    await page.getByRole('button', { name: 'إضافة متغير' }).waitFor();
    const firstVariant = page.getByRole('group', { name: 'متغير 1', exact: true });
    await firstVariant.getByRole('button', { name: 'إزالة متغير 1' }).waitFor();
    await firstVariant.getByLabel('السعر', { exact: true }).waitFor();
    // Words it does not translate stay in English.
    await page.getByLabel('Fee', { exact: true }).waitFor();
    await page.getByText('المبلغ بعملة KWD').first().waitFor();
    await page.getByRole('textbox', { name: 'Body' }).getByText('world').waitFor();
    await tab.screenshot('fields-form-ar');
    await expectAxeClean(page, 'form');
    expect(tab.errors).toEqual([]);
  });
});
