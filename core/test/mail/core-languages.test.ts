import { randomUUID } from 'node:crypto';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { pageKitMessages } from '@plinth/sdk';
import { accountMessages } from '../../src/customers/account-messages.js';
import { errorPageMessages } from '../../src/http/error-page.js';
import { coreMailMessages } from '../../src/mail/mail-messages.js';
import { createTestKernel, leftoverEnglish, signUp, type TestKernel, type TestUser } from '../../src/testing/index.js';
import { freshIp, systemQuery, trustProxyEnv } from '../auth/auth-helpers.js';

// Issue 20, "Languages": the kernel's mails and pages speak the tenant's language (or the user's, or the request's
// where no tenant is known), Arabic right to left, with nothing of the English catalogue left over.
let t: TestKernel;
let owner: TestUser;
beforeAll(async () => {
  t = await createTestKernel({ env: trustProxyEnv });
  owner = await signUp(t, { tenant: true });
  const patched = await t.request('PATCH', '/api/v1/tenant', { headers: owner.headers, body: { locale: 'ar' } });
  expect(patched.status).toBe(200);
});
afterAll(() => t.close());

async function mailTo(to: string): Promise<{ subject: string; text: string }> {
  let mails: { subject: string; text: string }[] = [];
  await expect.poll(async () => (mails = await systemQuery(t, 'select subject, text from mail_outbox where "to" = $1', [to])).length).toBe(1);
  return mails[0]!;
}

const arabic = /[\u0600-\u06FF]/;

describe('mails in Arabic', () => {
  it('an invitation from an Arabic tenant is in Arabic and keeps its link', async () => {
    const to = `invitee-${randomUUID()}@example.test`;
    const roles = await t.request('GET', '/api/v1/roles', { headers: owner.headers });
    const viewer = roles.body.data.find((role: { name: string }) => role.name === 'viewer').id;
    const invited = await t.request('POST', '/api/v1/invitations', { headers: owner.headers, body: { email: to, roles: [viewer] } });
    expect(invited.status).toBe(201);
    const mail = await mailTo(to);
    expect(mail.subject).toBe(`أنت مدعو إلى ${owner.tenant!.name}`);
    expect(mail.text).toContain(invited.body.data.accept_url);
    expect(mail.text).toContain('7 أيام');
    expect(leftoverEnglish(`${mail.subject}\n${mail.text}`, coreMailMessages.catalogues, 'ar')).toEqual([]);
  });

  it('a customer sign-in link from an Arabic tenant is in Arabic', async () => {
    const asked = await t.request('POST', '/api/v1/customers/auth/magic-link', { headers: { 'x-tenant': owner.tenant!.slug }, body: { email: owner.email } });
    expect(asked.status).toBe(202);
    const mail = await mailTo(owner.email);
    expect(mail.subject).toMatch(arabic);
    expect(mail.text).toMatch(arabic);
    expect(leftoverEnglish(`${mail.subject}\n${mail.text}`, accountMessages.catalogues, 'ar')).toEqual([]);
  });

  it('a password reset asked in Arabic is mailed in Arabic; in French, English', async () => {
    const [inArabic, inFrench] = [await signUp(t), await signUp(t)];
    const forgot = (user: TestUser, language: string) =>
      t.request('POST', '/api/v1/auth/password/forgot', { body: { email: user.email }, headers: { ...freshIp(), 'accept-language': language } });
    expect((await forgot(inArabic, 'ar-SA,ar;q=0.9')).status).toBe(202);
    expect((await forgot(inFrench, 'fr')).status).toBe(202);
    const arabicMail = await mailTo(inArabic.email);
    expect(arabicMail.subject).toBe('إعادة تعيين كلمة مرور Plinth');
    expect(arabicMail.text).toMatch(/\/reset-password\?token=/);
    expect(leftoverEnglish(`${arabicMail.subject}\n${arabicMail.text}`, coreMailMessages.catalogues, 'ar')).toEqual([]);
    const englishMail = await mailTo(inFrench.email);
    expect(englishMail.subject).toBe('Reset your Plinth password');
    // The check itself finds English where there is some.
    expect(leftoverEnglish(englishMail.text, coreMailMessages.catalogues, 'ar')).toContain('If it was not you, ignore this mail; your password stays as it is');
  });
});

describe('the user’s own language', () => {
  it('an English tenant mails a user who chose Arabic in Arabic: an invitation, a sign-in link', async () => {
    const english = await signUp(t, { tenant: true });
    const user = await signUp(t);
    expect((await t.request('PATCH', '/api/v1/me', { headers: { authorization: user.headers.authorization! }, body: { locale: 'ar' } })).status).toBe(200);
    const roles = await t.request('GET', '/api/v1/roles', { headers: english.headers });
    const viewer = roles.body.data.find((role: { name: string }) => role.name === 'viewer').id;
    expect((await t.request('POST', '/api/v1/invitations', { headers: english.headers, body: { email: user.email, roles: [viewer] } })).status).toBe(201);
    expect((await mailTo(user.email)).subject).toBe(`أنت مدعو إلى ${english.tenant!.name}`);

    const asked = await t.request('POST', '/api/v1/customers/auth/magic-link', {
      headers: { 'x-tenant': english.tenant!.slug },
      body: { email: english.email },
    });
    expect(asked.status).toBe(202);
    expect((await mailTo(english.email)).subject).not.toMatch(arabic);
    expect((await t.request('PATCH', '/api/v1/me', { headers: { authorization: english.headers.authorization! }, body: { locale: 'ar-EG' } })).status).toBe(
      200,
    );
    await t.request('POST', '/api/v1/customers/auth/magic-link', { headers: { 'x-tenant': english.tenant!.slug }, body: { email: english.email } });
    let mails: { subject: string; text: string }[] = [];
    await expect
      .poll(async () => (mails = await systemQuery(t, 'select subject, text from mail_outbox where "to" = $1 order by created_at', [english.email])).length)
      .toBe(2);
    expect(mails[1]!.subject).toMatch(arabic);
    expect(leftoverEnglish(`${mails[1]!.subject}\n${mails[1]!.text}`, accountMessages.catalogues, 'ar')).toEqual([]);
  });

  it('a user who chose Arabic gets the password reset in Arabic, whatever the request asks for', async () => {
    const user = await signUp(t);
    const chose = await t.request('PATCH', '/api/v1/me', { headers: { authorization: user.headers.authorization! }, body: { locale: 'ar' } });
    expect(chose.status).toBe(200);
    const forgot = await t.request('POST', '/api/v1/auth/password/forgot', { body: { email: user.email }, headers: { ...freshIp(), 'accept-language': 'en' } });
    expect(forgot.status).toBe(202);
    expect((await mailTo(user.email)).subject).toBe('إعادة تعيين كلمة مرور Plinth');
  });
});

describe('pages in Arabic', () => {
  it('the sign-in page of an Arabic tenant is Arabic, right to left', async () => {
    const page = await fetch(`${t.url}/c/${owner.tenant!.slug}/account/sign-in`);
    const markup = await page.text();
    expect(page.status).toBe(200);
    expect(markup).toContain('<html lang="ar" dir="rtl">');
    expect(leftoverEnglish(markup, accountMessages.catalogues, 'ar')).toEqual([]);
  });

  it('the 404 page of an unknown tenant follows Accept-Language, and varies by it', async () => {
    const page = await fetch(`${t.url}/c/no-such-tenant-${randomUUID().slice(0, 8)}/account/sign-in`, { headers: { 'accept-language': 'ar' } });
    const markup = await page.text();
    expect(page.status).toBe(404);
    expect(markup).toContain('<html lang="ar" dir="rtl">');
    expect(markup).toContain('هذه الصفحة غير متاحة.');
    expect(leftoverEnglish(markup, pageKitMessages.catalogues, 'ar')).toEqual([]);
    expect(page.headers.get('vary')).toMatch(/accept-language/i);
    const english = await (await fetch(`${t.url}/c/no-such-tenant/account/sign-in`, { headers: { 'accept-language': 'fr' } })).text();
    expect(english).toContain('<html lang="en" dir="ltr">');
    expect(english).toContain('This page is not available.');
  });

  it('a page that fails shows a browser an error page in the tenant’s language; an API client still gets JSON', async () => {
    const path = `/c/${owner.tenant!.slug}/account/link?token=${'x'.repeat(201)}`;
    const browser = await fetch(`${t.url}${path}`, { headers: { accept: 'text/html,*/*;q=0.8' } });
    const markup = await browser.text();
    expect(browser.status).toBe(422);
    expect(markup).toContain('<html lang="ar" dir="rtl">');
    expect(markup).toContain('<h1>هذا الرابط غير صالح</h1>');
    expect(leftoverEnglish(markup, errorPageMessages.catalogues, 'ar')).toEqual([]);
    const api = await fetch(`${t.url}${path}`, { headers: { 'accept-language': 'ar' } });
    expect(api.status).toBe(422);
    const envelope = await api.json();
    expect(envelope).toMatchObject({ code: 'validation_failed', message: 'البيانات المرسلة غير صالحة', errors: { token: ['يجب ألا يزيد على 200 حرف'] } });
  });
});
