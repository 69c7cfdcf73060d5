import { leftoverEnglish } from '@plinth/core/testing';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { lmsMailMessages } from '../src/jobs/mail-messages.js';
import { lmsNotifications } from '../src/notifications.js';
import { lmsMessages } from '../src/pages/messages.js';
import { translations } from '../src/translations.js';
import { bootLms, buildCourse, type Call, type LmsWorld } from './support.js';

/** The notification templates' texts as catalogues (English, and Arabic through the plugin's translations). */
function notificationCatalogues() {
  const texts = Object.values(lmsNotifications.templates ?? {}).flatMap((template) => [template.title, template.body]);
  return {
    en: Object.fromEntries(texts.map((text) => [text, text])),
    ar: Object.fromEntries(texts.map((text) => [text, translations.ar?.[text] ?? ''])),
  };
}

// Issue 20, "Languages": an Arabic tenant's learners get Arabic reminder and drip mails (the drip notice through
// notify since issue 24) and an Arabic certificate page, right to left, with nothing of the English catalogues left over.
let world: LmsWorld;
let admin: Call;
beforeAll(async () => {
  world = await bootLms();
  admin = world.as(world.owner);
  expect((await world.t.request('PATCH', '/api/v1/tenant', { headers: world.owner.headers, body: { locale: 'ar' } })).status).toBe(200);
});
afterAll(() => world?.t.close());

describe('an Arabic tenant', () => {
  it('mails reminders and drip notices in Arabic', async () => {
    await world.t.request('PUT', '/api/v1/plugins/lms/settings', { headers: world.owner.headers, body: { reminderAfterDays: 3 } });
    const learner = await world.member();
    const course = await buildCourse(admin, { lessons: 1 });
    await admin('POST', `/modules/${course.moduleIds[0]}/lessons`, { title: 'الأسبوع الثاني', status: 'published', drip_days: 7 });
    const enrollment = (await world.as(learner)('POST', `/courses/${course.id}/enroll`)).body.data;
    await world.t.sql("update lms_enrollments set last_activity_at = now() - interval '4 days', created_at = now() - interval '8 days' where id = $1", [
      enrollment.id,
    ]);
    expect((await admin('POST', '/notifications/run')).status).toBe(202);
    await world.t.drainJobs();

    const mails = await world.t.mailbox(learner.email);
    const reminder = mails.find((mail) => mail.subject.startsWith('تابع من حيث توقفت'));
    const drip = mails.find((mail) => mail.subject.startsWith('دروس جديدة في'));
    expect(reminder, JSON.stringify(mails.map((mail) => mail.subject))).toBeDefined();
    expect(drip).toBeDefined();
    expect(drip!.text).toContain('متاحة الآن: الأسبوع الثاني');
    expect(leftoverEnglish(`${reminder!.subject}\n${reminder!.text}`, lmsMailMessages.catalogues, 'ar')).toEqual([]);
    expect(leftoverEnglish(`${drip!.subject}\n${drip!.text}`, notificationCatalogues(), 'ar')).toEqual([]);
  });

  it('shows a certificate page in Arabic, and its 404 in Arabic', async () => {
    const learner = await world.member();
    const course = await buildCourse(admin, { lessons: 1 });
    expect((await world.as(learner)('POST', `/courses/${course.id}/enroll`)).status).toBe(201);
    expect((await world.as(learner)('POST', `/lessons/${course.lessonIds[0]}/complete`)).status).toBe(200);
    const [certificate] = await world.t.sql<{ code: string }>('select code from lms_certificates where course_id = $1', [course.id]);
    expect(certificate).toBeDefined();
    const slug = world.owner.tenant!.slug;
    const shown = await fetch(`${world.t.url}/c/${slug}/certificates/${certificate!.code}`);
    const markup = await shown.text();
    expect(shown.status).toBe(200);
    expect(markup).toContain('<html lang="ar" dir="rtl">');
    expect(leftoverEnglish(markup, lmsMessages.catalogues, 'ar')).toEqual([]);
    const missing = await fetch(`${world.t.url}/c/${slug}/certificates/AAAAAAAAAAAAAAAA`);
    expect(missing.status).toBe(404);
    const missingMarkup = await missing.text();
    expect(missingMarkup).toContain('<html lang="ar" dir="rtl">');
    expect(leftoverEnglish(missingMarkup, lmsMessages.catalogues, 'ar')).toEqual([]);
  });

  it('answers a browser an Arabic error page with the error’s status, and an API client the JSON envelope', async () => {
    const path = `/c/${world.owner.tenant!.slug}/certificates/${'A'.repeat(101)}`;
    const browser = await fetch(`${world.t.url}${path}`, { headers: { accept: 'text/html,application/xhtml+xml,*/*;q=0.8', 'accept-language': 'en' } });
    const markup = await browser.text();
    expect(browser.status).toBe(422);
    expect(browser.headers.get('content-type')).toBe('text/html; charset=utf-8');
    expect(browser.headers.get('content-security-policy')).toContain("script-src 'none'");
    expect(markup).toContain('<html lang="ar" dir="rtl">');
    expect(markup).toContain('<h1>هذا الرابط غير صالح</h1>');
    expect(markup).toContain(browser.headers.get('x-request-id')!);
    for (const english of ['This link is not valid', 'Check the address', 'Reference']) expect(markup).not.toContain(english);
    const api = await fetch(`${world.t.url}${path}`);
    expect(api.status).toBe(422);
    expect((await api.json()).code).toBe('validation_failed');
  });
});
