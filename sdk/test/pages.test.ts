import { createHash } from 'node:crypto';
import { describe, expect, test } from 'vitest';
import { defineMessages, formatMoney, html, pagePath, pageReply, SafeHtml, textDirection } from '../src/index.js';

describe('customer pages', () => {
  test('html escapes every interpolated value except safe HTML, and renders nothing for null, undefined and false', () => {
    const name = '<script>alert("x")</script>';
    const out = html`<p title="${name}">${name}${null}${undefined}${false}${html`<b>${'&'}</b>`}${[html`<i>1</i>`, html`<i>2</i>`]}</p>`;
    expect(out).toBeInstanceOf(SafeHtml);
    expect(out.value).toBe(
      '<p title="&lt;script&gt;alert(&quot;x&quot;)&lt;/script&gt;">&lt;script&gt;alert(&quot;x&quot;)&lt;/script&gt;<b>&amp;</b><i>1</i><i>2</i></p>',
    );
  });

  test('the template layout is not sent, but a space between words and tags on one line is text and stays', () => {
    const label = 'Email';
    const out = html`<form>
      <label for="e">${label} <span>hint</span></label>
      <p>${label} ${label}</p>
      <input id="e" />
    </form>`;
    expect(out.value).toBe('<form><label for="e">Email <span>hint</span></label><p>Email Email</p><input id="e"></form>');
  });

  test('a page allows exactly its own stylesheet by hash, no inline script, forms to itself unless told', () => {
    const reply = pageReply({ locale: 'en', title: 'Pay', body: html`<h1>Pay</h1>`, css: '.x{color:red}', sources: { formAction: ['https://gateway.test'] } });
    const csp = reply.headers['content-security-policy']!;
    const body = String(reply.body);
    const css = /<style>(.*?)<\/style>/.exec(body)![1]!;
    expect(csp).toContain(`style-src 'sha256-${createHash('sha256').update(css).digest('base64')}'`);
    expect(css.endsWith('.x{color:red}')).toBe(true);
    expect(csp).toContain("script-src 'none'");
    expect(csp).toContain("form-action 'self' https://gateway.test");
    expect(csp).not.toContain('unsafe-inline');
    expect(body).toContain('<html lang="en" dir="ltr">');
    expect(body).toContain('<meta name="robots" content="noindex">');
    expect(reply.headers['cache-control']).toBe('no-store');
  });

  test('Arabic pages are right to left', () => {
    expect(textDirection('ar-EG')).toBe('rtl');
    expect(textDirection('en-GB')).toBe('ltr');
    expect(String(pageReply({ locale: 'ar', title: 'x', body: html`` }).body)).toContain('<html lang="ar" dir="rtl">');
  });

  test('messages use ICU plurals, fall back to English for a missing language or key', () => {
    const messages = defineMessages({
      en: { items: '{count, plural, one {# item} other {# items}}', hello: 'Hello {name}' },
      ar: { items: '{count, plural, zero {لا عناصر} one {عنصر واحد} two {عنصران} few {# عناصر} many {# عنصرًا} other {# عنصر}}' },
    });
    expect(messages.translator('en-US')('items', { count: 1 })).toBe('1 item');
    expect(messages.translator('fr-FR')('items', { count: 3 })).toBe('3 items');
    expect(messages.translator('ar')('items', { count: 2 })).toBe('عنصران');
    expect(messages.translator('ar-EG')('hello', { name: 'Mona' })).toBe('Hello Mona');
  });

  test('money is formatted from minor units with the currency’s own decimals', () => {
    expect(formatMoney(1999, 'usd', 'en-US')).toBe('$19.99');
    expect(formatMoney(500, 'JPY', 'en-US')).toBe('¥500');
    expect(formatMoney(1234, 'KWD', 'en-US')).toBe('KWD\u00a01.234');
  });

  test('page paths are under /c/<tenant>', () => {
    expect(pagePath('acme', '/checkout/abc')).toBe('/c/acme/checkout/abc');
    expect(pagePath('a b', 'x')).toBe('/c/a%20b/x');
  });
});
