import { afterEach, describe, expect, it } from 'vitest';
import { currencyDigits, formatBasisPoints, formatBytes, formatDate, formatIdentifiers, formatDateTime, formatMoney, formatNumber } from '../web/src/format.js';
import {
  currentLanguage,
  defineMessages,
  direction,
  formattingLocale,
  languageOf,
  onLanguageChange,
  pickLanguage,
  setLanguage,
  setRegionalLocale,
} from '../web/src/i18n.js';

const t = defineMessages({
  en: { save: 'Save', hello: 'Hello, {name}', count: '{n, plural, one {# item} other {# items}}' },
  ar: {
    save: 'حفظ',
    hello: 'مرحبًا، {name}',
    count: '{n, plural, zero {لا عناصر} one {عنصر واحد} two {عنصران} few {# عناصر} many {# عنصرًا} other {# عنصر}}',
  },
});

afterEach(() => {
  setRegionalLocale(undefined);
  setLanguage('en');
});

describe('messages', () => {
  it('formats in the current language, with arguments', () => {
    setLanguage('en');
    expect(t('save')).toBe('Save');
    expect(t('hello', { name: 'Lina' })).toBe('Hello, Lina');
    setLanguage('ar');
    expect(currentLanguage()).toBe('ar');
    expect(direction()).toBe('rtl');
    expect(t('save')).toBe('حفظ');
    expect(t('hello', { name: 'Lina' })).toBe('مرحبًا، Lina');
  });

  it('uses all six Arabic plural categories', () => {
    setLanguage('ar');
    expect([0, 1, 2, 3, 11, 100].map((n) => t('count', { n }))).toEqual(['لا عناصر', 'عنصر واحد', 'عنصران', '3 عناصر', '11 عنصرًا', '100 عنصر']);
    setLanguage('en');
    expect([0, 1, 2].map((n) => t('count', { n }))).toEqual(['0 items', '1 item', '2 items']);
  });

  it('follows the tenant region for digits when it shares the language', () => {
    setLanguage('ar');
    setRegionalLocale('ar-EG');
    expect(formattingLocale()).toBe('ar-EG');
    expect(t('count', { n: 3 })).toBe('٣ عناصر');
    setRegionalLocale('en-GB');
    expect(formattingLocale()).toBe('ar');
  });

  it("fills markup tags with the caller's elements, inside one translatable sentence", () => {
    const rich = defineMessages({ en: { signIn: '<link>Sign in</link> with {what}.' }, ar: { signIn: '<link>سجّل الدخول</link> بـ{what}.' } });
    const link = (chunks: string[]) => ({ tag: 'a', chunks });
    setLanguage('en');
    expect(rich.rich('signIn', { what: 'the new password', link })).toEqual([{ tag: 'a', chunks: ['Sign in'] }, ' with the new password.']);
    setLanguage('ar');
    expect(rich.rich('signIn', { what: 'كلمة المرور', link })).toEqual([{ tag: 'a', chunks: ['سجّل الدخول'] }, ' بـكلمة المرور.']);
  });

  it('shows the pattern, not an exception, when an argument is missing', () => {
    setLanguage('en');
    const original = console.error;
    console.error = () => {};
    try {
      expect(t('hello')).toBe('Hello, {name}');
    } finally {
      console.error = original;
    }
  });

  it('tells listeners about a change of language, once', () => {
    setLanguage('en');
    const seen: string[] = [];
    const stop = onLanguageChange((language) => seen.push(language));
    setLanguage('ar');
    setLanguage('ar');
    stop();
    setLanguage('en');
    expect(seen).toEqual(['ar']);
  });

  it('picks the first supported language among preferences', () => {
    expect(languageOf('ar-EG')).toBe('ar');
    expect(languageOf('fr')).toBeUndefined();
    expect(pickLanguage(null, 'fr-FR', 'ar_SA', 'en')).toBe('ar');
    expect(pickLanguage(undefined, 'de')).toBe('en');
  });
});

describe('formatters', () => {
  it('knows the minor-unit digits of currencies', () => {
    expect(currencyDigits('JPY')).toBe(0);
    expect(currencyDigits('USD')).toBe(2);
    expect(currencyDigits('KWD')).toBe(3);
    expect(currencyDigits('kwd')).toBe(3);
  });

  it('formats money from minor units with the currency digits', () => {
    setLanguage('en');
    expect(formatMoney(123456, 'USD')).toBe('$1,234.56');
    expect(formatMoney(1500, 'JPY')).toBe('¥1,500');
    expect(formatMoney(1234, 'KWD')).toBe('KWD\u00a01.234');
    expect(formatMoney(500, 'ZZZ1')).toBe('5.00 ZZZ1');
    setLanguage('ar');
    setRegionalLocale('ar-EG');
    expect(formatMoney(1234, 'KWD')).toContain('١٫٢٣٤');
  });

  it('formats numbers and basis points in the language', () => {
    setLanguage('en');
    expect(formatNumber(12345.5)).toBe('12,345.5');
    expect(formatBasisPoints(1250)).toBe('12.5%');
    setLanguage('ar');
    setRegionalLocale('ar-EG');
    expect(formatNumber(12345.5)).toBe('١٢٬٣٤٥٫٥');
  });

  it('formats an instant in the tenant time zone', () => {
    setLanguage('en');
    const instant = '2026-12-05T23:30:00Z';
    expect(formatDateTime(instant, 'UTC')).toBe('Dec 5, 2026, 11:30 PM');
    // Tokyo is nine hours ahead: already the next day.
    expect(formatDateTime(instant, 'Asia/Tokyo')).toBe('Dec 6, 2026, 8:30 AM');
    expect(formatDateTime(instant, 'Not/AZone')).toBe(formatDateTime(instant, 'UTC'));
    expect(formatDateTime('not a date', 'UTC')).toBe('not a date');
  });

  it('formats sizes in binary units, in the language', () => {
    setLanguage('en');
    expect(formatBytes(500)).toBe('500 bytes');
    expect(formatBytes(12 * 1024)).toBe('12 KB');
    expect(formatBytes(3.4 * 1024 * 1024)).toBe('3.4 MB');
    setLanguage('ar');
    setRegionalLocale('ar-EG');
    expect(formatBytes(3.4 * 1024 * 1024)).toBe('٣٫٤ ميغابايت');
  });

  it('lists identifiers with the language’s separator, never its “and”', () => {
    setLanguage('en');
    expect(formatIdentifiers(['viewer', 'contact-reader'])).toBe('viewer, contact-reader');
    setLanguage('ar');
    expect(formatIdentifiers(['viewer', 'contact-reader'])).toBe('viewer، contact-reader');
  });

  it('formats a calendar date without shifting it', () => {
    setLanguage('en');
    expect(formatDate('2026-01-01')).toBe('Jan 1, 2026');
    setLanguage('ar');
    setRegionalLocale('ar-EG');
    expect(formatDate('2026-01-01')).toContain('٢٠٢٦');
  });
});
