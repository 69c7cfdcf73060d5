/**
 * Uploading in headless Chromium against a real kernel: a member drops an image on the bio site form's avatar
 * field and picks another with the file chooser, sees the upload's progress and the preview, saves, and the
 * public bio page shows the image. A file whose bytes are not an image is refused in the widget with the API's
 * message. Screenshots of the form, in English and Arabic, wide and at a phone's width, land in `test-artifacts/`.
 */
import { addMember, createTestKernel, solidPng, type TestKernel, type TestUser } from '@plinth/core/testing';
import bioSites from '@plinth/plugin-bio-sites';
import type { Browser, Page } from 'playwright-core';
import { afterAll, afterEach, beforeAll, describe, expect, test } from 'vitest';
import consolePlugin from '../src/index.js';
import { launchChromium, openPage, signIn, type WatchedPage } from './browser.js';
import { expectAxeClean, expectNamedControls } from './named-controls.js';
import { ensureWebBuilt } from './web-build.js';

let t: TestKernel;
let browser: Browser;
let owner: TestUser;
let member: TestUser;
let tab: WatchedPage;
let siteId: string;

const sites = () => `/t/${owner.tenant!.slug}/p/bio-sites/sites`;
const avatarField = (page: Page) => page.getByRole('group', { name: 'Avatar image' });
/** The field's file input (labelled by the field's label, like the group around it). */
const fileInput = (page: Page) => page.getByLabel('Avatar image').and(page.locator('input[type=file]'));

async function fileRow(id: string) {
  const [row] = await t.sql<{ owner_plugin: string; owner_id: string | null; visibility: string }>(
    'select owner_plugin, owner_id, visibility from files where id = $1',
    [id],
  );
  return row;
}

/** The width of an image once it has loaded (0 while loading or when it failed). */
const loadedWidth = (page: Page, selector: string) =>
  page.waitForFunction((found) => {
    const image = document.querySelector<HTMLImageElement>(found);
    return image?.complete && image.naturalWidth > 0 ? image.naturalWidth : false;
  }, selector);

/** Chooses the console's language on the account page and waits until the document speaks it. */
async function chooseLanguage(page: Page, language: 'en' | 'ar'): Promise<void> {
  await page.goto('/account');
  const saved = page.waitForResponse((response) => response.url().endsWith('/api/v1/me') && response.request().method() === 'PATCH');
  await page.locator('#account-language').selectOption(language);
  expect((await saved).status()).toBe(200);
  await page.waitForFunction((wanted) => document.documentElement.lang === wanted, language);
}

/**
 * Records every value the upload's progress bar and status take, from before the upload starts (a render can be
 * quicker than a test's polling): the test then asserts that progress was shown part-way.
 */
async function recordProgress(page: Page): Promise<void> {
  await page.evaluate(() => {
    const seen: { value: number; max: number; status: string; preview: string }[] = [];
    (window as unknown as { progressSeen: typeof seen }).progressSeen = seen;
    const observer = new MutationObserver(() => {
      const bar = document.querySelector<HTMLProgressElement>('.file-progress');
      const preview = document.querySelector<HTMLImageElement>('.file-field .file-preview img')?.getAttribute('src') ?? '';
      seen.push({ value: bar?.value ?? -1, max: bar?.max ?? -1, status: document.querySelector('.file-status')?.textContent ?? '', preview });
    });
    observer.observe(document.body, { subtree: true, childList: true, attributes: true, characterData: true });
  });
}

const progressSeen = (page: Page) =>
  page.evaluate(() => (window as unknown as { progressSeen: { value: number; max: number; status: string; preview: string }[] }).progressSeen);

beforeAll(async () => {
  await ensureWebBuilt();
  [t, browser] = await Promise.all([createTestKernel({ plugins: [consolePlugin, bioSites], tenants: ['studio'] }), launchChromium()]);
  owner = t.tenants.studio!;
  await t.enable(owner, 'bio-sites');
  member = await addMember(t, owner, ['member']);
  tab = await openPage(browser, t.url);
  tab.page.setDefaultTimeout(15_000);
  await signIn(tab, member);
});

afterEach(async (context) => {
  if (context.task.result?.state !== 'fail') return;
  await tab?.screenshot(`failed-files-${context.task.name.replace(/\W+/g, '-').slice(0, 60)}`).catch(() => undefined);
});

afterAll(async () => {
  await browser?.close();
  await t?.close();
});

describe.sequential('uploading in the console', () => {
  test('a member drops an image on the avatar field, then picks another; progress and preview show; saving attaches it', async () => {
    const { page } = tab;
    await page.goto(`${sites()}/new`);
    await page.getByLabel('Address').fill('studio-page');
    // The site's title (the form's first "Title"; the second is the search result title under "Search and sharing").
    await page.getByLabel('Title', { exact: true }).first().fill('The Studio');
    const status = page.getByRole('radiogroup', { name: 'Status' });
    await status.getByRole('radio', { name: 'Published', exact: true }).check();
    expect(await status.getByRole('radio', { name: 'Unpublished' }).isChecked()).toBe(false);
    const field = avatarField(page);
    await field.getByRole('button', { name: 'Choose file' }).waitFor();
    expect(await field.getByRole('button', { name: 'Choose file' }).getAttribute('aria-describedby')).toContain('field-avatar_file_id-limits');
    await expect(field.locator('#field-avatar_file_id-limits').textContent()).resolves.toBe('PNG, JPEG, GIF, WEBP, AVIF, up to 10 MB.');

    // Slow uploads down (about 1 MB/s) so that the progress bar has something to show.
    const cdp = await tab.context.newCDPSession(page);
    await cdp.send('Network.enable');
    await cdp.send('Network.emulateNetworkConditions', { offline: false, latency: 0, downloadThroughput: -1, uploadThroughput: 1_000_000 });
    await recordProgress(page);

    // A real drop: a DataTransfer holding a PNG drawn in the page, dispatched as the browser does on a drag.
    const dataTransfer = await page.evaluateHandle(async () => {
      const canvas = Object.assign(document.createElement('canvas'), { width: 900, height: 900 });
      const context = canvas.getContext('2d')!;
      const noise = context.createImageData(900, 900);
      for (let index = 0; index < noise.data.length; index++) noise.data[index] = (index * 2654435761) >>> 24;
      context.putImageData(noise, 0, 0);
      const blob = await new Promise<Blob>((resolve) => canvas.toBlob((made) => resolve(made!), 'image/png'));
      const transfer = new DataTransfer();
      transfer.items.add(new File([blob], 'dropped.png', { type: 'image/png' }));
      return transfer;
    });
    const zone = page.getByTestId('field-avatar_file_id-drop');
    await zone.dispatchEvent('dragenter', { dataTransfer });
    await zone.dispatchEvent('dragover', { dataTransfer });
    await field.getByText('Drop the file to upload it').waitFor();
    await zone.dispatchEvent('drop', { dataTransfer });
    await page.waitForFunction(() => (document.querySelector<HTMLProgressElement>('.file-progress')?.value ?? 0) > 0);
    await tab.screenshot('files-00-form-uploading');
    await field
      .getByRole('status')
      .filter({ hasText: /dropped\.png \([\d.]+ (KB|MB)\) uploaded\. Save to keep it\./ })
      .waitFor();
    await cdp.send('Network.emulateNetworkConditions', { offline: false, latency: 0, downloadThroughput: -1, uploadThroughput: -1 });

    const seen = await progressSeen(page);
    expect(
      seen.some((step) => step.value > 0 && step.value < step.max),
      JSON.stringify(seen.slice(0, 5)),
    ).toBe(true);
    expect(seen.some((step) => /^Uploading dropped\.png: \d+%$/.test(step.status) && !/: (0|100)%$/.test(step.status))).toBe(true);

    // The preview: the local copy at once (while uploading), the thumbnail once the variants job has made it.
    expect(seen.some((step) => step.value >= 0 && step.preview.startsWith('blob:'))).toBe(true);
    await t.drainJobs();
    await page.waitForFunction(() => document.querySelector<HTMLImageElement>('.file-field .file-preview img')?.src.includes('variant=thumb'));
    expect(await (await loadedWidth(page, '.file-field .file-preview img')).jsonValue()).toBe(200);
    const [first] = await t.sql<{ id: string }>("select id from files where name = 'dropped.png'");
    expect(await fileRow(first!.id)).toMatchObject({ owner_plugin: 'core', owner_id: null, visibility: 'public' });

    // Replaced through the file chooser, by keyboard (the button after the avatar URL field, then Enter); the first
    // upload, never saved, is deleted at once.
    await page.getByLabel('Avatar URL').focus();
    await page.keyboard.press('Tab');
    expect(await page.evaluate(() => document.activeElement?.textContent)).toBe('Replace');
    // Enter on the button itself (the locator focuses it again should a re-render have moved focus meanwhile).
    const [chooser] = await Promise.all([page.waitForEvent('filechooser'), field.getByRole('button', { name: 'Replace' }).press('Enter')]);
    expect(chooser.isMultiple()).toBe(false);
    await chooser.setFiles({ name: 'chosen.png', mimeType: 'image/png', buffer: solidPng(320, 240, [30, 120, 200]) });
    await field.getByRole('status').filter({ hasText: 'chosen.png' }).waitFor();
    await field.getByRole('button', { name: 'Replace' }).waitFor();
    await expect.poll(() => fileRow(first!.id)).toBeUndefined();
    expect(await (await loadedWidth(page, '.file-field .file-preview img')).jsonValue()).toBeGreaterThan(0);
    await expectNamedControls(page, 'form');
    await expectAxeClean(page, 'form');

    await page.getByRole('button', { name: 'Create bio site' }).click();
    // After create the site opens in its editor (the primary screen), which names it in the address.
    await page.waitForURL(/\/w\/bio-sites\/bio-site-editor\?id=[0-9a-f-]{36}$/);
    siteId = new URL(page.url()).searchParams.get('id')!;
    const site = await t.request('GET', `/api/v1/bio-sites/sites/${siteId}`, { headers: member.headers });
    const chosen = site.body.data.avatar_file_id as string;
    expect(await fileRow(chosen)).toMatchObject({ owner_plugin: 'bio-sites', owner_id: siteId, visibility: 'public' });
    // Nothing went wrong in the page (a preview blocked by the console's Content-Security-Policy would show here).
    expect(tab.errors).toEqual([]);
  });

  test('the public bio page shows the uploaded image', async () => {
    const visitor = await openPage(browser, t.url, { width: 390, height: 844 });
    try {
      const answer = await visitor.page.goto('/b/studio-page');
      expect(answer?.status()).toBe(200);
      const avatar = visitor.page.locator('img.avatar');
      expect(await avatar.getAttribute('alt')).toBe('The Studio');
      expect(await avatar.getAttribute('src')).toMatch(new RegExp(`^/api/v1/files/public/${owner.tenant!.id}/[0-9a-f-]{36}`));
      expect(await (await loadedWidth(visitor.page, 'img.avatar')).jsonValue()).toBeGreaterThan(0);
      await visitor.screenshot('files-04-public-page-390');
      await expectAxeClean(visitor.page, 'body');
      expect(visitor.errors).toEqual([]);
    } finally {
      await visitor.context.close();
    }
  });

  test('a file whose bytes are not an image is refused in the widget with the API message', async () => {
    const { page } = tab;
    await page.goto(`${sites()}/${siteId}/edit`);
    const field = avatarField(page);
    await field.getByRole('button', { name: 'Replace' }).waitFor();
    // A saved public image is previewed from its public URL.
    expect(await (await loadedWidth(page, '.file-field .file-preview img')).jsonValue()).toBeGreaterThan(0);

    // HTML named .png: the API sniffs the bytes and answers 415, whose message the widget shows.
    const html = Buffer.from('<!doctype html><html><body><script>alert(1)</script></body></html>');
    await fileInput(page).setInputFiles({ name: 'fake.png', mimeType: 'image/png', buffer: html });
    const alert = field.getByRole('alert');
    await alert.filter({ hasText: /^Files of type text\/html are not accepted here\.$/ }).waitFor();
    expect(await fileInput(page).getAttribute('aria-describedby')).toContain('field-avatar_file_id-error');
    await tab.screenshot('files-05-form-refused-file');

    // Plain text named .png: stored by the API as text/plain, then dropped by the widget, which takes images only.
    await fileInput(page).setInputFiles({ name: 'notes.png', mimeType: 'image/png', buffer: Buffer.from('just words, not pixels\n') });
    await alert.filter({ hasText: 'The file’s contents are text/plain' }).waitFor();
    await expect.poll(async () => (await t.sql("select 1 from files where name = 'notes.png'")).length).toBe(0);
    // Nothing changed: the saved image is still the site's.
    await field.getByRole('button', { name: 'Replace' }).waitFor();
    await expectNamedControls(page, 'form');
    await expectAxeClean(page, 'form');
    expect(tab.errors).toEqual([]);
  });

  test('screenshots of the form in English and Arabic, wide and at 390 px', async () => {
    const { page } = tab;
    await page.goto(`${sites()}/${siteId}/edit`);
    await loadedWidth(page, '.file-field .file-preview img');
    await tab.screenshot('files-01-form-en-1280');
    await page.setViewportSize({ width: 390, height: 844 });
    await loadedWidth(page, '.file-field .file-preview img');
    expect(await page.evaluate(() => document.documentElement.scrollWidth)).toBeLessThanOrEqual(390);
    await tab.screenshot('files-02-form-en-390');

    // Arabic, chosen as a person does: on the account page (it applies at once and follows the user).
    await chooseLanguage(page, 'ar');
    await page.goto(`${sites()}/${siteId}/edit`);
    await loadedWidth(page, '.file-field .file-preview img');
    const field = page.getByRole('group', { name: 'الصورة الرمزية' }); // "Avatar image", in the plugin's Arabic
    await field.getByRole('button', { name: 'استبدال' }).waitFor();
    await field.getByText('اسحب ملفًا آخر إلى هنا، أو').waitFor();
    expect(await field.locator('#field-avatar_file_id-limits').textContent()).toBe('PNG, JPEG, GIF, WEBP, AVIF، بحد أقصى 10 ميغابايت.');
    expect(await page.evaluate(() => document.documentElement.scrollWidth)).toBeLessThanOrEqual(390);
    // Right to left: the preview sits at the right of the text.
    const preview = await field.locator('.file-preview').boundingBox();
    const body = await field.locator('.file-body').boundingBox();
    expect(preview!.x).toBeGreaterThan(body!.x);
    await tab.screenshot('files-03-form-ar-390');
    await page.setViewportSize({ width: 1280, height: 860 });
    await tab.screenshot('files-03-form-ar-1280');
    await expectNamedControls(page, 'form');
    await expectAxeClean(page, 'form');
    await chooseLanguage(page, 'en');
    expect(tab.errors).toEqual([]);
  });
});
