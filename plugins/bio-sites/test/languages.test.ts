import { createTestKernel, leftoverEnglish, signUp, type TestKernel, type TestUser } from '@plinth/core/testing';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { pageMessages } from '../src/public/page-messages.js';
import plugin from '../src/plugin.js';
import { addBlock, createSite, visit } from './helpers.js';

// Issue 20, "Languages": every page a visitor of an Arabic tenant's bio site can get is Arabic, right to left,
// with nothing of the English catalogue left over; with no tenant to ask, the visitor's language decides.
let t: TestKernel;
let owner: TestUser;
beforeAll(async () => {
  t = await createTestKernel({ plugins: [plugin] });
  owner = await signUp(t, { tenant: true });
  await t.enable(owner, 'bio-sites');
  expect((await t.request('PATCH', '/api/v1/tenant', { headers: owner.headers, body: { locale: 'ar' } })).status).toBe(200);
  const site = await createSite(t, owner, { slug: 'arabic-links', title: 'ليلى', status: 'published' });
  await addBlock(t, owner, site.id, { type: 'email_capture', data: { title: 'النشرة', button_label: 'اشترك' } });
  await createSite(t, owner, { slug: 'arabic-draft', title: 'مسودة', status: 'unpublished' });
});
afterAll(() => t?.close());

function expectArabic(page: { text: string }): void {
  expect(page.text).toMatch(/^<!doctype html><html lang="ar" dir="rtl">/);
  expect(leftoverEnglish(page.text, pageMessages.catalogues, 'ar')).toEqual([]);
}

describe('bio pages of an Arabic tenant', () => {
  it('the public page and its thank-you notice', async () => {
    const page = await visit(t, '/b/arabic-links?subscribed=1');
    expect(page.status).toBe(200);
    expectArabic(page);
    expect(page.text).toContain('شكرًا، تم اشتراكك.');
    // Physical sides would not mirror: the stylesheet uses logical properties only.
    expect(page.text).not.toMatch(/(?:margin|padding|border)-(?:left|right)|text-align:(?:left|right)|[;{](?:left|right):/);
  });

  it('an unpublished site is a 404 page in Arabic', async () => {
    const page = await visit(t, '/b/arabic-draft');
    expect(page.status).toBe(404);
    expectArabic(page);
    expect(page.text).toContain('<h1>غير موجود</h1>');
  });

  it('an unknown link and a deactivated short link say so in Arabic', async () => {
    const link = await visit(t, '/b/arabic-links/l/00000000-0000-4000-8000-000000000000');
    expect(link.status).toBe(404);
    expectArabic(link);
    expect(link.text).toContain('هذا الرابط غير متاح.');
    const short = await t.request('POST', '/api/v1/bio-sites/short-links', {
      headers: owner.headers,
      body: { code: 'ar-off', target_url: 'https://a.example' },
    });
    expect(short.status).toBe(201);
    const off = await t.request('PATCH', `/api/v1/bio-sites/short-links/${short.body.data.id}`, { headers: owner.headers, body: { active: false } });
    expect(off.status).toBe(200);
    const page = await visit(t, '/s/ar-off');
    expect(page.status).toBe(404);
    expectArabic(page);
  });

  it('a bad email on the subscribe form is explained in Arabic', async () => {
    const page = await visit(t, '/b/arabic-links/subscribe', {
      method: 'POST',
      headers: { 'content-type': 'application/x-www-form-urlencoded' },
      body: 'email=not-an-email',
    });
    expect(page.status).toBe(422);
    expectArabic(page);
    expect(page.text).toContain('تحقّق من بريدك الإلكتروني');
  });

  it('a site no tenant owns answers in the visitor’s language: Arabic for ar, English otherwise', async () => {
    const arabic = await visit(t, '/b/nobody-owns-this', { headers: { 'accept-language': 'ar-EG,ar;q=0.9' } });
    expect(arabic.status).toBe(404);
    expectArabic(arabic);
    const english = await visit(t, '/b/nobody-owns-this', { headers: { 'accept-language': 'fr' } });
    expect(english.text).toMatch(/^<!doctype html><html lang="en" dir="ltr">/);
    expect(leftoverEnglish(english.text, pageMessages.catalogues, 'ar')).toContain('This page is not available');
  });
});
