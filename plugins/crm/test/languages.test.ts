import { leftoverEnglish, type TestKernel, type TestUser } from '@plinth/core/testing';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { unsubscribeMessages } from '../src/services/unsubscribe-messages.js';
import { crmCall, crmKernel, eventually } from './helpers.js';

// Issue 20, "Languages": the words the platform adds to an Arabic tenant's campaign mail (the unsubscribe footer)
// and its unsubscribe pages are Arabic, right to left, with nothing of the English catalogue left over.
let t: TestKernel;
let owner: TestUser;
let call: ReturnType<typeof crmCall>;
beforeAll(async () => {
  ({ t, owner } = await crmKernel());
  call = crmCall(t, owner);
  expect((await t.request('PATCH', '/api/v1/tenant', { headers: owner.headers, body: { locale: 'ar' } })).status).toBe(200);
});
afterAll(() => t?.close());

describe('campaign mail of an Arabic tenant', () => {
  it('gets an Arabic unsubscribe footer, and Arabic unsubscribe pages', async () => {
    const email = 'arabic-reader@example.net';
    expect((await call('POST', '/contacts', { email, name: 'قارئ', tags: ['ar-news'] })).status).toBe(201);
    const segment = await call('POST', '/segments', { name: 'ar segment', filter: { tag: ['ar-news'] } });
    // No {{unsubscribe_url}} of its own: the platform adds the footer.
    const template = await call('POST', '/templates', { name: 'ar', subject: 'أخبار', html: '<p>مرحبًا</p>', text: 'مرحبًا' });
    const campaign = await call('POST', '/campaigns', { name: 'ar', template_id: template.body.data.id, segment_id: segment.body.data.id });
    expect((await call('POST', `/campaigns/${campaign.body.data.id}/send`)).status).toBe(202);
    const mail = await eventually(async () => (await t.mailbox(email))[0]);

    expect(mail.html).toMatch(/<p dir="rtl"><a href="[^"]+\/u\/[0-9a-f]{64}">إلغاء الاشتراك<\/a><\/p>/);
    expect(mail.text).toMatch(/إلغاء الاشتراك: http\S+\/u\/[0-9a-f]{64}/);
    expect(leftoverEnglish(`${mail.html}\n${mail.text}`, unsubscribeMessages.catalogues, 'ar')).toEqual([]);
    expect(mail.text).not.toContain('Unsubscribe');

    const unsubscribe = mail.headers!['List-Unsubscribe']!.slice(1, -1);
    const ask = await fetch(unsubscribe);
    const askPage = await ask.text();
    expect(ask.status).toBe(200);
    expect(askPage).toMatch(/^<!doctype html><html lang="ar" dir="rtl">/);
    expect(askPage).toContain('<button type="submit">إلغاء الاشتراك</button>');
    expect(leftoverEnglish(askPage, unsubscribeMessages.catalogues, 'ar')).toEqual([]);
    expect(askPage).not.toMatch(/>Unsubscribe</);

    const unknownLink = unsubscribe.replace(/u\/[0-9a-f]{64}$/, `u/${'0'.repeat(64)}`);
    expect((await (await fetch(unknownLink)).json()).code).toBe('not_found');
    const unknown = await fetch(unknownLink, { headers: { accept: 'text/html,*/*;q=0.8' } });
    const unknownPage = await unknown.text();
    expect(unknown.status).toBe(404);
    expect(unknownPage).toMatch(/^<!doctype html><html lang="ar" dir="rtl">/);
    expect(unknownPage).toContain('<h1>الرابط غير موجود</h1>');
    expect(leftoverEnglish(unknownPage, unsubscribeMessages.catalogues, 'ar')).toEqual([]);

    const done = await fetch(unsubscribe, { method: 'POST', headers: { 'content-type': 'application/x-www-form-urlencoded' }, body: '' });
    const donePage = await done.text();
    expect(done.status).toBe(200);
    expect(donePage).toMatch(/^<!doctype html><html lang="ar" dir="rtl">/);
    expect(donePage).toContain(`لن يتلقى ${email} أي حملات أخرى`);
    expect(leftoverEnglish(donePage, unsubscribeMessages.catalogues, 'ar')).toEqual([]);
  });
});
