import { describe, expect, it } from 'vitest';
import { defineErrors, notFoundPage, pageKitMessages, recipientLocale, tenantPages } from '../src/index.js';

describe('notFoundPage', () => {
  it('is Arabic and right to left for an Arabic locale, English for a language without a catalogue', () => {
    const arabic = String(notFoundPage('ar-EG').body);
    expect(arabic).toMatch(/^<!doctype html><html lang="ar" dir="rtl">/);
    expect(arabic).toContain('<h1>غير موجود</h1>');
    expect(arabic).not.toContain(pageKitMessages.catalogues.en.notFoundBody);
    const french = String(notFoundPage('fr').body);
    expect(french).toMatch(/^<!doctype html><html lang="en" dir="ltr">/);
    expect(french).toContain('This page is not available.');
    expect(notFoundPage('ar').status).toBe(404);
  });

  it('is what tenantPages answers, in the locale the kernel hands it (English without one)', () => {
    expect(String(tenantPages.notFound!({ locale: 'ar' }).body)).toContain('lang="ar"');
    expect(String(tenantPages.notFound!().body)).toContain('lang="en"');
  });
});

describe('recipientLocale', () => {
  it('takes the recipient’s own locale, else the tenant’s, else English', () => {
    expect(recipientLocale({ locale: 'ar' }, { locale: 'fr' })).toBe('ar');
    expect(recipientLocale({ locale: null }, { locale: 'fr' })).toBe('fr');
    expect(recipientLocale({}, { locale: '' })).toBe('en');
    expect(recipientLocale(undefined, undefined)).toBe('en');
  });
});

describe('defineErrors translations', () => {
  it('carry the description’s translations when thrown without a message of its own, none with one', () => {
    const errors = defineErrors('demo', { gone: { status: 404, description: 'It is gone', translations: { ar: 'لقد اختفى' } } });
    expect(errors.gone().translations).toEqual({ ar: 'لقد اختفى' });
    expect(errors.gone('Gone since Monday').translations).toBeUndefined();
  });
});
