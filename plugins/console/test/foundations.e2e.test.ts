/**
 * Issue 20's proof, in headless Chromium against a real kernel, as people would use the console (click, type,
 * keyboard; no JSON typed anywhere): a shop owner creates a product with two variants priced in euros, a school
 * admin gives a course an instructor chosen from a relation picker, the owner sets the shop's tax rate as a
 * percent; the product is created again with the keyboard alone; then the same screens in Arabic, right to left.
 * Every screen is checked by axe-core (browser.ts) and photographed in both directions at 1280 and 390 px
 * (test-artifacts/foundations-<screen>-<en|ar>-<1280|390>.png).
 */
import type { Locator, Page } from 'playwright-core';
import { afterAll, afterEach, beforeAll, describe, expect, test } from 'vitest';
import type { WatchedPage } from './browser.js';
import { bootFoundations, consoleTab, documentLocale, expectStatus, isFocused, photograph, tabTo, type FoundationsWorld } from './foundations-setup.js';
import { ensureWebBuilt } from './web-build.js';

let world: FoundationsWorld;
let owner: WatchedPage;
let schoolAdmin: WatchedPage | undefined;

beforeAll(async () => {
  await ensureWebBuilt();
  world = await bootFoundations();
  owner = await consoleTab(world, world.owner);
});

// A failing step leaves a picture of each open page behind, next to the screenshots.
afterEach(async (context) => {
  if (context.task.result?.state !== 'fail') return;
  const name = context.task.name.replace(/\W+/g, '-').slice(0, 50);
  console.log(`errors logged by the pages so far: ${JSON.stringify([...(owner?.errors ?? []), ...(schoolAdmin?.errors ?? [])])}`);
  await owner?.screenshot(`failed-foundations-${name}-owner`).catch(() => undefined);
  await schoolAdmin?.screenshot(`failed-foundations-${name}-school-admin`).catch(() => undefined);
});

afterAll(async () => {
  await world?.close();
});

/** A link of the main menu. */
const menu = (page: Page, name: string | RegExp) => page.getByRole('navigation', { name: 'Main' }).getByRole('link', { name, exact: true });

/**
 * A labelled text or number input by its accessible name (the required marker `*` beside a label is hidden from
 * assistive technology, so it is not part of the name).
 */
const input = (scope: Page | Locator, name: string | RegExp) =>
  scope.getByRole('textbox', { name, exact: true }).or(scope.getByRole('spinbutton', { name, exact: true }));

/** An amount as the console shows it in English: `€24.90`. */
const euros = (minor: number) => new Intl.NumberFormat('en', { style: 'currency', currency: world.currency }).format(minor / 100);

interface StoredProduct {
  id: string;
  name: string;
  status: string;
  variants: { sku: string; price: number; stock: number }[];
}

/** After create, a product or course opens in its plugin's screen (the primary one); its "Details" leads to the generated page. */
async function openDetails(page: Page, details = 'Details'): Promise<void> {
  await page.waitForURL(/\/w\/(shop|lms)\/[a-z-]+\?id=[0-9a-f-]{36}$/);
  await page.getByRole('link', { name: details, exact: true }).click();
}

/** The product named `name`, as the API stores it. */
async function storedProduct(name: string): Promise<StoredProduct> {
  const listed = expectStatus(await world.api('GET', `/api/v1/shop/products?q=${encodeURIComponent(name)}`), 200, 'listing products');
  const found = (listed.body.data as StoredProduct[]).filter((product) => product.name === name);
  expect(found, `one product named ${name}`).toHaveLength(1);
  return found[0]!;
}

describe.sequential('console foundations: humane forms, keyboard, Arabic', () => {
  test('a shop owner creates a product with two variants, prices typed in euros; the list shows them formatted', async () => {
    const { page } = owner;
    await menu(page, 'Products').click();
    await page.getByRole('heading', { name: 'Products', level: 1 }).waitFor();
    await page.getByRole('link', { name: /^New product/ }).click();
    await input(page, 'Name').fill('Linen tote bag');

    const addVariant = page.getByRole('button', { name: /^Add variant/i });
    await addVariant.click();
    await addVariant.click();
    const first = page.getByRole('group', { name: 'Variant 1', exact: true });
    const second = page.getByRole('group', { name: 'Variant 2', exact: true });
    await input(first, /^SKU$/i).fill('TOTE-NATURAL');
    await input(first, 'Price').fill('24.90');
    await input(first, 'Stock').fill('12');
    await input(second, /^SKU$/i).fill('TOTE-INDIGO');
    await input(second, 'Price').fill('31.5');
    await input(second, 'Stock').fill('3');
    // The amount is typed in the tenant's currency, whose code stands beside the input.
    await expect.poll(() => first.getByText(world.currency, { exact: true }).count()).toBeGreaterThan(0);
    expect(await page.getByRole('textbox', { name: /^Variants/ }).count(), 'variants are sub-forms, not a JSON box').toBe(0);
    await photograph(owner, 'product-form', 'en');

    await page.getByRole('button', { name: /^Create product/ }).click();
    await openDetails(page); // after create: the new record, in its editor first
    await page.getByRole('heading', { name: 'Linen tote bag' }).waitFor();
    const product = await storedProduct('Linen tote bag');
    expect(product.variants.map((variant) => [variant.sku, variant.price, variant.stock])).toEqual([
      ['TOTE-NATURAL', 2490, 12],
      ['TOTE-INDIGO', 3150, 3],
    ]);
    await photograph(owner, 'product', 'en');

    // From navigation to an interactive list: the first row visible (reported, not asserted).
    const started = performance.now();
    await menu(page, 'Products').click();
    const row = page.getByRole('row').filter({ hasText: 'Linen tote bag' });
    await row.waitFor();
    console.log(`products list: first row visible ${Math.round(performance.now() - started)} ms after the menu click`);
    await row.getByText(euros(2490)).first().waitFor(); // the price, formatted in euros
    await row.getByRole('cell', { name: '15', exact: true }).waitFor(); // and the stock of both variants
    await photograph(owner, 'products', 'en');
  });

  test('a school admin creates a course, choosing its instructor from a picker by part of her name', async () => {
    schoolAdmin = await consoleTab(world, world.schoolAdmin);
    const { page } = schoolAdmin;
    await menu(page, 'Courses').click();
    await page.getByRole('heading', { name: 'Courses', level: 1 }).waitFor();
    await page.getByRole('link', { name: /^New course/ }).click();
    await input(page, 'Title').fill('Figure drawing');
    await input(page, 'Slug').fill('figure-drawing');

    const picker = page.getByRole('combobox', { name: /^Instructor/i });
    await picker.click();
    await picker.pressSequentially('okaf');
    const listbox = page.locator(`[id="${await picker.getAttribute('aria-controls')}"]`);
    const option = listbox.getByRole('option', { name: /Ingrid Okafor/ });
    await option.waitFor();
    await expect.poll(() => listbox.getByRole('option').count(), { timeout: 10_000 }).toBe(1); // the search went to the server: only her
    await picker.press('ArrowDown');
    expect(await option.getAttribute('aria-selected')).toBe('true');
    expect(await picker.getAttribute('aria-activedescendant')).toBe(await option.getAttribute('id'));
    await picker.press('Enter');
    await page.getByRole('button', { name: 'Remove Ingrid Okafor' }).waitFor(); // her chip, by name
    expect(await page.getByText(world.instructor.id).count(), 'no id shown').toBe(0);
    await photograph(schoolAdmin, 'course-form', 'en');

    await page.getByRole('button', { name: /^Create course/ }).click();
    await openDetails(page);
    await page.getByRole('heading', { name: 'Figure drawing' }).waitFor();
    // The course's page names its instructor (the title the form gives the field), not her id.
    const instructors = page.locator('dl.record > div').filter({ has: page.locator('dt', { hasText: /^Instructors$/ }) });
    await instructors.locator('dd').getByText('Ingrid Okafor').waitFor();
    expect(await page.getByText(world.instructor.id).count(), 'no id shown on the course page').toBe(0);
    // A referenced record the console has a page for is a link to it: the product selling the course.
    const product = await storedProduct('Linen tote bag');
    const courseId = page.url().split('/').pop()!;
    expectStatus(await world.api('PATCH', `/api/v1/lms/courses/${courseId}`, { shop_product_id: product.id }), 200, 'selling the course');
    await page.reload();
    const sold = page.locator('dl.record > div').filter({ has: page.locator('dt', { hasText: /^Product$/ }) });
    const productLink = sold.locator('dd').getByRole('link', { name: 'Linen tote bag' });
    expect(await productLink.getAttribute('href')).toBe(`/t/${world.slug}/p/shop/products/${product.id}`);
    expect(await page.getByText(product.id).count(), 'no product id shown').toBe(0);
    await photograph(schoolAdmin, 'course', 'en');
    const courses = expectStatus(await world.api('GET', '/api/v1/lms/courses?q=Figure'), 200, 'listing courses').body.data as {
      title: string;
      instructor_ids: string[];
    }[];
    expect(courses.find((course) => course.title === 'Figure drawing')?.instructor_ids).toEqual([world.instructor.id]);
    // Editing it, the picker names the instructor it holds (looked up from her id).
    await page.getByRole('link', { name: /^Edit/ }).first().click();
    await page.getByRole('button', { name: 'Remove Ingrid Okafor' }).waitFor();
    expect(schoolAdmin.errors).toEqual([]);
  });

  test("the owner sets the shop's tax rate, typed as a percent, in the plugin's settings", async () => {
    const { page } = owner;
    await menu(page, 'Marketplace').click();
    await page
      .locator('[data-plugin="shop"]')
      .getByRole('button', { name: /^Settings/ })
      .click();
    const dialog = page.getByRole('dialog');
    const taxRate = dialog.getByLabel(/^Tax rate/);
    await taxRate.fill('12.5');
    await photograph(owner, 'shop-settings', 'en');
    await dialog.getByRole('button', { name: 'Save settings' }).click();
    await dialog.waitFor({ state: 'detached' });
    const settings = expectStatus(await world.api('GET', '/api/v1/plugins/shop/settings'), 200, 'shop settings');
    expect(settings.body.data.tax_rate_bps).toBe(1250);

    await page
      .locator('[data-plugin="shop"]')
      .getByRole('button', { name: /^Settings/ })
      .click();
    expect(await dialog.getByLabel(/^Tax rate/).inputValue()).toBe('12.5'); // shown back as a percent
    await dialog.getByRole('button', { name: 'Cancel' }).click();
    await dialog.waitFor({ state: 'detached' });
  });

  test('the same product is created with the keyboard alone', async () => {
    const { page } = owner;
    await page.goto(`/t/${world.slug}`); // a page load: the focus starts at the top of the document
    await page.getByRole('heading', { level: 1 }).first().waitFor();
    await tabTo(page, menu(page, 'Products'));
    await page.keyboard.press('Enter');
    await tabTo(page, page.getByRole('link', { name: /^New product/ }));
    await page.keyboard.press('Enter');

    await tabTo(page, input(page, 'Name'));
    await page.keyboard.type('Canvas apron');
    const addVariant = page.getByRole('button', { name: /^Add variant/i });
    await tabTo(page, addVariant);
    await page.keyboard.press('Enter');
    const first = page.getByRole('group', { name: 'Variant 1', exact: true });
    await tabTo(page, input(first, /^SKU$/i));
    await page.keyboard.type('APRON-S');
    await tabTo(page, input(first, 'Price'));
    await page.keyboard.type('19.99');
    await tabTo(page, input(first, 'Stock'));
    await page.keyboard.type('7');

    await tabTo(page, addVariant);
    await page.keyboard.press('Space');
    const second = page.getByRole('group', { name: 'Variant 2', exact: true });
    await tabTo(page, input(second, /^SKU$/i));
    await page.keyboard.type('APRON-L');
    await tabTo(page, input(second, 'Stock'));
    await page.keyboard.type('4');
    // Back (Shift+Tab) to the price, left out on the way.
    await tabTo(page, input(second, 'Price'), { backwards: true });
    await page.keyboard.type('21');

    // The status with the arrow keys: a radio group moves the choice, a select too.
    const statuses = page.getByRole('radiogroup', { name: 'Status', exact: true });
    const active = statuses.getByRole('radio', { name: 'Active', exact: true });
    await tabTo(page, statuses); // the focus enters the group on its checked choice
    for (let presses = 0; presses < 4 && !(await active.isChecked()); presses += 1) await page.keyboard.press('ArrowRight');
    expect(await active.isChecked()).toBe(true);
    expect(await isFocused(active)).toBe(true);

    await tabTo(page, page.getByRole('button', { name: /^Create product/ }));
    await page.keyboard.press('Enter');
    await openDetails(page);
    await page.getByRole('heading', { name: 'Canvas apron' }).waitFor();
    const product = await storedProduct('Canvas apron');
    expect(product.status).toBe('active');
    expect(product.variants.map((variant) => [variant.sku, variant.price, variant.stock])).toEqual([
      ['APRON-S', 1999, 7],
      ['APRON-L', 2100, 4],
    ]);
  });

  test('in Arabic, chosen on the account page, the same screens read right to left', async () => {
    const { page } = owner;
    expect(await documentLocale(page)).toEqual({ lang: 'en', dir: 'ltr' });
    await page.locator('a[href="/account"]').first().click();
    const language = page.getByLabel(/^Language/);
    await language.waitFor();
    await photograph(owner, 'account', 'en');
    await language.selectOption('ar');
    await page.waitForFunction(() => document.documentElement.dir === 'rtl');
    expect(await documentLocale(page)).toEqual({ lang: 'ar', dir: 'rtl' });
    await page.getByRole('button', { name: 'تسجيل الخروج' }).waitFor(); // the shell speaks Arabic ("Sign out")
    await photograph(owner, 'account', 'ar');
    // The choice is the user's: it holds after a reload.
    await page.reload();
    await page.waitForFunction(() => document.documentElement.dir === 'rtl');

    const base = `/t/${world.slug}/p/shop/products`;
    const product = await storedProduct('Linen tote bag');
    await page.goto(base);
    await page.getByRole('row').filter({ hasText: 'Linen tote bag' }).waitFor();
    await photograph(owner, 'products', 'ar');
    await page.goto(`${base}/${product.id}`);
    await page.getByRole('heading', { name: 'Linen tote bag' }).waitFor();
    await photograph(owner, 'product', 'ar');
    await page.goto(`${base}/new`);
    const variants = page.getByRole('group', { name: /^المتغيّرات/ }); // "Variants", in the shop's Arabic
    const addVariant = variants.getByRole('button', { name: /^إضافة/ }).last(); // after the rows (each row has its own for options)
    await addVariant.click();
    await addVariant.click();
    await expect.poll(() => variants.getByRole('group', { name: /متغيّر/ }).count()).toBe(2); // two rows (not their inner groups)
    await photograph(owner, 'product-form', 'ar');
    // The form works right to left too: an Arabic name, amounts typed as before (labels in the shop's Arabic).
    await input(page, 'الاسم').first().fill('حقيبة كتان'); // the product's "Name" (each variant has a name too)
    const rows = variants.getByRole('group', { name: /متغيّر/ });
    await input(rows.nth(0), /^SKU$/i).fill('BAG-SAND');
    await input(rows.nth(0), 'السعر').fill('12.75'); // "Price"
    await input(rows.nth(0), 'المخزون').fill('2'); // "Stock"
    await input(rows.nth(1), /^SKU$/i).fill('BAG-NIGHT');
    await input(rows.nth(1), 'السعر').fill('5');
    await page.getByRole('button', { name: /^إنشاء/ }).click();
    await openDetails(page, 'التفاصيل');
    await page.getByRole('heading', { name: 'حقيبة كتان' }).waitFor();
    expect((await storedProduct('حقيبة كتان')).variants.map((variant) => [variant.sku, variant.price, variant.stock])).toEqual([
      ['BAG-SAND', 1275, 2],
      ['BAG-NIGHT', 500, 0],
    ]);

    const admin = schoolAdmin!;
    await admin.page.locator('a[href="/account"]').first().click();
    await admin.page.getByLabel(/^Language/).selectOption('ar');
    await admin.page.waitForFunction(() => document.documentElement.dir === 'rtl');
    await admin.page.goto(`/t/${world.slug}/p/lms/courses/new`);
    const picker = admin.page.getByRole('combobox', { name: /^المدرّبون/ }); // the instructors (the unit picker follows them)
    await picker.click();
    await picker.pressSequentially('Ingrid');
    await admin.page.getByRole('option', { name: /Ingrid Okafor/ }).waitFor();
    await picker.press('ArrowDown');
    await picker.press('Enter');
    await photograph(admin, 'course-form', 'ar');

    await page.goto(`/t/${world.slug}/marketplace`);
    await page.locator('[data-plugin="shop"]').getByRole('button', { name: 'الإعدادات' }).click();
    const taxRate = page.getByRole('dialog').getByRole('textbox', { name: /^Tax rate|نسبة الضريبة|معدل الضريبة/ });
    expect(await taxRate.inputValue()).toBe('12.5');
    await photograph(owner, 'shop-settings', 'ar');
  });

  test('no page logged an error', () => {
    expect(owner.errors).toEqual([]);
    expect(schoolAdmin?.errors ?? []).toEqual([]);
  });
});
